"""zarr v3 door: region reads against whole-chunk reads, and batched against one-by-one writes.

    OMP_NUM_THREADS=1 python -m benchmarks.zarr     # CPU: benchmarks/results/zarr/*_cpu.*
    python -m benchmarks.zarr --device cuda --only encode --tag h100-cuda

1. ROI reads.  One chunk of SAXS data (128^2, 256^2, 512^2; plus a synthetic 64^3
   cube) stored with ``compressors=None``.  We time ``z[roi]`` for a centred box of
   1/64 of the chunk's voxels, 1/64 of its voxels at random (``vindex``), and the
   whole chunk ``z[:]``; the same box through an array with zarr's default Zstd
   beside the codec (partial decoding off); and the core ``decode_region`` /
   ``decode`` on the blob itself.  The network costs per voxel, so full/ROI should
   approach 64 as the chunk grows and fixed costs (blob parsing, zarr) fade.
2. Batched encoding.  N chunks of 64^2 SAXS data written with
   ``codec_pipeline.batch_size`` N, then 1: the same steps per chunk, so the time
   ratio is what training the batch in one run saves.

Medians of repeated reads.  On a shared machine, one BLAS/torch thread
(``OMP_NUM_THREADS=1``) keeps other people's load from turning thread spin-waits
into noise; the settings line of the Markdown records it.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import tempfile
import time
import warnings
from pathlib import Path
from typing import Callable

import numcodecs
import numpy as np
import zarr

import inrfilter
from benchmarks.common import datasets
from inrfilter.zarr import INR, PartialDecodeWarning

RESULTS = Path(__file__).parent / "results" / "zarr"


def median_seconds(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm: first-touch costs (imports, page cache) are not what we measure
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def roi_chunks() -> dict[str, np.ndarray]:
    saxs = datasets.saxs_eiger().astype(np.float32)
    chunks = {f"saxs {n}x{n}": datasets.crop(saxs, (280, 260), (n, n)) for n in (128, 256, 512)}
    axes = np.meshgrid(*[np.linspace(0, 1, 64)] * 3, indexing="ij")
    chunks["smooth 64^3"] = (np.sin(6 * axes[0]) * np.cos(4 * axes[1]) + axes[2] ** 2).astype(np.float32)
    return chunks


def centred_box(shape: tuple[int, ...], fraction: int) -> tuple[slice, ...]:
    """A box of shape/fraction**(1/ndim) per axis: 1/fraction of the voxels."""
    side = [round(n / fraction ** (1 / len(shape))) for n in shape]
    return tuple(slice((n - s) // 2, (n - s) // 2 + s) for n, s in zip(shape, side))


def bench_roi(device: str, steps: int, ratio: float, repeats: int, workdir: Path) -> list[dict]:
    rows = []
    for name, a in roi_chunks().items():
        codec = INR(ratio=ratio, steps=steps, device=device, progress=False)
        store = workdir / f"{name.replace(' ', '_').replace('^', '')}.zarr"
        z = zarr.create_array(store, shape=a.shape, chunks=a.shape, dtype=a.dtype, serializer=codec, compressors=None)
        z[...] = a
        key = next(p for p in (store / "c").rglob("*") if p.is_file())
        blob = key.read_bytes()
        # The same blob behind zarr's default Zstd (which turns partial decoding off),
        # stored as that pipeline stores it rather than trained a second time.
        zstd_store = store.with_suffix(".zstd.zarr")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PartialDecodeWarning)
            zz = zarr.create_array(zstd_store, shape=a.shape, chunks=a.shape, dtype=a.dtype, serializer=codec,
                                   compressors="auto")
        (zstd,) = zz.metadata.codecs[1:]
        zstd_key = zstd_store / key.relative_to(store)
        zstd_key.parent.mkdir(parents=True, exist_ok=True)
        zstd_key.write_bytes(numcodecs.Zstd(level=zstd.level).encode(blob))
        box = centred_box(a.shape, 64)
        points = tuple(np.random.default_rng(0).integers(0, n, a.size // 64) for n in a.shape)
        z = zarr.open_array(store, mode="r")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PartialDecodeWarning)
            zz = zarr.open_array(zstd_store, mode="r")
        # same blob: equal up to float32 evaluation noise (whole grid vs region)
        assert np.allclose(zz[box], z[box], rtol=0, atol=1e-6 * float(np.ptp(a))), "the Zstd copy differs"
        info = inrfilter.info(blob)
        row = {
            "chunk": name, "voxels": a.size, "roi_voxels": int(np.prod([s.stop - s.start for s in box])),
            "network_width": info["spec"].get("w"), "blob_bytes": len(blob), "ratio": round(info["ratio"], 1),
            "psnr_db": round(info["psnr"], 1),
            "zarr_full_s": median_seconds(lambda: z[...], repeats),
            "zarr_roi_s": median_seconds(lambda: z[box], repeats),
            "zarr_vindex_s": median_seconds(lambda: z.vindex[points], repeats),
            "zarr_zstd_roi_s": median_seconds(lambda: zz[box], repeats),
            "core_full_s": median_seconds(lambda: inrfilter.decode(blob), repeats),
            "core_roi_s": median_seconds(lambda: inrfilter.decode_region(blob, box), repeats),
        }
        row["full_over_roi"] = row["zarr_full_s"] / row["zarr_roi_s"]
        row["core_full_over_roi"] = row["core_full_s"] / row["core_roi_s"]
        rows.append(row)
        print(f"{name:12s} full {row['zarr_full_s'] * 1e3:8.2f} ms  roi {row['zarr_roi_s'] * 1e3:7.2f} ms  "
              f"x{row['full_over_roi']:5.1f}  (zstd beside: {row['zarr_zstd_roi_s'] * 1e3:7.2f} ms)", flush=True)
    return rows


def bench_encode(device: str, steps: int, ratio: float, n_chunks: int, workdir: Path) -> list[dict]:
    saxs = datasets.saxs_eiger().astype(np.float32)
    side = int(np.sqrt(n_chunks))
    a = datasets.crop(saxs, (400, 380), (64 * side, 64 * (n_chunks // side)))
    rows, stored = [], {}
    # Warm up first (torch import, CUDA context, cuBLAS): otherwise whichever batch
    # size runs first pays it, which once made batch_size N look slower than 1 on a GPU.
    inrfilter.encode_batch([a[:64, :64]], ratio=ratio, steps=5, device=device, progress=False)
    for batch_size in (n_chunks, 1):
        path = workdir / f"encode_b{batch_size}.zarr"
        codec = INR(ratio=ratio, steps=steps, device=device, progress=False)
        with zarr.config.set({"codec_pipeline.batch_size": batch_size}):
            z = zarr.create_array(path, shape=a.shape, chunks=(64, 64), dtype=a.dtype, serializer=codec,
                                  compressors=None)
            t = time.perf_counter()
            z[...] = a
            seconds = time.perf_counter() - t
        stored[batch_size] = back = zarr.open_array(path, mode="r")[...]
        rows.append({"device": device, "chunks": n_chunks, "chunk": "64x64", "steps": steps, "ratio": ratio,
                     "batch_size": batch_size, "seconds": seconds, "chunks_per_s": n_chunks / seconds,
                     "psnr_db": round(float(10 * np.log10(np.ptp(a) ** 2 / np.mean((back - a) ** 2))), 1)})
        print(f"batch_size {batch_size:3d}: {seconds:7.2f} s  {n_chunks / seconds:6.2f} chunks/s", flush=True)
    for row in rows:
        row["speedup_vs_batch_1"] = rows[-1]["seconds"] / row["seconds"]
    return rows


def write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def markdown(roi: list[dict], enc: list[dict], device: str, settings: str) -> str:
    lines = [f"# zarr v3 door: ROI reads and batched encoding ({device})", "", settings, ""]
    if roi:
        lines += ["## Reading 1/64 of a chunk vs the whole chunk (median ms)", "",
                  "| chunk | width | blob B | PSNR dB | full | ROI box | ROI points | full/ROI | "
                  "ROI, Zstd beside | core full | core ROI | core full/ROI |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in roi:
            lines.append(
                f"| {r['chunk']} | {r['network_width']} | {r['blob_bytes']} | {r['psnr_db']} | "
                f"{r['zarr_full_s'] * 1e3:.2f} | {r['zarr_roi_s'] * 1e3:.2f} | {r['zarr_vindex_s'] * 1e3:.2f} | "
                f"{r['full_over_roi']:.1f} | {r['zarr_zstd_roi_s'] * 1e3:.2f} | {r['core_full_s'] * 1e3:.2f} | "
                f"{r['core_roi_s'] * 1e3:.2f} | {r['core_full_over_roi']:.1f} |")
        lines += ["", "The point-count ratio is 64. 'ROI points' reads as many voxels at random places "
                  "(`vindex`); 'Zstd beside' is the same box when zarr's default compressor sits beside "
                  "the codec, which turns partial decoding off.", ""]
    if enc:
        lines += ["## Encoding N chunks: codec_pipeline.batch_size N vs 1", "",
                  "| device | chunks | chunk | steps | batch_size | seconds | chunks/s | speedup | PSNR dB |",
                  "|---|---:|---|---:|---:|---:|---:|---:|---:|"]
        for r in enc:
            lines.append(f"| {r['device']} | {r['chunks']} | {r['chunk']} | {r['steps']} | {r['batch_size']} | "
                         f"{r['seconds']:.2f} | {r['chunks_per_s']:.2f} | {r['speedup_vs_batch_1']:.1f} | "
                         f"{r['psnr_db']} |")
        lines.append("")
    return "\n".join(lines)


def plot(path: Path, roi: list[dict], enc: list[dict], device: str) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    panels = [p for p in (roi, enc) if p]
    fig, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 4), squeeze=False)
    ax_iter = iter(axes[0])
    if roi:
        ax = next(ax_iter)
        x = np.arange(len(roi))
        for k, (key, label) in enumerate([("zarr_full_s", "whole chunk"), ("zarr_zstd_roi_s", "1/64 box, Zstd beside"),
                                          ("zarr_roi_s", "1/64 box"), ("zarr_vindex_s", "1/64 random points")]):
            ax.bar(x + (k - 1.5) * 0.2, [r[key] * 1e3 for r in roi], 0.2, label=label)
        ax.set_xticks(x, [r["chunk"] for r in roi])
        ax.set_yscale("log")
        ax.set_ylabel("read time, ms (median)")
        ax.set_title("zarr v3 reads of one chunk")
        ax.legend(fontsize=8)
    if enc:
        ax = next(ax_iter)
        ax.bar([str(r["batch_size"]) for r in enc], [r["chunks_per_s"] for r in enc], color=["C2", "C7"])
        ax.set_xlabel("codec_pipeline.batch_size")
        ax.set_ylabel("chunks / s")
        ax.set_title(f"writing {enc[0]['chunks']} chunks of {enc[0]['chunk']} ({device}, {enc[0]['steps']} steps)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cpu", help="training device (reads always run numpy on the CPU)")
    parser.add_argument("--only", choices=["roi", "encode"], help="run one part")
    parser.add_argument("--steps", type=int, default=100, help="training steps per batch")
    parser.add_argument("--ratio", type=float, default=20.0)
    parser.add_argument("--chunks", type=int, default=16, help="chunks written in the encode part")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--tag", help="names the output files (default: the device type)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    tag = args.tag or args.device.split(":")[0]
    settings = (f"siren, ratio={args.ratio:g}, {args.steps} training steps per batch, device={args.device}, "
                f"{os.cpu_count()} CPUs, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}, "
                f"inrfilter {inrfilter.__version__}, zarr {zarr.__version__}, numpy {np.__version__}; "
                f"median of {args.repeats} timed reads after one warm-up.")
    with tempfile.TemporaryDirectory() as tmp:
        roi = [] if args.only == "encode" else bench_roi(args.device, args.steps, args.ratio, args.repeats, Path(tmp))
        enc = [] if args.only == "roi" else bench_encode(args.device, args.steps, args.ratio, args.chunks, Path(tmp))
    if roi:
        write_csv(args.out / f"roi_{tag}.csv", roi)
    if enc:
        write_csv(args.out / f"encode_{tag}.csv", enc)
    text = markdown(roi, enc, args.device, settings)
    (args.out / f"zarr_roi_{tag}.md").write_text(text)
    plot(args.out / f"zarr_roi_{tag}.png", roi, enc, args.device)
    print(text)


if __name__ == "__main__":
    main()
