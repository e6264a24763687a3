"""The network of the ``fourier`` method, torch-free: architecture rule, the frozen
Fourier matrix B, initialisation and the numpy reference forward pass.

gamma(x) = [sin(2 pi B x), cos(2 pi B x)] with B ``[k, ndim]`` Gaussian, then ``d``
ReLU layers of width ``w`` and a linear output.  Spec keys (one letter: the spec is
stored in every blob's header): ``k`` frequencies, ``w`` width, ``d`` ReLU layers,
``s`` Gaussian scale in cycles per voxel, ``r`` the seed B is drawn from.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..common import EVAL_BLOCK, MAX_WIDTH

#: the paper's whole-volume network: k = 1280 frequencies for an 8 x 512 ReLU MLP
PAPER_FEATURES_PER_WIDTH = 1280 / 512
PAPER_LAYERS, PAPER_WIDTH = 8, 512
#: stream of numpy's SeedSequence that B comes from (the init uses the bare seed)
_FREQUENCY_STREAM = 0xF0F1


def depth_rule(width: int) -> int:
    """ReLU layers for a width: the paper's 8 at width 512, one fewer per halving of
    the width (a chunk's budget cannot afford 8 layers at width 20), at least 1."""
    return int(min(PAPER_LAYERS, max(1, round(math.log2(width)) - 1)))


def n_params(k: int, width: int, depth: int) -> int:
    """Stored parameters of a spec (B is not stored)."""
    return 2 * k * width + width + (depth - 1) * (width * width + width) + width + 1


def ladder(features: float, layers: int | None, sigma: float, max_params: int) -> list[dict[str, Any]]:
    """Specs in increasing parameter count, up to the first above ``max_params``.

    Each width w ends on the size rule, k = round(features * w) (the paper's ratio
    1280/512 by default) and ``layers`` or :func:`depth_rule` ReLU layers; below that
    rung come the smaller k that still have more parameters than the previous width's
    last rung, so consecutive rungs differ by 2w parameters (a few %), also where the
    depth grows by a layer."""
    specs: list[dict[str, Any]] = []
    previous = 0
    for width in range(2, MAX_WIDTH + 1):
        top = max(1, int(round(features * width)))
        depth = int(layers) if layers is not None else depth_rule(width)
        lowest = max(1, (previous - n_params(0, width, depth)) // (2 * width) + 1)
        for k in range(lowest, top + 1):
            specs.append({"k": k, "w": width, "d": depth, "s": float(sigma)})
        previous = max(previous, n_params(top, width, depth))
        if previous > max_params:
            break
    return specs


def param_shapes(spec: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    """W0 ``[2k, w]``, b0, then d-1 hidden ``[w, w]`` layers, then the linear output."""
    width, depth = spec["w"], spec["d"]
    shapes: dict[str, tuple[int, ...]] = {}
    fan_in = 2 * spec["k"]
    for i in range(depth):
        shapes[f"W{i}"], shapes[f"b{i}"] = (fan_in, width), (width,)
        fan_in = width
    shapes[f"W{depth}"], shapes[f"b{depth}"] = (fan_in, 1), (1,)
    return shapes


def frequency_matrix(spec: dict[str, Any], shape: tuple[int, ...]) -> np.ndarray:
    """B ``[k, ndim]`` float64, in cycles per unit of the [-1, 1] frame.

    Drawn N(0, 1) from ``default_rng([seed, stream])`` and scaled per axis by
    ``s * (n - 1) / 2``, so that ``s`` is the standard deviation in cycles per voxel
    on every axis whatever the chunk's size (a voxel is 2/(n-1) units wide)."""
    rng = np.random.default_rng([int(spec.get("r", 0)), _FREQUENCY_STREAM])
    z = rng.standard_normal((spec["k"], len(shape)))
    return z * (float(spec["s"]) * (np.asarray(shape, np.float64) - 1) / 2)


def init_params(spec: dict[str, Any], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """torch.nn.Linear's default initialisation, drawn in numpy: weights and biases
    U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    params = {}
    for name, shape in param_shapes(spec).items():
        fan_in = shape[0] if name.startswith("W") else params[f"W{name[1:]}"].shape[0]
        bound = 1.0 / math.sqrt(fan_in)
        params[name] = rng.uniform(-bound, bound, shape).astype(np.float32)
    return params


def features(points: np.ndarray, freqs: np.ndarray) -> np.ndarray:
    """gamma(x) ``[N, 2k]`` float32 for unit-frame points ``[N, ndim]`` (phases in float64)."""
    phase = (2 * np.pi) * (points.astype(np.float64) @ freqs.T)
    return np.concatenate([np.sin(phase), np.cos(phase)], axis=1).astype(np.float32)


def forward(params: dict[str, np.ndarray], spec: dict[str, Any], freqs: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Network values ``[N]`` float32 at unit-frame points ``[N, ndim]`` (an array, or
    lazy points with ``block(start, stop)``: inrfilter.grid.lazy_points), in blocks."""
    depth = spec["d"]
    out = np.empty(len(points), np.float32)
    for start in range(0, len(points), EVAL_BLOCK):
        block = points.block(start, start + EVAL_BLOCK) if hasattr(points, "block") else points[start : start + EVAL_BLOCK]
        h = features(block, freqs)
        for i in range(depth):
            h = np.maximum(h @ params[f"W{i}"] + params[f"b{i}"], 0)
        out[start : start + EVAL_BLOCK] = (h @ params[f"W{depth}"] + params[f"b{depth}"])[:, 0]
    return out
