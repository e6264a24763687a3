"""``wien``: WIEN-INR (Ni et al., "Detail Across Scales: Multi-Scale Enhancement for
Full Spectrum Neural Representations", arXiv:2509.15494), a wavelet multi-scale INR
with an enhancement kernel network at the finest scale.

The method, as the paper describes it:

- a J-level DWT of the normalised chunk (PyWavelets, ``wavelet`` default Haar,
  J = ``levels`` up to 4, limited by the chunk's size; a chunk too small for one
  level has J = 0 and is a single SIREN on the data);
- one SIREN for the coarsest approximation a_J and ONE SIREN per detail scale j
  that outputs all 2**q - 1 orientations at once (the paper's shared INR per scale,
  Eq. 3), each on its own scale's grid, with a sine frequency w0 that is lower for
  coarse scales;
- scale 1 is the enhancement module (Eq. 4-5): the scale-2 network, a continuous
  function, is evaluated on the scale-1 grid (the "upsampled" prediction); a
  kernel-predictor SIREN (w0 = 30, first and hidden) maps each scale-1 coordinate to
  an r**q kernel per orientation; the inner product of kernel and the r**q
  neighbourhood of the upsampled prediction is the coefficient.  It trains after
  the scale-2 network, which stays frozen, as in the paper;
- the parameter budget from ``ratio``/``psnr`` is split across scales by their
  intrinsic size (coarse scales get small networks); weights are stored fp16 by
  default (int8 through the core's quantiser);
- ``enhance=False`` is the paper's Wavelet-INR baseline (a plain SIREN for scale 1).

Choices where the paper is not specific (options where it matters; the benchmark
``benchmarks/wien_paper.py`` measures them):

- DWT mode ``periodization``: exactly ceil(n/2) coefficients per level (nothing
  redundant to store) and orthonormal for orthogonal wavelets, so the coefficient
  loss is the chunk's squared error (Parseval) and the psnr target carries over.
  An odd length repeats its last sample (PyWavelets' rule); decoding crops it.
- Axes and J: every axis that keeps 4 samples after one halving, J capped so each
  keeps 4 at the coarsest level (``inrfilter.levels``: 48 -> J = 3, 64 -> 4, 6 -> 0).
- Coordinates: one unit frame for all scales, a coefficient at the centre of its
  Haar support, which is what makes "the scale-2 network on the scale-1 grid"
  well defined.  Networks output coefficients over the level's orthonormal gain
  2**(q j/2) (block means and differences, O(1) at every level).
- Kernel: per orientation (orientation o of scale 1 is its kernel's inner product
  with orientation o of the upsampled prediction; kernel outputs orientation-major);
  neighbourhoods reach past the grid edge by evaluating the network there (no
  padding rule).  The "small" kernel predictor is as wide as the scale-2 network.
  Its output bias starts at the least-squares constant kernel (the analogue of
  siren's output bias starting at the mean).
- Budget split (``split``): a scale network's parameters go as (its coefficients)
  ** split, so widths as the square root of that; never narrower than 2, never with
  more than 4 parameters per coefficient.  ``split=1`` is strictly proportional,
  ``split=0`` equal widths; 0.5 keeps "coarse small, fine large" while giving the
  coarse scales, which hold most of the energy, more than a proportional share.  The
  benchmark's ablation finds 0, 0.5 and 1 within 1 dB of each other on powder.  The
  cap of 4 parameters per coefficient (rather than 1) lets the coarse networks fit
  their small grids: +5.2 dB on the benchmark's SAXS crops at ratio 12.
- Frequencies: w0 = ``w0`` (30) at scale 1 falling geometrically to ``w0_coarse``
  (10) for a_J; the kernel predictor keeps the paper's 30.
- Steps: every network trains for ``steps`` optimiser steps (the scales together,
  then the enhancement); a ``seconds`` budget is halved between the two stages.
- Learning rate: ``lr`` (1e-3 decaying to 1e-4, as ``siren``), raised to
  lr * 32 / width for networks narrower than 32: Adam moves each weight by about
  the rate, so a narrow coarse network would otherwise barely move in a few hundred
  steps (measured: 14 -> 27 dB on a SAXS crop).  The enhancement stage reads the
  float32 scale-2 weights (fp16 storage moves its prediction by ~1e-3 relative).

Reading: region decode evaluates only the coefficients the region depends on and
inverts locally (``synthesis``); ``level=k`` reads (``evaluate_level``) give a_k
divided by its gain 2**(q k/2), i.e. in the data's units (Haar: the mean of each
2**k block), evaluating only the networks of scales coarser than k; ``sample``
interpolates the decoded voxels multilinearly (exact at integer coordinates).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pywt

from ...grid import Where, region_indices
from ...options import Option
from ..base import Budget, Method, Params, Spec
from ...blob import BlobError
from ...levels import max_level
from ..common import MAX_LAYERS, MAX_W0, MAX_WIDTH, sine_layer_init
from ..base import SpecReader
from . import layout as layouts
from .numpy_decoder import reconstruct
from .synthesis import MODE

__all__ = ["Wien"]

#: positions one local reconstruction handles (C order, so a block is a slab of rows
#: and the coefficients it needs are mostly its own)
REGION_BLOCK = 1 << 16


class Wien(Method):
    name = "wien"
    options = {
        "levels": Option("int", 4, low=0, high=4, help="wavelet decomposition levels"),
        "wavelet": Option("str", "haar", check=lambda w: w in pywt.wavelist(kind="discrete"),
                          rule="a discrete PyWavelets wavelet: haar, db2, sym4, coif1, bior2.2, ...",
                          help="the wavelet"),
        "enhance": Option("bool", True, help="predict the finest scale with the enhancement module"),
        "r": Option("int", 3, low=1, high=layouts.MAX_NEIGHBOURHOOD, check=lambda r: r % 2 == 1, rule="odd",
                    help="enhancement neighbourhood"),
        "layers": Option("int", 3, low=1, high=16, help="sine layers per scale network"),
        "w0": Option("float", 30.0, low=0, open_low=True, high=MAX_W0, help="detail networks' frequency factor"),
        "w0_coarse": Option("float", 10.0, low=0, open_low=True, high=MAX_W0, help="approximation network's frequency factor"),
        "split": Option("float", 0.5, low=0, high=2, help="how the budget leans towards coarse scales"),
        "lr": Option("float", 1e-3, low=0, open_low=True, high=1, help="Adam's starting learning rate"),
    }

    # -- the size ladder and the parameters ------------------------------------------
    def specs(self, shape: tuple[int, ...], options: dict[str, Any]) -> list[Spec]:
        return layouts.ladder(tuple(shape), options)

    def check_spec(self, spec: Any, shape: tuple[int, ...]) -> None:
        """Fields typed and bounded, then the layout built (the widths must match its
        networks)."""
        r = SpecReader(spec, self.name)
        r.int("J", 0, min(4, max_level(shape))), r.str("wv", tuple(pywt.wavelist(kind="discrete")))
        r.int("l", 1, MAX_LAYERS), r.float("w0", 0.0, MAX_W0, open_low=True)
        r.float("wc", 0.0, MAX_W0, open_low=True), r.int("e", 0, 1)
        size = r.int("r", 1, layouts.MAX_NEIGHBOURHOOD)
        if size % 2 == 0:
            raise r.error("r", "must be odd")
        r.ints("w", 1, 8, 1, MAX_WIDTH)
        r.done()
        try:
            layouts.build(shape, spec)
        except ValueError as exc:
            raise BlobError(f"corrupted blob header: wien spec does not fit the chunk ({exc})") from exc

    def param_shapes(self, spec: Spec, shape: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
        shapes: dict[str, tuple[int, ...]] = {}
        for net in layouts.build(shape, spec).nets:
            shapes.update(net.shapes())
        return shapes

    def init_params(self, spec: Spec, shape: tuple[int, ...], rng: np.random.Generator) -> Params:
        params: Params = {}
        for net in layouts.build(shape, spec).nets:
            shapes = net.shapes()
            for i in range(net.layers + 1):
                fan_in, fan_out = shapes[f"{net.name}.W{i}"]
                params[f"{net.name}.W{i}"], params[f"{net.name}.b{i}"] = sine_layer_init(
                    rng, fan_in, fan_out, net.w0, first=i == 0)
        return params

    def fit(self, chunks: np.ndarray, spec: Spec, budget: Budget, device: Any,
            options: dict[str, Any]) -> list[tuple[Spec, Params]]:
        from .train import fit

        layout = layouts.build(chunks.shape[1:], spec)
        init = self.init_params(spec, chunks.shape[1:], np.random.default_rng(budget.seed))
        return [(spec, params) for params in fit(layout, chunks, init, budget, device, options)]

    # -- reading -------------------------------------------------------------------------
    def evaluate(self, params: Params, spec: Spec, shape: tuple[int, ...], where: Where) -> np.ndarray:
        layout = layouts.build(shape, spec)
        if where is None or isinstance(where, tuple):
            region = where if where is not None else tuple(slice(None) for _ in shape)
            return self._region(layout, params, region, 0)
        return _interpolate(layout, params, np.asarray(where, np.float64))

    def levels(self, spec: Spec, shape: tuple[int, ...]) -> int:
        return layouts.build(shape, spec).levels

    def evaluate_level(self, params: Params, spec: Spec, shape: tuple[int, ...], region: Where,
                       level: int) -> np.ndarray:
        layout = layouts.build(shape, spec)
        if not isinstance(region, tuple) and region is not None:
            raise ValueError("wien: reduced-resolution levels read regions, not points")
        region = region if region is not None else tuple(slice(None) for _ in shape)
        return self._region(layout, params, region, level) / layout.gain(level)

    def lowpass(self, values: np.ndarray, spec: Spec, shape: tuple[int, ...], level: int) -> np.ndarray:
        layout = layouts.build(shape, spec)
        if level == 0:
            return values
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            approx = pywt.wavedecn(values, layout.wavelet, mode=MODE, level=level, axes=layout.axes)[0]
        return approx / layout.gain(level)

    @staticmethod
    def _region(layout: layouts.Layout, params: Params, region: tuple, level: int) -> np.ndarray:
        axes = region_indices(layout.grid(level), region)
        out_shape = tuple(len(a) for a in axes)
        if 0 in out_shape:
            return np.zeros(out_shape)
        # a block of positions at a time: the coefficients, neighbourhoods and kernels of
        # the whole chunk at once took ~200 bytes a voxel (benchmarks/results/resources)
        size = int(np.prod(out_shape))
        out = np.empty(size)
        for start in range(0, size, REGION_BLOCK):
            flat = np.unravel_index(np.arange(start, min(size, start + REGION_BLOCK)), out_shape)
            index = np.stack([a[i] for a, i in zip(axes, flat)], axis=-1)
            out[start : start + REGION_BLOCK] = reconstruct(layout, params, index, level)
        return out.reshape(out_shape)


def _interpolate(layout: layouts.Layout, params: Params, coords: np.ndarray) -> np.ndarray:
    """Multilinear interpolation of the decoded voxels around each point (normalised
    units); at integer coordinates it is exactly the decoded voxel."""
    flat = coords.reshape(-1, layout.ndim)
    low = np.floor(flat).astype(np.int64)
    frac = flat - low
    high = np.minimum(low + 1, np.asarray(layout.shape) - 1)
    corners = list(np.ndindex(*(2,) * layout.ndim))
    index = np.stack([np.where(np.asarray(c, bool), high, low) for c in corners], axis=1)  # [n, 2**ndim, ndim]
    keys = np.ravel_multi_index(tuple(index.reshape(-1, layout.ndim).T), layout.shape)
    unique, inverse = np.unique(keys, return_inverse=True)
    voxels = reconstruct(layout, params, np.stack(np.unravel_index(unique, layout.shape), axis=-1))
    values = voxels[inverse.reshape(len(flat), len(corners))]
    out = np.zeros(len(flat))
    for i, corner in enumerate(corners):
        weight = np.prod(np.where(np.asarray(corner, bool), frac, 1.0 - frac), axis=1)
        out += weight * values[:, i]
    return out.reshape(coords.shape[:-1])
