"""Multi-resolution hash grid (Mueller et al. 2022, instant-NGP), numpy reference.

A level of resolution ``N`` covers the unit cube ``[-1, 1]^p`` with ``N`` cells per
axis, i.e. ``(N + 1)^p`` vertices.  A vertex's features live in that level's table:
at the vertex's dense index when the level has at most ``2^T`` vertices (no
collisions, and the table is only as large as the level needs), else at the spatial
hash ``XOR_d(i_d * prime_d) mod 2^T``.  A point's features are the d-linear
interpolation of its cell's ``2^p`` corners, per level, concatenated over levels.

The table of every level is one block of a single ``[entries, features]`` array (the
stored parameter).  ``inrfilter.nn.hashgrid`` computes the same lookup in batched
torch for training; both use :meth:`HashGrid.corners`' arithmetic (float32, same
operation order), so they agree to float32 rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

#: instant-NGP's primes (the first is 1 so that a 1-d grid hashes coherently)
PRIMES = (1, 2654435761, 805459861, 3674653429)


@dataclass(frozen=True)
class HashGrid:
    """Geometry of a hash grid: dimension, per-level resolutions, table size 2^T, features."""

    ndim: int
    resolutions: tuple[int, ...]
    log2_size: int
    features: int = 2

    def __post_init__(self) -> None:
        if not 1 <= self.ndim <= len(PRIMES):
            raise ValueError(f"hash grids support 1 to {len(PRIMES)} dimensions; got {self.ndim}")
        if not self.resolutions or min(self.resolutions) < 1:
            raise ValueError(f"hash grid resolutions must be positive; got {self.resolutions}")

    @property
    def levels(self) -> int:
        return len(self.resolutions)

    def dense(self, level: int) -> bool:
        return (self.resolutions[level] + 1) ** self.ndim <= 1 << self.log2_size

    @cached_property
    def level_sizes(self) -> tuple[int, ...]:
        return tuple(min(1 << self.log2_size, (n + 1) ** self.ndim) for n in self.resolutions)

    @cached_property
    def offsets(self) -> tuple[int, ...]:
        return tuple(int(v) for v in np.cumsum((0,) + self.level_sizes[:-1]))

    @property
    def entries(self) -> int:
        return int(sum(self.level_sizes))

    @property
    def n_params(self) -> int:
        return self.entries * self.features

    @property
    def out_features(self) -> int:
        return self.levels * self.features

    def init_table(self, rng: np.random.Generator, std: float = 1e-2) -> np.ndarray:
        """Small-std normal features (kaolin-wisp's ``feature_std``)."""
        return rng.normal(0.0, std, (self.entries, self.features)).astype(np.float32)

    def corners(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Table rows ``[n, levels, 2^p]`` (int64) and d-linear weights (float32) of
        points ``x`` ``[n, p]`` in ``[-1, 1]``; all levels at once.  Per axis, the two
        candidate vertices' terms (dense stride or hash prime) and weights are formed
        first, then combined over the ``2^p`` corners (sum / XOR / product, axis 0 first)."""
        c = level_constants(self)
        pos = (np.asarray(x, np.float32)[:, None, :] + np.float32(1.0)) * np.float32(0.5) * c["res"]  # [n, L, p]
        cell = np.minimum(np.maximum(np.floor(pos), np.float32(0.0)), c["top"])
        frac = pos - cell
        vertex = cell.astype(np.int64)[..., None] + np.arange(2)  # [n, L, p, 2]: cell and cell + 1
        bits = c["bits"]  # [C, p]
        dense = hashed = weight = None
        for d in range(self.ndim):
            pick = bits[:, d]
            term = vertex[:, :, d, :][..., pick]  # [n, L, C]
            dense = term * c["strides"][:, d, None] if d == 0 else dense + term * c["strides"][:, d, None]
            hashed = term * c["primes"][d] if d == 0 else hashed ^ (term * c["primes"][d])
            f = frac[:, :, d, None]
            w = np.where(pick == 1, f, np.float32(1.0) - f)
            weight = w if d == 0 else weight * w
        hashed &= (1 << self.log2_size) - 1
        rows = np.where(c["dense"][:, None], dense, hashed) + c["offsets"][:, None]
        return rows, weight.astype(np.float32)

    def lookup(self, table: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Interpolated features ``[n, levels * features]`` of points ``x`` ``[n, p]``."""
        index, weight = self.corners(x)
        feats = table[index]  # [n, levels, 2^p, F]
        out = (feats * weight[..., None]).sum(axis=2, dtype=np.float32)
        return out.reshape(x.shape[0], self.out_features)


def level_constants(grid: HashGrid) -> dict[str, np.ndarray]:
    """Per-level arrays shared by the numpy and torch lookups: resolutions (float32,
    per axis), last cell index, dense flags, dense strides, primes, table offsets, and
    the corner offsets."""
    p, res = grid.ndim, np.asarray(grid.resolutions, np.int64)
    return {
        "res": np.repeat(res.astype(np.float32)[:, None], p, axis=1),
        "top": np.repeat((res - 1).astype(np.float32)[:, None], p, axis=1),
        "dense": np.array([grid.dense(level) for level in range(grid.levels)]),
        "strides": (res[:, None] + 1) ** np.arange(p, dtype=np.int64)[None, :],
        "primes": np.array(PRIMES[:p], np.int64),
        "offsets": np.array(grid.offsets, np.int64),
        "bits": corner_bits(p),
    }


def corner_bits(ndim: int) -> np.ndarray:
    """The ``2^p`` corners of a cell as 0/1 offsets ``[2^p, p]`` (axis 0 fastest)."""
    codes = np.arange(1 << ndim)
    return ((codes[:, None] >> np.arange(ndim)[None, :]) & 1).astype(np.int64)


def geometric_resolutions(coarsest: int, finest: int, levels: int) -> tuple[int, ...]:
    """``levels`` strictly increasing resolutions, geometric from ``coarsest`` to about ``finest``."""
    if levels == 1:
        return (int(finest),)
    growth = (finest / coarsest) ** (1.0 / (levels - 1))
    out: list[int] = []
    for i in range(levels):  # strictly increasing: rounding must not repeat a level
        res = int(np.floor(coarsest * growth**i + 1e-9))
        out.append(max(res, out[-1] + 1) if out else res)
    return tuple(out)
