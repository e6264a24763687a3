"""Fidelity targets, the measures we report, and the max-error residual.

- ``ratio=R``: the network is sized so the blob is about raw/R bytes.
- ``psnr=P``: dB over the chunk's finite value range; smallest network of a size
  ladder that reaches it.
- ``max_error=E``: a guarantee.  The residual between the data and the numpy
  reference decode is quantised with step ``2*(E - margin)`` and zstd-coded.  The
  margin covers float differences between machines (``DECODER_NOISE`` normalised
  units through the de-normalisation, plus the final cast's rounding); integer
  dtypes also keep the bound below ``floor(E) + 0.5`` so rounding cannot cross it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import zstandard

from .blob import BlobError
from .chunk import Normalisation
from .limits import decompress
from .options import OptionError
from .quant import shuffle, unshuffle

DEFAULT_RATIO = 32.0
#: how far (normalised units) two float32 evaluations of one network may differ
DECODER_NOISE = 2e-5
#: residual integer types by header code
RESIDUAL_TYPES = {"b": np.int8, "h": np.int16, "i": np.int32, "q": np.int64}


@dataclass(frozen=True)
class Target:
    """What the user asked for.  At most one of ratio/psnr; max_error may join either."""

    ratio: float | None = None
    psnr: float | None = None
    max_error: float | None = None
    #: False when ratio is DEFAULT_RATIO by default: then a chunk too small for it
    #: gets the smallest network instead of an error
    ratio_given: bool = True

    @classmethod
    def from_args(cls, ratio: float | None = None, psnr: float | None = None,
                  max_error: float | None = None) -> "Target":
        """A target from values checked against ``options.ENCODE_OPTIONS``."""
        if ratio is not None and psnr is not None:
            raise OptionError("encode: give ratio or psnr, not both (max_error may be combined with either)")
        if ratio is None and psnr is None:
            return cls(DEFAULT_RATIO, None, max_error, ratio_given=False)
        return cls(ratio, psnr, max_error)


def psnr(original: np.ndarray, approx: np.ndarray, finite: np.ndarray) -> float:
    """PSNR (dB) over the finite values, with their range as the peak."""
    x, y = original[finite], approx[finite]
    if x.size == 0:
        return math.inf
    half_range = float(x.max()) / 2 - float(x.min()) / 2  # halves: no overflow near float64's limit
    with np.errstate(over="ignore"):
        err = (x / 2 - y / 2) / half_range if half_range > 0 else x - y
        mse = float(np.mean(err**2))
    if mse == 0:
        return math.inf
    if half_range == 0 or not math.isfinite(mse):
        return -math.inf
    return -10 * math.log10(mse)


def max_abs_error(original: np.ndarray, approx: np.ndarray, finite: np.ndarray) -> float:
    if not finite.any():
        return 0.0
    with np.errstate(over="ignore"):
        return float(np.max(np.abs(original[finite] - approx[finite])))


def residual_step(max_error: float, norm: Normalisation, dtype: np.dtype, max_abs: float) -> float:
    """Quantisation step that keeps every value within max_error after decode; 0 if impossible."""
    dtype = np.dtype(dtype)
    bound = max_error
    if dtype.kind in "iu":
        bound = min(bound, math.floor(bound) + 0.499)
    cast_error = 0.0 if dtype.kind in "iu" else float(np.finfo(dtype).eps) * max_abs
    margin = DECODER_NOISE * norm.slope() + cast_error + 8 * float(np.finfo(np.float64).eps) * max_abs
    return max(0.0, 2 * (bound - margin))


def encode_residual(original: np.ndarray, approx: np.ndarray, finite: np.ndarray, step: float):
    """Quantised residual section and the corrected values it yields."""
    q = np.zeros(original.shape, np.int64)
    with np.errstate(invalid="ignore", over="ignore"):
        q[finite] = np.rint((original[finite] - approx[finite]) / step).astype(np.int64)
    peak = int(np.abs(q).max()) if q.size else 0
    code = next(c for c, t in RESIDUAL_TYPES.items() if peak <= np.iinfo(t).max)
    data = zstandard.ZstdCompressor(level=12).compress(shuffle(q.astype(RESIDUAL_TYPES[code]).ravel()))
    return data, code, approx + q * step


def decode_residual(data: bytes, code: str, step: float, shape: tuple[int, ...]) -> np.ndarray:
    """The correction to add to the network's values (zero where no residual was needed)."""
    if code not in RESIDUAL_TYPES:
        raise BlobError(f"corrupted blob: unknown residual type {code!r}")
    count = int(np.prod(shape))
    dtype = np.dtype(RESIDUAL_TYPES[code])
    raw = decompress(data, count * dtype.itemsize, "residual")
    return unshuffle(raw, dtype, count).astype(np.float64).reshape(shape) * step
