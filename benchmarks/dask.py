"""Dask throughput: ``inrfilter.dask.to_zarr`` on a LocalCluster of 1 and 2 workers, the
per-task overhead, and what that means for N nodes.

    python -m benchmarks.dask [--steps 30] [--out benchmarks/results/dask]

Data: a 256x256 crop of PyWavelets' ascent photograph (float32) in 32x32 chunks (64
chunks), ``chunks_per_task`` 8 (8 tasks).  Each configuration first writes once to warm
its workers up (torch import, first training), then is timed on a second write.
Per-task overhead: the same graph with ``steps=1`` (training nearly free), minus the
in-process time of the same 64 one-step encodes, over the tasks; and an empty
``map_blocks`` graph (the scheduler's own cost per task).
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import inrfilter
import inrfilter.dask
import inrfilter.zarr
from benchmarks.common import datasets, metrics

CHUNK = 32
PER_TASK = 8


def _write(x, settings: dict, folder: str, tag: str) -> float:
    t = time.perf_counter()
    inrfilter.dask.to_zarr(x, f"{folder}/{tag}.zarr", codec=inrfilter.zarr.INR(**settings),
                           chunks_per_task=PER_TASK)
    return time.perf_counter() - t


def main() -> None:
    import dask.array as da
    from distributed import Client, LocalCluster

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "dask")
    parser.add_argument("--report-only", action="store_true", help="rewrite the report from the last CSV")
    args = parser.parse_args()
    if args.report_only:
        with open(args.out / "throughput.csv") as fh:
            rows = list(csv.DictReader(fh))
        report(rows, args, metrics.machine(), 256 * 256 * 4, (256 // CHUNK) ** 2, (256 // CHUNK) ** 2 // PER_TASK)
        return
    image = datasets.crop(datasets.ascent(), (128, 128), (256, 256)).astype(np.float32)
    x = da.from_array(image, chunks=(CHUNK, CHUNK))
    n_chunks, n_tasks = (256 // CHUNK) ** 2, (256 // CHUNK) ** 2 // PER_TASK
    settings = dict(ratio=8, steps=args.steps, device="cpu")
    tiles = [image[i:i + CHUNK, j:j + CHUNK] for i in range(0, 256, CHUNK) for j in range(0, 256, CHUNK)]
    import torch

    torch.set_num_threads(1)  # as each worker (setup_workers(threads=1)): workers add cores, not threads
    t = time.perf_counter()
    for k in range(0, n_chunks, PER_TASK):
        inrfilter.encode_batch(tiles[k:k + PER_TASK], **settings, progress=False)
    in_process = time.perf_counter() - t
    t = time.perf_counter()
    for k in range(0, n_chunks, PER_TASK):
        inrfilter.encode_batch(tiles[k:k + PER_TASK], **{**settings, "steps": 1}, progress=False)
    one_step_here = time.perf_counter() - t
    rows = [{"config": "in-process encode_batch (8 batches of 8, 1 thread)", "workers": 1, "seconds": round(in_process, 2),
             "chunks_per_s": round(n_chunks / in_process, 3), "MB_per_s": round(image.nbytes / 1e6 / in_process, 4),
             "per_task_overhead_s": "", "scheduler_s_per_task": ""}]
    print(rows[-1], flush=True)
    with tempfile.TemporaryDirectory() as folder:
        for workers in (1, 2):
            with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                              dashboard_address=None) as cluster, Client(cluster) as client:
                inrfilter.dask.setup_workers(client, devices="cpu", threads=1)
                _write(x, settings, folder, f"warm{workers}")
                seconds = _write(x, settings, folder, f"run{workers}")
                one_step = _write(x, {**settings, "steps": 1}, folder, f"one{workers}")
                empty = x.map_blocks(lambda b: b[:1, :1] * 0, chunks=(1, 1)).rechunk((1, 1))
                t = time.perf_counter()
                empty.compute()
                scheduler = (time.perf_counter() - t) / empty.npartitions
            overhead = max(0.0, (one_step * workers - one_step_here) / n_tasks)
            rows.append({"config": f"LocalCluster, {workers} worker(s) x 1 thread", "workers": workers,
                         "seconds": round(seconds, 2), "chunks_per_s": round(n_chunks / seconds, 3),
                         "MB_per_s": round(image.nbytes / 1e6 / seconds, 4),
                         "per_task_overhead_s": round(overhead, 3), "scheduler_s_per_task": round(scheduler, 4)})
            print(rows[-1], flush=True)
    report(rows, args, metrics.machine(), image.nbytes, n_chunks, n_tasks)


def report(rows: list[dict], args, machine: dict, nbytes: int, n_chunks: int, n_tasks: int) -> None:
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "throughput.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    keys = list(rows[0])
    two = rows[-1]
    one = rows[-2]
    task_s = float(two["seconds"]) * 2 / n_tasks  # one task's time on one worker
    sched_rate = 1 / max(float(two["scheduler_s_per_task"] or 1e-3), 1e-4)
    overhead = float(two["per_task_overhead_s"] or 0) + float(two["scheduler_s_per_task"] or 0)
    lines = ["# Dask throughput (inrfilter.dask.to_zarr)", "",
             f"Machine: {machine['cpu']}, {machine['cores']} cores (shared with other jobs: timings are noisy), "
             f"GPU: {machine['gpu']}. Data: 256x256 float32 crop of ascent ({nbytes / 1e6:.2f} MB), 32x32 chunks "
             f"({n_chunks}), {PER_TASK} chunks per task ({n_tasks} tasks); siren, ratio 8, {args.steps} steps. "
             f"Command: `python -m benchmarks.dask {' '.join(a for a in sys.argv[1:] if a != '--report-only')}`.", "",
             "| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(str(r[k]) for k in keys) + " |" for r in rows]
    lines += ["", "## Scaling to N nodes", "",
              f"- Speed-up from 1 to 2 workers here: {float(two['chunks_per_s']) / float(one['chunks_per_s']):.2f}x "
              "(each worker 1 torch thread, on 2 cores that other jobs share: the 5-minute load average was "
              f"{os.getloadavg()[1]:.1f} when this report was written, so both figures are shares of a busy machine, "
              "and a speed-up above 2x only means the other jobs' load changed between the runs).",
              f"- One task (8 chunks, {args.steps} steps) takes about {task_s:.1f} s on one worker; the measured "
              f"overhead per task (write path + scheduling) is about {overhead:.3f} s, "
              f"{100 * overhead / max(task_s, 1e-9):.1f}% of it.",
              "- Tasks are independent (no shuffles; each writes its own chunks), so N nodes of W workers "
              "encode about N*W times what one worker does, as long as (a) the scheduler keeps up: it "
              f"placed about {sched_rate:.0f} tasks/s here, against {1 / max(task_s, 1e-9):.2f} tasks/s finished "
              f"per worker, so about {sched_rate * task_s:.0f} workers at this budget (and "
              f"{sched_rate * task_s * 2000 / args.steps:.0f} at the default 2000 steps) before it limits; "
              "and (b) storage keeps up: reading the raw data dominates I/O, since blobs are ratio-times smaller.",
              "- With the default budget (2000 steps) a task runs ~60x longer than here, so the overhead "
              "share drops to well under 1%: expect near-linear scaling in nodes.",
              "- GPU workers (dask-cuda) are unmeasured here (no GPU in this session)."]
    (out / "README.md").write_text("\n".join(lines) + "\n")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3))
    ax.barh([r["config"] for r in rows], [float(r["chunks_per_s"]) for r in rows])
    ax.set_xlabel("chunks/s (32x32 float32, ratio 8)")
    fig.tight_layout()
    fig.savefig(out / "throughput.png", dpi=100)


if __name__ == "__main__":
    main()
