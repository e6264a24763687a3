"""SASNet's frozen frequency embedding (Novello et al. 2024, as used by SASNet), in numpy.

The first layer of a SASNet computes ``sin(W x + b)`` with ``W = 2 pi k / period`` for
integer frequency vectors ``k``.  ``W`` is frozen: it is never trained and never
stored, only regenerated here from the seed kept in the method spec, by
``numpy.random.default_rng``, so the encoder (torch) and the reference decoder
(numpy) use the very same matrix.

Layout of the ``width`` neurons, in order (the groups the masks act on):

1. the ``p`` axis unit vectors, then ``ceil(low_fraction * width) - p`` vectors drawn
   from the low box ``[-L, L]^p``: the low-frequency group, never masked;
2. the rest drawn from the integer grid inside ``[-B, B]^p`` outside the low box,
   ordered and split into ``bands`` high bands by ``max_i |k_i|`` (cut points
   ``linspace(L, B + 1, bands + 1)``, as the public reference code does).

Choices where the paper leaves room (only the scaling to the chunk is measured, in
``benchmarks/sasnet_paper.py``):

- Only half of the frequency space is used (the paper's symmetry: ``sin(-k.x + b)``
  is ``sin(k.x + pi - b)``): a vector is kept iff its first non-zero entry is
  positive.  The reference code uses ``k_0 >= 0``, which keeps both ``(0, 1)`` and
  ``(0, -1)``; the strict half-space wastes no neuron on a duplicate.
- Vectors are drawn uniformly without replacement from all admissible integer
  vectors (the reference draws from a coarser strided grid); only when a box holds
  fewer vectors than neurons are vectors repeated (a repeat with another bias adds
  the quadrature phase, so it is not wasted).
- ``B`` and ``L`` are the paper's values for a chunk of ``reference_size`` samples
  per axis (128: the paper's volumes have 100-200) and scale with ``n``, the
  shortest non-singleton axis of the chunk, so that the frequencies per voxel stay
  the paper's (a 32^3 chunk gets B = 8, L = 2); the band limit never passes the
  grid's Nyquist frequency ``(n - 1) period / 4`` (both shrink in proportion).
  Axes of length 1 get no frequency (their coordinate is always 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: slightly above 2: f(-1) and f(+1) stay apart on an endpoint-inclusive grid (2/0.95,
#: the reference code's choice)
DEFAULT_PERIOD = 2.0 / 0.95
#: boxes with more integer vectors than this are sampled by rejection, not enumerated
MAX_ENUMERATED = 1 << 22
#: salt mixed into the spec's seed so the frequencies do not share a stream with
#: anything else drawn from the same seed
_SALT = 0x5A5E7


@dataclass(frozen=True)
class Embedding:
    """The frozen first layer: integer frequencies ``k`` [width, p] and their groups."""

    k: np.ndarray
    #: end (exclusive) of each group of neurons: low group first, then the high bands
    group_ends: tuple[int, ...]
    period: float

    @property
    def matrix(self) -> np.ndarray:
        """``W`` as used by ``x @ W``: [p, width] float32 (computed in float64 first)."""
        return (2 * np.pi * self.k.T.astype(np.float64) / self.period).astype(np.float32)

    def neuron_mask_index(self) -> np.ndarray:
        """Per neuron, the mask column it is multiplied by: 0 = the constant-1 column
        (low group), 1..bands = the band masks."""
        index = np.zeros(self.k.shape[0], np.int64)
        for band, (start, end) in enumerate(zip(self.group_ends[:-1], self.group_ends[1:]), start=1):
            index[start:end] = band
        return index


def effective_limits(shape: tuple[int, ...], band_limit: int, low_range: int, reference_size: int = 0,
                     period: float = DEFAULT_PERIOD) -> tuple[int, int]:
    """(band limit, low range) for a chunk: both scaled by ``n / reference_size`` (``n``
    the shortest non-singleton axis; no scaling when ``reference_size`` is 0), both
    shrunk in proportion if the band limit would pass the grid's Nyquist frequency,
    then rounded (at least 1)."""
    sizes = [n for n in shape if n > 1]
    if not sizes:
        return 0, 0
    n = min(sizes)
    scale = n / reference_size if reference_size else 1.0
    nyquist = max(1.0, math.floor((n - 1) * period / 4.0))
    scale = min(scale, nyquist / band_limit)
    limit = max(1, int(round(band_limit * scale)))
    return limit, min(limit, max(1, int(round(low_range * scale))))


def _half_space(candidates: np.ndarray) -> np.ndarray:
    """Keep vectors whose first non-zero entry is positive (drops 0 and every -k of a k)."""
    nonzero = candidates != 0
    first = np.argmax(nonzero, axis=1)
    lead = candidates[np.arange(len(candidates)), first]
    return candidates[nonzero.any(axis=1) & (lead > 0)]


def _box(limits: list[int]) -> np.ndarray:
    axes = [np.arange(-m, m + 1) for m in limits]
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, len(limits))
    return _half_space(grid)


def _draw(rng: np.random.Generator, candidates: np.ndarray, count: int) -> np.ndarray:
    """``count`` rows of ``candidates``: without replacement while they last."""
    p = candidates.shape[1]
    if count <= 0 or len(candidates) == 0:
        return np.zeros((0, p), np.int64)
    if count <= len(candidates):
        return candidates[np.sort(rng.choice(len(candidates), count, replace=False))]
    extra = candidates[rng.choice(len(candidates), count - len(candidates), replace=True)]
    return np.concatenate([candidates, extra])


def _draw_shell(rng: np.random.Generator, limits: list[int], low: int, count: int) -> np.ndarray:
    """``count`` distinct vectors uniform over the half-space part of the box ``|k_i| <=
    limits_i`` with ``max |k_i| > low``, by rejection (for boxes too big to enumerate;
    more than half of such a box qualifies)."""
    bound = np.asarray(limits, np.int64)
    chosen: dict[tuple[int, ...], None] = {}
    while len(chosen) < count:
        draws = rng.integers(-bound, bound + 1, size=(2 * count, len(limits)))
        keep = _half_space(draws)
        for row in keep[np.abs(keep).max(axis=1) > low]:
            chosen.setdefault(tuple(int(v) for v in row), None)
            if len(chosen) == count:
                break
    return np.array(list(chosen), np.int64).reshape(-1, len(limits))


def frequency_embedding(shape: tuple[int, ...], width: int, seed: int, band_limit: int = 30,
                        low_range: int = 6, bands: int = 4, low_fraction: float = 0.5,
                        period: float = DEFAULT_PERIOD, reference_size: int = 0) -> Embedding:
    """Regenerate the frozen frequencies of a ``width``-neuron embedding for ``shape``."""
    p = len(shape)
    if width <= p:
        raise ValueError(f"a frequency embedding for {p}-d chunks needs more than {p} neurons; got {width}")
    limit, low = effective_limits(shape, band_limit, low_range, reference_size, period)
    active = [n > 1 for n in shape]
    rng = np.random.default_rng([int(seed), _SALT])
    unit = np.eye(p, dtype=np.int64)

    low_box = _box([low if a else 0 for a in active])
    low_box = low_box[np.abs(low_box).sum(axis=1) > 1]  # the unit vectors are already in
    n_low = max(0, min(width - p, int(math.ceil(low_fraction * width)) - p))
    n_high = width - p - n_low

    high_limits = [limit if a else 0 for a in active]
    enumerable = math.prod(2 * m + 1 for m in high_limits) <= MAX_ENUMERATED
    if enumerable:
        high_box = _box(high_limits)
        high_box = high_box[np.abs(high_box).max(axis=1) > low]
        if len(high_box) == 0:  # a chunk too small for any high frequency: all neurons low
            n_low, n_high = width - p, 0
    chosen_low = _draw(rng, low_box if len(low_box) else unit, n_low)
    chosen_high = _draw(rng, high_box, n_high) if enumerable else _draw_shell(rng, high_limits, low, n_high)

    cuts = np.linspace(low, limit + 1, bands + 1)
    peak = np.abs(chosen_high).max(axis=1) if n_high else np.zeros(0)
    band_of = np.clip(np.searchsorted(cuts, peak, side="right") - 1, 0, bands - 1)
    order = np.argsort(band_of, kind="stable")
    counts = np.bincount(band_of, minlength=bands)
    ends = [p + n_low]
    for c in counts:
        ends.append(ends[-1] + int(c))
    k = np.concatenate([unit, chosen_low, chosen_high[order]]).astype(np.int64)
    k.flags.writeable = False  # shared through arch caches
    return Embedding(k, tuple(ends), float(period))
