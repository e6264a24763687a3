"""``inrfilter convert``: the command-line door to :func:`inrfilter.convert.convert`."""

from __future__ import annotations

import argparse
import json
import sys

EPILOG = """rules: PATTERN:key=value,...  e.g. -f '/entry/data/*:method=siren,psnr=45' -f '/**/mask:lossless'
(first match wins; * stays within a path component, ** crosses them; settings are inrfilter.encode's
arguments plus chunks=1x256x256). Integer data is compressed only by an explicit -f rule.
Exit status: 0 done and verified, 1 written but a target was missed or a chunk failed verification,
2 not done (bad input, unreadable source, full disk: nothing is left under DST's name)."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("src", help="HDF5/NeXus/netCDF4 file, zarr store (v2 or v3), .npy or TIFF stack")
    p.add_argument("dst", help="output: HDF5 with the inrfilter filter, or a zarr v3 store (suffix .zarr)")
    p.add_argument("-f", "--rule", action="append", default=[], metavar="PATTERN:SETTINGS",
                   help="lossy settings for datasets whose path matches PATTERN; repeatable")
    p.add_argument("--default", metavar="SETTINGS", default=None,
                   help="settings for floating-point datasets no rule matches (e.g. 'method=siren,psnr=40'); "
                        "without it they are copied losslessly")
    p.add_argument("-m", "--min-lossy", default="1MiB", metavar="SIZE",
                   help="datasets smaller than this stay lossless")
    p.add_argument("--chunks", default=None, metavar="AxBxC",
                   help="output chunk shape of lossy datasets of that rank (default: the source's chunk shape)")
    p.add_argument("--format", choices=["hdf5", "zarr"], default=None,
                   help="output format (default: zarr for a DST ending in .zarr, else hdf5)")
    p.add_argument("--external", choices=["convert", "keep"], default="convert",
                   help="external links and virtual-dataset sources: convert their files into DST's folder "
                        "and rewrite the links, or keep them pointing at the originals")
    p.add_argument("--batch", type=int, default=16, help="chunks of one dataset trained together")
    p.add_argument("--pool", metavar="DEVICES", default=None,
                   help="train in an encode pool of worker processes: auto (every GPU, else CPU workers), cpu, "
                        "cuda, or GPU numbers like 0,1 (default: in this process)")
    p.add_argument("--workers", type=int, default=None,
                   help="with --pool: CPU workers (default: one per core), or workers per GPU (default 1)")
    p.add_argument("--resume", action="store_true", help="continue an interrupted conversion from its journal")
    p.add_argument("--overwrite", action="store_true", help="replace DST if it exists")
    p.add_argument("--dry-run", action="store_true", help="print what would happen to every dataset; write nothing")
    p.add_argument("--json", metavar="FILE", default=None, help="also write the report as JSON")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from . import ConvertError, convert

    try:
        report = convert(args.src, args.dst, args.rule, default=args.default, min_lossy=args.min_lossy,
                         chunks=args.chunks, external=args.external, batch=args.batch, resume=args.resume,
                         overwrite=args.overwrite, dry_run=args.dry_run, format=args.format,
                         progress=False if args.no_progress else None, pool=args.pool, workers=args.workers)
    except ConvertError as exc:
        print(f"inrfilter convert: error: {exc}", file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report.to_json(), f, indent=1)
    return 0 if report.ok else 1
