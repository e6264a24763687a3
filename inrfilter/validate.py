"""The header validator: a decoded msgpack header and its sections -> a ChunkHeader
whose every field is typed and bounded, before any method code runs.

What it checks (docs/format.md lists the fields):

- ``m`` a known kind or method; ``t`` a dtype string from an allow-list (no numpy
  dtype parsing of arbitrary text); ``s`` 1-4 positive integers whose product is at
  most :data:`~inrfilter.limits.MAX_CHUNK_VOXELS`; ``f`` two numbers (not NaN);
- ``n`` [lo, hi, transform] finite, lo < hi, a finite span; ``q`` a known
  quantisation; ``v`` the constant, finite or NaN, an integer within the dtype's
  range for integer chunks; ``r`` [step, code] with a finite positive step;
- the spec through the method's own ``check_spec``; then its parameter count
  against :func:`~inrfilter.limits.max_params`;
- which sections each kind has, and for every zstd section the size its frame
  declares against the size the header implies (lossless copy, residual, weights,
  non-finite mask), so the reader never decompresses more than the header allows.

Anything wrong is a :class:`~inrfilter.blob.BlobError`.  After this, an exception
from method code is a bug in inrfilter, and the decoder lets it propagate.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .blob import BlobError
from .chunk import MAX_NDIM, TRANSFORMS, Normalisation, nonfinite_payload_bounds
from .fidelity import RESIDUAL_TYPES
from .header import CONSTANT, LOSSLESS, SECTION_NAMES, ChunkHeader
from .limits import MAX_CHUNK_VOXELS, check_frame, max_params
from .methods import get_method
from .methods.base import Method
from .quant import QUANTS, packed_nbytes

#: every dtype a blob may declare, by the exact string ``np.dtype.str`` writes
DTYPES: dict[str, np.dtype] = {
    np.dtype(f"{order}{kind}{size}").str: np.dtype(f"{order}{kind}{size}")
    for kind, sizes in (("i", (1, 2, 4, 8)), ("u", (1, 2, 4, 8)), ("f", (2, 4, 8)))
    for size in sizes for order in "<>"
}
_KEYS = set("mtsfpnqvr")


def _fail(what: str) -> BlobError:
    return BlobError(f"corrupted blob header: {what}")


def _number(value: Any, what: str, *, nan: bool = False, inf: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(f"{what} must be a number; got {type(value).__name__}")
    v = float(value)
    if (math.isnan(v) and not nan) or (math.isinf(v) and not inf):
        raise _fail(f"{what} must be finite; got {v}")
    return v


def _shape(value: Any) -> tuple[int, ...]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_NDIM:
        raise _fail(f"shape must be a list of 1 to {MAX_NDIM} lengths")
    if not all(isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= MAX_CHUNK_VOXELS for n in value):
        raise _fail(f"shape {value!r:.80} must hold positive integers")
    if math.prod(value) > MAX_CHUNK_VOXELS:
        raise _fail(f"shape {value} has more than {MAX_CHUNK_VOXELS} voxels, the most a chunk may hold")
    return tuple(value)


def _norm(value: Any) -> Normalisation:
    if not isinstance(value, list) or len(value) != 3 or value[2] not in TRANSFORMS:
        raise _fail("normalisation must be [lo, hi, transform]")
    lo, hi = _number(value[0], "normalisation lo"), _number(value[1], "normalisation hi")
    if not lo < hi:
        raise _fail(f"normalisation range [{lo}, {hi}] is empty")
    norm = Normalisation(lo, hi, value[2])
    with np.errstate(over="ignore"):
        span, slope = norm._span, norm.slope()
    if not (math.isfinite(span) and span > 0 and math.isfinite(slope)):
        raise _fail(f"normalisation [{lo}, {hi}, {value[2]}] has no finite scale")
    return norm


def _constant(value: Any, dtype: np.dtype) -> float | int:
    if dtype.kind in "iu" and isinstance(value, int) and not isinstance(value, bool):
        info = np.iinfo(dtype)
        if not info.min <= value <= info.max:
            raise _fail(f"constant {value} is outside the range of {dtype}")
        return value
    return _number(value, "constant value", nan=True)


def _residual(value: Any) -> tuple[float, str]:
    if not isinstance(value, list) or len(value) != 2 or not isinstance(value[1], str) or value[1] not in RESIDUAL_TYPES:
        raise _fail("residual must be [step, type code]")
    step = _number(value[0], "residual step")
    if not step > 0:
        raise _fail(f"residual step must be positive; got {step}")
    return step, value[1]


def parse(raw: Any, sections: dict[str, bytes]) -> ChunkHeader:
    """Validate a decoded header against its sections; BlobError on anything amiss."""
    if not isinstance(raw, dict) or not all(isinstance(k, str) for k in raw):
        raise _fail("not a map of field names")
    unknown = set(raw) - _KEYS
    if unknown:
        raise _fail(f"unknown fields {sorted(unknown)}")
    for key in "mtsf":
        if key not in raw:
            raise _fail(f"missing field {key!r}")
    method = raw["m"]
    if not isinstance(method, str):
        raise _fail("method must be a name")
    if not isinstance(raw["t"], str) or raw["t"] not in DTYPES:
        raise _fail(f"dtype {raw['t']!r:.40} cannot be encoded")
    dtype = DTYPES[raw["t"]]
    shape = _shape(raw["s"])
    if not isinstance(raw["f"], list) or len(raw["f"]) != 2:
        raise _fail("fidelity must be [psnr, max abs error]")
    psnr = _number(raw["f"][0], "psnr", inf=True)
    err = _number(raw["f"][1], "max abs error", inf=True)
    unknown_sections = set(sections) - set(SECTION_NAMES)
    if unknown_sections:
        raise BlobError(f"corrupted blob: unknown sections {sorted(unknown_sections)}")

    voxels = math.prod(shape)
    allowed = {CONSTANT: set("vn"), LOSSLESS: set()}.get(method, set("pnqr"))
    extra = set(raw) - set("mtsf") - allowed
    if extra:
        raise _fail(f"fields {sorted(extra)} do not belong to a {method!r} chunk")
    header = ChunkHeader(method, dtype, shape, psnr, err)
    if method == CONSTANT:
        if "v" not in raw:
            raise _fail("constant chunk without its value")
        header.constant = _constant(raw["v"], dtype)
        _sections(sections, required=set(), optional={"n"})
    elif method == LOSSLESS:
        _sections(sections, required={"l"}, optional=set())
        check_frame(sections["l"], voxels * dtype.itemsize, "lossless")
    else:
        try:
            m = get_method(method)
        except ValueError:
            raise BlobError(f"blob uses method {method!r}, which this inrfilter does not know") from None
        if "n" not in raw or raw.get("q") not in QUANTS:
            raise _fail("network chunk without normalisation or quantisation")
        header.norm, header.quant = _norm(raw["n"]), raw["q"]
        header.residual = _residual(raw["r"]) if "r" in raw else None
        _sections(sections, required={"w"} | ({"r"} if header.residual else set()), optional={"n"})
        spec = raw.get("p", {})
        m.check_spec(spec, shape)  # BlobError naming the field; method code below sees a valid spec
        header.spec = dict(spec)
        shapes = m.param_shapes(header.spec, shape)
        count = sum(math.prod(s) for s in shapes.values())
        if count > max_params(voxels):
            raise _fail(f"{method} spec asks for {count} parameters; a {shape} chunk has at most "
                        f"{max_params(voxels)}")
        if type(m).unpack_params is Method.unpack_params and header.quant != "entropy":  # one zstd frame
            check_frame(sections["w"], packed_nbytes(shapes, header.quant), "weights")
        # else the section is entropy-coded (inrfilter.entropy: the quant "entropy", or a
        # method's own codec such as latent's), its decoder bounded by the counts the
        # validated spec gives; a ValueError from it is a BlobError
        if header.residual is not None:
            check_frame(sections["r"], voxels * np.dtype(RESIDUAL_TYPES[header.residual[1]]).itemsize, "residual")
    if "n" in sections:
        check_frame(sections["n"], nonfinite_payload_bounds(voxels)[1], "non-finite mask", exact=False)
    return header


def _sections(sections: dict[str, bytes], required: set[str], optional: set[str]) -> None:
    missing = required - set(sections)
    if missing:
        names = ", ".join(SECTION_NAMES[k] for k in sorted(missing))
        raise BlobError(f"corrupted blob: chunk without its {names} section")
    extra = set(sections) - required - optional
    if extra:
        names = ", ".join(SECTION_NAMES[k] for k in sorted(extra))
        raise BlobError(f"corrupted blob: {names} section does not belong to this chunk")
