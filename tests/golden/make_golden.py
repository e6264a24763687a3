"""Write the golden blob of each method for the current format version.

Run once when a method or format version is added
(``python -m tests.golden.make_golden METHOD``: only the named methods are written;
a name of ``VARIANTS`` writes that variant, ``<method>-v<version>-<suffix>``);
never to "fix" a failing golden test: a golden blob that no longer decodes to its
stored values means old files would read differently.  Each blob gets its decode
(``.npy``) and its record (``.json``: header, section and weight hashes, and the
max_error it was written with; see record.py).
"""

import sys
from pathlib import Path

import numpy as np

import inrfilter
from benchmarks.common import datasets
from tests.golden import record

HERE = Path(__file__).parent


def golden_input() -> np.ndarray:
    """24x20 of the SAXS frame with NaN and Inf holes, so every section kind is used."""
    a = datasets.crop(datasets.saxs_eiger(), (480, 480), (24, 20)).astype(np.float32)
    a[3, 4], a[10, 11], a[0, 19] = np.nan, np.inf, -np.inf
    return a


#: extra goldens for format features a method's default blob does not use:
#: name -> (method, ratio, options); ``latent-cubic``: cubic B-spline upsampling
#: (spec "u": 2), per-grid steps (spec "s": 4) and latent coding 1 (spec "k")
VARIANTS = {"latent-cubic": ("latent", 6, {"upsampling": "bspline"})}


def golden_bound(array: np.ndarray) -> float:
    return float(np.nanmax(array[np.isfinite(array)])) * 1e-3


def write_record(path: Path, bound: float) -> None:
    """``path``'s record next to it (also for blobs committed before records existed)."""
    record.save(path.with_suffix(".json"), {"record": record.record(path.read_bytes()), "max_error": bound})


def main(methods: list[str], suffix: str = "") -> None:
    array = golden_input()
    for method in methods:
        # from format version 2 on, the goldens use the entropy-coded weights it added (at ratio 3: wien's
        # smallest network, 24 tiny tensors, does not fit ratio 4 with a per-tensor code)
        quant = "fp16" if inrfilter.FORMAT_VERSION == 1 else "entropy"
        ratio, options, name = (4 if quant == "fp16" else 3), {}, f"{method}-v{inrfilter.FORMAT_VERSION}{suffix}"
        if method in VARIANTS:
            variant = method.split("-", 1)[1]
            method, ratio, options = VARIANTS[method]
            name = f"{method}-v{inrfilter.FORMAT_VERSION}-{variant}"
        blob = inrfilter.encode(array, method, max_error=golden_bound(array), ratio=ratio,
                                steps=60, device="cpu", progress=False, quant=quant, **options)
        (HERE / f"{name}.inrf").write_bytes(blob)
        np.save(HERE / f"{name}.npy", inrfilter.decode(blob))
        write_record(HERE / f"{name}.inrf", golden_bound(array))
        print(name, len(blob), inrfilter.info(blob)["sections"])


if __name__ == "__main__":
    # --suffix S names the blobs METHOD-vN-S: a later coding of a method within one format
    # version (latent-v2-sig: latent coding 1) gets its own golden beside the first one
    args = sys.argv[1:]
    suffix = ""
    if "--suffix" in args:
        i = args.index("--suffix")
        suffix, args = "-" + args[i + 1], args[:i] + args[i + 2 :]
    if not args:
        raise SystemExit(f"name the method(s) to write: {', '.join(list(inrfilter.METHODS) + list(VARIANTS))}")
    main(args, suffix)
