"""The HDF5 filter's cd_values: encoder settings <-> unsigned 32-bit integers.

HDF5 stores a filter's options as unsigned ints in the dataset's pipeline.  The
user part comes from :class:`inrfilter.h5.INR` (or ``inrfilter cd-values`` for
other programs); the plugin's C ``set_local`` appends the chunk layout when the
dataset is created.  Floats are IEEE float64 split into two values, high 32 bits
first, as hdf5plugin does.  Layout version 1::

    0      layout version (1)
    1      flags: bit 0 ratio, 1 psnr, 2 max_error, 3 seconds given; bit 4 transform "log";
           bits 5-6 effort (0 the default, 1 fast, 2 normal, 3 best)
    2-3    ratio          (float64, high word first)
    4-5    psnr
    6-7    max_error
    8-9    seconds
    10     steps (0: the encoder's default)
    11     seed
    12     quant: 0 fp16, 1 int8, 2 fp32, 3 entropy
    13     device: 0 auto, 1 cpu, 2 cuda
    14     L, byte length of the method section (0: "siren" with its defaults)
    15...  method section: msgpack ``[name, {option: value}]``, 4 bytes per value
           (little-endian), zero-padded
    then, written by set_local (u = 15 + ceil(L/4)):
    u      dtype kind: 0 signed integer, 1 unsigned integer, 2 IEEE float
    u+1    item size in bytes
    u+2    byte order: 0 little-endian, 1 big-endian
    u+3    chunk rank r
    u+4... the r chunk dimensions, slowest-varying first

Decoding never needs any of it (a blob describes itself); the layout only lets the
filter check that a chunk decodes to what the dataset expects.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from typing import Sequence

import msgpack
import numpy as np

from ..chunk import MAX_NDIM
from ..options import OptionError
from ..settings import EncodeSettings
from .plugin import CD_FIXED, CD_MAX, CD_VERSION

QUANT_CODES = {"fp16": 0, "int8": 1, "fp32": 2, "entropy": 3}
DEVICE_CODES = {"auto": 0, "cpu": 1, "cuda": 2}
_KINDS = {0: "i", 1: "u", 2: "f"}
_FLAG_RATIO, _FLAG_PSNR, _FLAG_MAX_ERROR, _FLAG_SECONDS, _FLAG_LOG = 1, 2, 4, 8, 16
EFFORT_CODES = {None: 0, "fast": 1, "normal": 2, "best": 3}
_EFFORT_SHIFT = 5
_UINT_MAX = 2**32 - 1


def pack_float64(value: float) -> tuple[int, int]:
    """A float64 as two uint32: high word, low word."""
    high, low = struct.unpack(">II", struct.pack(">d", value))
    return high, low


def unpack_float64(high: int, low: int) -> float:
    return struct.unpack(">d", struct.pack(">II", high, low))[0]


@dataclass(frozen=True)
class ChunkLayout:
    """The dataset's datatype and chunk shape, as set_local recorded them."""

    dtype: np.dtype
    chunks: tuple[int, ...]


def _method_section(settings: EncodeSettings) -> bytes:
    if settings.method == "siren" and not settings.options:
        return b""
    try:
        return msgpack.packb([settings.method, dict(settings.options)], use_bin_type=True)
    except TypeError as exc:
        raise OptionError(f"method options must be numbers, strings, booleans or lists of them ({exc})") from exc


def check(settings: EncodeSettings) -> EncodeSettings:
    """What the cd_values can hold beyond what every door checks: 32-bit steps and seed,
    and a device by name only (the filter cannot pick a GPU by number)."""
    if settings.steps is not None and settings.steps > _UINT_MAX:
        raise OptionError(f"steps must fit in 32 bits; got {settings.steps}")
    if settings.seed > _UINT_MAX:
        raise OptionError(f"seed must fit in 32 bits for the HDF5 filter; got {settings.seed}")
    if settings.device not in DEVICE_CODES:
        raise OptionError(f"the HDF5 filter trains on device 'auto', 'cpu' or 'cuda'; got {settings.device!r}")
    return settings


def pack(settings: EncodeSettings) -> tuple[int, ...]:
    """The user part of the cd_values (set_local appends the chunk layout)."""
    check(settings)
    flags = ((settings.ratio is not None) * _FLAG_RATIO | (settings.psnr is not None) * _FLAG_PSNR
             | (settings.max_error is not None) * _FLAG_MAX_ERROR | (settings.seconds is not None) * _FLAG_SECONDS
             | (settings.transform == "log") * _FLAG_LOG | EFFORT_CODES[settings.effort] << _EFFORT_SHIFT)
    section = _method_section(settings)
    words = (len(section) + 3) // 4
    padded = section.ljust(4 * words, b"\0")
    values = (
        CD_VERSION, flags,
        *pack_float64(settings.ratio or 0.0), *pack_float64(settings.psnr or 0.0),
        *pack_float64(settings.max_error or 0.0), *pack_float64(settings.seconds or 0.0),
        settings.steps or 0, settings.seed, QUANT_CODES[settings.quant], DEVICE_CODES[settings.device],
        len(section), *struct.unpack(f"<{words}I", padded),
    )
    room = CD_MAX - 4 - MAX_NDIM  # set_local appends 4 + rank values
    if len(values) > room:
        raise OptionError(f"method options take {len(section)} bytes; the HDF5 filter keeps at most "
                         f"{4 * (room - CD_FIXED)}")
    return values


def unpack(cd_values: Sequence[int]) -> tuple[EncodeSettings, ChunkLayout | None]:
    """Settings and (when set_local ran) chunk layout; ValueError naming what is malformed."""
    v = [int(x) for x in cd_values]
    if not v:
        return EncodeSettings(), None
    if v[0] != CD_VERSION:
        raise ValueError(f"cd_values layout version {v[0]}; this inrfilter reads version {CD_VERSION}")
    if len(v) < CD_FIXED:
        raise ValueError(f"{len(v)} cd_values; layout version {CD_VERSION} has at least {CD_FIXED}")
    length = v[CD_FIXED - 1]
    user = CD_FIXED + (length + 3) // 4
    if len(v) < user:
        raise ValueError(f"cd_values end inside the method section ({len(v)} values, {user} expected)")
    flags = v[1]

    def opt_float(i: int, bit: int) -> float | None:
        return unpack_float64(v[i], v[i + 1]) if flags & bit else None

    method, options = "siren", {}
    if length:
        raw = struct.pack(f"<{user - CD_FIXED}I", *v[CD_FIXED:user])[:length]
        try:
            method, options = msgpack.unpackb(raw, raw=False, strict_map_key=False)
        except (ValueError, TypeError, msgpack.UnpackException) as exc:
            raise ValueError(f"cd_values method section unreadable ({exc})") from exc
    quant = {c: q for q, c in QUANT_CODES.items()}.get(v[12])
    device = {c: d for d, c in DEVICE_CODES.items()}.get(v[13])
    if quant is None or device is None:
        raise ValueError(f"cd_values: unknown quant code {v[12]} or device code {v[13]}")
    settings = EncodeSettings(
        method=str(method), ratio=opt_float(2, _FLAG_RATIO), psnr=opt_float(4, _FLAG_PSNR),
        max_error=opt_float(6, _FLAG_MAX_ERROR), steps=v[10] or None, seconds=opt_float(8, _FLAG_SECONDS),
        seed=v[11], transform="log" if flags & _FLAG_LOG else None, quant=quant, device=device,
        effort={c: e for e, c in EFFORT_CODES.items()}[(flags >> _EFFORT_SHIFT) & 3],
        options=tuple(sorted(dict(options).items())),
    )
    return settings, _layout(v[user:])


def _layout(v: list[int]) -> ChunkLayout | None:
    if not v:
        return None
    if len(v) < 4 or len(v) != 4 + v[3]:
        raise ValueError(f"cd_values: malformed chunk layout {v}")
    kind, size, order, rank = v[:4]
    if kind not in _KINDS or order not in (0, 1) or size not in (1, 2, 4, 8):
        raise ValueError(f"cd_values: unknown datatype (kind {kind}, size {size}, order {order})")
    dtype = np.dtype(f"{'<>'[order]}{_KINDS[kind]}{size}")
    chunks = tuple(v[4:])
    if not chunks or min(chunks) < 1 or math.prod(chunks) == 0:
        raise ValueError(f"cd_values: chunk shape {chunks}")
    return ChunkLayout(dtype, chunks)
