"""The blob container: bytes <-> (format version, header, sections); docs/format.md
describes every byte.

Layout (little-endian)::

    magic b"INRF" | version u8 | total length u32 | header length u32 | header | sections | crc32 u32

The magic, the version byte, the total length and the trailing CRC-32 (over every
byte before it) are fixed for all format versions, so any reader can tell a
truncated, corrupted or newer blob apart before it looks at the header.

The header is a msgpack map (compact: it counts in the compression ratio).  Its
``"sec"`` entry lists ``[section name, byte length]`` in storage order; the
sections follow the header back to back.  This module knows nothing about what
the header or the sections mean.
"""

from __future__ import annotations

import struct
import zlib
from typing import Any

import msgpack

MAGIC = b"INRF"
#: 2: weights may be entropy-coded (quantisation "entropy"); nothing else changed, and
#: every version-1 blob reads as before
FORMAT_VERSION = 2
SUPPORTED_VERSIONS = (1, 2)
_PREAMBLE = struct.Struct("<4sBII")
_CRC = struct.Struct("<I")
MIN_BLOB_SIZE = _PREAMBLE.size + _CRC.size


class BlobError(ValueError):
    """A blob that cannot be read: truncated, corrupted, foreign or too new."""


def pack(header: dict[str, Any], sections: dict[str, bytes]) -> bytes:
    """Serialise ``header`` and ``sections`` (kept in insertion order) to a blob."""
    header = dict(header, sec=[[name, len(data)] for name, data in sections.items()])
    head = msgpack.packb(header, use_bin_type=True)
    body = b"".join(sections.values())
    total = _PREAMBLE.size + len(head) + len(body) + _CRC.size
    if total >= 2**32:
        raise ValueError(f"blob of {total} bytes exceeds the 4 GiB format limit")
    out = _PREAMBLE.pack(MAGIC, FORMAT_VERSION, total, len(head)) + head + body
    return out + _CRC.pack(zlib.crc32(out))


def as_bytes(blob: Any) -> bytes:
    """Accept bytes, bytearray, memoryview or a numpy buffer; refuse anything else."""
    if isinstance(blob, bytes):
        return blob
    try:
        return memoryview(blob).cast("B").tobytes()
    except TypeError as exc:
        raise BlobError(f"a blob must be bytes-like, not {type(blob).__name__}") from exc


def unpack(blob: Any) -> tuple[int, dict[str, Any], dict[str, bytes]]:
    """Verify and split a blob; raise BlobError saying what is wrong with it."""
    data = as_bytes(blob)
    if len(data) < MIN_BLOB_SIZE:
        if data and not MAGIC.startswith(data[:4]):
            raise BlobError("not an inrfilter blob (wrong magic bytes)")
        raise BlobError(f"truncated blob: {len(data)} bytes, shorter than any blob ({MIN_BLOB_SIZE})")
    magic, version, total, head_len = _PREAMBLE.unpack_from(data)
    if magic != MAGIC:
        raise BlobError(f"not an inrfilter blob (magic {magic!r}, expected {MAGIC!r})")
    if len(data) < total:
        raise BlobError(f"truncated blob: {len(data)} of {total} bytes")
    if len(data) > total:
        raise BlobError(f"corrupted blob: {len(data) - total} bytes beyond the declared length {total}")
    (crc,) = _CRC.unpack_from(data, total - _CRC.size)
    if zlib.crc32(data[: total - _CRC.size]) != crc:
        raise BlobError("corrupted blob: checksum mismatch")
    if version not in SUPPORTED_VERSIONS:
        newest = max(SUPPORTED_VERSIONS)
        if version > newest:
            raise BlobError(
                f"blob format version {version} is newer than this inrfilter reads "
                f"(up to {newest}); upgrade inrfilter"
            )
        raise BlobError(f"unknown blob format version {version}")
    body_end = total - _CRC.size
    head_end = _PREAMBLE.size + head_len
    if head_end > body_end:
        raise BlobError("corrupted blob: header length runs past the end")
    try:
        header = msgpack.unpackb(data[_PREAMBLE.size : head_end], raw=False, strict_map_key=False)
    except Exception as exc:  # msgpack raises several unrelated types
        raise BlobError(f"corrupted blob header: {exc}") from exc
    if not isinstance(header, dict) or not isinstance(header.get("sec"), list):
        raise BlobError("corrupted blob header: no section table")
    sections: dict[str, bytes] = {}
    pos = head_end
    for entry in header.pop("sec"):
        if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[1], int) and entry[1] >= 0):
            raise BlobError("corrupted blob header: bad section table entry")
        name, size = entry
        sections[str(name)] = data[pos : pos + size]
        pos += size
    if pos != body_end:
        raise BlobError(f"corrupted blob: sections cover {pos - head_end} of {body_end - head_end} bytes")
    return version, header, sections
