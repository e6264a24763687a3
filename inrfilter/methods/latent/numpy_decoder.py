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

import os

import numpy as np

from .layout import Layout, axis_taps, axis_weights, is_identity

#: rows per block of the MLP (activations [width, block] stay in L1/L2; measured best of 2k-32k)
_BLOCK = 2048
#: threads that upsample and synthesise a large read (slabs of a whole chunk); 1: the
#: calling thread only.  Default 1: on the shared 2-vCPU benchmark machine 2 threads were
#: not faster (benchmarks/results/latent_decode: 0.8-1.4x, mostly slower under the
#: load of other jobs), and readers that decode chunks in parallel (pool, dask) already
#: use the cores.  Set ``numpy_decoder.THREADS = 2`` to try it on an idle machine.
THREADS = 1
#: reads with fewer points evaluate in the calling thread
_PARALLEL_MIN = 1 << 16


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


def _synthesis_weights(params: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The MLP folded into three matrices over feature-major activations (float32):

    - ``a1`` ``[width + 2, levels + 1]`` applied to the features plus a row of ones:
      rows 0..width-1 are layer 1 with its bias, row ``width`` gives 1 (the next
      layer's bias input), row ``width + 1`` the linear path ``F v + b3``;
    - ``a2`` ``[width, width + 1]``: layer 2 with its bias (on layer 1's rows plus the 1);
    - ``w3`` ``[width]``: the output layer.

    Folding biases and the linear path into the products saves three passes over the
    activations (measured 12-20 % of the synthesis: 262k x width 16, 8.4 -> 6.7 ms);
    the sums are the same up to float32 rounding order."""
    f = lambda k: np.asarray(params[k], np.float32)  # noqa: E731
    w1, levels, width = f("W1"), f("W1").shape[0], f("W1").shape[1]
    a1 = np.zeros((width + 2, levels + 1), np.float32)
    a1[:width, :levels], a1[:width, levels] = w1.T, f("b1")
    a1[width, levels] = 1.0
    a1[width + 1, :levels], a1[width + 1, levels] = f("v"), f("b3")[0]
    a2 = np.empty((width, width + 1), np.float32)
    a2[:, :width], a2[:, width] = f("W2").T, f("b2")
    return a1, a2, np.ascontiguousarray(f("W3")[:, 0])


def _synthesis_rows(weights: tuple, features: np.ndarray, out: np.ndarray, start: int, stop: int) -> None:
    a1, a2, w3 = weights
    width = len(w3)
    h = np.empty((width + 2, _BLOCK), np.float32)
    g = np.empty((width, _BLOCK), np.float32)
    for s in range(start, stop, _BLOCK):
        x = features[:, s : min(s + _BLOCK, stop)]
        n = x.shape[1]
        hh, gg, o = h[:, :n], g[:, :n], out[s : s + n]
        np.matmul(a1, x, out=hh)
        hidden = hh[:width]
        np.maximum(hidden, 0, out=hidden)
        np.matmul(a2, hh[: width + 1], out=gg)
        np.maximum(gg, 0, out=gg)
        np.matmul(w3, gg, out=o)
        o += hh[width + 1]


def synthesis_lanes(params: dict[str, np.ndarray], features: np.ndarray, threads: int | None = None) -> np.ndarray:
    """The synthesis on feature-major ``[levels + 1, N]`` float32 features, the last row
    all ones (the bias input; :func:`evaluate_axes` allocates it so) -> ``[N]`` float64.

    Feature-major (each feature a contiguous row, activations ``[width, block]``) with
    blocks of 2048 rows and preallocated activations: measured 25-40 % faster than the
    row-major ``[N, levels] @ W`` with 32k-row blocks on OpenBLAS (one thread; with
    these small matrices the row-major product is dominated by its skinny operand).
    ``threads`` (default :data:`THREADS`) splits the rows over :func:`_pool`; a row's
    value does not depend on the split beyond BLAS's float32 rounding (an ulp or so,
    as between CPUs; the golden tests allow 16)."""
    n = features.shape[1]
    out = np.empty(n, np.float32)
    weights = _synthesis_weights(params)
    parts = _parts(n, THREADS if threads is None else threads)
    if len(parts) == 1:
        _synthesis_rows(weights, features, out, 0, n)
    else:
        list(_pool().map(lambda p: _synthesis_rows(weights, features, out, *p), parts))
    return out.astype(np.float64)


def _parts(n: int, threads: int) -> list[tuple[int, int]]:
    """[start, stop) of one part per thread, for reads of at least _PARALLEL_MIN points."""
    if threads <= 1 or n < _PARALLEL_MIN:
        return [(0, n)]
    step = -(-n // threads)
    return [(s, min(s + step, n)) for s in range(0, n, step)]


_POOL: list = []


def _pool():
    """One process-wide thread pool of :data:`THREADS` workers (numpy releases the GIL in
    matmul, take and ufuncs, so the workers run in parallel); dropped in forked children."""
    from concurrent.futures import ThreadPoolExecutor

    if not _POOL or _POOL[0][1] != THREADS:
        _POOL[:] = [(ThreadPoolExecutor(max(THREADS, 1), thread_name_prefix="latent-decode"), THREADS)]
    return _POOL[0][0]


os.register_at_fork(after_in_child=_POOL.clear)


def synthesis(params: dict[str, np.ndarray], features: np.ndarray) -> np.ndarray:
    """The MLP on row-major ``[N, levels]`` float32 features -> ``[N]`` float64."""
    lanes = np.ones((features.shape[1] + 1, len(features)), np.float32)
    lanes[:-1] = np.asarray(features, np.float32).T
    return synthesis_lanes(params, lanes)


def evaluate_axes(layout: Layout, params: dict[str, np.ndarray], coords: list[np.ndarray]) -> np.ndarray:
    """Values on the tensor grid of per-axis continuous voxel coordinates.

    Large reads are cut into :data:`THREADS` slabs along the first axis, each upsampled
    and synthesised by one worker (upsampling a slab gives the same values as the
    whole: every output row interpolates on its own coordinate).  Features are
    feature-major ``[levels, ...]``, so each grid's upsampling writes contiguously."""
    out_shape = tuple(len(t) for t in coords)
    if 0 in out_shape:
        return np.zeros(out_shape)
    params = layout.effective_weights(params)
    threads = len(_parts(int(np.prod(out_shape)), THREADS))
    step = -(-out_shape[0] // threads)
    parts = [(a, min(a + step, out_shape[0])) for a in range(0, out_shape[0], step)]
    out = np.empty(out_shape, np.float64)

    def slab(part: tuple[int, int]) -> None:
        lo, hi = part
        sub = [coords[0][lo:hi], *coords[1:]]
        features = np.empty((layout.levels + 1, hi - lo) + out_shape[1:], np.float32)
        for i in range(layout.levels):
            features[i] = _upsample(params[f"z{i}"], sub, layout.shape, layout.upsampling)
        features[layout.levels] = 1.0  # the bias row of synthesis_lanes
        out[lo:hi] = synthesis_lanes(params, features.reshape(layout.levels + 1, -1), threads=1).reshape(
            (hi - lo,) + out_shape[1:])

    if len(parts) == 1:
        slab(parts[0])
    else:
        list(_pool().map(slab, parts))
    return out


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
