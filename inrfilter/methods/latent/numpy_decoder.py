"""Numpy reference decoder of ``latent``: upsample every grid to the points asked for,
then the synthesis: a linear path (one weight per grid) plus an MLP
(levels -> width -> width -> 1, ReLU), in float32.

Tensor-product reads (the whole chunk, regions, reduced-resolution levels) upsample
separably with dense per-axis interpolation matrices, so their cost is that of the
output (plus the grids); point reads gather the 2**ndim corners per grid.  Both use
``layout.axis_weights``, so a point read at integer coordinates equals the decode
within float rounding.
"""

from __future__ import annotations

import numpy as np

from .layout import Layout, axis_matrix, axis_weights

#: rows per block of the MLP (keeps activations in cache)
_BLOCK = 1 << 15


def _upsample(grid: np.ndarray, coords: list[np.ndarray], shape: tuple[int, ...]) -> np.ndarray:
    out = grid.astype(np.float32, copy=False)
    for axis, (t, n) in enumerate(zip(coords, shape)):
        m = grid.shape[axis]
        if m == n and np.array_equal(t, np.arange(n)):
            continue  # the grid is at full resolution on this axis
        if np.all(t == np.rint(t)) and m == n:
            out = np.take(out, t.astype(np.int64), axis=axis)
            continue
        mat = axis_matrix(t, n, m)
        out = np.moveaxis(np.tensordot(mat, out, axes=([1], [axis])), 0, axis)
    return out


def synthesis(params: dict[str, np.ndarray], features: np.ndarray) -> np.ndarray:
    """The MLP on ``[N, levels]`` float32 features -> ``[N]`` float64."""
    w1, b1 = params["W1"].astype(np.float32), params["b1"].astype(np.float32)
    w2, b2 = params["W2"].astype(np.float32), params["b2"].astype(np.float32)
    w3, b3 = params["W3"].astype(np.float32), params["b3"].astype(np.float32)
    v = params["v"].astype(np.float32)
    out = np.empty(len(features), np.float32)
    for start in range(0, len(features), _BLOCK):
        x = features[start : start + _BLOCK]
        h = x @ w1
        h += b1
        np.maximum(h, 0, out=h)
        g = h @ w2
        g += b2
        np.maximum(g, 0, out=g)
        out[start : start + _BLOCK] = (g @ w3)[:, 0] + x @ v + b3[0]
    return out.astype(np.float64)


def evaluate_axes(layout: Layout, params: dict[str, np.ndarray], coords: list[np.ndarray]) -> np.ndarray:
    """Values on the tensor grid of per-axis continuous voxel coordinates."""
    out_shape = tuple(len(t) for t in coords)
    if 0 in out_shape:
        return np.zeros(out_shape)
    features = np.empty(out_shape + (layout.levels,), np.float32)
    for i in range(layout.levels):
        features[..., i] = _upsample(params[f"z{i}"], coords, layout.shape)
    return synthesis(params, features.reshape(-1, layout.levels)).reshape(out_shape)


def evaluate_points(layout: Layout, params: dict[str, np.ndarray], points: np.ndarray) -> np.ndarray:
    """Values at continuous voxel coordinates ``[N, ndim]``."""
    n_pts = len(points)
    features = np.zeros((n_pts, layout.levels), np.float32)
    for i in range(layout.levels):
        grid = params[f"z{i}"].astype(np.float32)
        per_axis = [axis_weights(points[:, a], n, m) for a, (n, m) in enumerate(zip(layout.shape, grid.shape))]
        acc = np.zeros(n_pts, np.float64)
        for corner in np.ndindex(*(2,) * layout.ndim):
            index, weight = [], np.ones(n_pts)
            for (lo, hi, frac), c in zip(per_axis, corner):
                index.append(hi if c else lo)
                weight = weight * (frac if c else 1.0 - frac)
            acc += weight * grid[tuple(index)]
        features[:, i] = acc
    return synthesis(params, features)
