"""``siren``: one SIREN per chunk, the baseline the seed methods are measured against.

A coordinate MLP with ``layers`` sine layers of equal width and a linear output,
sin(w0 * (W x + b)) with the same w0 for every sine layer (Sitzmann et al. 2020) and
their initialisation.  The size ladder varies the width with the depth fixed.
Options: ``w0`` (30), ``layers`` (3 sine layers), ``lr`` (Adam, 1e-3 decaying to
1e-4 over the step budget; higher than the paper's 1e-4 because a storage codec
trains for hundreds, not tens of thousands, of steps).  One choice beyond the
paper: the output bias starts at the chunk's mean rather than at random.  Non-finite
holes (NaN land in ocean-sst) are left out of training, since the core restores them:
on a 165x180 ocean-sst chunk (42% land) that gained 2.1 dB at ratio 30 and 2.3 dB at
ratio 100 (1000 steps, CPU) over fitting the core's nearest-value fill-ins.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...grid import Where, lazy_points
from ..base import Budget, Method, Params, Spec, finite_voxels
from ...options import Option
from ..common import MAX_LAYERS, MAX_W0, MAX_WIDTH, sine_layer_init, sine_mlp
from ..base import SpecReader


class Siren(Method):
    name = "siren"
    options = {
        "w0": Option("float", 30.0, low=0, open_low=True, high=MAX_W0, help="sine frequency factor"),
        "layers": Option("int", 3, low=1, high=16, help="sine layers"),
        "lr": Option("float", 1e-3, low=0, open_low=True, high=1, help="Adam's starting learning rate"),
    }

    def specs(self, shape: tuple[int, ...], options: dict[str, Any]) -> list[Spec]:
        """Widths 2.. up to where the network outgrows 4 parameters per voxel: no ratio >= 1
        can use more (a voxel has at most 8 bytes, a parameter 2), and packing the huge
        ones only slows the size search."""
        layers, w0 = int(options["layers"]), float(options["w0"])
        limit = 4 * int(np.prod(shape)) + 64
        ladder = [{"w": 2, "l": layers, "w0": w0}]
        for w in range(3, MAX_WIDTH + 1):
            spec = {"w": w, "l": layers, "w0": w0}
            if self.n_params(spec, shape) > limit:
                break
            ladder.append(spec)
        return ladder

    def check_spec(self, spec: Any, shape: tuple[int, ...]) -> None:
        r = SpecReader(spec, self.name)
        r.int("w", 1, MAX_WIDTH), r.int("l", 1, MAX_LAYERS), r.float("w0", 0.0, MAX_W0, open_low=True)
        r.done()

    def param_shapes(self, spec: Spec, shape: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
        width, layers = spec["w"], spec["l"]
        shapes: dict[str, tuple[int, ...]] = {}
        fan_in = len(shape)
        for i in range(layers):
            shapes[f"W{i}"], shapes[f"b{i}"] = (fan_in, width), (width,)
            fan_in = width
        shapes[f"W{layers}"], shapes[f"b{layers}"] = (fan_in, 1), (1,)
        return shapes

    def init_params(self, spec: Spec, shape: tuple[int, ...], rng: np.random.Generator) -> Params:
        params: Params = {}
        shapes = self.param_shapes(spec, shape)
        for i in range(spec["l"] + 1):
            fan_in, fan_out = shapes[f"W{i}"]
            params[f"W{i}"], params[f"b{i}"] = sine_layer_init(rng, fan_in, fan_out, spec["w0"], first=i == 0)
        return params

    def fit(
        self, chunks: np.ndarray, spec: Spec, budget: Budget, device: Any, options: dict[str, Any]
    ) -> list[tuple[Spec, Params]]:
        from ...nn import fit_batched
        from ...nn.sine import siren_forward

        layers, w0 = spec["l"], spec["w0"]
        base = self.init_params(spec, chunks.shape[1:], np.random.default_rng(budget.seed))
        # The output bias starts at the chunk's mean: Adam moves it ~lr per step, so
        # starting at 0 would spend hundreds of steps just finding the mean.
        init = [{**base, f"b{layers}": np.array([chunk.mean()], np.float32)} for chunk in chunks]
        fitted = fit_batched(
            lambda p, x: siren_forward(p, x, layers, w0), init, chunks, budget, device, float(options["lr"]),
            desc="siren", active=finite_voxels(budget.holes),
        )
        return [(spec, params) for params in fitted]

    def evaluate(self, params: Params, spec: Spec, shape: tuple[int, ...], where: Where) -> np.ndarray:
        points, out_shape = lazy_points(shape, where)
        layers = [(params[f"W{i}"], params[f"b{i}"]) for i in range(spec["l"] + 1)]
        return sine_mlp(points, layers, spec["w0"])[:, 0].reshape(out_shape)
