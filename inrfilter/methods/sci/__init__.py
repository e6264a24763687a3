"""``sci``: SCI, spectrum-concentrated implicit neural compression (Yang et al., AAAI 2023).

The chunk is cut into blocks by an adaptive 2^d-tree partition chosen by an integer
program over spectrum concentration (:mod:`.sci_partition`); each block gets a
funnel-shaped SIREN whose size follows |block| / D (:mod:`.sci_alloc`); near-constant
blocks, and blocks whose share cannot hold a network, are stored as their mean.  The
partition and widths ride in the spec (:mod:`.sci_layout`); all parameters are one flat
vector ``theta`` of exactly the ladder rung's count, so sizing by ratio is exact.

Paper settings and the choices made where it is unclear (each an option):

- ``layers`` (5): linear layers per block network, output included.  The paper uses 7;
  at this codec's chunk sizes (blocks of a few thousand voxels, networks of tens to a
  few thousand parameters) and step budgets, 7 lost 1.6 dB to 5 on both benchmark
  datasets (benchmarks/results/sci); the reference code's default configuration also
  uses 5.
- ``fr`` (2.2): first layer fr times wider than the others (the paper's value).
- ``w0`` (20): the paper's, for the first layer (the one that sets the spectrum).
  ``w0_hidden`` (30): the hidden sine layers', SIREN's value, as in the reference code
  (its hidden layers are SIREN's Sine() with w0 = 30 and the matching initialisation);
  with SIREN's initialisation, hidden w0 only scales how fast those layers learn.  In
  the benchmark, hidden w0 = 20 lost 0.1 dB (mni-t1) and 0.4 dB (turbulence).
- ``lr`` (3e-3), Adamax as in the paper, at three times the paper's 1e-3: a codec trains
  hundreds of steps, and at the default effort (300 steps) and ratio 30 1e-3 left sci
  0.8 dB behind siren on a 128^2 saxs crop, 3e-3 0.2 dB ahead (+1.0 dB), and +1.8 dB on a
  powder crop (benchmarks/results/methods/ablation-sci.csv).  The core loop's cosine
  decay to a tenth over the step budget applies (the paper's MultiStepLR milestones lie
  beyond any budget here).
- ``levels`` (3): the tree spans ``min_level .. min_level + levels - 1`` as in the
  reference code (min_level: the deepest level whose blocks still fit a_max).
- ``block_params`` (1361): parameters per block that set a_max = P // block_params
  (the reference code's constant).  Small chunks therefore get few blocks or none: a
  48^3 crop at 2.7 bits per voxel gets 8 (29.2 dB on mni-t1) where block_params = 600
  gives 29 (24.5 dB) and no partition 31.8 dB (benchmark, 200 steps).  ``min_side``
  (4): a node splits only axes at least twice that long.
- ``alloc`` ("size_over_d"; or "size", "d", "equal"); ``partition`` ("adaptive"; or
  "equidistant", "none"); ``solver`` ("dp", an exact tree dynamic program, or "milp",
  HiGHS through scipy): the ablation switches.
- ``min_width`` (2): a block allocated less than the smallest funnel of this hidden
  width is dropped (stored as its mean) and its share reallocated; the reference drops
  below 26 bytes, i.e. practically never, and so does this default.
- ``flat_var`` (1e-5, normalised units, range 2): blocks at most this variable are
  stored as their mean (the reference prunes near-zero background the same way).
- ``top`` (1): M, the number of largest magnitudes in D.
- ``points`` (16384): training points per block per step (all of a smaller block).
- ``bucket_ratio`` (1.5): blocks train in runs whose widest network is at most this
  times the narrowest (:mod:`inrfilter.nn.block_fit`).
- No deblocking: the paper post-filters block seams; here a block is evaluated alone,
  so region decode touches only the blocks it intersects.  Continuous points belong to
  the block of their nearest voxel and are evaluated in its frame (at most half a voxel
  beyond its edge).
- Block coordinates: voxel i of a block spanning [a, b) sits at -1 + 2 (i - a) / (b - a - 1).
- D is computed on the block shifted to [0, 1] (see :mod:`.sci_partition`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...blob import BlobError
from ...grid import RegionPoints, Where, region_indices
from ...limits import max_params
from ...options import Option
from ..base import Budget, Method, Params, Spec
from ..common import MAX_LAYERS, MAX_W0, sine_layer_init, sine_mlp
from ..base import SpecReader
from .alloc import RULES
from .layout import HIDDEN_W0, Layout
from .widths import first_width, funnel_params
from .partition import SOLVERS
from .plan import PARTITIONS, plan_chunk

#: spacing of the size ladder (parameter counts)
LADDER_STEP = 1.02


class SCI(Method):
    name = "sci"
    options = {
        "layers": Option("int", 5, low=3, high=16, help="linear layers per block network"),
        "fr": Option("float", 2.2, low=0, open_low=True, high=1e3, help="funnel ratio: first width / hidden width"),
        "w0": Option("float", 20.0, low=0, open_low=True, high=MAX_W0, help="first layer's frequency factor"),
        "w0_hidden": Option("float", HIDDEN_W0, low=0, open_low=True, high=MAX_W0, help="hidden layers' frequency factor"),
        "lr": Option("float", 3e-3, low=0, open_low=True, high=1, help="Adamax learning rate"),
        "levels": Option("int", 3, low=1, help="depth of the adaptive partition"),
        "partition": Option("str", "adaptive", choices=PARTITIONS, help="how the chunk is split into blocks"),
        "alloc": Option("str", "size_over_d", choices=RULES, help="how parameters are shared among blocks"),
        "solver": Option("str", "dp", choices=tuple(SOLVERS), help="the partition's integer-program solver"),
        "block_params": Option("int", 1361, low=1, help="parameters per block the partition aims at"),
        "min_width": Option("int", 2, low=1, help="narrowest block network"),
        "min_side": Option("int", 4, low=1, help="smallest block side"),
        "flat_var": Option("float", 1e-5, low=0, help="variance below which a block is stored as its mean"),
        "top": Option("int", 1, low=1, help="candidate partitions kept per level"),
        "points": Option("int", 16384, low=1, help="training points per step"),
        "bucket_ratio": Option("float", 1.5, low=1, help="width ratio of blocks trained together"),
    }

    # -- sizes ----------------------------------------------------------------------------
    def specs(self, shape: tuple[int, ...], options: dict[str, Any]) -> list[Spec]:
        layers, fr = int(options["layers"]), float(options["fr"])
        width = int(options["min_width"])
        smallest = funnel_params(len(shape), layers, first_width(width, fr), width) + 1
        largest = max(2 * smallest, 2 * int(np.prod(shape)))
        counts = sorted({int(round(smallest * LADDER_STEP**k))
                         for k in range(int(math.log(largest / smallest, LADDER_STEP)) + 2)})
        extra = {} if options["w0_hidden"] == HIDDEN_W0 else {"wh": float(options["w0_hidden"])}
        return [{"P": p, "l": layers, "w0": float(options["w0"]), **extra, "fr": fr} for p in counts]

    def check_spec(self, spec: Any, shape: tuple[int, ...]) -> None:
        """Fields typed and bounded, then the partition parsed: its codes must form one
        tree (or grid) over the chunk whose blocks fit in ``P`` parameters."""
        r = SpecReader(spec, self.name)
        total = r.int("P", 1, max_params(math.prod(shape)))
        r.int("l", 3, MAX_LAYERS), r.float("w0", 0.0, MAX_W0, open_low=True)
        r.float("wh", 0.0, MAX_W0, HIDDEN_W0, open_low=True), r.float("fr", 0.0, 1e3, 2.2, open_low=True)
        if r.has("t"):
            # a block costs at least one parameter and a node one code byte, a network's
            # widths four bytes: the stored partition is never longer than this
            r.bytes("t", 6 * total + 16)
            if r.has("g") and any(c > n for c, n in zip(r.ints("g", len(shape), len(shape), 1, max(shape)), shape)):
                raise r.error("g", "must not cut an axis into more blocks than it has voxels")
        r.done()
        try:
            Layout.from_spec(spec, shape, max_bytes=6 * total + 16)
        except ValueError as exc:
            raise BlobError(f"corrupted blob header: sci partition unusable ({exc})") from exc

    def param_shapes(self, spec: Spec, shape: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
        return {"theta": (int(spec["P"]),)}

    def init_params(self, spec: Spec, shape: tuple[int, ...], rng: np.random.Generator) -> Params:
        """SIREN initialisation of every block network, zeros for means and padding."""
        layout = Layout.from_spec(spec, shape)
        theta = np.zeros(int(spec["P"]), np.float32)
        for i, offset in enumerate(layout.offsets()):
            if layout.leaves[i].net:
                flat = np.concatenate([a.ravel() for a in block_init(layout, i, rng).values()])
                theta[offset : offset + flat.size] = flat
        return {"theta": theta}

    # -- training -------------------------------------------------------------------------
    def fit(
        self, chunks: np.ndarray, spec: Spec, budget: Budget, device: Any, options: dict[str, Any]
    ) -> list[tuple[Spec, Params]]:
        from .block_fit import BlockJob, fit_blocks

        total = int(spec["P"])
        opts = {**options, "layers": int(spec["l"]), "w0": float(spec["w0"]),
                "w0_hidden": float(spec.get("wh", HIDDEN_W0))}
        plans = [plan_chunk(chunk, total, opts) for chunk in chunks]
        rng = np.random.default_rng(budget.seed)
        jobs, where = [], []
        for b, (chunk, plan) in enumerate(zip(chunks, plans)):
            layout = plan.layout
            for i, leaf in enumerate(layout.leaves):
                if leaf.net:
                    values = chunk[tuple(slice(a, e) for a, e in leaf.box)]
                    init = block_init(layout, i, rng)
                    init[f"b{layout.layers - 1}"] = np.array([values.mean()], np.float32)
                    target = None if budget.target_mse is None else float(budget.target_mse[b])
                    jobs.append(BlockJob(values, leaf.f1, leaf.h, init, target))
                    where.append((b, i))
        trained = []
        if jobs:
            trained = fit_blocks(jobs, opts["layers"], (opts["w0"], opts["w0_hidden"]), budget, device,
                                 float(options["lr"]),
                                 "adamax", int(options["points"]), float(options["bucket_ratio"]), desc="sci")
        per_block = dict(zip(where, trained))
        out = []
        for b, (chunk, plan) in enumerate(zip(chunks, plans)):
            layout = plan.layout
            theta = np.zeros(total, np.float32)
            for i, offset in enumerate(layout.offsets()):
                leaf = layout.leaves[i]
                if leaf.net:
                    params = per_block[(b, i)]
                    flat = np.concatenate([params[name].ravel() for name, _ in layout.block_shapes(leaf)])
                    theta[offset : offset + flat.size] = flat
                else:
                    theta[offset] = chunk[tuple(slice(a, e) for a, e in leaf.box)].mean()
            out.append((layout.to_spec(), {"theta": theta}))
        return out

    # -- decoding -------------------------------------------------------------------------
    def evaluate(self, params: Params, spec: Spec, shape: tuple[int, ...], where: Where) -> np.ndarray:
        layout = Layout.from_spec(spec, shape)
        theta = np.asarray(params["theta"], np.float32)
        if theta.size != layout.total:
            raise ValueError(f"theta holds {theta.size} values, the spec says {layout.total}")
        offsets = layout.offsets()
        if where is None:
            where = tuple(slice(0, n, 1) for n in shape)
        if isinstance(where, tuple):
            return _evaluate_region(layout, theta, offsets, where)
        return _evaluate_points(layout, theta, offsets, np.asarray(where, np.float64))


def block_init(layout: Layout, i: int, rng: np.random.Generator) -> Params:
    """SIREN initialisation of block i's funnel network (numpy, device independent)."""
    params: Params = {}
    shapes = layout.block_shapes(layout.leaves[i])
    for k in range(0, len(shapes), 2):
        (wname, (fan_in, fan_out)), (bname, _) = shapes[k], shapes[k + 1]
        params[wname], params[bname] = sine_layer_init(rng, fan_in, fan_out, layout.w0 if k == 0 else layout.wh,
                                                       first=k == 0)
    return params


def _local(index: np.ndarray, a: int, b: int) -> np.ndarray:
    """Voxel-index coordinates -> the frame of a block spanning [a, b)."""
    n = b - a
    if n == 1:
        return np.zeros_like(index, dtype=np.float64)
    return (np.asarray(index, np.float64) - a) * (2.0 / (n - 1)) - 1.0


def _run(layout: Layout, theta: np.ndarray, offset: int, i: int, points: np.ndarray) -> np.ndarray:
    """One block's values at block-frame points ``[N, ndim]`` (float32 numpy forward)."""
    leaf = layout.leaves[i]
    if not leaf.net:
        return np.full(len(points), theta[offset], np.float32)
    p = layout.unpack(theta, i, offset)
    last = layout.layers - 1
    layers = [(p[f"W{k}"], p[f"b{k}"]) for k in range(last + 1)]
    return sine_mlp(points, layers, [layout.w0] + [layout.wh] * (last - 1))[:, 0]


def _evaluate_region(layout: Layout, theta: np.ndarray, offsets: list[int], region: tuple) -> np.ndarray:
    """Values on a region, evaluating only the blocks it intersects, each at its own points."""
    axes = region_indices(layout.shape, region)
    out = np.empty(tuple(len(a) for a in axes), np.float32)
    if out.size == 0:
        return out
    for i, leaf in enumerate(layout.leaves):
        picks = [np.flatnonzero((idx >= a) & (idx < b)) for idx, (a, b) in zip(axes, leaf.box)]
        if any(p.size == 0 for p in picks):
            continue
        local = [_local(idx[p], a, b) for idx, p, (a, b) in zip(axes, picks, leaf.box)]
        points = RegionPoints.from_axes(local)  # made a block at a time, as a full meshgrid would give them
        out[np.ix_(*picks)] = _run(layout, theta, offsets[i], i, points).reshape(points.shape)
    return out


def _evaluate_points(layout: Layout, theta: np.ndarray, offsets: list[int], coords: np.ndarray) -> np.ndarray:
    """Values at continuous voxel-index coordinates: each point in its nearest voxel's block."""
    ndim = len(layout.shape)
    flat = coords.reshape(-1, ndim)
    nearest = np.clip(np.floor(flat + 0.5), 0, np.array(layout.shape) - 1).astype(np.int64)
    owner = layout.locate(nearest)
    out = np.empty(len(flat), np.float32)
    for i in np.unique(owner):
        members = np.flatnonzero(owner == i)
        box = layout.leaves[i].box
        local = np.stack([_local(flat[members, k], a, b) for k, (a, b) in enumerate(box)], axis=-1)
        out[members] = _run(layout, theta, offsets[i], int(i), local)
    return out.reshape(coords.shape[:-1])
