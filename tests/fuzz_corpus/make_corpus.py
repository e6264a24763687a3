"""Write the seed blobs tests/test_fuzz.py mutates: every method, every kind of blob.

``python -m tests.fuzz_corpus.make_corpus [METHOD ...]`` writes the network blobs of
the named methods (all when none is named) and the method-free kinds (constant,
lossless); ``make_corpus latent-sig`` writes only latent's coding-1 seeds.  Committed, because training them takes half a minute; rerun it when a
method is added (test_fuzz fails until its blobs exist) or the format changes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import inrfilter

HERE = Path(__file__).parent
#: the seeds were written with fp16 weights, the default until issue 21 (now "entropy"): named here so the
#: script still writes the committed blobs; siren-entropy covers the entropy coding
FAST = {"steps": 2, "device": "cpu", "progress": False, "quant": "fp16"}


def field(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """A smooth field plus noise (float64)."""
    axes = np.meshgrid(*[np.linspace(0, 1, n) for n in shape], indexing="ij")
    rng = np.random.default_rng(seed)
    return sum(np.sin(6 * a + rng.uniform(0, 6)) for a in axes) + 0.1 * rng.standard_normal(shape)


def common() -> dict[str, bytes]:
    a = field((24, 24))
    return {
        "constant": inrfilter.encode(np.full((8, 8), 3.5, np.float32)),
        "constant-nan": inrfilter.encode(np.full((8, 8), np.nan)),
        "constant-holes": inrfilter.encode(np.where(np.eye(8) > 0, np.inf, 2.0)),
        "constant-int64": inrfilter.encode(np.full((4, 4), 2**62 + 1, np.int64)),
        "lossless": inrfilter.encode(a, max_error=0),
        "lossless-int16": inrfilter.encode((a * 1000).astype(np.int16), max_error=0),
        "siren-int32-int8-residual": inrfilter.encode((a * 100).astype(np.int32), "siren", ratio=3, max_error=40,
                                                      **{**FAST, "quant": "int8"}),
        "siren-log": inrfilter.encode(np.abs(a) * 1e4, "siren", ratio=3, transform="log", **FAST),
        "siren-entropy": inrfilter.encode(a, "siren", ratio=3, max_error=0.05, **{**FAST, "quant": "entropy"}),
    }


def per_method(method: str) -> dict[str, bytes]:
    a = field((24, 24))
    holes = a.copy()
    holes[2:5, 3:9] = np.nan
    holes[0, 0] = np.inf
    blobs = {
        f"{method}": inrfilter.encode(a, method, ratio=3, **FAST),
        f"{method}-residual": inrfilter.encode(a, method, ratio=3, max_error=0.05, **FAST),
        f"{method}-holes": inrfilter.encode(holes, method, ratio=2, **FAST),
        f"{method}-3d": inrfilter.encode(field((8, 8, 8)).astype(np.float32), method, ratio=2, max_error=0.1,
                                         **FAST),
    }
    if method == "fourier":  # a stored background mask
        b = field((32, 32), 3)
        blobs["fourier-mask"] = inrfilter.encode(np.where(b > 0.3, b, 0.0), method, ratio=4, **FAST)
    return blobs


def latent_sig() -> dict[str, bytes]:
    """latent blobs of coding 1 (significance flags, spec k=1); the older ``latent*`` seeds
    keep coding 0 (written before it; rerunning ``latent`` rewrites them with coding 1)."""
    a = field((40, 36), 5)
    return {
        "latent-sig": inrfilter.encode(a, "latent", ratio=6, max_error=0.05, **FAST),
        "latent-sig-3d": inrfilter.encode(field((16, 12, 10)).astype(np.float32), "latent", ratio=4, **FAST),
    }


def main(methods: list[str]) -> None:
    blobs = {} if methods == ["latent-sig"] else common()
    for method in methods:
        blobs.update(latent_sig() if method == "latent-sig" else per_method(method))
    for name, blob in blobs.items():
        (HERE / f"{name}.inrf").write_bytes(blob)
        info = inrfilter.info(blob)
        print(f"{name:28s} {info['method']:9s} {len(blob):6d} bytes, sections {sorted(info['sections'])}")


if __name__ == "__main__":
    main(sys.argv[1:] or list(inrfilter.METHODS))
