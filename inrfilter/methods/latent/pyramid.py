"""The starting point of training: a closed-loop Laplacian pyramid of the chunk on the
latent grids, quantised on a step chosen for the target.

Coarsest grid first, each grid holds the least-squares fit (separable, through the
same upsampling ``layout.axis_matrix`` the decoder uses) of what the coarser,
already quantised grids leave unexplained, divided by its grid's step and rounded
with a small dead zone.  With the synthesis's linear path at the step per grid and
its MLP branch silent, the model starts as this quantised pyramid: a working
transform coder at about the right rate, which a few hundred optimiser steps then
improve (a zero start needs tens of thousands, as in Cool-chic, before its latents
grow past the rounding).

Steps per grid: ``delta * 2**(-alpha * i)`` for grid i (0 the finest), stored as the
spec's slope ``s = 4 alpha`` (the decoder scales grid i's features by ``2**(-s i / 4)``,
so the synthesis weights stay on one scale and quantise as well as before).  A latent of a
coarser grid moves ``2**(ndim * i)`` voxels, so an error on it costs about that much
more squared error per bit; equal-slope quantisation of such a non-orthogonal
pyramid wants coarser grids on finer steps (``alpha = ndim / 2`` in theory).  The
closed loop lets fine grids repair coarse errors at high rates, where a uniform step
is as good.  For a size target the slope is picked per chunk from every quarter
``s = 0 .. 2 ndim`` (:func:`slopes`) by the coded pyramid's error at the budget
(measured, pyramid alone, one 256^2 / 64^3 crop each, uniform step -> best of
``(0, ndim, 2 ndim)``: powder-pilatus at ratio 300 26.8 -> 30.7 dB, saxs-eiger at 300
40.2 -> 45.7, mni-t1 at 300 14.0 -> 21.2, climate-a1b at 300 30.8 -> 34.2; every
quarter instead of those three: powder at 300 32.9 -> 34.0, saxs at 300 46.0 -> 46.3,
elsewhere +0.0 to +0.1; at ratio 30 the uniform step is within 0.5 dB of the best).
The dead zone (|c| rounds after subtracting ``DEAD``) adds 0.2-1.5 dB at ratios 100-300.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import solve_banded

from . import codec
from .layout import Layout, axis_matrix, axis_weights, is_identity, step_ratios


def _apply(grid: np.ndarray, mats: list[np.ndarray]) -> np.ndarray:
    out = grid
    for axis, mat in enumerate(mats):
        out = np.moveaxis(np.tensordot(mat, out, axes=([1], [axis])), 0, axis)
    return out


def _least_squares(u: np.ndarray, lo: np.ndarray, hi: np.ndarray, frac: np.ndarray) -> np.ndarray:
    """The least-squares restriction ``(U^T U)^-1 U^T`` of a 2-tap interpolation matrix U:
    U^T U is tridiagonal, so a banded solve (O(n m)) replaces a pseudo-inverse (O(n m^2))."""
    m = u.shape[1]
    diag, upper = np.zeros(m), np.zeros(max(m - 1, 0))
    np.add.at(diag, lo, (1 - frac) ** 2)
    np.add.at(diag, hi, np.where(hi != lo, frac**2, 0.0))
    both = hi != lo
    np.add.at(upper, lo[both], (1 - frac[both]) * frac[both])
    bands = np.zeros((3, m))
    bands[0, 1:], bands[1], bands[2, :-1] = upper, diag, upper
    return solve_banded((1, 1), bands, u.T)


def _least_squares_banded(u: np.ndarray, taps: int) -> np.ndarray:
    """The least-squares restriction of a ``taps``-tap interpolation matrix U: U^T U is
    banded (``taps - 1`` off-diagonals), so a banded solve again."""
    gram = u.T @ u
    m, p = gram.shape[0], taps - 1
    bands = np.zeros((2 * p + 1, m))
    for d in range(-p, p + 1):  # bands[p + i - j, j] = gram[i, j]
        if abs(d) >= m:
            continue
        diag = np.diagonal(gram, offset=-d)
        if d >= 0:
            bands[p + d, : m - d] = diag
        else:
            bands[p + d, -d:] = diag
    return solve_banded((p, p), bands, u.T)


def _operators(layout: Layout) -> list[tuple[list[np.ndarray], list[np.ndarray]]]:
    """Per grid: (upsampling matrices, least-squares restriction matrices), per axis."""
    ops = []
    kind = layout.upsampling
    for g in layout.grids:
        ups, res = [], []
        for n, m in zip(layout.shape, g):
            u = axis_matrix(np.arange(n), n, m, kind).astype(np.float64)
            ups.append(u)
            if kind == 0:
                res.append(_least_squares(u, *axis_weights(np.arange(n), n, m)))
            elif is_identity(kind, n, m):
                res.append(np.eye(n))
            else:
                res.append(_least_squares_banded(u, 4))
        ops.append((ups, res))
    return ops


#: rounding dead zone of the start: |c| is rounded after subtracting it
DEAD = 0.2


def level_steps(layout: Layout, delta: float, slope: int) -> np.ndarray:
    """Per grid (finest first) the step ``delta * 2**(-slope * i / 4)``."""
    return delta * step_ratios(layout.levels, slope)


def masked_mse(recon: np.ndarray, chunk: np.ndarray, mask: np.ndarray | None) -> float:
    """Mean squared error over the voxels of ``mask`` (all when None)."""
    err = (recon - chunk) ** 2
    return float(err[mask].mean() if mask is not None else err.mean())


def slopes(layout: Layout) -> tuple[int, ...]:
    """The step slopes (quarters) a size target chooses from: every quarter from 0 to
    ``2 ndim`` (see the module docstring)."""
    return tuple(range(2 * layout.ndim + 1))


#: bisection rounds per slope when ranking slopes (coarse: only the order of the slopes'
#: errors matters; the chosen slope is sized again, to ``SIZE_ROUNDS``)
RANK_ROUNDS, SIZE_ROUNDS = 11, 16


def pyramid(layout: Layout, chunk: np.ndarray, steps: np.ndarray, ops=None) -> tuple[list[np.ndarray], np.ndarray]:
    """(integer grids, reconstruction) of ``chunk`` with grid i on ``steps[i]``."""
    ops = ops if ops is not None else _operators(layout)
    steps = np.broadcast_to(np.asarray(steps, np.float64), (layout.levels,))
    residual = np.asarray(chunk, np.float64).copy()
    grids: list[np.ndarray] = [np.zeros(0)] * layout.levels
    recon = np.zeros_like(residual)
    for k in reversed(range(layout.levels)):
        ups, res = ops[k]
        c = _apply(residual, res) / steps[k]
        q = np.sign(c) * np.floor(np.maximum(np.abs(c) + 0.5 - DEAD, 0.0))
        grids[k] = q
        part = _apply(q * steps[k], ups)
        recon += part
        residual -= part
    return grids, recon


def steps_for_bytes(layout: Layout, chunk: np.ndarray, target: float, mask: np.ndarray | None = None,
                    candidates: tuple[int, ...] | None = None,
                    coder=codec.encode_latents) -> tuple[float, int, tuple[bool, float]]:
    """(finest step, slope, (misses the target, mse)) whose quantised pyramid codes to at
    most ``target`` latent bytes with the least error on the voxels of ``mask`` (all
    when None): for each slope of :func:`slopes`, a bisection in log step on the exact
    coded size (``RANK_ROUNDS`` pyramids), keeping the most accurate step that fits of
    all it tried (the error is not monotonic in the step near the budget: powder-pilatus
    at ratio 30 gave 53.64 dB at 8576 bytes, where a coarser step gave 53.75 at 8144),
    then the slope whose kept pyramid is the most accurate.  ``candidates``: the slopes
    to size instead (``SIZE_ROUNDS`` pyramids each).  ``coder``: the latent coder whose
    size counts (coding 0 by default, the bytes training steers on;
    ``codec.encode_grids`` for the blob's own coding).  When no step fits, the coarsest
    tried is returned with its key's first element True."""
    ops = _operators(layout)
    best = None
    rounds = SIZE_ROUNDS if candidates is not None else RANK_ROUNDS
    for slope in candidates if candidates is not None else slopes(layout):
        # up to the step at which even the coarsest grid's step is 4 (normalised data spans 2)
        lo, hi = np.log(1e-5), np.log(4.0) + slope * (layout.levels - 1) / 4.0 * np.log(2.0)
        top = hi
        for _ in range(rounds):
            mid = (lo + hi) / 2
            grids, recon = pyramid(layout, chunk, level_steps(layout, float(np.exp(mid)), slope), ops)
            if len(coder(layout, grids)) <= target:
                hi = mid
                key = (False, masked_mse(recon, chunk, mask))  # those that fit first
                if best is None or key < best[0]:
                    best = (key, float(np.exp(mid)), slope)
            else:
                lo = mid
        if best is None or best[0][0]:  # nothing fitted yet: the coarsest step, as the fallback
            grids, recon = pyramid(layout, chunk, level_steps(layout, float(np.exp(top)), slope), ops)
            key = (len(coder(layout, grids)) > target, masked_mse(recon, chunk, mask))
            if best is None or key < best[0]:
                best = (key, float(np.exp(top)), slope)
    return best[1], best[2], best[0]


def steps_for_mse(layout: Layout, chunk: np.ndarray, target_mse: float,
                  mask: np.ndarray | None = None) -> tuple[float, int]:
    """(finest step, slope) of the coarsest quantised pyramid whose error on ``mask`` is at
    most ``target_mse``: coarser grids on the middle slope of :func:`slopes`, the finest
    step bisected in log space from ``sqrt(12 target_mse)`` (uniform rounding's error;
    the dead zone adds to it, so the formula alone misses the target)."""
    ops = _operators(layout)
    slope = layout.ndim
    guess = float(np.log(np.sqrt(12.0 * target_mse)))
    lo, hi = guess - np.log(16.0), guess + np.log(2.0)

    def error(log_delta: float) -> float:
        _, recon = pyramid(layout, chunk, level_steps(layout, float(np.exp(log_delta)), slope), ops)
        return masked_mse(recon, chunk, mask)

    if error(hi) <= target_mse:
        return float(np.exp(hi)), slope
    for _ in range(12):  # invariant: lo meets the target (a full-resolution grid on a fine step does)
        mid = (lo + hi) / 2
        if error(mid) <= target_mse:
            lo = mid
        else:
            hi = mid
    return float(np.exp(lo)), slope
