"""``latent`` against SZ3, ZFP, SPERR and siren, at ratios 30, 100 and 300, in one run.

    python -m benchmarks.latent                      # every dataset, CPU-sized
    python -m benchmarks.latent --datasets powder-pilatus --steps 200
    python -m benchmarks.latent --ablations          # the ablations only (three datasets)

One chunk per dataset (a 64^3 crop of volumes, 256^2 of images; climate-a1b: 64x37x49;
``--large``: 512^2 and 128^3),
so each codec compresses the same array in one piece.  Peers reach each ratio exactly:
SPERR and ZFP in fixed-rate mode (bits per value = 8 * itemsize / ratio), SZ3 and SPERR
also by bisection on their absolute error bound (the closest point is reported with its
ratio).
inrfilter: ``latent`` and ``siren`` with the ratio target and a step budget.  Decode
speed is the whole-chunk read (median of 3), MB/s of the original array.  Results
go to benchmarks/results/latent/: results.csv (written after every row), results.md,
ablations.csv/.md and rd.png.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import time
from pathlib import Path

import numpy as np

from benchmarks.common import datasets, metrics, peers

RESULTS = Path(__file__).parent / "results" / "latent"
RATIOS = (30, 100, 300)


def cases() -> dict[str, callable]:
    c = datasets.crop
    return {
        "mni-t1": lambda: c(datasets.mni_t1(), (60, 80, 60), (64, 64, 64)),
        "saxs-eiger": lambda: c(datasets.saxs_eiger(), (277, 259), (256, 256)),
        "powder-pilatus": lambda: c(datasets.powder_pilatus(), (265, 234), (256, 256)),
        "turbulence": lambda: c(datasets.turbulence("vx"), (0, 0, 0), (64, 64, 64)),
        "ocean-sst": lambda: c(datasets.ocean_sst(), (40, 60), (256, 256)),
        "climate-a1b": lambda: c(datasets.climate_a1b(), (0, 0, 0), (64, 37, 49)),
    }


def large_cases() -> dict[str, callable]:
    """The issue's larger chunking: 512^2 images, 128^3 volumes (ocean-sst, 330x360, and
    climate-a1b, 37x49 per level, have no such crop)."""
    c = datasets.crop
    return {
        "powder-pilatus": lambda: c(datasets.powder_pilatus(), (265, 234), (512, 512)),
        "saxs-eiger": lambda: c(datasets.saxs_eiger(), (277, 259), (512, 512)),
        "turbulence": lambda: c(datasets.turbulence("vx"), (0, 0, 0), (128, 128, 128)),
        "mni-t1": lambda: c(datasets.mni_t1(), (40, 60, 30), (128, 128, 128)),
    }


def _row(dataset, array, codec, setting, nbytes, decoded, enc_s, dec_s, note=""):
    raw = array.nbytes
    return {"dataset": dataset, "codec": codec, "setting": setting, "ratio": raw / nbytes,
            "psnr": metrics.psnr(array, decoded), "max_abs_error": metrics.max_abs_error(array, decoded),
            "encode_MBps": raw / enc_s / 1e6, "decode_MBps": raw / dec_s / 1e6, "note": note}


def _peer(array, setting):
    try:
        return peers.run_h5_isolated(array, array.shape, setting)
    except Exception as exc:  # noqa: BLE001 - a crashing peer is a failed point, not the end of the run
        return str(exc)


def run_peers(name: str, array: np.ndarray, log) -> list[dict]:
    import hdf5plugin

    original = array
    rows = []
    bits_per_value = 8 * array.dtype.itemsize
    span = metrics.value_range(array)
    note = ""
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        # SZ3 crashes and SPERR fails on NaN: they get the holes filled with the finite mean, as a
        # user would do; PSNR is measured on the finite voxels for everyone
        array = np.where(np.isfinite(array), array, np.nanmean(array[np.isfinite(array)])).astype(array.dtype)
        note = "NaN filled with the mean; "
    for ratio in RATIOS:
        rate = bits_per_value / ratio
        for family, make in (("SPERR", lambda r: dict(hdf5plugin.Sperr(rate=r))),
                             ("ZFP", lambda r: dict(hdf5plugin.Zfp(rate=r)))):
            got = _peer(array, peers.Setting(family, f"rate={rate:.3g}", lambda a, r=rate, m=make: m(r)))
            if isinstance(got, str):
                log(f"  {family} ratio {ratio}: failed ({got})")
                continue
            rows.append(_row(name, original, family, f"ratio={ratio}", *got, note=f"{note}rate={rate:.3g} bits/value"))
        # SZ3 and SPERR by bisection of the absolute error bound (log scale) for the target ratio
        for family, make in (("SZ3", lambda e: dict(hdf5plugin.SZ3(absolute=e))),
                             ("SPERR abs", lambda e: dict(hdf5plugin.Sperr(absolute=e)))):
            lo, hi, best = math.log(1e-7 * span), math.log(0.5 * span), None
            for _ in range(12):
                mid = (lo + hi) / 2
                got = _peer(array, peers.Setting(family, "", lambda a, e=math.exp(mid), m=make: m(e)))
                if isinstance(got, str):
                    log(f"  {family} ratio {ratio}: failed ({got})")
                    best = None
                    break
                r = array.nbytes / got[0]
                if best is None or abs(math.log(r / ratio)) < abs(math.log(best[1] / ratio)):
                    best = (got, r, math.exp(mid))
                lo, hi = (mid, hi) if r < ratio else (lo, mid)
            if best is not None:
                rows.append(_row(name, original, family, f"ratio={ratio}", *best[0], note=f"{note}abs={best[2]:.3g}"))
        for r in [r for r in rows if r["setting"] == f"ratio={ratio}"]:
            log(f"  {r['codec']} {r['setting']}: ratio {r['ratio']:.1f} psnr {r['psnr']:.2f}")
    return rows


def run_inrfilter(name: str, array: np.ndarray, method: str, ratio: float, steps: int, **options) -> dict:
    import inrfilter

    t0 = time.perf_counter()
    blob = inrfilter.encode(array, method, ratio=ratio, steps=steps, device="cpu", progress=False, **options)
    enc = time.perf_counter() - t0
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        decoded = inrfilter.decode(blob)
        times.append(time.perf_counter() - t0)
    info = inrfilter.info(blob)
    note = f"steps={steps} spec={info['spec']}" + (f" {options}" if options else "")
    return _row(name, array, f"inrfilter {method}", f"ratio={ratio}", len(blob), decoded, enc,
                float(np.median(times)), note=note), blob


def write_csv(rows: list[dict], path: Path) -> None:
    keys = list(dict.fromkeys(k for r in rows for k in r))
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys)
        w.writeheader()
        w.writerows(rows)


def read_csv(path: Path) -> list[dict]:
    rows = []
    for row in csv.DictReader(open(path)):
        for key in ("ratio", "psnr", "max_abs_error", "encode_MBps", "decode_MBps"):
            row[key] = float(row[key])
        rows.append(row)
    return rows


def _fmt(v, d=2):
    return "-" if v is None or (isinstance(v, float) and not math.isfinite(v)) else f"{v:.{d}f}"


def markdown(rows: list[dict], header: str) -> str:
    out = [header, "", "| dataset | codec | target | ratio | PSNR dB | max err | encode MB/s | decode MB/s | note |",
           "|---|---|---|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        out.append(f"| {r['dataset']} | {r['codec']} | {r['setting']} | {_fmt(r['ratio'], 1)} | {_fmt(r['psnr'])} | "
                   f"{r['max_abs_error']:.3g} | {_fmt(r['encode_MBps'], 3)} | {_fmt(r['decode_MBps'])} | {r['note']} |")
    out += ["", "## Who wins", "",
            "Per dataset and target ratio: latent's PSNR against the best peer's (SZ3, ZFP, SPERR) and siren's; "
            "SPERR is the better of its fixed-rate and error-bound (bisected) modes. A point counts only "
            "if it reaches the target (ratio >= target / 1.15; ZFP's fixed rate and SPERR/SZ3 bounds "
            "cannot always get there).",
            "", "| dataset | ratio | latent dB | best peer | peer dB | latent - peer | SPERR dB | latent - SPERR | siren dB "
            "| latent pyramid only dB |",
            "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|"]
    for name in dict.fromkeys(r["dataset"] for r in rows):
        for ratio in RATIOS:
            # a point counts for a target only if it reaches it (ratio >= target / 1.15)
            pick = {r["codec"]: r for r in rows if r["dataset"] == name and r["setting"] == f"ratio={ratio}"
                    and r["ratio"] >= ratio / 1.15}
            lat = pick.get("inrfilter latent")
            peer_rows = [r for c, r in pick.items() if not c.startswith("inrfilter") and math.isfinite(r["psnr"])]
            best = max(peer_rows, key=lambda r: r["psnr"]) if peer_rows else None
            sperrs = [pick[c] for c in ("SPERR", "SPERR abs") if c in pick and math.isfinite(pick[c]["psnr"])]
            sperr = max(sperrs, key=lambda r: r["psnr"]) if sperrs else None
            siren = pick.get("inrfilter siren")
            start = pick.get("inrfilter latent (pyramid only)")
            d_best = lat["psnr"] - best["psnr"] if lat and best else None
            d_sperr = lat["psnr"] - sperr["psnr"] if lat and sperr else None
            out.append(f"| {name} | {ratio} | {_fmt(lat['psnr'] if lat else None)} | {best['codec'] if best else '-'} | "
                       f"{_fmt(best['psnr'] if best else None)} | {_fmt(d_best)} | {_fmt(sperr['psnr'] if sperr else None)} | "
                       f"{_fmt(d_sperr)} | {_fmt(siren['psnr'] if siren else None)} | "
                       f"{_fmt(start['psnr'] if start else None)} |")
    return "\n".join(out) + "\n"


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(dict.fromkeys(r["dataset"] for r in rows))
    fig, axes = plt.subplots(1, len(names), figsize=(4 * len(names), 3.6), squeeze=False)
    for ax, name in zip(axes[0], names):
        for codec in dict.fromkeys(r["codec"] for r in rows):
            pts = sorted((r["ratio"], r["psnr"]) for r in rows if r["dataset"] == name and r["codec"] == codec
                         and math.isfinite(r["psnr"]))
            if pts:
                ax.plot(*zip(*pts), marker="o", label=codec)
        ax.set_xscale("log")
        ax.set_title(name)
        ax.set_xlabel("compression ratio")
        ax.set_ylabel("PSNR (dB)")
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


#: the ablations' datasets: a sharp frame (where training pays), a smooth one, a volume
ABLATION_DATASETS = ("powder-pilatus", "saxs-eiger", "mni-t1")


def _coding_rows(name: str, array: np.ndarray, blob: bytes, psnr: float, log) -> list[dict]:
    """The same stored model's latents and weights in every coding: the blob's (coding 1),
    coding 0, factorised (one scale per grid), fp16 + zstd."""
    import zstandard
    from inrfilter.decoder import ParsedChunk
    from inrfilter.methods.latent import codec
    from inrfilter.methods.latent.layout import Layout
    from inrfilter.quant import quantise
    from inrfilter.quant import shuffle as quant_shuffle

    chunk = ParsedChunk(blob)
    layout = Layout.from_spec(array.shape, chunk.h.spec)
    params = chunk.params()
    lat = [params[f"z{i}"] for i in range(layout.levels)]
    sizes = {
        "latents: context model, coding 1 (default)": len(codec.encode_latents_sig(layout, lat)),
        "latents: context model, coding 0": len(codec.encode_latents(layout, lat)),
        "latents: factorised (one scale per grid)": len(codec.encode_latents(
            Layout.from_spec(array.shape, {**chunk.h.spec, "c": 0}), lat)),
        # the integers, exactly (the bound is far below float16's 2048)
        "latents: fp16 + zstd": len(zstandard.ZstdCompressor(level=19).compress(
            quant_shuffle(np.concatenate([g.ravel() for g in lat]).astype(np.float16)))),
    }
    stored = len(codec.encode_grids(layout, lat))
    weights = {k: params[k] for k in layout.weight_names}
    sizes["weights: entropy-coded (default)"] = len(chunk.sections["w"]) - len(codec._varint(stored)) - stored
    sizes["weights: fp16 + zstd"] = len(quantise(weights, {k: layout.param_shapes()[k] for k in layout.weight_names},
                                                 "fp16"))
    log(f"  {name} codings: " + ", ".join(f"{k.split(' (')[0]} {v}" for k, v in sizes.items()))
    return [{"dataset": name, "psnr": psnr, "variant": k, "bytes": v} for k, v in sizes.items()]


def ablations(out: Path, steps: int, log, ratio: int = 100) -> None:
    """On ABLATION_DATASETS at ``ratio``: the coding of the same stored model (both context
    codings, factorised, fp16 + zstd), then re-encoded variants: the start pyramid alone
    (no training), levels, synthesis width, the full-resolution grid, the upsampling, and
    training steps (quality against encode time)."""
    rows = []
    variants = [(f"steps={steps} (default options)", {}), ("train=False (start pyramid alone)", {"train": False}),
                ("levels=4", {"levels": 4}), ("width=4", {"width": 4}), ("width=32", {"width": 32}),
                ("first=1 (no full-resolution grid)", {"first": 1}), ("upsampling=linear", {"upsampling": "linear"}),
                (f"steps={steps // 3}", {"_steps": steps // 3}), (f"steps={steps * 3}", {"_steps": steps * 3})]
    for name in ABLATION_DATASETS:
        array = cases()[name]()
        for label, opts in variants:
            opts = dict(opts)
            s = opts.pop("_steps", steps)
            r, blob = run_inrfilter(name, array, "latent", ratio, s, **opts)
            if not rows or rows[-1]["dataset"] != name:  # the default encode: its codings first
                rows += _coding_rows(name, array, blob, r["psnr"], log)
            rows.append({"dataset": name, "variant": label, "bytes": array.nbytes / r["ratio"], "psnr": r["psnr"],
                         "ratio": r["ratio"], "encode_s": array.nbytes / r["encode_MBps"] / 1e6,
                         "decode_MBps": r["decode_MBps"]})
            log(f"  {name} {label}: ratio {r['ratio']:.1f} psnr {r['psnr']:.2f} encode "
                f"{rows[-1]['encode_s']:.1f} s decode {r['decode_MBps']:.1f} MB/s")
            write_csv(rows, out / "ablations.csv")
    lines = [f"# latent ablations (ratio {ratio}, CPU, 1 thread)", "",
             "| dataset | variant | bytes | ratio | PSNR dB | encode s | decode MB/s |", "|---|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['dataset']} | {r['variant']} | {r['bytes']:.0f} | {_fmt(r.get('ratio'), 1)} | "
                     f"{_fmt(r.get('psnr'))} | {_fmt(r.get('encode_s'), 1)} | {_fmt(r.get('decode_MBps'))} |")
    (out / "ablations.md").write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", nargs="*", default=None)
    parser.add_argument("--steps", type=int, default=300, help="latent's training steps")
    parser.add_argument("--siren-steps", type=int, default=300)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--ablations", action="store_true")
    parser.add_argument("--combine", nargs="+", type=Path, metavar="CSV",
                        help="write results.md and rd.png from results.csv files of separate runs")
    parser.add_argument("--title", default="", help="report heading (with --combine)")
    parser.add_argument("--peers-only", action="store_true", help="run the peers only")
    parser.add_argument("--large", action="store_true", help="512^2 / 128^3 crops (large_cases) instead")
    parser.add_argument("--skip-peers", action="store_true", help="inrfilter only (ablations of latent)")
    parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                        help="a latent option for this run (its rows' codec names say it), e.g. upsampling=linear")
    parser.add_argument("--methods", nargs="+", default=["latent", "siren"], choices=["latent", "siren", "pyramid"],
                        help="inrfilter methods to run (siren's rows can come from an earlier run via --combine; "
                             "pyramid: latent's quantised start pyramid alone, train=False, the training ablation)")
    args = parser.parse_args(argv)
    if args.option:  # one folder per option set, so variants run into one --out do not overwrite each other
        args.out = args.out / "_".join(args.option)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.combine:
        merged: dict[tuple, dict] = {}
        for path in args.combine:  # a later file's row replaces an earlier one's for the same point
            for r in read_csv(path):
                merged[(r["dataset"], r["codec"], r["setting"])] = r
        rows = list(merged.values())
        write_csv(rows, args.out / "results.csv")
        (args.out / "results.md").write_text(markdown(rows, args.title or "# latent vs peers"))
        plot(rows, args.out / "rd.png")
        return
    import torch

    torch.set_num_threads(1)
    logfile = open(args.out / "log.txt", "a")

    def log(msg):
        print(msg, flush=True)
        logfile.write(msg + "\n")
        logfile.flush()

    log(f"# run {time.strftime('%Y-%m-%d %H:%M')} steps={args.steps} siren_steps={args.siren_steps} "
        f"threads OMP={os.environ.get('OMP_NUM_THREADS')} {metrics.machine()}")
    if args.ablations:
        ablations(args.out, args.steps, log)
        return
    rows: list[dict] = []
    table = large_cases() if args.large else cases()
    names = args.datasets or [n for n in ("powder-pilatus", "saxs-eiger", "ocean-sst", "climate-a1b", "turbulence",
                                          "mni-t1") if n in table]
    for name in names:
        array = table[name]()
        log(f"{name} {array.shape} {array.dtype}")
        extra = dict(kv.split("=", 1) for kv in args.option)
        tag = "".join(f" {k}={v}" for k, v in extra.items())
        if not args.skip_peers:
            rows += run_peers(name, array, log)
        write_csv(rows, args.out / "results.csv")
        for ratio in RATIOS if not args.peers_only else ():
            for method, steps in [(m, s) for m, s in (("latent", args.steps), ("pyramid", args.steps),
                                                       ("siren", args.siren_steps)) if m in args.methods]:
                try:
                    if method == "pyramid":
                        row, _ = run_inrfilter(name, array, "latent", ratio, steps, train=False, **extra)
                        row["codec"] = "inrfilter latent (pyramid only)" + tag
                    elif method == "latent":
                        row, _ = run_inrfilter(name, array, method, ratio, steps, **extra)
                        row["codec"] += tag
                    else:
                        row, _ = run_inrfilter(name, array, method, ratio, steps)
                except ValueError as exc:
                    log(f"  {method} ratio {ratio}: {exc}")
                    continue
                rows.append(row)
                log(f"  {method} ratio {ratio}: ratio {row['ratio']:.1f} psnr {row['psnr']:.2f} "
                    f"encode {row['encode_MBps']:.3f} MB/s decode {row['decode_MBps']:.1f} MB/s")
                write_csv(rows, args.out / "results.csv")
        head = (f"# latent vs peers (CPU, shared 2-core machine, 1 thread; latent {args.steps} steps"
                + (f", siren {args.siren_steps} steps)" if "siren" in args.methods else ")"))
        (args.out / "results.md").write_text(markdown(rows, head))
        plot(rows, args.out / "rd.png")


if __name__ == "__main__":
    main()
