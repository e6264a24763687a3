"""The table of Zurkova et al. (2025) with the ``fourier`` method, at CPU scale.

    python -m benchmarks.fourier [--epochs 40] [--out benchmarks/results/fourier]

For mni-t1 (every 4th voxel of the MNI T1 template: the whole head, 78% zero
background) and ocean-sst (NEMO SST, 45% NaN land), each encoded as one chunk at one
blob size (``ratio``), it trains BBX (the whole chunk) and AVM-dilated with l in
{0, 1, 2, 5, 10}, with the undilated mask stored and without (the pure paper mode),
and the core ``siren`` baseline at the same blob size.  Three protocols:

- *fixed epochs* (the paper's): every configuration sees ``epochs`` passes over its
  training voxels in minibatches of 16384 points, so AVM trains for fewer steps;
- *fixed steps* (the codec's budget unit): AVM l=0 and l=5 train BBX's step count;
- *time to a fixed PSNR*: the network of the fixed-epochs run, trained until the
  decoded chunk reaches ``target`` dB (BBX's fixed-epochs PSNR less 0.5 dB, rounded
  down to 0.1 dB; capped at 1.5 times BBX's step count).

Adam starts at ``--lr`` (3e-3: the paper's 3e-4 is the method's default but needs
thousands of steps; one ablation row runs it).  Times are CPU seconds of training
(``inrfilter.nn.fit_batched``) in this process: the machine is shared, so wall
times are printed too but not compared.  Writes
``fourier_paper.csv``, ``fourier_paper.md`` and ``fourier_paper.png`` into ``--out``.
"""

from __future__ import annotations

import argparse
import csv
import math
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

import inrfilter
from benchmarks.common import datasets
from inrfilter.chunk import prepare
from inrfilter.methods import Budget, get_method
from inrfilter.nn.train import FULL_GRID_POINTS

DILATIONS: tuple[int | None, ...] = (None, 0, 1, 2, 5, 10)
PAPER = {"time_saving": 0.637, "psnr_bbx": 32.60, "psnr_avm": 32.01, "ssim_bbx": 0.948, "ssim_avm": 0.940}


@dataclass
class Dataset:
    name: str
    load: Callable[[], np.ndarray]
    ratio: float
    #: does the stored mask differ from the pure paper mode? (not for NaN-only backgrounds:
    #: the core already restores the holes)
    has_background: bool


DATASETS = [
    Dataset("mni-t1", lambda: np.ascontiguousarray(datasets.mni_t1()[::4, ::4, ::4]), 16.0, True),
    Dataset("ocean-sst", datasets.ocean_sst, 32.0, False),
]


@dataclass
class Row:
    dataset: str
    protocol: str
    method: str
    config: str
    dilation: str
    store_mask: bool
    train_fraction: float
    steps: int
    train_cpu_s: float
    train_wall_s: float
    psnr: float
    ssim: float
    max_abs_error: float
    nbytes: int
    ratio: float
    mask_bytes: int
    target_psnr: float = math.nan
    reached: str = ""
    spec: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


# -- measuring ---------------------------------------------------------------------
@contextmanager
def training_clock() -> Iterator[list[tuple[float, float]]]:
    """Record (CPU, wall) seconds of every fit_batched call (methods import it at call time)."""
    import inrfilter.nn as nn

    original, spent = nn.fit_batched, []

    def timed(*args, **kwargs):
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent.append((time.process_time() - cpu, time.perf_counter() - wall))

    nn.fit_batched = timed
    try:
        yield spent
    finally:
        nn.fit_batched = original


def quality(original: np.ndarray, decoded: np.ndarray) -> tuple[float, float, float]:
    """PSNR (dB over the finite range), SSIM (skimage, holes set to the minimum in both),
    max abs error; over the finite values."""
    from skimage.metrics import structural_similarity

    a, b = original.astype(np.float64), decoded.astype(np.float64)
    finite = np.isfinite(a)
    value_range = float(a[finite].max() - a[finite].min())
    mse = float(np.mean((a[finite] - b[finite]) ** 2))
    psnr = math.inf if mse == 0 else 10 * math.log10(value_range**2 / mse)
    fill = float(a[finite].min())
    ssim = float(structural_similarity(np.where(finite, a, fill), np.where(finite, b, fill), data_range=value_range))
    return psnr, ssim, float(np.abs(a[finite] - b[finite]).max())


def train_fraction(array: np.ndarray, dilation: int | None, store_mask: bool) -> float:
    """Share of the chunk's voxels the configuration trains on (its AVM-dilated set)."""
    method = get_method("fourier")
    options = method.check_options({"dilation": dilation, "store_mask": store_mask})
    p = prepare(array)
    holes = None if p.finite.all() else ~p.finite
    train, _ = method.voxel_sets(p.values, holes, method.side_info(p.values, holes, p.norm, options), options)
    return float(train.mean())


def epoch_steps(array: np.ndarray, fraction: float, epochs: int) -> int:
    return max(1, math.ceil(epochs * fraction * array.size / FULL_GRID_POINTS))


def encode_row(ds: Dataset, array: np.ndarray, protocol: str, method: str, config: str, steps: int,
               options: dict[str, Any], seed: int) -> tuple[Row, bytes]:
    with training_clock() as spent:
        blob = inrfilter.encode(array, method, ratio=ds.ratio, steps=steps, device="cpu", progress=False,
                                seed=seed, **options)
    info = inrfilter.info(blob)
    psnr, ssim, err = quality(array, inrfilter.decode(blob))
    dilation = options.get("dilation", 5) if method == "fourier" else None
    store = bool(options.get("store_mask", True)) if method == "fourier" else False
    spec = {k: v for k, v in info["spec"].items() if k != "m"}
    row = Row(ds.name, protocol, method, config, "BBX" if dilation is None else str(dilation), store,
              train_fraction(array, dilation, store) if method == "fourier" else 1.0, steps,
              sum(c for c, _ in spent), sum(w for _, w in spent), psnr, ssim, err, info["nbytes"], info["ratio"],
              len(info["spec"].get("m", b"")), spec=repr(spec))
    print(f"{ds.name:10s} {protocol:12s} {config:22s} steps {steps:5d}  cpu {row.train_cpu_s:6.1f}s "
          f"wall {row.train_wall_s:6.1f}s  psnr {psnr:6.2f}  ssim {ssim:.4f}  ratio {info['ratio']:.1f}", flush=True)
    return row, blob


def time_to_psnr(ds: Dataset, array: np.ndarray, reference: Row, blob: bytes, target: float, cap: int,
                 options: dict[str, Any], seed: int) -> Row:
    """Train the fixed-epochs run's network again until the decoded chunk reaches ``target``."""
    method = get_method(reference.method)
    opts = method.check_options(options)
    p = prepare(array)
    holes = None if p.finite.all() else ~p.finite
    side = method.side_info(p.values, holes, p.norm, opts)
    stored = inrfilter.info(blob)["spec"]
    spec = {k: v for k, v in stored.items() if k not in ("r", "b", "m")}
    mse = 4.0 / 10 ** (target / 10)  # normalised units: the finite range is 2
    budget = Budget(cap, None, np.array([mse]), False, seed,
                    holes=None if holes is None else holes[None], side=[side])
    import torch

    with training_clock() as spent:
        fitted_spec, params = method.fit(p.values[None], spec, budget, torch.device("cpu"), opts)[0]
    values = p.norm.inverse(method.evaluate(params, fitted_spec, array.shape, None))
    values = np.where(p.finite, values, array)
    psnr, ssim, err = quality(array, values)
    reached = psnr >= target - 0.05  # fp32 weights here; the tracked MSE decided the stop
    row = Row(ds.name, "time-to-psnr", reference.method, reference.config, reference.dilation, reference.store_mask,
              reference.train_fraction, cap, sum(c for c, _ in spent), sum(w for _, w in spent), psnr, ssim, err,
              reference.nbytes, reference.ratio, reference.mask_bytes, target, "yes" if reached else "no (cap)",
              reference.spec)
    print(f"{ds.name:10s} {'to ' + format(target, '.1f') + ' dB':12s} {reference.config:22s} cap {cap:5d}  "
          f"cpu {row.train_cpu_s:6.1f}s  psnr {psnr:6.2f}  reached {row.reached}", flush=True)
    return row


# -- the runs ---------------------------------------------------------------------------
def configs(ds: Dataset) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for store in ((True, False) if ds.has_background else (True,)):
        for dilation in DILATIONS:
            name = ("BBX" if dilation is None else f"AVM l={dilation}") + ("" if not ds.has_background else
                                                                          (" +mask" if store else " pure"))
            out.append((name, {"dilation": dilation, "store_mask": store}))
    return out


def run_dataset(ds: Dataset, epochs: int, seed: int, lr: float, ablations: bool) -> list[Row]:
    array = ds.load()
    rows: list[Row] = []
    bbx_steps = epoch_steps(array, 1.0, epochs)
    fixed_epochs: dict[str, tuple[Row, bytes, dict]] = {}
    for name, options in configs(ds):
        fraction = train_fraction(array, options["dilation"], options["store_mask"])
        options = {**options, "lr": lr}
        row, blob = encode_row(ds, array, "fixed-epochs", "fourier", name, epoch_steps(array, fraction, epochs),
                               options, seed)
        rows.append(row)
        fixed_epochs[name] = (row, blob, options)
    siren, siren_blob = encode_row(ds, array, "fixed-epochs", "siren", "siren", bbx_steps, {}, seed)
    rows.append(siren)

    for dilation in (0, 5):  # the codec's unit: equal steps (BBX's are those of fixed epochs)
        name = f"AVM l={dilation}" + (" +mask" if ds.has_background else "")
        rows.append(encode_row(ds, array, "fixed-steps", "fourier", name, bbx_steps,
                               {"dilation": dilation, "store_mask": True, "lr": lr}, seed)[0])

    bbx = fixed_epochs["BBX +mask" if ds.has_background else "BBX"][0]
    target = math.floor((bbx.psnr - 0.5) * 10) / 10  # a level BBX passes late in its epochs
    cap = int(1.5 * bbx_steps)
    for name, (row, blob, options) in fixed_epochs.items():
        if options["store_mask"] or options["dilation"] in (None, 5):
            rows.append(time_to_psnr(ds, array, row, blob, target, cap, options, seed))
    rows.append(time_to_psnr(ds, array, siren, siren_blob, target, cap, {}, seed))

    if ablations:  # the choices the paper leaves open, on AVM l=5 (+mask), fixed epochs
        extras = [("lr=3e-4 (paper)", {"lr": 3e-4}), ("sigma=0.01", {"sigma": 0.01}), ("sigma=0.05", {"sigma": 0.05})]
        if ds.has_background:
            extras += [("layers=3", {"layers": 3}), ("features=1", {"features": 1.0})]
        fraction = train_fraction(array, 5, True)
        for name, extra in extras:
            config = "AVM l=5" + (" +mask" if ds.has_background else "") + f" {name}"
            rows.append(encode_row(ds, array, "ablation", "fourier", config, epoch_steps(array, fraction, epochs),
                                   {"dilation": 5, "lr": lr, **extra}, seed)[0])
    return rows


def footprints(array: np.ndarray) -> dict[str, list[float]]:
    """Training-voxel share per l for scipy's cross (our choice) and a full cube: the
    training time at fixed epochs is proportional to it."""
    from scipy import ndimage

    p = prepare(array)
    method = get_method("fourier")
    options = method.check_options({})
    holes = None if p.finite.all() else ~p.finite
    side = method.side_info(p.values, holes, p.norm, options)
    from inrfilter.methods.fourier.active_mask import inactive_voxels

    active = ~inactive_voxels(p.values, holes, side.get("b"))
    cube = ndimage.generate_binary_structure(array.ndim, array.ndim)
    out: dict[str, list[float]] = {"cross": [], "cube": []}
    for l in (0, 1, 2, 5, 10):
        out["cross"].append(float(ndimage.binary_dilation(active, iterations=l).mean() if l else active.mean()))
        out["cube"].append(float(ndimage.binary_dilation(active, cube, iterations=l).mean() if l else active.mean()))
    return out


# -- reporting ----------------------------------------------------------------------------
def write_csv(rows: list[Row], path: Path) -> None:
    fields = [f for f in asdict(rows[0]) if f != "extra"]
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        for r in rows:
            writer.writerow({k: v for k, v in asdict(r).items() if k != "extra"})


def _fmt(x: float, digits: int = 2) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def table(rows: list[Row], protocol: str) -> list[str]:
    steps = "step cap" if protocol == "time-to-psnr" else "steps"
    lines = [f"| dataset | config | train voxels | {steps} | train CPU s | PSNR dB | SSIM | max err | blob B | mask B |"
             + (" target dB | reached |" if protocol == "time-to-psnr" else ""),
             "|---|---|---|---|---|---|---|---|---|---|" + ("---|---|" if protocol == "time-to-psnr" else "")]
    for r in rows:
        if r.protocol != protocol:
            continue
        line = (f"| {r.dataset} | {r.config} | {100 * r.train_fraction:.1f}% | {r.steps} | {_fmt(r.train_cpu_s, 1)} | "
                f"{_fmt(r.psnr)} | {_fmt(r.ssim, 4)} | {r.max_abs_error:.3g} | {r.nbytes} | {r.mask_bytes} |")
        if protocol == "time-to-psnr":
            line += f" {_fmt(r.target_psnr, 1)} | {r.reached} |"
        lines.append(line)
    return lines


def find(rows: list[Row], dataset: str, protocol: str, config: str) -> Row | None:
    return next((r for r in rows if r.dataset == dataset and r.protocol == protocol and r.config == config), None)


def claims(rows: list[Row]) -> list[str]:
    """The paper's numbers next to ours, per dataset."""
    lines = ["| claim | paper | " + " | ".join(ds.name for ds in DATASETS) + " |",
             "|---|---|" + "---|" * len(DATASETS)]

    def cell(fn) -> str:
        return " | ".join(fn(ds) for ds in DATASETS)

    def pair(ds: Dataset, protocol: str, store: bool = True) -> tuple[Row | None, Row | None]:
        suffix = "" if not ds.has_background else (" +mask" if store else " pure")
        return find(rows, ds.name, protocol, "BBX" + suffix), find(rows, ds.name, protocol, "AVM l=5" + suffix)

    def saved(bbx: Row, avm: Row) -> str:
        share = 100 * (1 - avm.train_cpu_s / bbx.train_cpu_s)
        return f"{share:.1f}% ({bbx.train_cpu_s:.1f} -> {avm.train_cpu_s:.1f} s)"

    def saving(ds: Dataset, store: bool) -> str:
        return saved(*pair(ds, "fixed-epochs", store))

    def psnr_drop(ds: Dataset, store: bool) -> str:
        bbx, avm = pair(ds, "fixed-epochs", store)
        return f"{bbx.psnr - avm.psnr:+.2f} dB ({bbx.psnr:.2f} -> {avm.psnr:.2f})"

    def ssim_drop(ds: Dataset, store: bool) -> str:
        bbx, avm = pair(ds, "fixed-epochs", store)
        return f"{bbx.ssim - avm.ssim:+.4f} ({bbx.ssim:.4f} -> {avm.ssim:.4f})"

    def to_psnr(ds: Dataset, store: bool = True) -> str:
        bbx, avm = pair(ds, "time-to-psnr", store)
        if avm.reached != "yes" or bbx.reached != "yes":
            return f"BBX {bbx.reached}, AVM {avm.reached}"
        return saved(bbx, avm)

    def invent(ds: Dataset) -> str:
        pure, masked = (find(rows, ds.name, "fixed-epochs", f"AVM l=0 {m}") for m in ("pure", "+mask"))
        if pure is None:
            return "n/a (NaN land is restored by the core)"
        return f"pure {pure.psnr:.2f} dB vs mask {masked.psnr:.2f} dB"

    def siren(ds: Dataset) -> str:
        s = find(rows, ds.name, "fixed-epochs", "siren")
        bbx = pair(ds, "fixed-epochs")[0]
        avm = pair(ds, "fixed-steps")[1]
        return (f"fourier BBX {bbx.psnr:.2f} dB, AVM l=5 {avm.psnr:.2f} dB; siren {s.psnr:.2f} dB "
                f"(SSIM {bbx.ssim:.3f}, {avm.ssim:.3f}; {s.ssim:.3f})")

    def pure(fn):  # the pure paper mode where it differs from the stored mask
        return lambda d: fn(d, not d.has_background)

    for claim, paper, fn in [
        ("AVM l=5 cuts training time at fixed epochs (pure mode)", "63.7%", pure(saving)),
        ("same, with the stored mask", "-", lambda d: saving(d, True)),
        ("PSNR cost of AVM l=5 at fixed epochs (pure mode)", "+0.59 dB", pure(psnr_drop)),
        ("SSIM cost of AVM l=5 at fixed epochs (pure mode)", "+0.008", pure(ssim_drop)),
        ("PSNR cost with the stored mask", "-", lambda d: psnr_drop(d, True)),
        ("time to a fixed PSNR saved by AVM l=5 (pure mode)", "-", pure(to_psnr)),
        ("time to a fixed PSNR saved by AVM l=5 (+mask)", "-", to_psnr),
        ("l=0 without a stored mask invents content outside", "yes", invent),
        ("fourier (+mask) vs siren at equal blob size and steps (BBX's)", "-", siren),
    ]:
        lines.append(f"| {claim} | {paper} | {cell(fn)} |")
    return lines


def write_markdown(rows: list[Row], prints: dict[str, dict[str, list[float]]], args: argparse.Namespace,
                   path: Path, elapsed: float) -> None:
    lines = [
        "# `fourier` against the paper's table (CPU-scale run)",
        "",
        "Written by `python -m benchmarks.fourier "
        f"--epochs {args.epochs} --lr {args.lr:g} --seed {args.seed}`; {elapsed / 60:.1f} min wall on a 2-core CPU "
        "shared with other jobs, `OMP_NUM_THREADS` as set by the caller. Times are CPU seconds of training "
        "(`fit_batched`), the part AVM changes; wall times are in the CSV but the machine is shared.",
        "",
        "Settings: one chunk per dataset, trained on the CPU, fp16 weights, seed "
        f"{args.seed}, Adam at {args.lr:g} for fourier (cosine decay to a tenth; the paper's 3e-4 is the "
        "method's default, but a CPU run of hundreds of steps does not get near convergence with it: see the "
        "ablation row), siren at its own default (1e-3), minibatches of "
        f"{FULL_GRID_POINTS} points, "
        f"{args.epochs} epochs for the fixed-epochs protocol. "
        + "; ".join(f"{ds.name}: ratio {ds.ratio:g}" for ds in DATASETS)
        + ". mni-t1 is every 4th voxel of the template (50x59x48, uint8, 78% zero background); ocean-sst is the "
        "whole 330x360 field (45% NaN land, which the core restores itself, so the stored mask changes nothing "
        "there and only one variant is run). The paper trains an 8x512 network for 30 min on a GPU; here the "
        "networks are sized by the blob budget and trained for seconds, so absolute PSNRs are lower; the "
        "comparisons are between configurations of equal blob size.",
        "",
        "## Paper claims",
        "",
        *claims(rows),
        "",
        "## Fixed epochs (the paper's protocol: AVM trains fewer steps)",
        "",
        *table(rows, "fixed-epochs"),
        "",
        "## Fixed steps (the codec's budget unit)",
        "",
        *table(rows, "fixed-steps"),
        "",
        "## Time to a fixed PSNR (cap: 1.5 x BBX's steps; PSNR of the fp32 weights; early stopping is checked "
        "every 50 steps, so times are resolved to 50 steps)",
        "",
        *table(rows, "time-to-psnr"),
        "",
        "## Open choices: effect on AVM l=5, fixed epochs (defaults: sigma=0.02, depth rule, features=2.5)",
        "",
        *table(rows, "ablation"),
        "",
        "Dilation footprint (training-voxel share for l = 0, 1, 2, 5, 10; training time at fixed epochs is "
        "proportional to it): scipy's cross (our choice, L1 ball) against a full cube (L-inf ball).",
        "",
        "| dataset | footprint | " + " | ".join(f"l={l}" for l in (0, 1, 2, 5, 10)) + " |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, fp in prints.items():
        for kind, values in fp.items():
            lines.append(f"| {name} | {kind} | " + " | ".join(f"{100 * v:.1f}%" for v in values) + " |")
    path.write_text("\n".join(lines) + "\n")


def plot(rows: list[Row], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(DATASETS), figsize=(6 * len(DATASETS), 4.5))
    for ax, ds in zip(np.atleast_1d(axes), DATASETS):
        for protocol, marker in (("fixed-epochs", "o"), ("fixed-steps", "s")):
            for store, color in ((True, "tab:blue"), (False, "tab:orange")):
                pts = [r for r in rows if r.dataset == ds.name and r.protocol == protocol and r.method == "fourier"
                       and r.store_mask == store]
                if not pts:
                    continue
                mode = ("+mask" if store else "pure") if ds.has_background else ""
                ax.scatter([r.train_cpu_s for r in pts], [r.psnr for r in pts], marker=marker, color=color,
                           label=f"fourier {protocol} {mode}")
                for r in pts:
                    ax.annotate(r.dilation, (r.train_cpu_s, r.psnr), fontsize=7, xytext=(3, 3),
                                textcoords="offset points")
        s = find(rows, ds.name, "fixed-epochs", "siren")
        if s:
            ax.scatter([s.train_cpu_s], [s.psnr], marker="*", s=120, color="tab:green", label="siren (BBX steps)")
        ax.set_title(f"{ds.name}, ratio {ds.ratio:g} (labels: l, BBX)")
        ax.set_xlabel("training CPU s")
        ax.set_ylabel("PSNR dB")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--lr", type=float, default=3e-3,
                        help="Adam's starting rate for fourier (the paper's 3e-4 needs thousands of steps)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-ablations", dest="ablations", action="store_false")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "fourier")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    rows: list[Row] = []
    prints = {}
    for ds in DATASETS:
        rows += run_dataset(ds, args.epochs, args.seed, args.lr, args.ablations)
        prints[ds.name] = footprints(ds.load())
    write_csv(rows, args.out / "fourier_paper.csv")
    write_markdown(rows, prints, args, args.out / "fourier_paper.md", time.perf_counter() - start)
    plot(rows, args.out / "fourier_paper.png")
    print(f"wrote {args.out}/fourier_paper.{{csv,md,png}} in {(time.perf_counter() - start) / 60:.1f} min")


if __name__ == "__main__":
    main()
