"""Whole-chunk read speed of ``latent``: before (a git ref's decoder, latent coding 0) vs
after (this tree: coding 1 and the feature-major synthesis), 1 and 2 threads, with SZ3
and SPERR read in the same run.

    python -m benchmarks.latent_decode                       # every dataset, ratios 30/100/300
    python -m benchmarks.latent_decode --datasets turbulence --steps 60 --before-ref main

Per dataset (the crops of ``benchmarks.latent``: 64^3 volumes, 256^2 images, climate
64x37x49) and ratio, two blobs are trained with the same seed and steps: one with
``codec.CODING = 0`` (the coding before this change) and one with the current coding.
(Training steers lambda on the bytes the codec writes, so the two runs may end at
slightly different latents; "same latents" repacks the after-blob's latents with
coding 0, which isolates the coding's bytes.)

Timings (``inrfilter.decode`` of the blob, the public whole-chunk read, best of
``--repeats``: the machine is shared, the minimum is the least disturbed run):

- ``before``: the ``--before-ref`` tree's ``inrfilter`` (``git archive``) in a
  subprocess, reading the coding-0 blob, with OMP/OpenBLAS threads 1 and 2 (its only
  parallelism);
- ``after``: this tree reading the new blob with ``numpy_decoder.THREADS`` 1 and 2
  (BLAS threads 1), and the coding-0 blob (what the new synthesis alone gives);
- SPERR at the exact ratio (fixed rate) and SZ3 by bisection of its absolute bound,
  through HDF5 (chunk cache off), same repeats.

MB/s are of float32 (voxels x 4 bytes, the goal of issue 14), whatever the dataset's
dtype.  Results: benchmarks/results/latent_decode/ (results.csv, results.md, mbps.png).
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from benchmarks.common import metrics  # noqa: E402
from benchmarks.latent import RATIOS, cases, write_csv  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "latent_decode"
ROOT = Path(__file__).resolve().parent.parent

_TIMER = r"""
import json, sys, time, inrfilter
out = {}
for path in json.loads(sys.argv[1]):
    blob = open(path, "rb").read()
    inrfilter.decode(blob)
    best = float("inf")
    for _ in range(int(sys.argv[2])):
        t = time.perf_counter(); inrfilter.decode(blob); best = min(best, time.perf_counter() - t)
    out[path] = best
print(json.dumps({"file": inrfilter.__file__, "times": out}))
"""


def best_time(fn, repeats: int) -> float:
    fn()
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def before_times(ref: str, paths: list[str], repeats: int, threads: int) -> dict[str, float]:
    """Decode times of ``paths`` with the ``ref`` tree's inrfilter, in a subprocess."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "inrfilter"], check=True,
                                 capture_output=True).stdout
        tarfile.open(fileobj=io.BytesIO(archive)).extractall(tmp)
        env = {**os.environ, "PYTHONPATH": tmp, "OMP_NUM_THREADS": str(threads),
               "OPENBLAS_NUM_THREADS": str(threads)}
        got = subprocess.run([sys.executable, "-c", _TIMER, json.dumps(paths), str(repeats)], env=env, cwd=tmp,
                             check=True, capture_output=True, text=True)
        result = json.loads(got.stdout.strip().splitlines()[-1])
        if not result["file"].startswith(tmp):
            raise RuntimeError(f"the before-decoder imported {result['file']}, not the {ref} tree")
        return result["times"]


def peer_read(array: np.ndarray, filter_kwargs: dict, repeats: int) -> tuple[int, np.ndarray, float]:
    """(stored bytes, decoded, best read seconds) of one HDF5 chunk with a compression filter."""
    import h5py

    data = array if array.dtype.kind == "f" else array.astype(np.float32)
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        ds = f.create_dataset("x", data=data, chunks=data.shape, **filter_kwargs)
        f.flush()
        stored = ds.id.get_storage_size()
    decoded = None

    def read():
        nonlocal decoded
        with h5py.File(buffer, "r", rdcc_nbytes=0) as f:  # no chunk cache: every read decompresses
            decoded = f["x"][()]
    seconds = best_time(read, repeats)
    return stored, decoded, seconds


def peers(name: str, array: np.ndarray, ratio: int, repeats: int) -> list[dict]:
    import hdf5plugin

    rows = []
    finite = np.isfinite(array) if array.dtype.kind == "f" else np.ones(array.shape, bool)
    filled = np.where(finite, array, np.mean(array[finite])).astype(array.dtype)  # SZ3/SPERR refuse NaN
    span = metrics.value_range(array)
    voxels = array.size
    rate = 8 * array.dtype.itemsize / ratio
    try:
        stored, dec, t = peer_read(filled, dict(hdf5plugin.Sperr(rate=rate)), repeats)
        rows.append(dict(dataset=name, ratio_target=ratio, codec="SPERR", ratio=array.nbytes / stored,
                         psnr=metrics.psnr(array, np.where(finite, dec, array)), decode_MBps=4 * voxels / t / 1e6))
    except Exception as exc:  # noqa: BLE001 - a failing peer is a missing point
        print(f"  SPERR {name} {ratio}: {exc}")
    lo, hi, best = math.log(1e-7 * span), math.log(0.5 * span), None
    for _ in range(12):
        mid = (lo + hi) / 2
        try:
            stored, _, _ = peer_read(filled, dict(hdf5plugin.SZ3(absolute=math.exp(mid))), 0)
        except Exception as exc:  # noqa: BLE001
            print(f"  SZ3 {name} {ratio}: {exc}")
            return rows
        r = array.nbytes / stored
        if best is None or abs(math.log(r / ratio)) < abs(math.log(best[1] / ratio)):
            best = (math.exp(mid), r)
        lo, hi = (mid, hi) if r < ratio else (lo, mid)
    stored, dec, t = peer_read(filled, dict(hdf5plugin.SZ3(absolute=best[0])), repeats)
    rows.append(dict(dataset=name, ratio_target=ratio, codec="SZ3", ratio=array.nbytes / stored,
                     psnr=metrics.psnr(array, np.where(finite, dec, array)), decode_MBps=4 * voxels / t / 1e6))
    return rows


def encode(array: np.ndarray, ratio: int, steps: int, coding: int) -> bytes:
    import inrfilter
    from inrfilter.methods.latent import codec

    saved = codec.CODING
    codec.CODING = coding
    try:
        return inrfilter.encode(array, "latent", ratio=ratio, steps=steps, device="cpu", progress=False)
    finally:
        codec.CODING = saved


def same_latent_bytes(blob: bytes) -> tuple[int, int]:
    """(coding 0, coding 1) bytes of the latent stream of ``blob``'s own latents."""
    from inrfilter.decoder import ParsedChunk
    from inrfilter.methods.latent import codec
    from inrfilter.methods.latent.layout import Layout

    chunk = ParsedChunk(blob)
    layout = Layout.from_spec(chunk.shape, chunk.h.spec)
    params = chunk.params()
    grids = [params[f"z{i}"] for i in range(layout.levels)]
    return len(codec.encode_latents(layout, grids)), len(codec.encode_latents_sig(layout, grids))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", default=",".join(cases()))
    ap.add_argument("--ratios", default=",".join(map(str, RATIOS)))
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--before-ref", default="main")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args()

    import inrfilter
    from inrfilter.methods.latent import numpy_decoder

    args.out.mkdir(parents=True, exist_ok=True)
    blobs_dir = Path(tempfile.mkdtemp(prefix="latent-decode-"))
    rows, plan = [], []
    ratios = [int(r) for r in args.ratios.split(",")]
    load = [os.getloadavg()[0]]
    for name in args.datasets.split(","):
        array = cases()[name]()
        for ratio in ratios:
            row = dict(dataset=name, shape="x".join(map(str, array.shape)), ratio_target=ratio)
            try:
                encode(array, ratio, 2, 1)
            except ValueError as exc:  # e.g. the NaN mask alone exceeds the target size
                print(f"{name} {ratio}: skipped ({exc})")
                continue
            for coding in (0, 1):
                t0 = time.perf_counter()
                blob = encode(array, ratio, args.steps, coding)
                path = blobs_dir / f"{name}-{ratio}-k{coding}.inrf"
                path.write_bytes(blob)
                tag = "before" if coding == 0 else "after"
                row[f"{tag}_bytes"] = len(blob)
                row[f"{tag}_ratio"] = array.nbytes / len(blob)
                row[f"{tag}_psnr"] = metrics.psnr(array, inrfilter.decode(blob))
                row[f"{tag}_encode_s"] = time.perf_counter() - t0
                row[f"{tag}_path"] = str(path)
            after = Path(row["after_path"]).read_bytes()
            row["same_latents_k0_bytes"], row["same_latents_k1_bytes"] = same_latent_bytes(after)
            voxels = array.size
            before_blob = Path(row["before_path"]).read_bytes()
            for threads in (1, 2):
                numpy_decoder.THREADS = threads
                t = best_time(lambda: inrfilter.decode(after), args.repeats)
                row[f"after_{threads}t_MBps"] = 4 * voxels / t / 1e6
                t = best_time(lambda: inrfilter.decode(before_blob), args.repeats)
                row[f"k0blob_newdecoder_{threads}t_MBps"] = 4 * voxels / t / 1e6
            numpy_decoder.THREADS = 1  # the default
            for peer in peers(name, array, ratio, args.repeats):
                row[f"{peer['codec']}_ratio"] = peer["ratio"]
                row[f"{peer['codec']}_psnr"] = peer["psnr"]
                row[f"{peer['codec']}_MBps"] = peer["decode_MBps"]
            rows.append(row)
            plan.append((row, voxels))
            print(f"{name} {ratio}: before {row['before_bytes']} B {row['before_psnr']:.2f} dB, "
                  f"after {row['after_bytes']} B {row['after_psnr']:.2f} dB, "
                  f"after {row['after_1t_MBps']:.1f}/{row['after_2t_MBps']:.1f} MB/s", flush=True)
            load.append(os.getloadavg()[0])
    for threads in (1, 2):
        times = before_times(args.before_ref, [r["before_path"] for r, _ in plan], args.repeats, threads)
        for row, voxels in plan:
            row[f"before_{threads}t_MBps"] = 4 * voxels / times[row["before_path"]] / 1e6
    load.append(os.getloadavg()[0])
    for row in rows:
        del row["before_path"], row["after_path"]
    write_csv(rows, args.out / "results.csv")
    write_markdown(rows, args, load, args.out / "results.md")
    plot(rows, args.out / "mbps.png")


def write_markdown(rows: list[dict], args, load: list[float], path: Path) -> None:
    f = lambda v, d=1: "-" if v is None else f"{v:.{d}f}"  # noqa: E731
    lines = [
        "# latent: whole-chunk decode speed, before vs after",
        "",
        f"`python -m benchmarks.latent_decode --steps {args.steps} --repeats {args.repeats} "
        f"--before-ref {args.before_ref}`; MB/s of float32 (voxels x 4), best of {args.repeats} "
        f"reads; shared 2-core machine, 1-minute load average {min(load):.1f}-{max(load):.1f} during the run "
        "(other jobs ran: compare within the table only).",
        "",
        "before = the before-ref's decoder on a blob trained with latent coding 0; after = this tree "
        "(coding 1, feature-major synthesis). Threads: BLAS threads for before, the synthesis pool for after.",
        "",
        "| dataset | ratio | before MB/s 1t / 2t | after MB/s 1t / 2t | coding-0 blob, new decoder 1t | "
        "SZ3 MB/s | SPERR MB/s | bytes before / after | PSNR before / after | same latents: latent bytes coding 0 / 1 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['dataset']} | {r['ratio_target']} | {f(r['before_1t_MBps'])} / {f(r['before_2t_MBps'])} | "
            f"**{f(r['after_1t_MBps'])}** / **{f(r['after_2t_MBps'])}** | {f(r['k0blob_newdecoder_1t_MBps'])} | "
            f"{f(r.get('SZ3_MBps'))} | {f(r.get('SPERR_MBps'))} | {r['before_bytes']} / {r['after_bytes']} | "
            f"{f(r['before_psnr'], 2)} / {f(r['after_psnr'], 2)} | "
            f"{r['same_latents_k0_bytes']} / {r['same_latents_k1_bytes']} |")
    ok1 = sum(r["after_1t_MBps"] >= 30 for r in rows)
    ok2 = sum(max(r["after_1t_MBps"], r["after_2t_MBps"]) >= 30 for r in rows)
    lines += ["", f"Goal (>= 30 MB/s of float32 on 2 cores): met at {ok2} of {len(rows)} points "
              f"(with 1 thread: {ok1} of {len(rows)})."]
    path.write_text("\n".join(lines) + "\n")


def plot(rows: list[dict], path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    labels = [f"{r['dataset']}\n{r['ratio_target']}" for r in rows]
    series = [("before 1t", "before_1t_MBps"), ("after 1t", "after_1t_MBps"), ("after 2t", "after_2t_MBps"),
              ("SZ3", "SZ3_MBps"), ("SPERR", "SPERR_MBps")]
    x = np.arange(len(rows))
    fig, ax = plt.subplots(figsize=(max(8, len(rows) * 0.9), 4.5))
    for i, (label, key) in enumerate(series):
        ax.bar(x + (i - 2) * 0.16, [r.get(key) or 0 for r in rows], 0.16, label=label)
    ax.axhline(30, color="k", lw=0.8, ls="--", label="goal 30 MB/s")
    ax.set_xticks(x, labels, fontsize=7)
    ax.set_yscale("log")
    ax.set_ylabel("whole-chunk decode, MB/s of float32")
    ax.legend(fontsize=7, ncol=3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    main()
