"""Latent-grid layout: the grids' shapes, the synthesis network's shapes, and the
upsampling both the numpy decoder and the torch trainer use (multilinear, or a
separable cubic: Catmull-Rom or the cubic B-spline, spec key ``u``).

Grid k (k = first .. first + L - 1) has shape ``ceil(S / 2**k)`` per axis.  Every grid
spans the chunk's unit cube with the project's frame (node j of m at
``-1 + 2 j / (m - 1)``, 0 when m == 1), so a continuous voxel coordinate t of an axis of
length n falls at grid coordinate ``t * (m - 1) / (n - 1)`` and is interpolated
linearly between its two neighbouring nodes ("align corners"), or with a cubic kernel
between its four (nodes ``floor(g) - 1 .. floor(g) + 2``, indices clamped to the grid:
the border node is repeated).  The same weights drive the dense per-axis matrices
(whole grids and regions, separable) and the gathers of point reads, in torch and
numpy alike.

Cubic kernels (4 taps per axis, so a point read gathers ``4**ndim`` latents per grid):
Catmull-Rom interpolates the nodes (identity on a full-resolution grid), the cubic
B-spline (no prefilter) is C2-smooth but blurs the nodes.  A fixed kernel, not
Cool-chic v3's learned filter: no extra weights to code, identical in torch and numpy,
and measured (``pyramid``, ``docs/latent.md``) the B-spline wins on smooth fields
(turbulence +4..+7 dB for the start pyramid) and Catmull-Rom elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

#: spec keys (short: the spec is stored in every blob header)
#:   L levels, f finest level (0: full resolution), w synthesis width, c context model (1) or factorised (0),
#:   k latent coding (absent/0: the first coding; 1: significance flags + lookup models; codec.py),
#:   s step slope in quarters (grid i's features are scaled by 2**(-s*i/4); absent: 0, as blobs before it)
#:   u upsampling: 0 multilinear (absent: 0, as blobs before it), 1 Catmull-Rom, 2 cubic B-spline
MAX_LEVELS = 10
MAX_SLOPE = 16
UPSAMPLINGS = ("linear", "catmull-rom", "bspline")


def step_ratios(levels: int, slope: int) -> np.ndarray:
    """Per grid (finest first) its step over the finest grid's, ``2**(-slope * i / 4)``
    (float64): the one formula the start pyramid quantises with and the decoder scales by."""
    return 2.0 ** (-slope * np.arange(levels) / 4.0)


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
    slope: int = 0
    upsampling: int = 0

    @classmethod
    def from_spec(cls, shape: tuple[int, ...], spec: dict[str, Any]) -> "Layout":
        L, f, w, c = int(spec["L"]), int(spec["f"]), int(spec["w"]), int(spec["c"])
        k, s, u = int(spec.get("k", 0)), int(spec.get("s", 0)), int(spec.get("u", 0))
        if not (1 <= L <= MAX_LEVELS and 0 <= f <= 4 and 1 <= w <= 256 and c in (0, 1) and k in (0, 1)
                and 0 <= s <= MAX_SLOPE and 0 <= u < len(UPSAMPLINGS)):
            raise ValueError(f"latent spec out of range: {spec}")
        if max(grid_shape(shape, f)) < 1:
            raise ValueError("latent spec: empty grid")
        return cls(tuple(shape), L, f, w, bool(c), k, s, u)

    def feature_scales(self) -> np.ndarray:
        """Per grid (finest first) the factor its upsampled latents are scaled by,
        :func:`step_ratios` of the spec's slope: coarser grids on finer steps (``pyramid``)."""
        return step_ratios(self.levels, self.slope).astype(np.float32)

    def effective_weights(self, params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """``params`` with the feature scales folded into ``W1``'s rows and ``v`` (what the
        synthesis multiplies the unscaled upsampled latents by)."""
        if not self.slope:
            return params
        g = self.feature_scales()
        return {**params, "W1": params["W1"].astype(np.float32) * g[:, None], "v": params["v"].astype(np.float32) * g}

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


def axis_taps(t: np.ndarray, n: int, m: int, kind: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Interpolation of an m-node grid at continuous voxel coordinates ``t`` of an axis of
    length n with upsampling ``kind`` (``UPSAMPLINGS``): ``(nodes [len(t), taps] int64,
    weights [len(t), taps] float64)``, weights summing to 1.  Linear: the 2 taps of
    :func:`axis_weights`; cubic: 4 taps, indices clamped to the grid."""
    t = np.asarray(t, dtype=np.float64)
    if kind == 0:
        lo, hi, frac = axis_weights(t, n, m)
        return np.stack([lo, hi], axis=-1), np.stack([1.0 - frac, frac], axis=-1)
    if m == 1 or n == 1:
        return np.zeros(t.shape + (1,), np.int64), np.ones(t.shape + (1,))
    g = t * ((m - 1) / (n - 1))
    base = np.clip(np.floor(g), 0, m - 1)
    f = g - base
    nodes = np.clip(base.astype(np.int64)[..., None] + np.arange(-1, 3), 0, m - 1)
    f2, f3 = f * f, f * f * f
    if kind == 1:  # Catmull-Rom
        w = [(-f3 + 2 * f2 - f) / 2, (3 * f3 - 5 * f2 + 2) / 2, (-3 * f3 + 4 * f2 + f) / 2, (f3 - f2) / 2]
    elif kind == 2:  # cubic B-spline
        w = [(1 - f) ** 3 / 6, (3 * f3 - 6 * f2 + 4) / 6, (-3 * f3 + 3 * f2 + 3 * f + 1) / 6, f3 / 6]
    else:
        raise ValueError(f"unknown upsampling {kind}")
    return nodes, np.stack(w, axis=-1)


def is_identity(kind: int, n: int, m: int) -> bool:
    """Whether upsampling an axis of m nodes to its n voxels (at the integers) is the identity."""
    return m == n and kind in (0, 1)


def axis_matrix(t: np.ndarray, n: int, m: int, kind: int = 0) -> np.ndarray:
    """Dense ``[len(t), m]`` interpolation matrix (float32) of :func:`axis_taps`."""
    nodes, weights = axis_taps(t, n, m, kind)
    out = np.zeros((len(t), m), np.float64)
    rows = np.repeat(np.arange(len(t)), nodes.shape[1])
    np.add.at(out, (rows, nodes.ravel()), weights.ravel())
    return out.astype(np.float32)
