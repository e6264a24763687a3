"""Reduced-resolution levels of a chunk (``decode(blob, level=k)``).

Level k halves every *pyramid axis* k times, rounding up (an odd length repeats
its last sample, as the periodized wavelet transform does).  An axis belongs to
the pyramid when one halving leaves at least ``MIN_LEVEL_LENGTH`` samples, and a
level exists while every pyramid axis keeps that many.  The rule depends on the
chunk shape only, so every chunk of one shape (network, constant or lossless) has
the same level-k shape and a preview of a whole array tiles.

Methods with levels (``Method.levels``) evaluate their own approximation; this
module gives the generic views that do not need a network: pairwise means of
stored values (lossless chunks) and the coarse map of non-finite values.
"""

from __future__ import annotations

import numpy as np

MIN_LEVEL_LENGTH = 4


def _halve(n: int) -> int:
    return -(-n // 2)


def pyramid_axes(shape: tuple[int, ...]) -> tuple[int, ...]:
    """Axes that levels halve: long enough to keep MIN_LEVEL_LENGTH samples after one halving."""
    return tuple(a for a, n in enumerate(shape) if _halve(n) >= MIN_LEVEL_LENGTH)


def max_level(shape: tuple[int, ...]) -> int:
    """Deepest level the shape allows (0 when no axis is long enough)."""
    lengths = [shape[a] for a in pyramid_axes(shape)]
    level = 0
    while lengths and all(_halve(n) >= MIN_LEVEL_LENGTH for n in lengths):
        lengths = [_halve(n) for n in lengths]
        level += 1
    return level


def level_shape(shape: tuple[int, ...], level: int) -> tuple[int, ...]:
    """Shape of level ``level``: pyramid axes halved (rounding up) ``level`` times."""
    axes = pyramid_axes(shape) if level else ()
    out = list(shape)
    for a in axes:
        for _ in range(level):
            out[a] = _halve(out[a])
    return tuple(out)


def check_level(level: object, available: int, what: str) -> int:
    """``level`` as an int in [0, available], or a ValueError that says what exists."""
    if isinstance(level, bool) or not isinstance(level, (int, np.integer)) or level < 0:
        raise ValueError(f"level must be a non-negative integer; got {level!r}")
    if level > available:
        raise ValueError(f"level {int(level)} is not available: {what} has levels 0..{available}")
    return int(level)


def _pair(values: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """Even and odd samples along ``axis``; an odd length repeats its last sample."""
    if values.shape[axis] % 2:
        last = np.take(values, [-1], axis=axis)
        values = np.concatenate([values, last], axis=axis)
    n = values.shape[axis]
    return np.take(values, np.arange(0, n, 2), axis=axis), np.take(values, np.arange(1, n, 2), axis=axis)


def reduce_holes(holes: np.ndarray, level: int) -> np.ndarray:
    """Coarse map of non-finite values (0 finite, else NaN/+Inf/-Inf, as the decoder's
    hole map): a level-k cell is a hole when every voxel of its block is one; it keeps
    an infinity only when the whole block holds that same infinity, else it is NaN."""
    out = holes
    for a in pyramid_axes(holes.shape) if level else ():
        for _ in range(level):
            u, v = _pair(out, a)
            both = (u != 0) & (v != 0)
            with np.errstate(invalid="ignore"):
                same = u == v
            out = np.where(both, np.where(same, u, np.nan), 0.0)
    return out


def reduce_values(values: np.ndarray, finite: np.ndarray, level: int) -> tuple[np.ndarray, np.ndarray]:
    """Pairwise means of the finite values (a pair with one finite member keeps it),
    ``level`` times along every pyramid axis; returns (means, finite mask).  For data
    without holes this is the mean of each 2**k block (Haar's level-k approximation
    in the data's units)."""
    out, ok = np.where(finite, values, 0.0), finite
    for a in pyramid_axes(values.shape) if level else ():
        for _ in range(level):
            (u, v), (fu, fv) = _pair(out, a), _pair(ok, a)
            # halves first: no overflow near float64's limit
            out = np.where(fu & fv, u / 2 + v / 2, np.where(fu, u, np.where(fv, v, 0.0)))
            ok = fu | fv
    return out, ok
