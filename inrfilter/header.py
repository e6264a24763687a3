"""What a blob's header says, as a typed record (docs/format.md).

msgpack keys are one or two letters because the header counts in the ratio:
m method ("const", "raw" or a network method), t dtype, s shape, p method spec,
n normalisation [lo, hi, transform], q quantisation, v constant value,
f achieved [psnr, max abs error], r residual [step, int code].
Section names: w weights, r residual, n non-finite mask, l lossless copy.
Reading validates a header with :func:`inrfilter.validate.parse`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .chunk import Normalisation

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
    constant: float | int | None = None
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
        if self.constant is not None:  # an int only where float64 cannot hold it exactly
            d["v"] = self.constant if isinstance(self.constant, int) else float(self.constant)
        if self.residual is not None:
            d["r"] = [float(self.residual[0]), self.residual[1]]
        return d
