"""Rate-distortion and speed of inrfilter against SZ3, ZFP, SPERR and lossless Blosc-zstd.

    python -m benchmarks.ratedistortion --profile quick     # crops, CPU-sized budgets
    python -m benchmarks.ratedistortion --profile full      # whole arrays, real budgets (GPU)

Every codec sees the same array and the same chunking, in this process.  inrfilter
runs every method at target ratios 30, 100, 300 and at max_error bounds matching the
SZ3 absolute bounds.  Results go to benchmarks/results/ratedistortion/<profile>/:
results.csv, results.md (tables plus, per dataset, where inrfilter wins and loses
against the best peer) and PNG plots.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from benchmarks.common import datasets, metrics, peers, report

RESULTS = Path(__file__).parent / "results" / "ratedistortion"
TARGET_RATIOS = (30, 100, 300)


@dataclass
class Case:
    """A dataset as the benchmark uses it: the array and its chunk shape."""

    name: str
    load: Callable[[], np.ndarray]
    chunks: tuple[int, ...]


@dataclass
class Profile:
    cases: list[Case]
    steps: int
    relative_bounds: tuple[float, ...] = (1e-2, 1e-3)
    ratios: tuple[float, ...] = TARGET_RATIOS
    methods: tuple[str, ...] | None = None  # None: every method
    fourier_network: bool = True  # also run numcodecs-wasm-fourier-network (slow)
    tag: str = ""  # appended to inrfilter's codec names, so runs with other budgets plot apart


def _profiles() -> dict[str, Profile]:
    c = datasets.crop
    return {
        "smoke": Profile([Case("saxs-eiger", lambda: c(datasets.saxs_eiger(), (480, 480), (64, 64)), (32, 32))],
                         steps=10, relative_bounds=(1e-2,), ratios=(4,), methods=("siren",), fourier_network=False),
        "quick": Profile(
            [
                Case("mni-t1", lambda: c(datasets.mni_t1(), (34, 50, 60), (128, 128, 64)), (64, 64, 64)),
                Case("saxs-eiger", lambda: c(datasets.saxs_eiger(), (277, 259), (512, 512)), (256, 256)),
                Case("powder-pilatus", lambda: c(datasets.powder_pilatus(), (265, 234), (512, 512)), (256, 256)),
                Case("turbulence", lambda: c(datasets.turbulence("vx"), (0, 0, 0), (128, 128, 64)), (64, 64, 64)),
            ],
            steps=300,
        ),
        "full": Profile(
            [
                Case("mni-t1", datasets.mni_t1, (64, 64, 64)),
                Case("saxs-eiger", datasets.saxs_eiger, (256, 256)),
                Case("powder-pilatus", datasets.powder_pilatus, (256, 256)),
                Case("turbulence", lambda: datasets.turbulence("vx"), (64, 64, 64)),
                Case("ocean-sst", datasets.ocean_sst, (165, 180)),
                Case("climate-a1b", datasets.climate_a1b, (60, 37, 49)),
            ],
            steps=2000,
        ),
    }


def _split(array: np.ndarray, chunks: tuple[int, ...]):
    """Chunks as HDF5/zarr cut them, edge chunks padded with the edge value."""
    pieces = list(peers._split(array, chunks))
    padded = []
    for where, piece in pieces:
        pad = [(0, c - n) for n, c in zip(piece.shape, chunks)]
        padded.append(np.pad(piece, pad, mode="edge") if any(p[1] for p in pad) else np.ascontiguousarray(piece))
    return pieces, padded


def run_inrfilter(array, chunks, method, steps, device, **target):
    import inrfilter

    pieces, padded = _split(array, chunks)
    t0 = time.perf_counter()
    blobs = inrfilter.encode_batch(padded, method, steps=steps, device=device, progress=False, **target)
    t1 = time.perf_counter()
    out = np.empty_like(array)
    for (where, piece), blob in zip(pieces, blobs):
        out[where] = inrfilter.decode(blob)[tuple(slice(0, n) for n in piece.shape)]
    t2 = time.perf_counter()
    return sum(len(b) for b in blobs), out, t1 - t0, t2 - t1


def _row(dataset, array, codec, setting, stored, decoded, t_enc, t_dec, note=""):
    mb = array.nbytes / 1e6
    return {
        "dataset": dataset, "shape": "x".join(map(str, array.shape)), "dtype": str(array.dtype), "codec": codec,
        "setting": setting, "stored_bytes": stored, "ratio": array.nbytes / stored if stored else math.nan,
        "psnr": metrics.psnr(array, decoded), "max_abs_error": metrics.max_abs_error(array, decoded),
        "ssim": metrics.ssim(array, decoded), "encode_MBps": mb / t_enc if t_enc else math.nan,
        "decode_MBps": mb / t_dec if t_dec else math.nan, "wall_s": t_enc + t_dec, "note": note,
    }


def benchmark(profile: Profile, device: str, only: str | None = None, log=print,
              partial: Path | None = None) -> list[dict]:
    """Rows for every case: the peers, then every inrfilter method (``only`` picks one side).

    With ``partial``, the rows so far are rewritten there after every trained row, so a
    run cut short (a time limit on a borrowed GPU) keeps what it finished."""
    import inrfilter

    methods = () if only == "peers" else profile.methods or inrfilter.METHODS
    rows: list[dict] = []
    for case in profile.cases:
        try:
            array = case.load()
        except ModuleNotFoundError as exc:
            log(f"skip {case.name}: {exc}")
            continue
        span = metrics.value_range(array)
        log(f"{case.name} {array.shape} {array.dtype}, chunks {case.chunks}")
        for setting in [] if only == "inrfilter" else peers.peer_settings(array, profile.relative_bounds):
            try:
                stored, decoded, te, td = peers.run_h5_isolated(array, case.chunks, setting)
            except Exception as exc:  # noqa: BLE001 - a peer refusing a setting is a result
                log(f"  {setting.family} {setting.label}: failed ({exc})")
                continue
            rows.append(_row(case.name, array, setting.family, setting.label, stored, decoded, te, td))
        run_fourier = profile.fourier_network and only != "inrfilter"
        fourier = peers.run_fourier_network(array, case.chunks) if run_fourier else "fourier-network skipped"
        if isinstance(fourier, str):
            log(f"  {fourier}")
        else:
            rows.append(_row(case.name, array, "fourier-network (numcodecs-wasm)", "16 features, 100 epochs", *fourier))
        for method in methods:
            targets = [(f"ratio={r:g}", {"ratio": r}) for r in profile.ratios]
            targets += [(f"max_error={b:g}*range", {"max_error": b * span}) for b in profile.relative_bounds]
            for label, target in targets:
                try:
                    result = run_inrfilter(array, case.chunks, method, profile.steps, device, **target)
                except ValueError as exc:  # e.g. a ratio the chunk size cannot reach
                    log(f"  inrfilter {method} {label}: {exc}")
                    continue
                codec = f"inrfilter {method}" + (f" ({profile.tag})" if profile.tag else "")
                rows.append(_row(case.name, array, codec, label, *result, note=f"steps={profile.steps}"))
                r = rows[-1]
                log(f"  inrfilter {method} {label}: ratio {r['ratio']:.1f}, psnr {r['psnr']:.2f}, "
                    f"max err {r['max_abs_error']:.3g}, encode {r['wall_s']:.1f}s")
                if partial is not None:  # training is the slow part: keep every row
                    write_csv(rows, partial)
        if partial is not None and rows:
            write_csv(rows, partial)
    return rows


def write_csv(rows: list[dict], path: Path) -> None:
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def read_csv(path: Path) -> list[dict]:
    """Rows written by :func:`write_csv`, numbers as numbers (to combine runs made apart)."""
    rows = []
    for row in csv.DictReader(open(path)):
        for key, value in row.items():
            try:
                row[key] = float(value) if value not in ("", "None") else None
            except ValueError:
                pass
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", choices=sorted(_profiles()), default="quick")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--steps", type=int, help="override the profile's training steps")
    parser.add_argument("--methods", nargs="*", help="inrfilter methods (default: all)")
    parser.add_argument("--datasets", nargs="*", help="dataset names of the profile to run (default: all)")
    parser.add_argument("--out", type=Path, help="output folder (default: results/ratedistortion/<profile>)")
    parser.add_argument("--update-readme", action="store_true", help="write the summary table into README.md")
    parser.add_argument("--only", choices=["peers", "inrfilter"],
                        help="run one side, e.g. inrfilter on a GPU box and the peers elsewhere")
    parser.add_argument("--combine", nargs="+", type=Path, metavar="CSV",
                        help="make the report from results.csv files of --only runs instead of running")
    parser.add_argument("--no-fourier-network", action="store_true",
                        help="skip numcodecs-wasm-fourier-network (hours on 64^3 chunks on 2 CPU cores)")
    parser.add_argument("--relative-bounds", nargs="*", type=float, metavar="B",
                        help="max_error settings as fractions of the value range (none: ratio targets only)")
    parser.add_argument("--tag", default="", help="label for inrfilter's rows, e.g. '2000 steps'")
    parser.add_argument("--note", default="", help="a sentence for the report's header (where each side ran)")
    args = parser.parse_args(argv)
    profile = _profiles()[args.profile]
    if args.steps:
        profile.steps = args.steps
    if args.methods:
        profile.methods = tuple(args.methods)
    if args.no_fourier_network:
        profile.fourier_network = False
    if args.relative_bounds is not None:
        profile.relative_bounds = tuple(args.relative_bounds)
    profile.tag = args.tag
    if args.datasets:
        profile.cases = [c for c in profile.cases if c.name in args.datasets]
    out = args.out or RESULTS / args.profile
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    if args.combine:
        rows = [row for path in args.combine for row in read_csv(path)]
    else:
        rows = benchmark(profile, args.device, args.only, partial=out / "partial.csv")
    if not rows:
        raise SystemExit("no results: every dataset was skipped or every codec failed (see above)")
    # combined runs were made apart: their rows' wall times are the time spent
    minutes = sum(r["wall_s"] or 0 for r in rows) / 60 if args.combine else (time.perf_counter() - started) / 60
    context = {"date": dt.date.today().isoformat(), "profile": args.profile, "steps": profile.steps,
               "minutes": minutes, "note": args.note, **metrics.machine()}
    write_csv(rows, out / "results.csv")
    (out / "partial.csv").unlink(missing_ok=True)
    (out / "results.md").write_text(report.markdown(rows, context, TARGET_RATIOS))
    report.plots(rows, out)
    if args.update_readme:
        report.update_readme(Path(__file__).parents[1] / "README.md", rows, context, TARGET_RATIOS)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
