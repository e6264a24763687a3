"""Which networks a ``wien`` chunk has, on which grids, with which sizes (torch-free).

A chunk of shape ``shape`` is split by a J-level periodized DWT along its pyramid
axes (``inrfilter.levels``): level j's grid halves those axes j times (rounding
up).  The networks, in storage order:

- ``a``: the coarsest approximation a_J (1 output),
- ``d{j}`` for j = J..2 (or ..1 without enhancement): all 2**q - 1 orientations of
  detail scale j at once (q pyramid axes), the paper's shared INR per scale,
- ``k``: the kernel predictor of the enhancement module for scale 1, with
  (2**q - 1) * r**q outputs: one r**q kernel per orientation.

Every network reads the chunk's unit frame [-1, 1] (``inrfilter.grid``): a level-j
coefficient k sits at the centre of its Haar support, voxel ``(k + 1/2) 2**j - 1/2``
along a pyramid axis, so the scale-2 network evaluated at scale-1 positions is the
"upsampled" prediction of the enhancement module.  Networks output coefficients
divided by ``2**(q j / 2)`` (the orthonormal DWT's gain at level j), so their targets
are block means and differences of O(1) whatever the level.

The stored spec (msgpack, it counts in the blob): ``J`` levels, ``wv`` wavelet,
``l`` sine layers per network, ``w0`` and ``wc`` the scale-1 and a_J frequencies,
``r`` the neighbourhood size, ``e`` enhancement on/off, ``w`` the widths in storage
order.  Everything else (axes, gains, per-scale w0) follows from it and the shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from ...grid import to_unit
from ...levels import level_shape, max_level, pyramid_axes
from ..common import MAX_WIDTH

#: the narrowest network of any scale (as siren's ladder starts)
MIN_WIDTH = 2
#: a coarse network never gets more parameters than this per coefficient it represents
#: (a SIREN fits N values well only with more than N parameters; coarse grids are small)
MAX_PARAMS_PER_COEFFICIENT = 4
#: largest enhancement neighbourhood r a stored spec may have (the paper's is 3; the
#: kernel predictor has r**q outputs per orientation, so memory grows as r**q)
MAX_NEIGHBOURHOOD = 9
#: the enhancement's kernel predictor uses the paper's SIREN frequency (first and hidden)
KERNEL_W0 = 30.0


@dataclass(frozen=True)
class Net:
    """One coordinate network of a chunk."""

    name: str  # parameter prefix
    kind: str  # "approx", "detail" or "kernel"
    level: int
    width: int
    layers: int  # sine layers; a linear output follows
    w0: float
    n_in: int
    n_out: int
    gain: float  # stored coefficient = gain * network output

    def shapes(self) -> dict[str, tuple[int, ...]]:
        shapes: dict[str, tuple[int, ...]] = {}
        fan_in = self.n_in
        for i in range(self.layers):
            shapes[f"{self.name}.W{i}"], shapes[f"{self.name}.b{i}"] = (fan_in, self.width), (self.width,)
            fan_in = self.width
        shapes[f"{self.name}.W{self.layers}"] = (fan_in, self.n_out)
        shapes[f"{self.name}.b{self.layers}"] = (self.n_out,)
        return shapes

    def n_params(self) -> int:
        return int(sum(np.prod(s) for s in self.shapes().values()))


@dataclass(frozen=True)
class Layout:
    """Scales and networks of one chunk shape and spec."""

    shape: tuple[int, ...]
    levels: int  # J
    axes: tuple[int, ...]  # pyramid axes the DWT runs along (empty when J == 0)
    wavelet: str
    radius: int  # enhancement neighbourhood r = 2 * radius + 1
    enhance: bool  # the enhancement module predicts scale 1 (needs J >= 2)
    nets: tuple[Net, ...]

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def bands(self) -> tuple[str, ...]:
        """Detail orientations in network-output order (pywt's keys, "a"/"d" per axis)."""
        return _bands(len(self.axes))

    @property
    def channels(self) -> int:
        return len(self.bands)

    def grid(self, level: int) -> tuple[int, ...]:
        return level_shape(self.shape, level)

    def gain(self, level: int) -> float:
        return float(2.0 ** (len(self.axes) * level / 2))

    def net(self, name: str) -> Net:
        return next(n for n in self.nets if n.name == name)

    @property
    def detail_nets(self) -> tuple[Net, ...]:
        return tuple(n for n in self.nets if n.kind == "detail")

    def offsets(self) -> np.ndarray:
        """The enhancement's neighbourhood: ``[r**q, ndim]`` integer offsets on the
        scale-1 grid, row-major over the pyramid axes, -radius..radius each."""
        span = range(-self.radius, self.radius + 1)
        out = np.zeros(((2 * self.radius + 1) ** len(self.axes), self.ndim), np.int64)
        for row, delta in enumerate(np.ndindex(*(len(span),) * len(self.axes))):
            out[row, list(self.axes)] = np.asarray(delta) - self.radius
        return out

    def coords(self, level: int, index: np.ndarray) -> np.ndarray:
        """Unit-frame positions ``[n, ndim]`` of level-``level`` coefficients ``index [n, ndim]``
        (integers; may lie outside the grid, for the enhancement's neighbourhoods)."""
        index = np.asarray(index, dtype=np.float64)
        out = np.empty(index.shape, np.float64)
        for a, n in enumerate(self.shape):
            voxel = (index[:, a] + 0.5) * 2.0**level - 0.5 if a in self.axes and level else index[:, a]
            out[:, a] = to_unit(voxel, n)
        return out


@lru_cache(maxsize=None)
def _bands(q: int) -> tuple[str, ...]:
    keys = [np.binary_repr(i, q).replace("0", "a").replace("1", "d") for i in range(1, 2**q)] if q else []
    return tuple(sorted(keys))


def effective_levels(shape: tuple[int, ...], wanted: int) -> int:
    """J: the levels asked for, limited by the chunk's size (0 when it is too small)."""
    return min(int(wanted), max_level(shape))


def w0_schedule(w0: float, w0_coarse: float, levels: int) -> tuple[list[float], float]:
    """SIREN frequency of each detail scale j = 1..J and of the approximation: from
    ``w0`` at the finest scale down to ``w0_coarse`` for a_J, geometrically (each level
    has half the samples per axis of the one below it)."""
    if levels == 0:
        return [], float(w0_coarse)
    ratio = w0_coarse / w0
    return [float(w0 * ratio ** ((j - 1) / levels)) for j in range(1, levels + 1)], float(w0_coarse)


def _widest(net: Net, budget: int) -> int:
    """Widest ``net`` with at most ``budget`` parameters (at least MIN_WIDTH):
    (layers-1) w**2 + (n_in + layers + n_out) w + n_out <= budget."""
    a, b, c = net.layers - 1, net.n_in + net.layers + net.n_out, net.n_out - budget
    w = -c / b if a == 0 else (-b + np.sqrt(b * b - 4 * a * c)) / (2 * a)
    return max(MIN_WIDTH, int(np.floor(w + 1e-9)))


def _widths(nets: tuple[Net, ...], sizes: list[int], top: int, split: float) -> list[int]:
    """Width of each network when the finest (last) one has width ``top``: parameters
    go as (coefficients)**split, so widths as its square root; never narrower than
    MIN_WIDTH, wider than ``top``, or with more than MAX_PARAMS_PER_COEFFICIENT
    parameters per coefficient the network represents."""
    widths = [int(round(top * (size / sizes[-1]) ** (split / 2))) for size in sizes[:-1]]
    widths = [max(MIN_WIDTH, min(w, top, _widest(net, MAX_PARAMS_PER_COEFFICIENT * size)))
              for w, net, size in zip(widths, nets, sizes)]
    return widths + [top]


def build(shape: tuple[int, ...], spec: dict[str, Any]) -> Layout:
    """The layout a stored spec describes (keys: see the module docstring)."""
    return _build(tuple(shape), _freeze(spec))


def _freeze(spec: dict[str, Any]) -> tuple:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in spec.items()))


@lru_cache(maxsize=256)
def _build(shape: tuple[int, ...], frozen: tuple) -> Layout:
    spec = dict(frozen)
    levels, layers, size = int(spec["J"]), int(spec["l"]), int(spec["r"])
    radius = size // 2
    widths = [int(w) for w in spec["w"]]
    if not 0 <= levels <= max_level(shape) or layers < 1 or size < 1 or size % 2 == 0 or min(widths) < 1:
        raise ValueError(f"wien spec {spec} does not fit a chunk of shape {shape}")
    axes = pyramid_axes(shape) if levels else ()
    q, ndim = len(axes), len(shape)
    channels = 2**q - 1
    enhance = bool(spec["e"]) and levels >= 2
    detail_w0, approx_w0 = w0_schedule(float(spec["w0"]), float(spec["wc"]), levels)
    low = 2 if enhance else 1

    def gain(level: int) -> float:
        return float(2.0 ** (q * level / 2))

    plan = [("a", "approx", levels, approx_w0, 1)]
    plan += [(f"d{j}", "detail", j, detail_w0[j - 1], channels) for j in range(levels, low - 1, -1)]
    if enhance:
        plan.append(("k", "kernel", 1, KERNEL_W0, channels * (2 * radius + 1) ** q))
    if len(widths) != len(plan):
        raise ValueError(f"wien spec has {len(widths)} widths for {len(plan)} networks")
    nets = tuple(Net(name, kind, level, w, layers, w0, ndim, n_out, gain(level))
                 for (name, kind, level, w0, n_out), w in zip(plan, widths))
    return Layout(shape, levels, axes, str(spec["wv"]), radius, enhance, nets)


def ladder(shape: tuple[int, ...], options: dict[str, Any]) -> list[dict[str, Any]]:
    """Specs in increasing parameter count: the finest scale network's width grows one
    by one and the coarser ones follow the budget split (``options["split"]``); with
    the enhancement module, scale 2 is the finest and the kernel predictor takes its
    width."""
    levels = effective_levels(shape, options["levels"])
    base = {"J": levels, "wv": str(options["wavelet"]), "l": int(options["layers"]), "w0": _compact(options["w0"]),
            "wc": _compact(options["w0_coarse"]), "r": int(options["r"]), "e": int(bool(options["enhance"]))}
    return [dict(spec, w=list(spec["w"])) for spec in _ladder(tuple(shape), _freeze(base), float(options["split"]))]


@lru_cache(maxsize=64)
def _ladder(shape: tuple[int, ...], frozen: tuple, split: float) -> tuple[dict[str, Any], ...]:
    base = dict(frozen)
    # a_J, then one network per detail scale (the kernel predictor standing in for d_1)
    probe = build(shape, {**base, "w": [MIN_WIDTH] * (1 + base["J"])})
    scales = probe.nets[:-1] if probe.enhance else probe.nets
    sizes = [_coefficients(probe, net) for net in scales]
    specs, last = [], None
    for top in range(MIN_WIDTH, MAX_WIDTH + 1):
        widths = _widths(scales, sizes, top, split)
        if probe.enhance:  # the lightweight kernel predictor: as wide as the scale-2 network
            widths.append(widths[-1])
        if widths != last:
            specs.append({**base, "w": widths})
            last = widths
    return tuple(specs)


def _coefficients(layout: Layout, net: Net) -> int:
    """How many coefficients a network represents (its scale's intrinsic size)."""
    positions = int(np.prod(layout.grid(net.level)))
    return positions * (1 if net.kind == "approx" else layout.channels)


def _compact(x: float) -> float | int:
    """Integral floats as ints: msgpack stores small ints in one byte (headers count)."""
    x = float(x)
    return int(x) if x.is_integer() and abs(x) < 2**31 else x
