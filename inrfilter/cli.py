"""The ``inrfilter`` command: compress files, inspect blobs, run the demo, and tell
HDF5 programs where the filter plugin is and what cd_values to give it."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np


def _targets(args: argparse.Namespace) -> dict:
    kw = {k: getattr(args, k) for k in ("ratio", "psnr", "max_error", "steps", "seconds", "transform")}
    return {k: v for k, v in kw.items() if v is not None} | {"device": args.device, "quant": args.quant}


def _add_target_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--method", default="siren")
    p.add_argument("--ratio", type=float)
    p.add_argument("--psnr", type=float)
    p.add_argument("--max-error", type=float, dest="max_error")
    p.add_argument("--steps", type=int)
    p.add_argument("--seconds", type=float)
    p.add_argument("--transform", choices=["log"])
    p.add_argument("--quant", default="fp16", choices=["fp16", "int8", "fp32"])
    p.add_argument("--device", default="auto")


def _report(name: str, array: np.ndarray, blob: bytes, t_enc: float, t_dec: float, decoded: np.ndarray) -> dict:
    from .fidelity import max_abs_error, psnr

    a = array.astype(np.float64)
    finite = np.isfinite(a)
    row = {
        "data": name, "shape": "x".join(map(str, array.shape)), "dtype": str(array.dtype),
        "ratio": round(array.nbytes / len(blob), 2), "psnr_db": round(psnr(a, decoded.astype(np.float64), finite), 2),
        "max_abs_error": float(f"{max_abs_error(a, decoded.astype(np.float64), finite):.4g}"),
        "encode_s": round(t_enc, 2), "decode_s": round(t_dec, 3),
    }
    return row


def _encode_timed(array: np.ndarray, method: str, kw: dict):
    from . import decode, encode

    t0 = time.perf_counter()
    blob = encode(array, method, **kw)
    t1 = time.perf_counter()
    decoded = decode(blob)
    return blob, decoded, t1 - t0, time.perf_counter() - t1


def cmd_encode(args: argparse.Namespace) -> int:
    array = np.load(args.input)
    blob, decoded, t_enc, t_dec = _encode_timed(array, args.method, _targets(args))
    Path(args.output).write_bytes(blob)
    print(json.dumps(_report(args.input, array, blob, t_enc, t_dec, decoded)))
    return 0


def cmd_decode(args: argparse.Namespace) -> int:
    from . import decode

    np.save(args.output, decode(Path(args.input).read_bytes()))
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from . import info

    print(json.dumps(info(Path(args.input).read_bytes()), indent=2, default=str))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Compress the 512x512 'ascent' photograph shipped with PyWavelets in 4 chunks
    of 256x256 (trained as one batch) under each kind of target, and report."""
    import pywt.data

    from . import decode, encode_batch

    image = pywt.data.ascent()
    chunks = [image[i : i + 256, j : j + 256] for i in (0, 256) for j in (0, 256)]
    settings = [("ratio=16", {"ratio": 16}), ("psnr=25", {"psnr": 25}), ("max_error=4", {"max_error": 4, "ratio": 32})]
    print(f"ascent {image.shape} {image.dtype} from PyWavelets, 4 chunks of 256x256, method {args.method}, "
          f"{args.steps} steps per batch")
    rows = []
    for label, kw in settings:
        t0 = time.perf_counter()
        blobs = encode_batch(chunks, args.method, steps=args.steps, device=args.device, **kw)
        t1 = time.perf_counter()
        decoded = [decode(b) for b in blobs]
        t2 = time.perf_counter()
        whole = np.block([[decoded[0], decoded[1]], [decoded[2], decoded[3]]])
        total = sum(len(b) for b in blobs)
        row = _report(label, image, b"\0" * total, t1 - t0, t2 - t1, whole)
        rows.append(row)
    keys = list(rows[0])
    print(" | ".join(keys))
    for r in rows:
        print(" | ".join(str(r[k]) for k in keys))
    return 0


def cmd_plugin_path(args: argparse.Namespace) -> int:
    from .h5.plugin import PLUGIN_PATH, library_path

    try:
        library_path()
    except ImportError as exc:
        print(f"inrfilter: error: {exc}", file=sys.stderr)
        return 2
    print(PLUGIN_PATH)
    return 0


def cmd_h5_verify(args: argparse.Namespace) -> int:
    """Check every inrfilter dataset of an HDF5 file (or the ones named); 1 when a chunk is damaged."""
    import h5py

    from . import h5

    damaged = 0
    with h5py.File(args.file, "r") as f:
        names = args.dataset or []
        if not names:
            def visit(name: str, obj) -> None:
                if isinstance(obj, h5py.Dataset) and h5.is_inrfilter_dataset(obj):
                    names.append(name)
            f.visititems(visit)
        for name in names:
            if not isinstance(f.get(name), h5py.Dataset):
                raise ValueError(f"{args.file} has no dataset {name!r}")
            bad = h5.verify(f[name])
            damaged += len(bad)
            print(f"/{name.lstrip('/')}: {f[name].id.get_num_chunks()} chunks, {len(bad)} damaged")
            for offset, reason in bad.items():
                print(f"  chunk at {offset}: {reason}")
    return 1 if damaged else 0


def _option_value(text: str):
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise ValueError(f"--option takes key=value; got {text!r}")
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value


def cmd_cd_values(args: argparse.Namespace) -> int:
    from .h5.cdvalues import pack
    from .settings import EncodeSettings

    kw = {k: getattr(args, k) for k in ("ratio", "psnr", "max_error", "steps", "seconds", "transform")}
    settings = EncodeSettings.create(args.method, **kw, seed=args.seed, quant=args.quant, device=args.device,
                                     **dict(_option_value(o) for o in args.option))
    print(",".join(str(v) for v in pack(settings)))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="inrfilter", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("encode", help="compress a .npy file into a blob and print ratio/PSNR/error/timings")
    p.add_argument("input")
    p.add_argument("output")
    _add_target_options(p)
    p.set_defaults(func=cmd_encode)
    p = sub.add_parser("decode", help="decode a blob into a .npy file")
    p.add_argument("input")
    p.add_argument("output")
    p.set_defaults(func=cmd_decode)
    p = sub.add_parser("info", help="print what a blob holds")
    p.add_argument("input")
    p.set_defaults(func=cmd_info)
    p = sub.add_parser("demo", help="compress PyWavelets' ascent image and report ratio/PSNR/error/timings")
    p.add_argument("--method", default="siren")
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--device", default="auto")
    p.set_defaults(func=cmd_demo)
    p = sub.add_parser("plugin-path", help="print the folder to put in HDF5_PLUGIN_PATH")
    p.set_defaults(func=cmd_plugin_path)
    p = sub.add_parser("h5-verify", help="name the damaged chunks of an HDF5 file's inrfilter datasets")
    p.add_argument("file")
    p.add_argument("dataset", nargs="*", help="datasets to check (default: every inrfilter dataset)")
    p.set_defaults(func=cmd_h5_verify)
    p = sub.add_parser("cd-values", help="print the HDF5 filter's cd_values for these settings (C programs, "
                                         "h5repack -f UD=...)")
    _add_target_options(p)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                   help="a method option (value read as JSON, else as a string); repeatable")
    p.set_defaults(func=cmd_cd_values)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, TypeError, OSError) as exc:
        print(f"inrfilter: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
