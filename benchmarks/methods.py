"""Every method at its defaults, fp16+zstd against entropy-coded weights, at ratios 30/100/300.

    OMP_NUM_THREADS=1 python -m benchmarks.methods [--steps N]
    OMP_NUM_THREADS=1 python -m benchmarks.methods --ablate fourier   # option sweeps (ABLATIONS)
    OMP_NUM_THREADS=1 python -m benchmarks.methods --ratios 100 300 --before --out before-100-300.csv
    python -m benchmarks.methods --before-after CSV ...   # issue 21's table (benchmarks.common.methods_report)

One chunk per crop of four DATASETS.md arrays, on the CPU, at the default effort
(``fast``) unless ``--steps`` is given.  Per (crop, ratio, method): PSNR over the
crop's range, blob bytes, CPU seconds, for ``quant="fp16"`` and ``quant="entropy"``
(trained with the quantiser in the loop).  The fp16 rows also recode that very network
with the entropy coder (``recode_*``: same network, no retraining), so the coding
gain alone is visible.  Rows go to benchmarks/results/methods/<--out> as they finish
(default results.csv); <stem>.md and <stem>.png are written from them.
"""

from __future__ import annotations

import argparse
import csv
import time
import warnings
from pathlib import Path

import numpy as np

import inrfilter
from inrfilter import blob as blobfmt
from inrfilter.decoder import ParsedChunk
from inrfilter.quant import quantise
from benchmarks.common import datasets, metrics

RESULTS = Path(__file__).parent / "results" / "methods"
RATIOS = (30, 100, 300)
METHODS = ("siren", "wien", "sci", "fourier", "sasnet")
FIELDS = ["dataset", "dtype", "ratio", "method", "quant", "steps", "psnr", "bytes", "cpu_seconds", "spec",
          "recode_bytes", "recode_psnr", "options"]
#: the defaults before issue 21 (``--before``): fourier's and sci's learning rates, fp16 weights
BEFORE = {"fourier": {"lr": 3e-4}, "sci": {"lr": 1e-3}}


#: option sweeps per method: why each seed method loses to siren at equal size and budget
ABLATIONS: dict[str, list[dict]] = {
    "fourier": [{}, {"lr": 1e-3}, {"lr": 3e-3}, {"sigma": 0.05}, {"lr": 1e-3, "sigma": 0.05}, {"layers": 3},
                {"lr": 1e-3, "layers": 3}],
    "wien": [{}, {"lr": 3e-4}, {"split": 0.2}, {"split": 1.0}, {"w0_coarse": 30.0}, {"levels": 2}, {"enhance": False}],
    "sci": [{}, {"lr": 3e-3}, {"levels": 1}, {"partition": "none"}, {"layers": 3}, {"w0": 30.0}],
    "siren": [{}],
}


def ablate(method: str, ratio: float, steps: int | None, sets: list[dict] | None = None, tag: str = "") -> None:
    """``method`` with each option set of ABLATIONS[method] (or ``sets``), and siren at its
    defaults, at ``ratio``, fp16, on the 2-D crops; rows to
    results/methods/ablation-<method><tag>.csv."""
    import torch

    torch.set_num_threads(1)
    warnings.simplefilter("ignore", inrfilter.TargetWarning)
    fields = ["dataset", "ratio", "method", "options", "psnr", "bytes", "cpu_seconds"]
    path = RESULTS / f"ablation-{method}{tag}.csv"
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fields)
        writer.writeheader()
        for name, array in list(crops().items())[:2]:  # the 2-D crops: a sweep must stay minutes on a CPU
            for m, options in [("siren", {})] + [(method, o) for o in (ABLATIONS[method] if sets is None else sets)]:
                c0 = time.process_time()
                try:
                    blob = inrfilter.encode(array, m, ratio=ratio, steps=steps, device="cpu", progress=False, **options)
                except ValueError as exc:
                    print(name, m, options, "skipped:", exc, flush=True)
                    continue
                row = {"dataset": name, "ratio": ratio, "method": m, "options": options,
                       "psnr": round(metrics.psnr(array, inrfilter.decode(blob)), 2), "bytes": len(blob),
                       "cpu_seconds": round(time.process_time() - c0, 1)}
                writer.writerow(row)
                f.flush()
                print(row, flush=True)


def preview(ratio: float = 30.0, repeats: int = 5) -> None:
    """WIEN's read-side niche: reduced-resolution levels decode from the coarse scales
    alone.  Per crop: wien's level-0/1/2 decode time against siren's full decode (a
    preview from siren must decode everything), CPU seconds, best of ``repeats``;
    rows to results/methods/preview.csv."""
    warnings.simplefilter("ignore", inrfilter.TargetWarning)
    path = RESULTS / "preview.csv"
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, ["dataset", "method", "level", "shape", "decode_ms", "psnr_full"])
        writer.writeheader()
        for name, array in crops().items():
            for method in ("siren", "wien"):
                blob = inrfilter.encode(array, method, ratio=ratio, device="cpu", progress=False)
                psnr = round(metrics.psnr(array, inrfilter.decode(blob)), 2)
                for level in (0, 1, 2) if method == "wien" else (0,):
                    times = []
                    for _ in range(repeats):
                        c0 = time.perf_counter()
                        out = inrfilter.decode(blob, level=level)
                        times.append(time.perf_counter() - c0)
                    row = {"dataset": name, "method": method, "level": level, "shape": "x".join(map(str, out.shape)),
                           "decode_ms": round(1000 * min(times), 2), "psnr_full": psnr}
                    writer.writerow(row)
                    f.flush()
                    print(row, flush=True)


def crops() -> dict[str, np.ndarray]:
    c = datasets.crop
    return {
        "powder-pilatus 128^2": c(datasets.powder_pilatus(), (400, 300), (128, 128)),
        "saxs-eiger 128^2": c(datasets.saxs_eiger(), (480, 480), (128, 128)),
        "turbulence-vx 32^3": c(datasets.turbulence("vx"), (48, 48, 48), (32, 32, 32)),
        "mni-t1 48^3": c(datasets.mni_t1(), (70, 90, 70), (48, 48, 48)),
    }


def recode(blob: bytes, array: np.ndarray) -> tuple[int, float]:
    """The fp16 blob's network with entropy-coded weights instead (step RMS/256, the one
    ``quant="entropy"`` trains for), no retraining: its bytes and PSNR."""
    chunk = ParsedChunk(blob)
    if chunk.h.quant != "fp16":
        return 0, float("nan")
    shapes = inrfilter.methods.get_method(chunk.h.method).param_shapes(chunk.h.spec, chunk.shape)
    header = chunk.h.to_dict()
    header["q"] = "entropy"
    sections = dict(chunk.sections)
    sections["w"] = quantise(chunk.params(), shapes, "entropy")
    if "r" in sections:  # a residual belongs to the fp16 network; none is asked for here
        return 0, float("nan")
    new = blobfmt.pack(header, sections)
    return len(new), metrics.psnr(array, inrfilter.decode(new))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--methods", nargs="*", default=list(METHODS))
    parser.add_argument("--ratios", nargs="*", type=float, default=list(RATIOS))
    parser.add_argument("--quants", nargs="*", default=["fp16", "entropy"])
    parser.add_argument("--out", default="results.csv", help="file name under results/methods/")
    parser.add_argument("--ablate", choices=sorted(ABLATIONS), help="sweep this method's options instead")
    parser.add_argument("--preview", action="store_true", help="wien's reduced-resolution reads vs siren")
    parser.add_argument("--sets", help="JSON list of option sets for --ablate (written to ablation-METHOD-extra.csv)")
    parser.add_argument("--options", default="{}", help='JSON {method: {option: value}} passed to those methods')
    parser.add_argument("--before", action="store_true", help="the pre-issue-21 options (BEFORE) instead of --options")
    parser.add_argument("--datasets", nargs="*", help="only the crops whose name contains one of these")
    parser.add_argument("--before-after", nargs="*", metavar="CSV",
                        help="write before-after.{csv,md,png} from these CSVs under results/methods/ instead")
    args = parser.parse_args(argv)
    if args.before_after is not None:
        from benchmarks.common.methods_report import before_after

        return before_after([RESULTS / name for name in args.before_after])
    if args.preview:
        return preview()
    if args.ablate:
        import json

        sets = None if args.sets is None else json.loads(args.sets)
        return ablate(args.ablate, args.ratios[0], args.steps, sets, "" if sets is None else "-extra")
    import torch

    torch.set_num_threads(1)
    warnings.simplefilter("ignore", inrfilter.TargetWarning)
    RESULTS.mkdir(parents=True, exist_ok=True)
    import json

    method_options = BEFORE if args.before else json.loads(args.options)
    data = {n: a for n, a in crops().items() if not args.datasets or any(d in n for d in args.datasets)}
    path = RESULTS / args.out
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, FIELDS)
        writer.writeheader()
        for ratio in args.ratios:
            for name, array in data.items():
                for method in args.methods:
                    options = method_options.get(method, {})
                    for quant in args.quants:
                        c0 = time.process_time()
                        try:
                            blob = inrfilter.encode(array, method, ratio=ratio, quant=quant, steps=args.steps,
                                                    device="cpu", progress=False, **options)
                        except ValueError as exc:  # a ratio the smallest network cannot reach
                            print(name, ratio, method, quant, "skipped:", exc, flush=True)
                            continue
                        cpu = time.process_time() - c0
                        info = inrfilter.info(blob)
                        rb, rp = recode(blob, array) if quant == "fp16" and info["method"] == method else (0, np.nan)
                        row = {"dataset": name, "dtype": str(array.dtype), "ratio": ratio, "method": method,
                               "quant": quant, "steps": args.steps or "fast", "bytes": len(blob),
                               "psnr": round(metrics.psnr(array, inrfilter.decode(blob)), 2),
                               "cpu_seconds": round(cpu, 1), "spec": info["spec"] if info["method"] == method
                               else info["method"], "recode_bytes": rb, "recode_psnr": round(rp, 2),
                               "options": json.dumps(options) if options else ""}
                        writer.writerow(row)
                        f.flush()
                        print(row, flush=True)
    write_report(path)


def write_report(path: Path, *more: Path) -> None:
    """<stem>.md (one table per ratio: methods x crops, fp16 / entropy PSNR, bytes) and <stem>.png
    next to ``path``, from ``path`` and any further CSVs of this script (later rows replace
    earlier ones)."""
    latest: dict[tuple, dict] = {}
    for p in (path, *more):
        with p.open() as f:
            for r in csv.DictReader(f):
                latest[(r["dataset"], r["ratio"], r["method"], r["quant"])] = r
    rows = list(latest.values())
    quants = list(dict.fromkeys(r["quant"] for r in rows))
    lines = [f"# Methods at their defaults ({', '.join(quants)} weights), from {path.name}", "",
             f"machine: {metrics.machine()}; CPU, one thread; PSNR over each crop's range; "
             "cells: PSNR dB (bytes, CPU s)", ""]
    names = list(dict.fromkeys(r["dataset"] for r in rows))
    for ratio in dict.fromkeys(r["ratio"] for r in rows):
        lines += [f"## ratio {float(ratio):g}", "", "| method | quant | " + " | ".join(names) + " |",
                  "|---|---|" + "---|" * len(names)]
        for method in dict.fromkeys(r["method"] for r in rows):
            for quant in quants:
                cells = []
                for n in names:
                    hit = [r for r in rows if r["ratio"] == ratio and r["method"] == method and r["quant"] == quant
                           and r["dataset"] == n]
                    cells.append(f"{hit[0]['psnr']} ({hit[0]['bytes']} B, {hit[0]['cpu_seconds']} s)" if hit else "-")
                lines.append(f"| {method} | {quant} | " + " | ".join(cells) + " |")
        lines.append("")
    recodes = [r for r in rows if r["quant"] == "fp16" and int(r["recode_bytes"] or 0) > 0]
    if recodes:
        saved = [1 - int(r["recode_bytes"]) / int(r["bytes"]) for r in recodes]
        lost = [float(r["psnr"]) - float(r["recode_psnr"]) for r in recodes]
        lines += ["## Same network, entropy-coded (step RMS/256) instead of fp16+zstd", "",
                  f"{len(recodes)} blobs: bytes saved median {np.median(saved):.0%} (range {min(saved):.0%} to "
                  f"{max(saved):.0%}); PSNR lost median {np.median(lost):.2f} dB (max {max(lost):.2f} dB)", ""]
    path.with_suffix(".md").write_text("\n".join(lines) + "\n")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    fig, axes = plt.subplots(1, len(names), figsize=(4 * len(names), 3.5), squeeze=False)
    for ax, n in zip(axes[0], names):
        for method in dict.fromkeys(r["method"] for r in rows):
            for quant, style in (("fp16", "-o"), ("entropy", "--x")):
                if quant not in quants:
                    continue
                pts = sorted((float(r["ratio"]), float(r["psnr"])) for r in rows
                             if r["dataset"] == n and r["method"] == method and r["quant"] == quant)
                if pts:
                    ax.plot(*zip(*pts), style, label=f"{method} {quant}")
        ax.set_xscale("log")
        ax.set_title(n, fontsize=9)
        ax.set_xlabel("ratio")
        ax.set_ylabel("PSNR dB")
    axes[0][0].legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(path.with_suffix(".png"), dpi=90)


if __name__ == "__main__":
    main()
