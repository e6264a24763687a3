"""Quality against encode time for the step budgets behind ``effort=`` (docs/effort.md).

    OMP_NUM_THREADS=1 python -m benchmarks.effort

``siren`` at its defaults, ratio 30, one chunk at a time on the CPU, on crops of three
DATASETS.md arrays; every step budget and learning-rate scale in ``GRID``.  Writes
benchmarks/results/effort/results.csv after every row (a cut-off run keeps its rows)
and results.md.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

import numpy as np

import inrfilter
from inrfilter.effort import EFFORTS
from benchmarks.common import datasets, metrics

RESULTS = Path(__file__).parent / "results" / "effort"
#: (steps, lr scale): the curve the presets were picked from, then the presets themselves
CURVE = [(100, 1.0), (200, 1.0), (400, 1.0), (800, 1.0), (1600, 1.0), (100, 3.0), (200, 3.0), (400, 2.0)]
PRESETS = [EFFORTS[name] for name in ("fast", "normal", "best")]


def crops() -> dict[str, np.ndarray]:
    c = datasets.crop
    return {
        "powder-pilatus 128^2": c(datasets.powder_pilatus(), (400, 300), (128, 128)),
        "saxs-eiger 128^2": c(datasets.saxs_eiger(), (480, 480), (128, 128)).astype(np.float32),
        "turbulence-vx 32^3": c(datasets.turbulence("vx"), (48, 48, 48), (32, 32, 32)),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--method", default="siren")
    parser.add_argument("--ratio", type=float, default=30.0)
    parser.add_argument("--grid", choices=["curve", "presets"], default="presets")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    RESULTS.mkdir(parents=True, exist_ok=True)
    rows = []
    fields = ["dataset", "method", "ratio", "steps", "lr_scale", "seconds", "cpu_seconds", "psnr", "bytes"]
    grid = CURVE if args.grid == "curve" else PRESETS
    path = RESULTS / f"{args.grid}.csv"
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fields)
        writer.writeheader()
        for name, array in crops().items():
            for steps, scale in grid:
                lr = inrfilter.methods.get_method(args.method).defaults["lr"] * scale
                t0, c0 = time.perf_counter(), time.process_time()
                blob = inrfilter.encode(array, args.method, ratio=args.ratio, steps=steps, lr=lr, device="cpu",
                                        progress=False)
                seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
                row = {"dataset": name, "method": args.method, "ratio": args.ratio, "steps": steps,
                       "lr_scale": scale, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
                       "psnr": round(metrics.psnr(array, inrfilter.decode(blob)), 2), "bytes": len(blob)}
                rows.append(row)
                writer.writerow(row)
                f.flush()
                print(row, flush=True)
    lines = ["| dataset | steps | lr x | wall s | CPU s | PSNR dB | bytes |", "|---|---|---|---|---|---|---|"]
    lines += [f"| {r['dataset']} | {r['steps']} | {r['lr_scale']:g} | {r['seconds']} | {r['cpu_seconds']} | "
              f"{r['psnr']} | {r['bytes']} |" for r in rows]
    (RESULTS / f"{args.grid}.md").write_text(
        f"# effort: {args.method}, ratio {args.ratio:g}, CPU, 1 thread\n\nmachine: {metrics.machine()}\n\n"
        + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
