"""SCI's ablation at equal blob size and equal steps, and ``sci`` against ``siren``.

    python -m benchmarks.sci            # writes benchmarks/results/sci/
    python -m benchmarks.sci --quick    # a smoke run (tiny crops, few steps)
    python -m benchmarks.sci --long 800 # three arms at more steps (long.md)
    python -m benchmarks.sci --render   # rebuild results.md and the plot from results.csv

On a crop of mni-t1 (MRI, the paper's kind of data) and one of turbulence (a broadband
CFD field), every variant is encoded at one ratio target (so equal blob size, within
the ratio tolerance; the actual bytes are recorded) with the same step budget:

- partition: adaptive (the integer program) / equidistant (the reference code's grid)
  / none (one network);
- funnel ratio fr = 2.2 / 1;
- allocation |V|/D (size/D) / |V| / 1/D / equal;
- depth: 5 layers (our default) / 7 (the paper's);
- the core ``siren`` baseline.

PSNR uses the crop's value range, and every figure is measured on the numpy reference
decode.  Writes ``results.csv``, ``results.md`` and two PNGs (the PSNR of every variant,
and the adaptive partition drawn on a slice) to ``benchmarks/results/sci/``.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np

import inrfilter
from benchmarks.common import datasets
from inrfilter.methods.sci.layout import Layout

OUT = Path(__file__).parent / "results" / "sci"

#: sci options shared by every sci arm: a_max = P // 600 gives these 48^3 crops about 30
#: blocks to place (the default 1361 is sized for the paper's 256^3+ volumes and leaves a
#: 48^3 crop at most 13, too few for the tree to have choices: one arm shows that case)
BASE = {"block_params": 600}
#: (label, method, options on top of BASE): the ablation arms; the first is the reference arm
VARIANTS: list[tuple[str, str, dict]] = [
    ("sci default (adaptive, fr 2.2, size/D)", "sci", {}),
    ("partition: equidistant", "sci", {"partition": "equidistant"}),
    ("partition: none", "sci", {"partition": "none"}),
    ("funnel: fr = 1", "sci", {"fr": 1.0}),
    ("alloc: by size", "sci", {"alloc": "size"}),
    ("alloc: by 1/D", "sci", {"alloc": "d"}),
    ("alloc: equal", "sci", {"alloc": "equal"}),
    ("depth: 7 layers (paper)", "sci", {"layers": 7}),
    ("hidden w0 = 20 (not 30)", "sci", {"w0_hidden": 20.0}),
    ("a_max = P // 1361 (default)", "sci", {"block_params": 1361}),
    ("siren (core baseline)", "siren", {}),
]


def crops(size: int) -> dict[str, tuple[np.ndarray, float]]:
    """The two crops and their ratio targets (about 2.7 bits per voxel: P is about 18k
    parameters on a 48^3 crop)."""
    mni = datasets.mni_t1()
    centre = [n // 2 for n in mni.shape]
    mni_crop = datasets.crop(mni, tuple(c - size // 2 for c in centre), (size,) * 3)
    turb = datasets.crop(datasets.turbulence("vx"), (0, 0, 0), (size,) * 3)
    return {"mni-t1": (mni_crop, 3.0), "turbulence-vx": (turb, 12.0)}


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a.astype(np.float64), b.astype(np.float64)
    return float(10 * np.log10(np.ptp(a) ** 2 / np.mean((a - b) ** 2)))


def run(size: int, steps: int) -> list[dict]:
    rows = []
    for name, (array, ratio) in crops(size).items():
        for label, method, options in VARIANTS:
            start = time.monotonic()
            kwargs = {**BASE, **options} if method == "sci" else options
            blob = inrfilter.encode(array, method, ratio=ratio, steps=steps, device="cpu", progress=False, seed=0,
                                    **kwargs)
            encode_s = time.monotonic() - start
            start = time.monotonic()
            out = inrfilter.decode(blob)
            decode_s = time.monotonic() - start
            info = inrfilter.info(blob)
            nets = leaves = 1
            if info["method"] == "sci":
                layout = Layout.from_spec(info["spec"], array.shape)
                nets, leaves = sum(lf.net for lf in layout.leaves), len(layout.leaves)
            row = {
                "dataset": name, "shape": "x".join(map(str, array.shape)), "variant": label, "method": info["method"],
                "options": " ".join(f"{k}={v}" for k, v in options.items()), "ratio_target": ratio,
                "bytes": len(blob), "ratio": round(array.nbytes / len(blob), 3), "psnr": round(psnr(array, out), 3),
                "max_abs_error": float(np.abs(out.astype(np.float64) - array).max()),
                "blocks": nets, "leaves": leaves, "steps": steps,
                "encode_s": round(encode_s, 1), "decode_s": round(decode_s, 2),
            }
            rows.append(row)
            print(f"{name:14s} {label:32s} {row['bytes']:7d} B  {row['psnr']:6.2f} dB  "
                  f"{nets:3d}/{leaves:<3d} blocks  {encode_s:6.1f} s", flush=True)
    return rows


# -- reporting ----------------------------------------------------------------------------

CLAIMS = [
    ("adaptive partitioning beats equidistant partitioning",
     "sci default (adaptive, fr 2.2, size/D)", ["partition: equidistant"]),
    ("adaptive partitioning beats no partitioning", "sci default (adaptive, fr 2.2, size/D)", ["partition: none"]),
    ("equidistant partitioning beats no partitioning", "partition: equidistant", ["partition: none"]),
    ("a funnel (fr = 2.2) beats equal widths (fr = 1)", "sci default (adaptive, fr 2.2, size/D)", ["funnel: fr = 1"]),
    ("allocating by size/D beats by size, by 1/D and equal", "sci default (adaptive, fr 2.2, size/D)",
     ["alloc: by size", "alloc: by 1/D", "alloc: equal"]),
    ("sci beats the siren baseline at equal size", "sci default (adaptive, fr 2.2, size/D)", ["siren (core baseline)"]),
]


def claims(rows: list[dict]) -> list[tuple[str, dict[str, float], bool]]:
    """Each claim, its margin (dB) per dataset (worst competitor), and whether it held on both."""
    out = []
    for text, winner, losers in CLAIMS:
        margins = {}
        for name in dict.fromkeys(r["dataset"] for r in rows):
            by = {r["variant"]: r["psnr"] for r in rows if r["dataset"] == name}
            margins[name] = by[winner] - max(by[v] for v in losers)
        out.append((text, margins, all(m > 0 for m in margins.values())))
    return out


def write(rows: list[dict], size: int, steps: int, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "results.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    lines = [
        "# SCI ablation (CPU-scale run)",
        "",
        f"Written by `python -m benchmarks.sci` on {platform.processor() or platform.machine()}, "
        f"1 thread (OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}), on a machine shared with "
        "other jobs: encode times are indicative only.",
        "",
        f"**Settings.** One {size}^3 crop per dataset (mni-t1 at the volume centre; turbulence vx from the corner), "
        f"{steps} training steps for every variant (equal steps), one ratio target per dataset for every variant "
        "(equal blob size: `bytes` below), seed 0, fp16 weights, CPU.  PSNR is over the crop's value range, "
        "measured on the numpy reference decode.  Every sci arm runs with sci's defaults except for the one "
        "switch in `options` and `block_params=600` (a_max = P // 600, about 30 blocks here; the default 1361 "
        "is sized for the paper's large volumes and gets its own row), so \"sci default\" is sci's defaults "
        "plus block_params=600; siren with its defaults "
        "(3 sine layers, w0 = 30, Adam).  The paper trains for tens of "
        "thousands of steps on GPU volumes of 256^3 and more; this is a small-scale check of its claims, "
        "not a reproduction of its numbers.",
        "",
        "| dataset | variant | options | bytes | ratio | PSNR (dB) | max abs err | blocks (nets/leaves) | encode s |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(f"| {r['dataset']} | {r['variant']} | {r['options'] or '-'} | {r['bytes']} | {r['ratio']:.2f} | "
                     f"{r['psnr']:.2f} | {r['max_abs_error']:.4g} | {r['blocks']}/{r['leaves']} | {r['encode_s']} |")
    lines += ["", "## The paper's claims at this scale", "",
              "Margin: the claimed winner's PSNR minus the best of the claimed losers (dB).", "",
              "| claim | " + " | ".join(dict.fromkeys(r["dataset"] for r in rows)) + " | held on both |",
              "|---|" + "---:|" * len(dict.fromkeys(r["dataset"] for r in rows)) + "---|"]
    for text, margins, held in claims(rows):
        lines.append(f"| {text} | " + " | ".join(f"{m:+.2f}" for m in margins.values()) + f" | {'yes' if held else 'no'} |")
    (out / "results.md").write_text("\n".join(lines) + "\n")
    plot(rows, out)


def plot(rows: list[dict], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(dict.fromkeys(r["dataset"] for r in rows))
    labels = [v[0] for v in VARIANTS]
    fig, axes = plt.subplots(1, len(names), figsize=(6 * len(names), 4.5), squeeze=False)
    for ax, name in zip(axes[0], names):
        by = {r["variant"]: r for r in rows if r["dataset"] == name}
        values = [by[label]["psnr"] for label in labels]
        colors = ["tab:red" if i == 0 else "tab:gray" if "siren" in label else "tab:blue"
                  for i, label in enumerate(labels)]
        ax.barh(range(len(labels)), values, color=colors)
        ax.set_yticks(range(len(labels)), labels, fontsize=8)
        ax.invert_yaxis()
        lo = min(values) - 2
        ax.set_xlim(lo, max(values) + 1)
        for i, v in enumerate(values):
            ax.text(v + 0.1, i, f"{v:.2f}", va="center", fontsize=8)
        ax.set_xlabel("PSNR (dB), equal blob size and steps")
        ax.set_title(f"{name} {by[labels[0]]['shape']}, ~{by[labels[0]]['bytes']} B")
    fig.tight_layout()
    fig.savefig(out / "ablation.png", dpi=120)
    plt.close(fig)


def plot_partition(size: int, steps: int, out: Path) -> None:
    """The adaptive partition of the mni-t1 crop, drawn on its middle slice."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    array, ratio = crops(size)["mni-t1"]
    blob = inrfilter.encode(array, "sci", ratio=ratio, steps=1, device="cpu", progress=False, **BASE)
    layout = Layout.from_spec(inrfilter.info(blob)["spec"], array.shape)
    z = size // 2
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.imshow(array[z], cmap="gray")
    for leaf in layout.leaves:
        (a0, b0), (a1, b1), (a2, b2) = leaf.box
        if a0 <= z < b0:
            color = "tab:red" if leaf.net else "tab:cyan"
            ax.add_patch(plt.Rectangle((a2 - 0.5, a1 - 0.5), b2 - a2, b1 - a1, fill=False, color=color, lw=1.5))
            if leaf.net:
                ax.text((a2 + b2) / 2, (a1 + b1) / 2, f"{leaf.f1}/{leaf.h}", color="yellow", ha="center",
                        va="center", fontsize=7)
    ax.set_title(f"adaptive partition, slice {z} (first/hidden widths)")
    ax.axis("off")
    fig.tight_layout()
    fig.savefig(out / "partition.png", dpi=120)
    plt.close(fig)


LONG_VARIANTS = ("sci default (adaptive, fr 2.2, size/D)", "partition: none", "siren (core baseline)")


def run_long(size: int, steps: int, out: Path) -> None:
    """Does the gap close with training?  Three arms on mni-t1 at more steps."""
    array, ratio = crops(size)["mni-t1"]
    rows = []
    for label, method, options in VARIANTS:
        if label not in LONG_VARIANTS:
            continue
        kwargs = {**BASE, **options} if method == "sci" else options
        start = time.monotonic()
        blob = inrfilter.encode(array, method, ratio=ratio, steps=steps, device="cpu", progress=False, seed=0, **kwargs)
        rows.append({"dataset": "mni-t1", "variant": label, "steps": steps, "bytes": len(blob),
                     "psnr": round(psnr(array, inrfilter.decode(blob)), 3),
                     "encode_s": round(time.monotonic() - start, 1)})
        print(rows[-1], flush=True)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "long.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    lines = [f"# Longer training ({steps} steps), mni-t1 {size}^3, same ratio target and settings as results.md", "",
             "| variant | steps | bytes | PSNR (dB) | encode s |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {r['variant']} | {r['steps']} | {r['bytes']} | {r['psnr']:.2f} | {r['encode_s']} |" for r in rows]
    (out / "long.md").write_text("\n".join(lines) + "\n")


def read_rows(path: Path) -> list[dict]:
    """results.csv back into rows (numbers as numbers)."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        for key in ("ratio_target", "ratio", "psnr", "max_abs_error", "encode_s", "decode_s"):
            r[key] = float(r[key])
        for key in ("bytes", "blocks", "leaves", "steps"):
            r[key] = int(r[key])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=48, help="crop side (voxels)")
    parser.add_argument("--steps", type=int, default=200, help="training steps for every variant")
    parser.add_argument("--quick", action="store_true", help="smoke run: 16^3 crops, 10 steps, into a temp folder")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--render", action="store_true", help="only rebuild results.md and ablation.png "
                        "from results.csv")
    parser.add_argument("--long", type=int, metavar="STEPS", default=0,
                        help="instead: sci, sci without partition and siren on mni-t1 at STEPS steps (long.md)")
    args = parser.parse_args()
    if args.long:
        run_long(args.size, args.long, args.out)
        return
    if args.render:
        rows = read_rows(args.out / "results.csv")
        write(rows, int(rows[0]["shape"].split("x")[0]), int(rows[0]["steps"]), args.out)
        return
    if args.quick:
        args.size, args.steps = 16, 10
        args.out = Path(tempfile.gettempdir()) / "sci_paper_quick"
    rows = run(args.size, args.steps)
    write(rows, args.size, args.steps, args.out)
    plot_partition(args.size, args.steps, args.out)
    print((args.out / "results.md").read_text())


if __name__ == "__main__":
    main()
