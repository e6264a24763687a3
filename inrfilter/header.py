"""What a blob's header says, as a typed record, and its validation (docs/format.md).

msgpack keys are one or two letters because the header counts in the ratio:
m method ("const", "raw" or a network method), t dtype, s shape, p method spec,
n normalisation [lo, hi, transform], q quantisation, v constant value,
f achieved [psnr, max abs error], r residual [step, int code].
Section names: w weights, r residual, n non-finite mask, l lossless copy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .blob import BlobError
from .chunk import MAX_NDIM, Normalisation
from .quant import QUANTS

CONSTANT, LOSSLESS = "const", "raw"
SECTION_NAMES = {"w": "weights", "r": "residual", "n": "nonfinite", "l": "lossless"}


@dataclass
class ChunkHeader:
    method: str
    dtype: np.dtype
    shape: tuple[int, ...]
    psnr: float = float("inf")
    max_abs_error: float = 0.0
    spec: dict[str, Any] = field(default_factory=dict)
    norm: Normalisation | None = None
    quant: str | None = None
    constant: float | None = None
    residual: tuple[float, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"m": self.method, "t": self.dtype.str, "s": list(self.shape),
                             "f": [float(self.psnr), float(self.max_abs_error)]}
        if self.spec:
            d["p"] = self.spec
        if self.norm is not None:
            d["n"] = self.norm.to_header()
        if self.quant is not None:
            d["q"] = self.quant
        if self.constant is not None:
            d["v"] = float(self.constant)
        if self.residual is not None:
            d["r"] = [float(self.residual[0]), self.residual[1]]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "ChunkHeader":
        """Validate a decoded header; anything malformed is a BlobError."""
        try:
            dtype = np.dtype(d["t"])
            shape = tuple(int(n) for n in d["s"])
            psnr, err = (float(v) for v in d["f"])
            h = cls(str(d["m"]), dtype, shape, psnr, err, dict(d.get("p", {})),
                    Normalisation.from_header(d["n"]) if "n" in d else None, d.get("q"),
                    float(d["v"]) if "v" in d else None,
                    (float(d["r"][0]), str(d["r"][1])) if "r" in d else None)
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise BlobError(f"corrupted blob header: {exc!r}") from exc
        if dtype.kind not in "fiu" or not 1 <= len(shape) <= MAX_NDIM or min(shape) < 1:
            raise BlobError(f"corrupted blob header: dtype {dtype} / shape {shape} cannot be encoded")
        if h.method == CONSTANT and h.constant is None:
            raise BlobError("corrupted blob header: constant chunk without its value")
        if h.method not in (CONSTANT, LOSSLESS) and (h.norm is None or h.quant not in QUANTS):
            raise BlobError("corrupted blob header: network chunk without normalisation or quantisation")
        return h
