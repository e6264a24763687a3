"""The ``inrfilter`` command: compress files, inspect blobs, run the demo, and tell
HDF5 programs where the filter plugin is and what cd_values to give it."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from .quant import DEFAULT_QUANT, QUANTS


def _targets(args: argparse.Namespace) -> dict:
    kw = {k: getattr(args, k) for k in ("ratio", "psnr", "max_error", "steps", "seconds", "transform", "effort")}
    return {k: v for k, v in kw.items() if v is not None} | {"device": args.device, "quant": args.quant}


DESCRIPTION = """\
inrfilter: lossy compression of scientific arrays, each chunk stored as a small
neural network fitted to it.

  inrfilter demo                                   the first run: compress, compare, picture
  inrfilter encode in.npy out.inrf --psnr 40       compress one .npy array
  inrfilter decode out.inrf back.npy               decompress (numpy only)
  inrfilter info out.inrf                          what a blob holds
  export HDF5_PLUGIN_PATH=$(inrfilter plugin-path) h5dump and C programs read the filter
  inrfilter convert scan.h5 out/scan.h5 -f '/entry/data/*:max_error=0.5'
                                                   archive existing files (docs/convert.md)

Run `inrfilter COMMAND --help` for a command's options."""


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Shows each option's default (unless it has none), and the description as written."""

    def _get_help_string(self, action: argparse.Action) -> str:
        if action.default is None or action.default == [] or isinstance(action.default, bool):
            return action.help or ""
        return super()._get_help_string(action)


def _add_target_options(p: argparse.ArgumentParser) -> None:
    from .methods import METHODS

    p.add_argument("--method", default="siren", choices=METHODS, help="the network family")
    p.add_argument("--ratio", type=float, help="size target: blob ~ input bytes / RATIO (32 when no target is given)")
    p.add_argument("--psnr", type=float, help="quality target in dB over the chunk's range")
    p.add_argument("--max-error", type=float, dest="max_error",
                   help="guaranteed bound on |decoded - input| (0: lossless); combines with --ratio or --psnr")
    p.add_argument("--steps", type=int, help="training steps per batch (default: by --effort)")
    p.add_argument("--seconds", type=float, help="training time budget per batch")
    p.add_argument("--effort", choices=["fast", "normal", "best"],
                   help="training budget by name when --steps is not given (default: fast on CPU, normal on GPU)")
    p.add_argument("--transform", choices=["log"], help="fit log1p of the shifted data (high dynamic range)")
    p.add_argument("--quant", default=DEFAULT_QUANT, choices=list(QUANTS),
                   help="how the weights are stored (entropy: quantisation-aware, range-coded; "
                        "fp16: float16 + zstd, the default before issue 21)")
    p.add_argument("--device", default="auto", help="torch device for training: auto (CUDA if seen), cpu, cuda:N")


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
    """Compress a photograph and a 3-D field, beside zstd, SZ3 and SPERR; draw a picture."""
    from . import demo

    Path(args.out).mkdir(parents=True, exist_ok=True)
    demo.run(args.out, fast=args.fast, peers=not args.no_peers, device=args.device)
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

    kw = {k: getattr(args, k) for k in ("ratio", "psnr", "max_error", "steps", "seconds", "transform", "effort")}
    settings = EncodeSettings.create(args.method, **kw, seed=args.seed, quant=args.quant, device=args.device,
                                     **dict(_option_value(o) for o in args.option))
    print(",".join(str(v) for v in pack(settings)))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="inrfilter", description=DESCRIPTION, formatter_class=_HelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, description=help, formatter_class=_HelpFormatter)

    p = add("encode", "compress a .npy file into a blob and print ratio/PSNR/error/timings")
    p.add_argument("input", help=".npy file")
    p.add_argument("output", help="blob file to write")
    _add_target_options(p)
    p.set_defaults(func=cmd_encode)
    p = add("decode", "decode a blob into a .npy file")
    p.add_argument("input", help="blob file")
    p.add_argument("output", help=".npy file to write")
    p.set_defaults(func=cmd_decode)
    p = add("info", "print what a blob holds (JSON)")
    p.add_argument("input", help="blob file")
    p.set_defaults(func=cmd_info)
    p = add("demo", "compress a photograph and a 3-D physics field with the default settings, beside zstd "
                    "(lossless) and, with hdf5plugin, SZ3 and SPERR at the same ratio; write inrfilter-demo.png")
    p.add_argument("--out", default=".", help="folder for inrfilter-demo.png")
    p.add_argument("--fast", action="store_true", help="a few training steps only: checks the pipeline, not quality")
    p.add_argument("--no-peers", action="store_true", help="leave SZ3 and SPERR out")
    p.add_argument("--device", default="auto", help="torch device for training: auto (CUDA if seen), cpu, cuda:N")
    p.set_defaults(func=cmd_demo)
    p = add("plugin-path", "print the folder to put in HDF5_PLUGIN_PATH")
    p.set_defaults(func=cmd_plugin_path)
    p = add("h5-verify", "name the damaged chunks of an HDF5 file's inrfilter datasets")
    p.add_argument("file", help="HDF5 file")
    p.add_argument("dataset", nargs="*", help="datasets to check (default: every inrfilter dataset)")
    p.set_defaults(func=cmd_h5_verify)
    p = add("cd-values", "print the HDF5 filter's cd_values for these settings (C programs, h5repack -f UD=...)")
    _add_target_options(p)
    p.add_argument("--seed", type=int, default=0, help="seed of the network's initialisation")
    p.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                   help="a method option (value read as JSON, else as a string); repeatable")
    p.set_defaults(func=cmd_cd_values)
    from .convert import command as convert_command

    p = add("convert", "convert an HDF5/NeXus/netCDF4/zarr/npy/TIFF file for the archive: lossy by rules, "
                       "the rest lossless, resumable, verified")
    p.epilog = convert_command.EPILOG
    convert_command.add_arguments(p)
    p.set_defaults(func=convert_command.run)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, TypeError, OSError) as exc:
        print(f"inrfilter: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
