"""``latent``: an overfitted latent-grid codec in the style of Cool-chic (Ladune et al.,
2023) and C3 (Kim et al., CVPR 2024), with real entropy coding.

A chunk of shape S is L latent grids (grid k of shape ceil(S / 2**k), one channel,
k = ``first`` .. ``first + L - 1``) and a small synthesis MLP (L -> width -> width -> 1,
ReLU).  Decoding upsamples every grid multilinearly to the voxels asked for (the
project's coordinate frame, identical in torch and numpy: ``layout``), stacks them and
runs the MLP (``numpy_decoder``).  A voxel depends only on the latents around it, so
region and point reads evaluate only what they ask for.

Rate: latents are stored as integers, entropy-coded (``codec``: discretised Laplace
models whose scales come from a parallel context model, coarse grids first, two
checkerboard passes per grid; ``inrfilter.entropy``); synthesis weights are quantised
with one step per tensor and coded factorised.  Training (``train``, torch) minimises
``mse + lambda * bits`` with noise then straight-through rounding; lambda is steered
per chunk to the target, so the size is set by the rate, not by the architecture.

Choices (measured in ``benchmarks/latent.py``; docs/latent.md has the numbers):

- ``first`` (0): the finest grid is at full resolution, as Cool-chic; 1 halves the
  latent count (faster decode, lower quality at low ratios).
- ``levels`` (0 = auto): grids until the longest axis is down to 2 nodes.
- ``width`` (0 = auto): the synthesis width is the largest of 4..40 whose weights take
  at most a tenth of the size budget (tiny chunks at high ratios cannot afford 16).
- ``context`` (True): the context model; False codes each grid with one scale
  (factorised), for the ablation.
- Upsampling (``upsampling``, spec ``u``): ``auto`` (default) tries both fixed cubic
  kernels, Catmull-Rom and the cubic B-spline, and keeps the one whose quantised start
  pyramid is the more accurate at the budget (size targets) or the smaller (quality
  targets); ``linear`` is the multilinear filter of blobs without ``u``.  Not Cool-chic
  v3's learned filter: a fixed kernel codes no weights, is the same arithmetic in torch
  and numpy, and stays local (4 taps per axis).  Measured (benchmarks/results/latent/
  upsampling, the start pyramid alone on the six benchmark crops): Catmull-Rom +0.0 to
  +2.0 dB over multilinear (turbulence up to +4.9), the B-spline +1.5 to +7.5 dB on
  turbulence and 1-7 dB below elsewhere, ``auto`` the best at every point; decodes
  10-40 % slower than multilinear.
- Per-grid steps (spec ``s``): grid i's latents are on step ``delta * 2**(-s i / 4)``
  (the decoder scales its features by ``2**(-s i / 4)``), ``s`` picked per chunk from
  every quarter 0 .. ``2 ndim`` by the start pyramid (``pyramid``): coarse latents move many
  voxels, so they get finer steps.  This is what fixed ratio 300 (powder-pilatus 21.7 ->
  32.9 dB, mni-t1 12.2 -> 21.3 dB in the benchmark, with the start fallback below).
- The start pyramid is a codec of its own (``train=False``; its MLP weights are zero
  and code to a few bytes): after training it is rebuilt on the whole budget and kept
  when it is the more accurate (size targets, ``_more_accurate``) or the smaller of two
  that meet the target (``_better``).  Measured at 300 steps, it was kept on four of
  six datasets at every ratio; training won on powder-pilatus at ratio 100 and on
  ocean-sst.
- Synthesis weights: quantised after training (as Cool-chic), with the per-tensor step
  (rms / 8 .. rms / 4096) that minimises ``mse + lambda * bits`` measured with the
  numpy decoder.  The fine end is for the start model, whose only weight is its finest
  step ``v``: rounded to rms / 128 it scaled the whole chunk by up to 0.4 %, which on a
  dark frame with bright peaks cost 3.5 dB (saxs-eiger 512^2 at ratio 30: 58.7 -> 62.2
  dB with rms / 4096, for ~15 more bytes).
- Size targets: after training, if the packed size misses the budget, the latents
  are re-quantised on a step s (first-layer weights times s) found by bisection, so
  the blob is within 15 % below the target and never above it.

Reduced-resolution reads (``level=k``) evaluate the model at the centres of the
level's cells (every cell of 2**k voxels per pyramid axis), i.e. a point-sampled
preview at the cost of the preview's voxels; the max_error residual is interpolated
at the same centres (``lowpass``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...grid import Where, region_indices
from ...levels import level_shape, max_level, pyramid_axes
from ... import entropy
from ...options import Option
from ...blob import BlobError
from ..base import Budget, Method, Params, Spec, SpecReader, finite_voxels
from . import codec, pyramid
from .layout import MAX_LEVELS, MAX_SLOPE, UPSAMPLINGS, Layout, auto_levels, axis_matrix
from .numpy_decoder import evaluate_axes, evaluate_points

__all__ = ["Latent"]

WIDTHS = (4, 6, 8, 12, 16)
#: share of the size budget the synthesis weights may take when the width is automatic
WEIGHT_SHARE = 0.1
#: relative weight steps tried after training (step = rms(tensor) * rel)
WEIGHT_RELS = (1 / 8, 1 / 16, 1 / 32, 1 / 64, 1 / 128, 1 / 512, 1 / 4096)  # steps are powers of two near these;
# the first is also the step of a size target's last resort (_finalise)
#: a size target is met when the blob is in [LOW, 1] x the target
LOW = 0.88


def _weight_bytes(width: int, levels: int) -> float:
    """About how many bytes a synthesis of this width codes to (~6 bits per weight)."""
    n = levels * width + width * width + 3 * width + 1
    return 0.75 * n + 40


def choose_width(budget_bytes: float | None, levels: int) -> int:
    if budget_bytes is None:
        return 16
    fits = [w for w in WIDTHS if _weight_bytes(w, levels) <= WEIGHT_SHARE * budget_bytes]
    return fits[-1] if fits else WIDTHS[0]


class Latent(Method):
    name = "latent"
    options = {
        "levels": Option("int", 0, low=0, high=10, help="latent grids (0: until the longest axis has 2 nodes)"),
        "first": Option("int", 0, low=0, high=4, help="finest grid: chunk shape / 2**first"),
        "width": Option("int", 0, low=0, high=96, help="synthesis width (0: from the size budget, 4..16)"),
        "context": Option("bool", True, help="context model for the latents (False: one scale per grid)"),
        "lr": Option("float", 1e-2, low=0, open_low=True, high=1, help="Adam's starting learning rate"),
        "ste": Option("float", 0.25, low=0, high=1, help="share of the steps trained with rounded latents"),
        "train": Option("bool", True, help="train after the start pyramid (False: the quantised pyramid alone, "
                        "no torch; measured as good as training except on sharp images)"),
        "upsampling": Option("str", "auto", choices=("auto",) + UPSAMPLINGS,
                             help="latent upsampling (auto: the better cubic kernel per chunk, by its start pyramid)"),
    }
    rate_targeted = True

    # -- layout -----------------------------------------------------------------------
    def _spec(self, shape: tuple[int, ...], options: dict[str, Any], budget_bytes: float | None) -> Spec:
        first = int(options["first"])
        levels = int(options["levels"]) or auto_levels(shape, first)
        width = int(options["width"]) or choose_width(budget_bytes, levels)
        spec = {"L": levels, "f": first, "w": width, "c": int(bool(options["context"]))}
        if codec.CODING:  # the latent coding (codec.py); absent: coding 0, as blobs written before it
            spec["k"] = codec.CODING
        spec.update({"s": 0, "u": 0})  # per-grid step slope and upsampling, set per chunk by fit_rate
        return spec

    def specs(self, shape: tuple[int, ...], options: dict[str, Any]) -> list[Spec]:
        """One spec (the rate, not the architecture, sets the size); used for the header's size."""
        return [self._spec(shape, options, None)]

    def check_spec(self, spec: Any, shape: tuple[int, ...]) -> None:
        r = SpecReader(spec, self.name)
        r.int("L", 1, MAX_LEVELS), r.int("f", 0, 4), r.int("w", 1, 256), r.int("c", 0, 1)
        r.int("k", 0, 1, default=0)  # latent coding; absent: 0 (blobs written before it existed)
        r.int("s", 0, MAX_SLOPE, default=0)  # absent in blobs written before per-grid steps
        r.int("u", 0, len(UPSAMPLINGS) - 1, default=0)  # absent in blobs written before cubic upsampling
        r.done()
        try:
            Layout.from_spec(shape, spec)
        except ValueError as exc:
            raise BlobError(f"corrupted blob header: latent spec does not fit the chunk ({exc})") from exc

    def param_shapes(self, spec: Spec, shape: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
        return Layout.from_spec(shape, spec).param_shapes()

    def init_params(self, spec: Spec, shape: tuple[int, ...], rng: np.random.Generator) -> Params:
        """Zero latents and the synthesis's start: MLP branch silent (W3 = 0), linear path 1."""
        layout = Layout.from_spec(shape, spec)
        w, L = layout.width, layout.levels
        def uniform(fan_in, size):
            bound = np.sqrt(6.0 / fan_in)
            return rng.uniform(-bound, bound, size).astype(np.float32)
        params = {f"z{i}": np.zeros(g, np.float32) for i, g in enumerate(layout.grids)}
        params.update({"W1": uniform(L, (L, w)) * 4, "b1": np.full(w, 0.01, np.float32),
                       "W2": uniform(w, (w, w)), "b2": np.full(w, 0.01, np.float32),
                       "W3": np.zeros((w, 1), np.float32), "b3": np.zeros(1, np.float32),
                       "v": np.ones(L, np.float32)})
        return params

    # -- coding -----------------------------------------------------------------------
    def pack_params(self, params: Params, spec: Spec, shape: tuple[int, ...], quant: str) -> bytes:
        return codec.pack(Layout.from_spec(shape, spec), params)

    def unpack_params(self, data: bytes, spec: Spec, shape: tuple[int, ...], quant: str) -> Params:
        return codec.unpack(Layout.from_spec(shape, spec), data)

    # -- fitting ----------------------------------------------------------------------
    def fit(self, chunks: np.ndarray, spec: Spec, budget: Budget, device: Any,
            options: dict[str, Any]) -> list[tuple[Spec, Params]]:
        """Plain fit (no target): the default lambda, not steered."""
        return self.fit_rate(chunks, budget, device, options, param_bytes=None, target_mse=None)

    def fit_rate(self, chunks: np.ndarray, budget: Budget, device: Any, options: dict[str, Any], *,
                 param_bytes: np.ndarray | None, target_mse: np.ndarray | None) -> list[tuple[Spec, Params]]:
        shape = tuple(chunks.shape[1:])
        if param_bytes is None and target_mse is None:  # a plain fit: the default ratio
            param_bytes = np.full(len(chunks), chunks[0].size * 4 / 32.0)
        spec = self._spec(shape, options, None if param_bytes is None else float(np.min(param_bytes)))
        layout = Layout.from_spec(shape, spec)
        base = self.init_params(spec, shape, np.random.default_rng(budget.seed))
        active = finite_voxels(budget.holes)
        target_bits = None
        if param_bytes is not None:
            latent_bytes = np.maximum(np.asarray(param_bytes, np.float64) - _weight_bytes(layout.width, layout.levels),
                                      4.0)
            target_bits = 8.0 * latent_bytes
        kinds = _kinds(options)
        picks, specs = [], []
        for b, chunk in enumerate(chunks):
            mask = None if active is None else active[b]
            best = None
            for kind in kinds:  # the upsampling whose start pyramid is best for this chunk
                lay = Layout.from_spec(shape, {**spec, "u": kind})
                if param_bytes is not None:
                    d, slope, key = pyramid.steps_for_bytes(lay, chunk, float(latent_bytes[b]), mask)
                else:
                    d, slope = pyramid.steps_for_mse(lay, chunk, float(target_mse[b]), mask)
                    grids, _ = pyramid.pyramid(lay, chunk, pyramid.level_steps(lay, d, slope))
                    key = len(codec.encode_latents(lay, grids))
                if best is None or key < best[0]:
                    best = (key, d, slope, kind)
            picks.append(best[1:3])
            specs.append({**spec, "s": best[2], "u": best[3]})
        layouts = [Layout.from_spec(shape, sp) for sp in specs]
        # per chunk and grid, the step (training moves latents in these units)
        deltas = np.stack([pyramid.level_steps(layout, d, slope) for d, slope in picks])
        init, lam0 = [], []
        for b, (chunk, steps) in enumerate(zip(chunks, deltas)):
            grids, recon = pyramid.pyramid(layouts[b], chunk, steps)
            mse = pyramid.masked_mse(recon, chunk, None if active is None else active[b])
            lam0.append(1.39 * max(mse, 1e-10))
            init.append({**base, **{f"z{k}": g.astype(np.float32) for k, g in enumerate(grids)}})
        lam0 = np.asarray(lam0)
        fitted: list[Params] = [{}] * len(chunks)
        lams = np.zeros(len(chunks))
        trained = bool(options["train"])
        if trained:
            from .train import fit as train
        for kind in sorted({sp["u"] for sp in specs}) if trained else ():  # one batch per upsampling
            idx = [b for b, sp in enumerate(specs) if sp["u"] == kind]
            got, got_lams = train(
                Layout.from_spec(shape, {**spec, "u": kind}), chunks[idx], [init[b] for b in idx], deltas[idx],
                lam0[idx], budget, device, options, None if target_bits is None else target_bits[idx],
                None if target_mse is None else np.asarray(target_mse, np.float64)[idx],
                None if active is None else active[idx])
            for b, p, lam in zip(idx, got, got_lams):
                fitted[b], lams[b] = p, lam
        out = []
        for b, params in enumerate(fitted):
            mask = None if active is None else active[b]
            limit = None if param_bytes is None else float(param_bytes[b])
            lay = layouts[b]
            final = _finalise(lay, params, chunks[b], mask, float(lams[b]), limit) if trained else None
            # the starting pyramid is a working coder on its own: keep it when training made
            # things worse (size target; measured at ratio 300, where training from it lost
            # 5 dB on powder-pilatus before the per-grid steps, and at 300 steps on most
            # smooth data) or, for a quality target, when training missed the target or the
            # start is smaller
            start = (lay, _start_model(lay, init[b], picks[b][0], chunks[b], mask, float(lam0[b]), limit))
            if limit is not None:
                # the start's weights code to a few bytes where the trained model's take up
                # to a tenth of the budget: a start pyramid on the whole budget (saxs-eiger,
                # ratio 100: 4758 -> ~5100 bytes), sized by the blob's own latent coding
                # (coding 1 codes the same latents in 0-17 % fewer bytes than the coding 0
                # training steers on); the slopes next to the chosen one are sized too, as
                # the slope was ranked on a smaller budget and coding 0's bytes
                room = limit - (len(codec.pack(lay, start[1])) - len(_latent_bytes(lay, start[1]))) - 4
                near = tuple(t for t in (lay.slope - 1, lay.slope, lay.slope + 1) if t in pyramid.slopes(lay))
                d, slope, _ = pyramid.steps_for_bytes(lay, chunks[b], room, mask, near, codec.encode_grids)
                full_lay = Layout.from_spec(shape, {**specs[b], "s": slope})
                grids, _ = pyramid.pyramid(full_lay, chunks[b], pyramid.level_steps(full_lay, d, slope))
                full = {**init[b], **{f"z{k}": g.astype(np.float32) for k, g in enumerate(grids)}}
                full = (full_lay, _start_model(full_lay, full, d, chunks[b], mask, float(lam0[b]), limit))
                start = _more_accurate(chunks[b], mask, float(limit), full, start)
            if final is None:
                final = start
            elif target_mse is not None:
                final = _better(chunks[b], mask, float(target_mse[b]), (lay, final), start)
            else:
                final = _more_accurate(chunks[b], mask, float(limit), (lay, final), start)
            final_lay, final_params = final
            out.append(({**specs[b], "s": final_lay.slope}, final_params))
        return out

    # -- reading ----------------------------------------------------------------------
    def evaluate(self, params: Params, spec: Spec, shape: tuple[int, ...], where: Where) -> np.ndarray:
        layout = Layout.from_spec(shape, spec)
        if where is None or isinstance(where, tuple):
            region = where if where is not None else tuple(slice(None) for _ in shape)
            coords = [i.astype(np.float64) for i in region_indices(shape, region)]
            return evaluate_axes(layout, params, coords)
        pts = np.asarray(where, np.float64)
        return evaluate_points(layout, params, pts.reshape(-1, len(shape))).reshape(pts.shape[:-1])

    def levels(self, spec: Spec, shape: tuple[int, ...]) -> int:
        return max_level(shape)

    def evaluate_level(self, params: Params, spec: Spec, shape: tuple[int, ...], region: Where,
                       level: int) -> np.ndarray:
        if level == 0:
            return self.evaluate(params, spec, shape, region)
        if region is not None and not isinstance(region, tuple):
            raise ValueError("latent: reduced-resolution levels read regions, not points")
        grid = level_shape(shape, level)
        region = region if region is not None else tuple(slice(None) for _ in grid)
        centres = _centres(shape, level)
        coords = [c[i] for c, i in zip(centres, region_indices(grid, region))]
        return evaluate_axes(Layout.from_spec(shape, spec), params, coords)

    def lowpass(self, values: np.ndarray, spec: Spec, shape: tuple[int, ...], level: int) -> np.ndarray:
        if level == 0:
            return values
        out = np.asarray(values, np.float64)
        for axis, (t, n) in enumerate(zip(_centres(shape, level), shape)):
            mat = axis_matrix(t, n, n).astype(np.float64)
            out = np.moveaxis(np.tensordot(mat, out, axes=([1], [axis])), 0, axis)
        return out


def _centres(shape: tuple[int, ...], level: int) -> list[np.ndarray]:
    """Per axis, the continuous voxel coordinate of each level-``level`` cell's centre."""
    axes = set(pyramid_axes(shape))
    out = []
    for a, n in enumerate(shape):
        if a not in axes:
            out.append(np.arange(n, dtype=np.float64))
            continue
        size = 2**level
        start = np.arange(-(-n // size)) * size
        out.append((start + np.minimum(start + size, n) - 1) / 2.0)
    return out


#: a quantised model with the layout it decodes with (candidates may differ in their slope)
Candidate = tuple[Layout, Params]


def _better(chunk: np.ndarray, mask: np.ndarray | None, goal: float, a: Candidate, b: Candidate) -> Candidate:
    """Of two quantised models: the smaller of those that meet ``goal`` (mse), else the more accurate."""
    errors = [_mse(lay, p, chunk, mask) for lay, p in (a, b)]
    ok = [(len(codec.pack(*c)), i, c) for i, (c, e) in enumerate(zip((a, b), errors)) if e <= goal]
    if ok:
        return min(ok, key=lambda t: t[:2])[2]
    return a if errors[0] <= errors[1] else b


def _latent_bytes(layout: Layout, params: Params) -> bytes:
    return codec.encode_grids(layout, [params[f"z{i}"] for i in range(layout.levels)])


def _start_model(layout: Layout, init: Params, delta: float, chunk: np.ndarray, mask: np.ndarray | None,
                 lam: float, limit: float | None) -> Params:
    """The quantised start pyramid as a model: linear path ``v = delta``, MLP branch
    silent (W3 = 0) and its other weights zero, so they code to almost nothing."""
    start = {**init, **{k: np.zeros_like(init[k]) for k in ("W1", "b1", "W2", "b2")},
             "v": init["v"] * np.float32(delta)}
    return _finalise(layout, start, chunk, mask, lam, limit)


def _kinds(options: dict[str, Any]) -> tuple[int, ...]:
    """The upsampling codes an encode tries (``auto``: both cubic kernels, see the module docstring)."""
    name = options["upsampling"]
    return (1, 2) if name == "auto" else (UPSAMPLINGS.index(name),)


def _more_accurate(chunk: np.ndarray, mask: np.ndarray | None, limit: float, a: Candidate,
                   b: Candidate) -> Candidate:
    """Of two quantised models: the more accurate of those within ``limit`` bytes, else the smaller."""
    sizes = [len(codec.pack(*c)) for c in (a, b)]  # packing entropy-codes the latents: once each
    fits = [c for c, n in zip((a, b), sizes) if n <= limit]
    if not fits:
        return a if sizes[0] <= sizes[1] else b
    return min(fits, key=lambda c: _mse(*c, chunk, mask))


def _mse(layout: Layout, params: Params, chunk: np.ndarray, mask: np.ndarray | None) -> float:
    y = evaluate_axes(layout, params, [np.arange(n, dtype=np.float64) for n in layout.shape])
    return pyramid.masked_mse(y, chunk, mask)


def _quantised(layout: Layout, params: Params, rel: float, s: float, dead: float = 0.0) -> Params:
    """Latents on step s (folded into W1 and v) rounded with a dead zone ``dead`` (|z| is
    rounded after subtracting it, so small latents go to 0 first), weights on per-tensor
    power-of-two steps near rms * rel."""
    out = {}
    for i in range(layout.levels):
        z = params[f"z{i}"] / s
        out[f"z{i}"] = (np.sign(z) * np.floor(np.maximum(np.abs(z) + 0.5 - dead, 0.0))).astype(np.float32)
    weights = {k: params[k] * (s if k in ("W1", "v") else 1.0) for k in layout.weight_names}
    exps = [entropy.power_of_two_step(max(float(np.sqrt(np.mean(np.square(weights[k], dtype=np.float64)))),
                                          1e-6) * rel) for k in layout.weight_names]
    out.update(dict(zip(layout.weight_names, entropy.quantise_weights([weights[k] for k in layout.weight_names],
                                                                       exps))))
    out["wexp"] = np.asarray(exps, np.int64)
    return out


def _finalise(layout: Layout, params: Params, chunk: np.ndarray, mask: np.ndarray | None, lam: float,
              limit: float | None) -> Params:
    """Quantise a trained chunk: weight steps by rate-distortion; then, for a size target
    the model overshoots, a rounding dead zone (then, if that is not enough, a coarser
    latent step) found by bisection on the exact packed size."""
    voxels = chunk.size
    size = lambda p: len(codec.pack(layout, p))  # noqa: E731
    best = None
    for rel in WEIGHT_RELS:
        q = _quantised(layout, params, rel, 1.0)
        cost = _mse(layout, q, chunk, mask) + lam * 8 * size(q) / voxels
        if best is None or cost < best[0]:
            best = (cost, rel, q)
    _, rel, q = best
    if limit is None or size(q) <= limit:
        return q
    for knob in ("dead", "step"):
        make = (lambda v: _quantised(layout, params, rel, 1.0, v)) if knob == "dead" else \
            (lambda v: _quantised(layout, params, WEIGHT_RELS[0], float(np.exp(v)), 1.0))
        lo, hi = 0.0, (1.0 if knob == "dead" else float(np.log(64.0)))
        if size(make(hi)) > limit:
            continue
        for _ in range(10):  # invariant: make(hi) fits, make(lo) does not
            mid = (lo + hi) / 2
            if size(make(mid)) <= limit:
                hi = mid
            else:
                lo = mid
        return make(hi)
    return make(hi)  # the smallest this layout gets; the encoder judges it
