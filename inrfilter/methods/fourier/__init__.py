"""``fourier``: a Fourier-feature ReLU MLP trained on a dilated active-voxel mask.

After Zurkova et al., "Accelerated Volumetric Compression without Hierarchies: A
Fourier Feature Based Implicit Neural Representation Approach" (2025): coordinates
go through gamma(x) = [sin(2 pi B x), cos(2 pi B x)] with a frozen Gaussian B
(Tancik et al. 2020) into a ReLU MLP trained with MSE and Adam (the paper: 3e-4; here
1e-2, see below); training
samples only the active voxels (those that differ from the background) grown by a
morphological dilation of ``dilation`` voxels (AVM-dilated), which is where the
paper's training-time saving comes from.  ``dilation=None`` trains on the whole
chunk (the paper's bounding-box baseline, BBX).

Beyond the paper: ``store_mask=True`` (default) stores the undilated mask of inactive
voxels (bit-packed + zstd, in the spec, so it counts in the blob) and the decoder
returns the exact background there; the paper stores weights only, so its network
invents values outside the dilated mask.  ``store_mask=False`` is the pure paper mode.

Choices where the paper leaves it open (each is an option, and its effect is measured
in ``benchmarks/fourier_paper.py``):

- Size rule (the paper has one 8 x 512 network with k = 1280 for a whole volume):
  the ladder varies the width w; k = round(features * w) with the paper's ratio
  features = 1280/512 = 2.5; the depth is the paper's 8 at w = 512 and one layer
  fewer per halving of w (``layers`` fixes it instead).  k counts frequencies (rows
  of B), so gamma has 2k entries.
- Scale of B: ``sigma`` is the standard deviation of the frequencies in cycles per
  voxel on every axis (so one value suits chunks of any size); default 0.02 (in a
  pilot at ratio 20-32, 0.05 gave +1.3 dB on the MNI head but -9 dB on the smooth SST
  field, 0.02 was within 1.3 dB of the best on both; the benchmark sweeps it).
- B is drawn from numpy's ``default_rng([seed, stream])`` with the encoder's seed,
  which the spec stores (key ``r``), never B itself.
- Dilation: scipy's default cross-shaped structuring element iterated ``dilation``
  times (every voxel within L1 distance ``dilation``).
- Background: ``"auto"`` takes the most common finite value when it covers at least
  20% of the finite voxels, else no masking; a number is in the user's units;
  ``None`` masks nothing.  Non-finite voxels (NaN land) are always inactive: the core
  restores them, so the network never needs to fit its fill-ins.
- Output layer linear; its bias starts at the mean of the training voxels (as the
  ``siren`` baseline does: at 3e-4 Adam would spend hundreds of steps finding it).
- The core's cosine learning-rate decay (to a tenth over the step budget) applies, as
  for every method.  The starting rate ``lr`` is 1e-2, 33 times the paper's: a codec
  trains hundreds of steps, not the paper's many epochs.  At the default effort
  (300 steps) and ratio 30 with fp16 weights, 3e-4 left fourier 9.8 dB behind siren on
  a 128^2 powder crop and 4.9 dB on a saxs crop, 3e-3 1.5 dB ahead and 0.6 dB behind
  (benchmarks/results/methods/ablation-fourier.csv).  With entropy-coded weights (the
  default quantisation) 1e-2 beat 3e-3 on all four crops of benchmarks.methods at
  ratios 30, 100 and 300 (+0.2 to +10.9 dB, median +1.2) and at 1000 steps too (+0.3
  to +6.4 dB); 6e-3 sat between them, 2e-2 lost 15.7 and 1.9 dB on two crops at ratio 30
  (benchmarks/results/methods/ablation-fourier-entropy.csv).
- Weights and biases start as torch.nn.Linear's default, drawn in numpy.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...grid import Where, lazy_points, region_indices
from ...limits import MAX_PARAMS, MAX_SIDE_BYTES, check_frame
from ...options import Option
from ..base import Budget, Method, Params, Spec
from ..common import MAX_LAYERS, MAX_WIDTH
from ..base import SpecReader
from . import active_mask as avm
from . import network as net


class Fourier(Method):
    name = "fourier"
    options = {
        "dilation": Option("int", 5, low=0, none=True, help="active-mask dilation in voxels (None: bounding box)"),
        "store_mask": Option("bool", True, help="store the undilated mask so the background decodes exactly"),
        "background": Option("float", "auto", none=True, literals=("auto",),
                             help="background value in the data's units (None: no masking)"),
        "sigma": Option("float", 0.02, low=0, open_low=True, high=1e6, help="Fourier-feature frequency spread"),
        "features": Option("float", net.PAPER_FEATURES_PER_WIDTH, low=0, open_low=True,
                           help="Fourier features per unit of width"),
        "layers": Option("int", None, low=1, high=16, none=True, help="ReLU layers (None: by width)"),
        "lr": Option("float", 1e-2, low=0, open_low=True, high=1, help="Adam's starting learning rate"),
    }

    # -- the size ladder ----------------------------------------------------------
    def specs(self, shape: tuple[int, ...], options: dict[str, Any]) -> list[Spec]:
        # a network with more parameters than 4x the voxels is larger than any chunk
        # (fp16 weights against float64 values at ratio 1): no need to size beyond it
        return net.ladder(float(options["features"]), options["layers"], float(options["sigma"]),
                          max_params=4 * int(np.prod(shape)) + 64)

    def check_spec(self, spec: Any, shape: tuple[int, ...]) -> None:
        r = SpecReader(spec, self.name)
        width = r.int("w", 1, MAX_WIDTH)
        r.int("k", 1, MAX_PARAMS // (2 * width)), r.int("d", 1, MAX_LAYERS)
        r.float("s", 0.0, 1e6, open_low=True), r.int("r", 0, 2**64 - 1, 0)
        if r.has("m") or r.has("b"):
            r.float("b", -1.0, 1.0)
            voxels = math.prod(shape)
            mask = r.bytes("m", MAX_SIDE_BYTES)
            check_frame(mask, (voxels + 7) // 8, "fourier mask")
        r.done()

    def param_shapes(self, spec: Spec, shape: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
        return net.param_shapes(spec)

    def init_params(self, spec: Spec, shape: tuple[int, ...], rng: np.random.Generator) -> Params:
        return net.init_params(spec, rng)

    # -- per-chunk side information: background value and stored mask -------------
    def side_info(self, values: np.ndarray, holes: np.ndarray | None, norm: Any,
                  options: dict[str, Any]) -> Spec:
        background = avm.background_value(values, holes, norm, options["background"])
        if background is None:
            return {}
        on_background = values == np.float32(background)
        if holes is not None:
            on_background &= ~holes
        if not on_background.any():
            return {}  # nothing to mask but the holes, which the core restores itself
        if not options["store_mask"]:
            return {"b": background}  # fit needs it for the mask; the blob does not
        return {"b": background, "m": avm.pack_mask(avm.inactive_voxels(values, holes, background))}

    @staticmethod
    def voxel_sets(values: np.ndarray, holes: np.ndarray | None, side: Spec,
                   options: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
        """(training set, voxels whose network value is decoded and counts) of a chunk."""
        active = ~avm.inactive_voxels(values, holes, side.get("b"))
        train = avm.training_set(active, options["dilation"])
        decoded = active if "m" in side else (np.ones(values.shape, bool) if holes is None else ~holes)
        return train, decoded

    # -- training -------------------------------------------------------------------
    def fit(
        self, chunks: np.ndarray, spec: Spec, budget: Budget, device: Any, options: dict[str, Any]
    ) -> list[tuple[Spec, Params]]:
        import torch

        from ...nn import fit_batched
        from .layers import fourier_relu_forward

        shape = chunks.shape[1:]
        spec = {**spec, "r": int(budget.seed)}
        holes = list(budget.holes) if budget.holes is not None else [None] * len(chunks)
        sides = budget.side if budget.side is not None else [
            self.side_info(c, h, None, options) for c, h in zip(chunks, holes)]
        sets = [self.voxel_sets(c, h, s, options) for c, h, s in zip(chunks, holes, sides)]
        train = np.stack([t for t, _ in sets])
        # tracked MSE = MSE of the decoded chunk over its finite voxels
        finite = [np.ones(shape, bool) if h is None else ~h for h in holes]
        score = np.stack([d * (d.size / max(1, f.sum())) for (_, d), f in zip(sets, finite)]).astype(np.float32)

        base = self.init_params(spec, shape, np.random.default_rng(budget.seed))
        depth = spec["d"]
        init = [{**base, f"b{depth}": np.array([c[t].mean()], np.float32)} for c, t in zip(chunks, train)]
        freqs = torch.as_tensor(net.frequency_matrix(spec, shape), dtype=torch.float32, device=device)
        fitted = fit_batched(
            lambda p, x: fourier_relu_forward(p, x, freqs, depth), init, chunks, budget, device,
            float(options["lr"]), desc="fourier", active=None if train.all() else train, score=score,
        )
        stored = [{**spec, **s} if "m" in s else spec for s in sides]
        return list(zip(stored, fitted))

    # -- the numpy reference decoder ---------------------------------------------------
    def evaluate(self, params: Params, spec: Spec, shape: tuple[int, ...], where: Where) -> np.ndarray:
        points, out_shape = lazy_points(shape, where)  # a block at a time: no full coordinate array
        freqs = net.frequency_matrix(spec, shape)
        if "m" not in spec:
            return net.forward(params, spec, freqs, points).reshape(out_shape)
        inactive = avm.unpack_mask(spec["m"], shape)
        if where is None or isinstance(where, tuple):
            region = where if where is not None else tuple(slice(None) for _ in shape)
            skip = inactive[np.ix_(*region_indices(shape, region))].ravel()
        else:  # continuous points take their nearest voxel's mask, as the core does for holes
            nearest = np.rint(np.asarray(where, np.float64)).astype(np.intp).reshape(-1, len(shape))
            nearest = np.clip(nearest, 0, np.asarray(shape) - 1)
            skip = inactive[tuple(nearest.T)]
        out = np.full(len(points), np.float32(spec["b"]), np.float32)
        out[~skip] = net.forward(params, spec, freqs, points.subset(np.flatnonzero(~skip)))
        return out.reshape(out_shape)
