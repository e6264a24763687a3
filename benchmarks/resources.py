"""Memory and time of encode and decode against chunk size, for every method.

    OMP_NUM_THREADS=1 python -m benchmarks.resources --tag after
    OMP_NUM_THREADS=1 python -m benchmarks.resources --tag before --tree /path/to/old/checkout

Chunks: a smooth float32 field of 256^2, 512^2, 1024^2, 2048^2, 32^3, 64^3 and 128^3
voxels.  The network is held about constant across sizes (the blob budget is fixed
at ``BUDGET`` bytes, i.e. ``ratio = raw / BUDGET``), so what grows is the number of
voxels: the question is how memory and time scale with the chunk for a given
network, not quality (2 training steps).  Every encode and every decode runs in its
own process (``--tree`` selects the inrfilter checkout it imports); its peak memory
is ``ru_maxrss`` at the end minus ``ru_maxrss`` after the imports and the input were
made, reported in MiB and as a multiple of the chunk's float32 bytes.  A run longer
than ``--limit`` seconds is killed and recorded as such.

Writes ``benchmarks/results/resources/resources_<tag>.csv`` and a Markdown table;
``--plot`` draws every tag's CSV into ``resources.png``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "resources"
SHAPES = [(256, 256), (512, 512), (1024, 1024), (2048, 2048), (32, 32, 32), (64, 64, 64), (128, 128, 128)]
METHODS = ("siren", "fourier", "sasnet", "sci", "wien")
#: blob bytes every chunk gets (about 8k fp16 parameters)
BUDGET = 16384
FIELDS = ["tag", "method", "shape", "voxels", "raw_mib", "blob_bytes", "encode_s", "encode_peak_mib",
          "encode_x_chunk", "decode_s", "decode_peak_mib", "decode_x_chunk", "note"]


def _field(shape: tuple[int, ...]):
    import numpy as np

    axes = np.meshgrid(*[np.linspace(0, 1, n, dtype=np.float32) for n in shape], indexing="ij")
    out = np.zeros(shape, np.float32)
    for k, a in enumerate(axes):
        out += np.sin((6 + 2 * k) * a + k)
    return out


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def child(phase: str, method: str, shape: tuple[int, ...], blob_path: str) -> dict:
    """One encode or decode in this process: seconds and peak memory above the start."""
    import inrfilter

    if phase == "encode":
        import torch

        torch.set_num_threads(1)
        small = _field((16,) * len(shape))  # warm-up: first-call costs of torch and numpy are not the chunk's
        warm = inrfilter.encode(small, method, psnr=10, steps=2, device="cpu", progress=False)
        Path(blob_path + ".warm").write_bytes(warm)
        chunk = _field(shape)
        base = _peak_mib()
        start = time.perf_counter()
        blob = inrfilter.encode(chunk, method, ratio=chunk.nbytes / BUDGET, steps=2, device="cpu", progress=False)
        seconds = time.perf_counter() - start
        Path(blob_path).write_bytes(blob)
        return {"seconds": seconds, "peak_mib": _peak_mib() - base, "blob_bytes": len(blob),
                "kind": inrfilter.info(blob)["method"]}
    blob = Path(blob_path).read_bytes()
    inrfilter.decode(Path(blob_path + ".warm").read_bytes())
    base = _peak_mib()
    start = time.perf_counter()
    inrfilter.decode(blob)
    return {"seconds": time.perf_counter() - start, "peak_mib": _peak_mib() - base}


def measure(phase: str, method: str, shape: tuple[int, ...], blob_path: str, tree: Path, limit: float) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree), "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", phase, method, "x".join(map(str, shape)),
           blob_path]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=limit, cwd=tempfile.gettempdir())
    except subprocess.TimeoutExpired:
        return {"error": f"over {limit:g} s"}
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["?"])[-1][:120]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(tag: str, tree: Path, methods: list[str], shapes: list[tuple[int, ...]], limit: float) -> list[dict]:
    """Measure; rows of this tag already in its CSV for other (method, shape) pairs stay."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    rows = []
    done = {(m, "x".join(map(str, s))) for m in methods for s in shapes}
    if (RESULTS / f"resources_{tag}.csv").exists():
        with open(RESULTS / f"resources_{tag}.csv") as fh:
            rows = [r for r in csv.DictReader(fh) if (r["method"], r["shape"]) not in done]
    with tempfile.TemporaryDirectory() as tmp:
        for method in methods:
            for shape in shapes:
                voxels = 1
                for n in shape:
                    voxels *= n
                raw_mib = voxels * 4 / 2**20
                blob_path = os.path.join(tmp, "blob.inrf")
                enc = measure("encode", method, shape, blob_path, tree, limit)
                dec = measure("decode", method, shape, blob_path, tree, limit) if "error" not in enc else {}
                row = {"tag": tag, "method": method, "shape": "x".join(map(str, shape)), "voxels": voxels,
                       "raw_mib": f"{raw_mib:.2f}", "blob_bytes": enc.get("blob_bytes", ""),
                       "encode_s": _num(enc.get("seconds")), "encode_peak_mib": _num(enc.get("peak_mib")),
                       "encode_x_chunk": _num(enc.get("peak_mib", 0) / raw_mib if "peak_mib" in enc else None),
                       "decode_s": _num(dec.get("seconds")), "decode_peak_mib": _num(dec.get("peak_mib")),
                       "decode_x_chunk": _num(dec.get("peak_mib", 0) / raw_mib if "peak_mib" in dec else None),
                       "note": enc.get("error") or dec.get("error") or ("" if enc.get("kind") == method
                                                                        else f"stored {enc.get('kind')}")}
                rows.append(row)
                print(" ".join(f"{k}={row[k]}" for k in FIELDS), flush=True)
                _write(tag, rows)
    return rows


def _num(v) -> str:
    return "" if v is None else f"{v:.3g}"


def _write(tag: str, rows: list[dict]) -> None:
    rows.sort(key=lambda r: (METHODS.index(r["method"]) if r["method"] in METHODS else 99, r["shape"].count("x"),
                             int(r["voxels"])))
    with open(RESULTS / f"resources_{tag}.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    lines = [f"# Resources ({tag})", "",
             f"Smooth float32 chunks, blob budget {BUDGET} bytes (ratio = raw / {BUDGET}), 2 training steps on the "
             "CPU, one thread; peak = ru_maxrss above the process's state before the call; x chunk = peak / the "
             "chunk's float32 bytes.", "",
             "| method | shape | raw MiB | encode s | encode peak MiB | x chunk | decode s | decode peak MiB | x chunk "
             "| note |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['method']} | {r['shape']} | {r['raw_mib']} | {r['encode_s']} | {r['encode_peak_mib']} | "
                     f"{r['encode_x_chunk']} | {r['decode_s']} | {r['decode_peak_mib']} | {r['decode_x_chunk']} | "
                     f"{r['note']} |")
    (RESULTS / f"resources_{tag}.md").write_text("\n".join(lines) + "\n")


def summary() -> None:
    """summary.md: before and after side by side (peak MiB and seconds, encode and decode)."""
    tables = {}
    for tag in ("before", "after"):
        path = RESULTS / f"resources_{tag}.csv"
        if path.exists():
            with open(path) as fh:
                tables[tag] = {(r["method"], r["shape"]): r for r in csv.DictReader(fh)}
    keys = sorted({k for t in tables.values() for k in t},
                  key=lambda k: (METHODS.index(k[0]) if k[0] in METHODS else 99, k[1].count("x"),
                                 int(next(t[k]["voxels"] for t in tables.values() if k in t))))

    def cell(tag, key, field):
        row = tables.get(tag, {}).get(key)
        if row is None:
            return "-"
        return row[field] or (row["note"][:30] if row["note"] else "-")

    lines = ["# Resources: before and after", "",
             f"Smooth float32 chunks, blob budget {BUDGET} bytes (about the same network at every size), 2 training "
             "steps, CPU, one thread, on a machine shared with other jobs (times are indicative). Peak memory: "
             "ru_maxrss above the process's state before the call, MiB. before = the code before the reliability "
             "work, after = with it. The load from other jobs varied between the runs (load average 2.5 to 6), so "
             "compare times within a run; the same blobs decoded alternately by both versions on a quieter machine "
             "took the same time (siren 2048^2: 2.01-2.13 s both, sci 2048^2: 0.88-0.92 s both).", "",
             "| method | shape | encode MiB before | after | decode MiB before | after | encode s before | after "
             "| decode s before | after |", "|---|---|---|---|---|---|---|---|---|---|"]
    for key in keys:
        lines.append(f"| {key[0]} | {key[1]} | {cell('before', key, 'encode_peak_mib')} | "
                     f"{cell('after', key, 'encode_peak_mib')} | {cell('before', key, 'decode_peak_mib')} | "
                     f"{cell('after', key, 'decode_peak_mib')} | {cell('before', key, 'encode_s')} | "
                     f"{cell('after', key, 'encode_s')} | {cell('before', key, 'decode_s')} | "
                     f"{cell('after', key, 'decode_s')} |")
    (RESULTS / "summary.md").write_text("\n".join(lines) + "\n")


def plot() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = []
    for path in sorted(RESULTS.glob("resources_*.csv")):
        with open(path) as fh:
            rows += list(csv.DictReader(fh))
    fig, axes = plt.subplots(2, 2, figsize=(12, 9))
    for col, dims in enumerate((2, 3)):
        for row_i, (key, label) in enumerate((("decode_peak_mib", "decode peak MiB"), ("decode_s", "decode s"))):
            ax = axes[row_i, col]
            for (tag, method) in sorted({(r["tag"], r["method"]) for r in rows}):
                pts = [(int(r["voxels"]), float(r[key])) for r in rows if r["tag"] == tag and r["method"] == method
                       and r[key] and r["shape"].count("x") == dims - 1]
                if pts:
                    colour = f"C{METHODS.index(method)}" if method in METHODS else None
                    ax.loglog(*zip(*sorted(pts)), "o-" if tag == "after" else "x--", color=colour,
                              label=f"{method} ({tag})")
            ax.set_xlabel("voxels")
            ax.set_ylabel(label)
            ax.set_title(f"{dims}-d chunks")
            ax.grid(True, which="both", alpha=0.3)
    axes[0, 0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(RESULTS / "resources.png", dpi=110)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _, _, phase, method, shape, blob_path = sys.argv
        print(json.dumps(child(phase, method, tuple(int(n) for n in shape.split("x")), blob_path)))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tag", default="after")
    parser.add_argument("--tree", type=Path, default=ROOT, help="checkout whose inrfilter is measured")
    parser.add_argument("--methods", nargs="*", default=list(METHODS))
    parser.add_argument("--max-voxels", type=int, default=1 << 22)
    parser.add_argument("--min-voxels", type=int, default=0)
    parser.add_argument("--limit", type=float, default=120.0, help="seconds allowed for one encode or decode")
    parser.add_argument("--plot", action="store_true", help="only write summary.md and resources.png from the CSVs")
    args = parser.parse_args()
    if args.plot:
        summary()
        plot()
        return
    shapes = [s for s in SHAPES if args.min_voxels <= _prod(s) <= args.max_voxels]
    run(args.tag, args.tree.resolve(), args.methods, shapes, args.limit)


def _prod(shape: tuple[int, ...]) -> int:
    out = 1
    for n in shape:
        out *= n
    return out


if __name__ == "__main__":
    main()
