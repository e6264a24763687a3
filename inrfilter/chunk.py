"""Chunk preparation and restoration: dtype and shape checks, non-finite values,
constant chunks, normalisation to [-1, 1] (optionally through log1p).

Networks only ever see a float32 array in [-1, 1] with every value finite; this
module owns the map from the user's array to that and back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import zstandard
from scipy import ndimage

SUPPORTED_DTYPES = "float16/32/64 and signed or unsigned integers of 8 to 64 bits"
MAX_NDIM = 4
TRANSFORMS = (None, "log")

# Codes of the non-finite mask.
_FINITE, _NAN, _POSINF, _NEGINF = 0, 1, 2, 3
_CODE_VALUES = np.array([0.0, np.nan, np.inf, -np.inf])


def check_array(array: Any) -> np.ndarray:
    """Return ``array`` as an ndarray or raise TypeError/ValueError naming what is supported."""
    a = np.asarray(array)
    if a.dtype.kind not in "fiu" or a.dtype.itemsize > 8 or a.dtype.byteorder not in "=|<>":
        raise TypeError(f"inrfilter encodes {SUPPORTED_DTYPES}; got dtype {a.dtype}")
    if not 1 <= a.ndim <= MAX_NDIM:
        raise ValueError(f"inrfilter encodes arrays of 1 to {MAX_NDIM} dimensions; got {a.ndim}-d")
    if a.size == 0:
        raise ValueError(f"cannot encode an empty array of shape {a.shape}")
    from .limits import MAX_CHUNK_VOXELS

    if a.size > MAX_CHUNK_VOXELS:
        raise ValueError(f"a chunk holds at most {MAX_CHUNK_VOXELS} values (readers refuse larger ones); got "
                         f"{a.shape}: use smaller chunks (docs/resources.md)")
    return a


@dataclass(frozen=True)
class Normalisation:
    """Affine (or log1p-then-affine) map of the finite values [lo, hi] onto [-1, 1]."""

    lo: float
    hi: float
    transform: str | None = None

    @property
    def _span(self) -> float:
        """Half the value range (halves stay finite near float64's limits), or, for
        the log transform, log1p of the range."""
        half = self.hi / 2 - self.lo / 2
        return float(np.log1p(2 * half)) if self.transform == "log" else half

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if self.transform == "log":
            return np.log1p(np.maximum(x - self.lo, 0.0)) / self._span * 2.0 - 1.0
        return (x / 2 - self.lo / 2) / self._span * 2.0 - 1.0

    def inverse(self, y: np.ndarray) -> np.ndarray:
        y = np.asarray(y, dtype=np.float64)
        if self.transform == "log":
            return np.expm1(np.clip((y + 1.0) / 2.0, 0.0, 1.0) * self._span) + self.lo
        return (y + 1.0) * self._span + self.lo

    def slope(self) -> float:
        """Largest d(original)/d(normalised): how decoder noise is amplified."""
        if self.transform == "log":
            return self._span / 2.0 * (1.0 + (self.hi - self.lo))
        return self._span

    def to_header(self) -> list:
        return [self.lo, self.hi, self.transform]

    @classmethod
    def from_header(cls, v: list) -> "Normalisation":
        return cls(float(v[0]), float(v[1]), v[2])


@dataclass
class PreparedChunk:
    """What the encoder needs of one chunk."""

    original: np.ndarray  # C-ordered float64 copy of the input (non-finite kept)
    finite: np.ndarray  # bool mask of finite values
    norm: Normalisation | None  # None for constant or all-non-finite chunks
    values: np.ndarray | None  # float32 in [-1, 1], non-finite holes filled
    #: bool mask of the voxels that belong to the array (None: all do); the rest is an
    #: edge chunk's padding, filled like holes, fitted by nobody and measured by nobody
    valid: np.ndarray | None = None
    #: an integer chunk whose values differ only below float64's resolution (beyond
    #: 2**53): float64 sees a constant, so only a lossless copy keeps it
    lossless_only: bool = False
    #: the input itself (for integers beyond float64's exact range: the exact values)
    array: np.ndarray | None = None

    @property
    def measured(self) -> np.ndarray:
        """Voxels the network is trained on and judged by: finite and inside the array."""
        return self.finite if self.valid is None else self.finite & self.valid

    @property
    def valid_count(self) -> int:
        return self.finite.size if self.valid is None else int(self.valid.sum())

    @property
    def constant(self) -> float | int | None:
        """The chunk's single finite value (NaN when it has none), or None; an int for
        an integer chunk whose value float64 cannot hold exactly."""
        if self.norm is not None or self.lossless_only:
            return None
        if self.array is not None and self.array.dtype.kind in "iu":
            value = int(self.array.flat[0])
            return float(value) if float(value) == value else value
        return float(self.original[self.finite][0]) if self.finite.any() else float("nan")


def valid_mask(shape: tuple[int, ...], valid: tuple[int, ...] | None) -> np.ndarray | None:
    """The leading ``valid`` corner of a ``shape`` chunk as a mask (None: the whole chunk).

    ValueError unless ``valid`` has one positive length per axis, none above the chunk's."""
    if valid is None:
        return None
    valid = tuple(int(v) for v in valid)
    if len(valid) != len(shape) or any(not 1 <= v <= n for v, n in zip(valid, shape)):
        raise ValueError(f"valid region {valid} does not fit a chunk of shape {shape}")
    if valid == tuple(shape):
        return None
    mask = np.zeros(shape, bool)
    mask[tuple(slice(0, v) for v in valid)] = True
    return mask


def prepare(array: np.ndarray, transform: str | None = None, valid: tuple[int, ...] | None = None) -> PreparedChunk:
    """Normalise a checked array; holes (NaN/Inf) are filled with the nearest finite value
    so that the network sees a continuous signal and spends nothing on them.

    ``valid``: the shape of the part of an edge chunk that lies inside the array (the
    leading corner); the rest is padding, replaced by the nearest valid value (so it
    decodes to something finite) and left out of the normalisation, training and
    measures.  None: every voxel counts (the result is then exactly as without it)."""
    inside = valid_mask(array.shape, valid)
    if inside is not None:
        return _prepare_padded(np.array(array, dtype=np.float64, order="C"), inside, transform)
    original = np.ascontiguousarray(array, dtype=np.float64)
    finite = np.isfinite(original)
    if not finite.any():
        return PreparedChunk(original, finite, None, None, array=array)
    if array.dtype.kind in "iu" and array.min() == array.max():  # on the integers themselves
        return PreparedChunk(original, finite, None, None, array=array)
    lo, hi = float(original[finite].min()), float(original[finite].max())
    if lo == hi:
        return PreparedChunk(original, finite, None, None, lossless_only=array.dtype.kind in "iu", array=array)
    norm = Normalisation(lo, hi, transform)
    filled = original
    if not finite.all():
        nearest = ndimage.distance_transform_edt(~finite, return_distances=False, return_indices=True)
        filled = original[tuple(nearest)]
    values = np.clip(norm.forward(filled), -1.0, 1.0).astype(np.float32)
    return PreparedChunk(original, finite, norm, values, array=array)


def max_int_difference(a: np.ndarray, b: np.ndarray) -> int:
    """max |a - b| of two integer arrays, exactly (64-bit values included: the
    difference of two int64 or two uint64 values always fits a uint64)."""
    if a.size == 0:
        return 0
    if a.dtype.itemsize < 8:
        return int(np.abs(a.astype(np.int64) - b.astype(np.int64)).max())
    native = np.dtype(f"{a.dtype.kind}8")
    a, b = a.astype(native, copy=False), b.astype(native, copy=False)
    ua, ub = a.view(np.uint64), b.view(np.uint64)  # two's complement: the wrapped difference is exact
    return int(np.where(a >= b, ua - ub, ub - ua).max())


def _prepare_padded(original: np.ndarray, inside: np.ndarray, transform: str | None) -> PreparedChunk:
    counted = np.isfinite(original) & inside
    if not counted.any():  # nothing finite inside: a constant (0) padding around the holes
        original[~inside] = 0.0
        return PreparedChunk(original, np.isfinite(original), None, None, inside)
    nearest = ndimage.distance_transform_edt(~counted, return_distances=False, return_indices=True)
    filled = original[tuple(nearest)]
    original[~inside] = filled[~inside]
    finite = np.isfinite(original)
    lo, hi = float(original[counted].min()), float(original[counted].max())
    if lo == hi:
        return PreparedChunk(original, finite, None, None, inside)
    norm = Normalisation(lo, hi, transform)
    values = np.clip(norm.forward(filled), -1.0, 1.0).astype(np.float32)
    return PreparedChunk(original, finite, norm, values, inside)


def cast(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Cast float64 values to ``dtype``: integers are rounded and clipped to its range."""
    dtype = np.dtype(dtype)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        rounded = np.rint(values)
        # float64(info.max) can round up past the range (int64, uint64): pin both ends exactly
        with np.errstate(invalid="ignore"):
            out = np.clip(rounded, info.min, info.max).astype(dtype)
        out[rounded >= float(info.max)] = info.max
        out[rounded <= float(info.min)] = info.min
        return out
    with np.errstate(over="ignore"):
        return values.astype(dtype)


def encode_nonfinite(original: np.ndarray, finite: np.ndarray) -> bytes:
    """Compact code of where NaN/+Inf/-Inf sit: bit mask + one code per hole, zstd."""
    holes = original[~finite]
    codes = np.where(np.isnan(holes), _NAN, np.where(holes > 0, _POSINF, _NEGINF)).astype(np.uint8)
    payload = np.packbits(~finite.ravel()).tobytes() + codes.tobytes()
    return zstandard.ZstdCompressor(level=19).compress(payload)


def nonfinite_payload_bounds(size: int) -> tuple[int, int]:
    """Fewest and most bytes of a decompressed non-finite mask of ``size`` voxels:
    the bit mask, then one code per hole (at least one hole)."""
    nbits = (size + 7) // 8
    return nbits + 1, nbits + size


def decode_nonfinite(data: bytes, shape: tuple[int, ...]) -> np.ndarray:
    """Return a float array: 0 where finite, NaN/+Inf/-Inf at the holes (from encode_nonfinite)."""
    from .blob import BlobError
    from .limits import decompress

    size = int(np.prod(shape))
    payload = decompress(data, nonfinite_payload_bounds(size)[1], "non-finite mask", exact=False)
    nbits = (size + 7) // 8
    if len(payload) < nbits:
        raise BlobError("corrupted blob: non-finite mask shorter than its chunk")
    holes = np.unpackbits(np.frombuffer(payload[:nbits], np.uint8), count=size).astype(bool)
    codes = np.frombuffer(payload[nbits:], np.uint8)
    if codes.size != holes.sum() or (codes > _NEGINF).any() or (codes == _FINITE).any():
        raise BlobError("corrupted blob: non-finite mask does not match its codes")
    out = np.zeros(size)
    out[holes] = _CODE_VALUES[codes]
    return out.reshape(shape)
