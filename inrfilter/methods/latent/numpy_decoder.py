"""Numpy reference decoder of ``latent``: upsample every grid to the points asked for,
then the synthesis: a linear path (one weight per grid) plus an MLP
(levels -> width -> width -> 1, ReLU), in float32.

Tensor-product reads (the whole chunk, regions, reduced-resolution levels) upsample
separably with dense per-axis interpolation matrices, so their cost is that of the
output (plus the grids); point reads gather the 2**ndim corners per grid (4**ndim
with a cubic upsampling).  Both use ``layout.axis_weights`` / ``layout.axis_taps``, so
a point read at integer coordinates equals the decode within float rounding.
"""

from __future__ import annotations

import numpy as np

from .layout import Layout, axis_taps, axis_weights, is_identity

#: rows per block of the MLP (keeps activations in cache)
_BLOCK = 1 << 15


def _upsample(grid: np.ndarray, coords: list[np.ndarray], shape: tuple[int, ...], kind: int = 0) -> np.ndarray:
    """Separable interpolation of ``grid`` onto the tensor grid ``coords`` (float32): a
    few operations per output value, tap and axis, whatever the grid's resolution."""
    out = grid.astype(np.float32, copy=False)
    for axis, (t, n) in enumerate(zip(coords, shape)):
        m = grid.shape[axis]
        if is_identity(kind, n, m) and np.array_equal(t, np.arange(n)):
            continue  # the grid is at full resolution on this axis
        view = [1] * out.ndim
        view[axis] = len(t)
        if kind:
            nodes, weights = axis_taps(t, n, m, kind)
            w = weights.astype(np.float32)
            acc = np.take(out, nodes[:, 0], axis=axis) * w[:, 0].reshape(view)
            for j in range(1, nodes.shape[1]):
                acc += np.take(out, nodes[:, j], axis=axis) * w[:, j].reshape(view)
            out = acc
            continue
        lo, hi, frac = axis_weights(t, n, m)
        if not frac.any():
            out = np.take(out, lo, axis=axis)
            continue
        f = frac.astype(np.float32).reshape(view)
        low = np.take(out, lo, axis=axis)
        out = low + (np.take(out, hi, axis=axis) - low) * f
    return out


def _point_features(layout: Layout, grid: np.ndarray, points: np.ndarray) -> np.ndarray:
    """A cubic upsampling's value of ``grid`` at ``points``: the 4**ndim corner latents
    reduced axis by axis with the taps' float32 arithmetic of :func:`_upsample`."""
    per_axis = [axis_taps(points[:, a], n, m, layout.upsampling)
                for a, (n, m) in enumerate(zip(layout.shape, grid.shape))]
    taps = tuple(nodes.shape[1] for nodes, _ in per_axis)
    corners = {c: grid[tuple(nodes[:, j] for (nodes, _), j in zip(per_axis, c))] for c in np.ndindex(*taps)}
    for axis in range(layout.ndim):  # Catmull-Rom's weights at a node are exactly (0, 1, 0, 0)
        w = per_axis[axis][1].astype(np.float32)
        reduced = {}
        for c in corners:
            if c[axis] == 0:
                acc = corners[c] * w[:, 0]
                for j in range(1, taps[axis]):
                    acc = acc + corners[c[:axis] + (j,) + c[axis + 1:]] * w[:, j]
                reduced[c] = acc
        corners = reduced
    return corners[(0,) * layout.ndim]


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
    params = layout.effective_weights(params)
    features = np.empty(out_shape + (layout.levels,), np.float32)
    for i in range(layout.levels):
        features[..., i] = _upsample(params[f"z{i}"], coords, layout.shape, layout.upsampling)
    return synthesis(params, features.reshape(-1, layout.levels)).reshape(out_shape)


def evaluate_points(layout: Layout, params: dict[str, np.ndarray], points: np.ndarray) -> np.ndarray:
    """Values at continuous voxel coordinates ``[N, ndim]``: per grid, the 2**ndim corner
    latents are gathered and interpolated axis by axis with the float32 arithmetic of
    :func:`_upsample`, so integer coordinates give the decode's features."""
    n_pts = len(points)
    params = layout.effective_weights(params)
    features = np.zeros((n_pts, layout.levels), np.float32)
    for i in range(layout.levels):
        grid = params[f"z{i}"].astype(np.float32, copy=False)
        if layout.upsampling:
            features[:, i] = _point_features(layout, grid, points)
            continue
        per_axis = [axis_weights(points[:, a], n, m) for a, (n, m) in enumerate(zip(layout.shape, grid.shape))]
        corners = {c: grid[tuple(hi if bit else lo for (lo, hi, _), bit in zip(per_axis, c))]
                   for c in np.ndindex(*(2,) * layout.ndim)}
        for axis, (_, _, frac) in enumerate(per_axis):  # collapse axis 0, then 1, ...
            f = frac.astype(np.float32)
            reduced = {}
            for c, low in corners.items():
                if c[axis] == 0:
                    high = corners[c[:axis] + (1,) + c[axis + 1 :]]
                    reduced[c] = low + (high - low) * f
            corners = reduced
        features[:, i] = corners[(0,) * layout.ndim]
    return synthesis(params, features)
