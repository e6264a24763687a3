"""Latent-grid layout: the grids' shapes, the synthesis network's shapes, and the
multilinear upsampling both the numpy decoder and the torch trainer use.

Grid k (k = first .. first + L - 1) has shape ``ceil(S / 2**k)`` per axis.  Every grid
spans the chunk's unit cube with the project's frame (node j of m at
``-1 + 2 j / (m - 1)``, 0 when m == 1), so a continuous voxel coordinate t of an axis of
length n falls at grid coordinate ``t * (m - 1) / (n - 1)`` and is interpolated
linearly between its two neighbouring nodes ("align corners").  The same weights drive
the dense per-axis matrices (whole grids and regions, separable) and the gathers of
point reads, in torch and numpy alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

#: spec keys (short: the spec is stored in every blob header)
#:   L levels, f finest level (0: full resolution), w synthesis width, c context model (1) or factorised (0),
#:   k latent coding (absent/0: the first coding; 1: significance flags + lookup models; codec.py)
MAX_LEVELS = 10


def grid_shape(shape: tuple[int, ...], k: int) -> tuple[int, ...]:
    return tuple(-(-n // 2**k) for n in shape)


def auto_levels(shape: tuple[int, ...], first: int) -> int:
    """Levels from ``first`` until the longest axis is down to 2 nodes (at most MAX_LEVELS)."""
    levels = 0
    while levels < MAX_LEVELS and max(grid_shape(shape, first + levels)) >= 2:
        levels += 1
    return max(levels, 1)


@dataclass(frozen=True)
class Layout:
    shape: tuple[int, ...]
    levels: int
    first: int
    width: int
    context: bool
    coding: int = 0

    @classmethod
    def from_spec(cls, shape: tuple[int, ...], spec: dict[str, Any]) -> "Layout":
        L, f, w, c = int(spec["L"]), int(spec["f"]), int(spec["w"]), int(spec["c"])
        k = int(spec.get("k", 0))
        if not (1 <= L <= MAX_LEVELS and 0 <= f <= 4 and 1 <= w <= 256 and c in (0, 1) and k in (0, 1)):
            raise ValueError(f"latent spec out of range: {spec}")
        if max(grid_shape(shape, f)) < 1:
            raise ValueError("latent spec: empty grid")
        return cls(tuple(shape), L, f, w, bool(c), k)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def grids(self) -> list[tuple[int, ...]]:
        return [grid_shape(self.shape, self.first + i) for i in range(self.levels)]

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        shapes: dict[str, tuple[int, ...]] = {f"z{i}": g for i, g in enumerate(self.grids)}
        w = self.width
        shapes.update({"W1": (self.levels, w), "b1": (w,), "W2": (w, w), "b2": (w,), "W3": (w, 1), "b3": (1,),
                       "v": (self.levels,)})
        return shapes

    @property
    def weight_names(self) -> tuple[str, ...]:
        return ("W1", "b1", "W2", "b2", "W3", "b3", "v")

    def n_latents(self) -> int:
        return int(sum(np.prod(g) for g in self.grids))


def axis_weights(t: np.ndarray, n: int, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Linear interpolation of an m-node grid at continuous voxel coordinates ``t`` of
    an axis of length n: (lower node, upper node, weight of the upper node)."""
    t = np.asarray(t, dtype=np.float64)
    if m == 1 or n == 1:
        zero = np.zeros(t.shape, np.int64)
        return zero, zero, np.zeros(t.shape)
    g = t * ((m - 1) / (n - 1))
    lo = np.clip(np.floor(g).astype(np.int64), 0, m - 1)  # a node itself gets weight 0 on its neighbour
    return lo, np.minimum(lo + 1, m - 1), g - lo


def axis_matrix(t: np.ndarray, n: int, m: int) -> np.ndarray:
    """Dense ``[len(t), m]`` interpolation matrix (float32) of :func:`axis_weights`."""
    lo, hi, frac = axis_weights(t, n, m)
    out = np.zeros((len(t), m), np.float64)
    rows = np.arange(len(t))
    np.add.at(out, (rows, lo), 1.0 - frac)
    np.add.at(out, (rows, hi), frac)
    return out.astype(np.float32)
