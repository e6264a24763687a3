"""The numpy reference decoder of ``wien``: evaluate the networks at the coefficients
some samples depend on, then invert the DWT locally (torch-free).

Everything is linear after the networks, so the cost of a read is that of the
networks at the needed coefficients: about the samples asked for (plus a filter
halo per level for wavelets longer than Haar, and r**q scale-2 evaluations per
scale-1 coefficient for the enhancement module).
"""

from __future__ import annotations

import numpy as np

from ..common import sine_mlp
from .layout import Layout, Net
from .synthesis import LevelPlan, plan_level


def mlp(params: dict[str, np.ndarray], net: Net, coords: np.ndarray) -> np.ndarray:
    """``net``'s raw outputs ``[n, n_out]`` (float32) at unit-frame ``coords [n, ndim]``:
    sine layers sin(w0 (h W + b)) then a linear layer, as ``layers.mlp``."""
    layers = [(params[f"{net.name}.W{i}"], params[f"{net.name}.b{i}"]) for i in range(net.layers + 1)]
    return sine_mlp(coords, layers, net.w0)


def neighbourhood_positions(layout: Layout, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique scale-1 positions (the grid extended by the radius) whose scale-2
    prediction the enhancement reads around ``positions [n, ndim]``, and for each
    position and offset the row among them ``[n, r**q]``."""
    offsets = layout.offsets()
    around = positions[:, None, :] + offsets[None, :, :]
    pad = np.zeros(layout.ndim, np.int64)
    pad[list(layout.axes)] = layout.radius
    dims = np.asarray(layout.grid(1)) + 2 * pad
    keys = np.ravel_multi_index(tuple((around.reshape(-1, layout.ndim) + pad).T), tuple(dims))
    unique, inverse = np.unique(keys, return_inverse=True)
    rows = np.stack(np.unravel_index(unique, tuple(dims)), axis=-1) - pad
    return rows, inverse.reshape(len(positions), len(offsets))


def enhanced_details(layout: Layout, params: dict[str, np.ndarray], positions: np.ndarray) -> np.ndarray:
    """Scale-1 details ``[n, C]`` from the enhancement module (the paper's Eq. 4-5):
    the scale-2 network's raw outputs on an r**q neighbourhood of the scale-1 grid,
    each orientation's inner product with its kernel from the kernel predictor."""
    rows, around = neighbourhood_positions(layout, positions)
    upsampled = mlp(params, layout.net("d2"), layout.coords(1, rows))  # [u, C]
    neighbours = upsampled[around]  # [n, r**q, C]
    kernel = mlp(params, layout.net("k"), layout.coords(1, positions))
    kernel = kernel.reshape(len(positions), layout.channels, -1)  # [n, C, r**q]
    return np.einsum("ncr,nrc->nc", kernel, neighbours).astype(np.float64) * layout.gain(1)


def details(layout: Layout, params: dict[str, np.ndarray], level: int, positions: np.ndarray) -> np.ndarray:
    """All orientations ``[n, C]`` of detail scale ``level`` at ``positions``."""
    if level == 1 and layout.enhance:
        return enhanced_details(layout, params, positions)
    net = layout.net(f"d{level}")
    return mlp(params, net, layout.coords(level, positions)).astype(np.float64) * net.gain


def reconstruct(layout: Layout, params: dict[str, np.ndarray], index: np.ndarray, level: int = 0) -> np.ndarray:
    """The level-``level`` approximation a_level (orthonormal DWT scaling) at integer
    positions ``index [n, ndim]`` of that level's grid; level 0 is the chunk itself."""
    plans: list[LevelPlan] = []
    needed = np.asarray(index, np.int64).reshape(-1, layout.ndim)
    for j in range(level + 1, layout.levels + 1):
        plans.append(plan_level(needed, j, layout.axes, layout.grid(j - 1), layout.grid(j), layout.wavelet))
        needed = plans[-1].approx_positions
    approx = layout.net("a")
    values = mlp(params, approx, layout.coords(layout.levels, needed))[:, 0].astype(np.float64) * approx.gain
    for plan in reversed(plans):
        values = plan.synthesise(values, details(layout, params, plan.level, plan.detail_positions))
    return values
