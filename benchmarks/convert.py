"""``inrfilter convert`` on real facility files: what a conversion costs and gives.

    OMP_NUM_THREADS=1 python -m benchmarks.convert            # benchmarks/results/convert/*_cpu.*
    python -m benchmarks.convert --steps 2000 --device cuda --tag h100-cuda

Two real files, converted end to end through :func:`inrfilter.convert.convert`:

- ``BAM_2D.h5`` (``sasdata``): an NXcanSAS file of an Eiger 1M SAXS measurement,
  deflate-compressed doubles; the rule compresses the intensity frame ``I`` only.
- ``A1B_north_america.nc`` (``iris-sample-data``): Met Office model air temperature in
  netCDF4, 240 time steps of 37x49 in 2-d chunks; the default rule compresses it with
  a 0.1 K error bound, in 3-d chunks of 24 steps (``--chunks``).

Per file: disk size before and after, the seconds spent training, writing and
verifying (the report's stages), training throughput.  Per lossy dataset: inrfilter's
ratio (raw bytes over stored) and PSNR over the whole array's range, next to SZ3
(absolute bound) and ZFP (accuracy) run through hdf5plugin in this process with the
same chunks at inrfilter's achieved max error, so a row compares codecs at one
worst-case error.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import tempfile
from pathlib import Path

import h5py
import numpy as np

import inrfilter.h5  # noqa: F401  (registers the filter for reading the outputs)
from benchmarks.common import peers
from benchmarks.common.metrics import max_abs_error, psnr
from inrfilter.convert import convert

RESULTS = Path(__file__).parent / "results" / "convert"


def sources() -> list[tuple[str, Path]]:
    """(name, path, convert arguments) of each real file; a missing package is said."""
    out = []
    for module, rel, name in (("sasdata", "example_data/2d_data/BAM_2D.h5", "BAM_2D.h5 (NXcanSAS, Eiger 1M)"),
                              ("iris_sample_data", "sample_data/A1B_north_america.nc", "A1B_north_america.nc (netCDF4)")):
        try:
            package = __import__(module)
        except ImportError:
            print(f"skipping {name}: pip install {module.replace('_', '-')}")
            continue
        out.append((name, Path(os.path.dirname(package.__file__)) / rel))
    return out


def arguments(name: str, steps: int, device: str) -> dict:
    budget = f"steps={steps},device={device}"
    if name.startswith("BAM"):
        return {"rules": [f"/sasentry01/data/I:method=siren,ratio=30,{budget}"], "batch": 64}
    return {"default": f"method=siren,max_error=0.1,ratio=20,{budget}", "chunks": "24x37x49", "min_lossy": "64KiB"}


def peer_rows(name: str, array: np.ndarray, chunks: tuple[int, ...], bound: float) -> list[dict]:
    import hdf5plugin

    rows = []
    for family, make in (("SZ3 abs", lambda: dict(hdf5plugin.SZ3(absolute=bound))),
                         ("ZFP accuracy", lambda: dict(hdf5plugin.Zfp(accuracy=bound)))):
        setting = peers.Setting(family, f"{bound:.4g}", lambda a, m=make: m())
        try:
            stored, decoded, t_enc, _ = peers.run_h5_isolated(array, chunks, setting)
        except RuntimeError as exc:
            print(f"{name}: {family} failed: {exc}")
            continue
        rows.append({"file": name, "codec": family, "setting": f"bound={bound:.4g}", "ratio": array.nbytes / stored,
                     "psnr_db": psnr(array, decoded), "max_err": max_abs_error(array, decoded),
                     "encode_s": t_enc})
    return rows


def run(steps: int, device: str, tag: str) -> tuple[list[dict], list[dict]]:
    files, codecs = [], []
    for name, path in sources():
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / path.name
            report = convert(path, out, progress=False, **arguments(name, steps, device))
            lossy = [r for r in report.rows if r.action not in ("lossless", "virtual")]
            raw_lossy = sum(math.prod(r.shape) * np.dtype(r.dtype).itemsize for r in lossy)
            files.append({"file": name, "before_bytes": report.total_before, "after_bytes": report.total_after,
                          "ratio_on_disk": report.total_before / report.total_after, **report.stages,
                          "train_MB_per_s": raw_lossy / 1e6 / report.stages["encode_s"],
                          "verified": report.ok, "steps": steps, "device": device})
            print("\n".join(report.lines()))
            for row in lossy:
                dataset = row.label.split(":")[-1]
                with h5py.File(path) as f, h5py.File(out) as g:
                    original, back = f[dataset][...], g[dataset][...]
                    chunks = g[dataset].chunks
                codecs.append({"file": name, "codec": "inrfilter " + row.action, "setting": f"steps={steps}",
                               "ratio": original.nbytes / row.after, "psnr_db": psnr(original, back),
                               "max_err": row.max_error, "encode_s": row.seconds})
                codecs.extend(peer_rows(name, original, chunks, row.max_error))
    return files, codecs


def write(files: list[dict], codecs: list[dict], tag: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    RESULTS.mkdir(parents=True, exist_ok=True)
    for rows, stem in ((files, "files"), (codecs, "codecs")):
        with open(RESULTS / f"{stem}_{tag}.csv", "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)

    def table(rows: list[dict]) -> list[str]:
        keys = list(rows[0])
        fmt = lambda v: f"{v:.3g}" if isinstance(v, float) else str(v)  # noqa: E731
        return ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)] + \
               ["| " + " | ".join(fmt(r[k]) for k in keys) + " |" for r in rows]

    md = [f"# inrfilter convert on real files ({tag})", "",
          f"Settings: `python -m benchmarks.convert` with OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}; "
          "stages from the conversion report (train, write the outputs, verify every chunk).", "",
          "## Files", "", *table(files), "",
          "Training took " + ", ".join(f"{100 * r['encode_s'] / (r['encode_s'] + r['write_s'] + r['verify_s']):.1f}%"
                                       for r in files)
          + " of these conversions; writing the outputs and reading every chunk back the rest.", "",
          "## Lossy datasets against SZ3 and ZFP at inrfilter's achieved max error", "",
          "Ratio: raw bytes of the dataset over its stored bytes; PSNR over the whole array's range.", "",
          *table(codecs), ""]
    (RESULTS / f"convert_{tag}.md").write_text("\n".join(md))
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    names = [r["file"].split(" ")[0] for r in files]
    bottom = np.zeros(len(files))
    for stage in ("encode_s", "write_s", "verify_s"):
        values = np.array([r[stage] for r in files])
        axes[0].bar(names, values, bottom=bottom, label=stage.replace("_s", ""))
        bottom += values
    axes[0].set_ylabel("seconds")
    axes[0].set_title("where a conversion's time goes")
    axes[0].legend()
    for r in codecs:
        axes[1].scatter(r["ratio"], r["psnr_db"], label=f"{r['file'].split(' ')[0]}: {r['codec'].split(',')[0]}")
    axes[1].set_xscale("log")
    axes[1].set_xlabel("ratio (raw / stored)")
    axes[1].set_ylabel("PSNR (dB, whole array)")
    axes[1].set_title("same max error")
    axes[1].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(RESULTS / f"convert_{tag}.png", dpi=110)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--device", default="cpu")
    p.add_argument("--tag", default="cpu")
    args = p.parse_args()
    files, codecs = run(args.steps, args.device, args.tag)
    write(files, codecs, args.tag)


if __name__ == "__main__":
    main()
