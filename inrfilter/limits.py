"""Resource limits of one chunk, and zstd decompression that never exceeds them.

A blob comes from anywhere (a file, a network store, an HDF5 chunk someone else
wrote), so every size a reader allocates is derived from header fields that were
checked against these caps first (:mod:`inrfilter.validate`), and every compressed
section is decompressed with the size its header implies as the output limit: a
65 KB blob cannot make a reader allocate gigabytes.

- ``MAX_CHUNK_VOXELS`` (2**26, 64 Mi voxels: 512 MiB of float64, 8192**2 or 406**3):
  the largest chunk the encoder writes and the decoder reads.  The recommended chunk
  sizes (docs/resources.md) are far below it; it exists so that a lying shape is
  refused before anything is allocated.
- ``MAX_PARAMS``: stored network parameters of one chunk (weights section, before
  quantisation), 2**24 (32 MiB as fp16); besides, a network never has more than
  ``PARAMS_PER_VOXEL`` parameters per voxel plus ``PARAMS_SLACK`` (no size target
  >= 1 can use more: a voxel has at most 8 bytes, a parameter at least 1).
"""

from __future__ import annotations

import zstandard

from .blob import BlobError

MAX_CHUNK_VOXELS = 1 << 26
MAX_PARAMS = 1 << 24
PARAMS_PER_VOXEL = 8
PARAMS_SLACK = 1 << 16
#: bytes of method side information in a spec once decompressed (a mask, a partition)
MAX_SIDE_BYTES = 1 << 26

_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def max_params(voxels: int) -> int:
    """The most stored parameters a chunk of ``voxels`` voxels can have."""
    return min(MAX_PARAMS, PARAMS_PER_VOXEL * voxels + PARAMS_SLACK)


def declared_size(data: bytes) -> int | None:
    """The content size a zstd frame declares (None when it does not), or BlobError."""
    if not bytes(data[:4]) == _ZSTD_MAGIC:
        raise BlobError("not a zstd frame")
    try:
        size = zstandard.get_frame_parameters(bytes(data[:18])).content_size
    except zstandard.ZstdError as exc:
        raise BlobError(f"unreadable zstd frame header ({exc})") from exc
    return None if size == zstandard.CONTENTSIZE_UNKNOWN else int(size)


def check_frame(data: bytes, expected: int, what: str, exact: bool = True) -> None:
    """BlobError unless ``data`` is a zstd frame that declares ``expected`` bytes (at
    most ``expected`` when not ``exact``), or declares nothing; cheap, done at parse
    time before anything is decompressed."""
    try:
        size = declared_size(data)
    except BlobError as exc:
        raise BlobError(f"corrupted blob: {what} section is {exc}") from exc
    if size is not None and (size > expected or (exact and size != expected)):
        raise BlobError(f"corrupted blob: {what} section declares {size} bytes, expected "
                        f"{'' if exact else 'at most '}{expected} from its header")


def decompress(data: bytes, expected: int, what: str, exact: bool = True) -> bytes:
    """One zstd frame holding ``expected`` bytes (at most, when ``exact`` is False),
    never allocating more; anything else is a BlobError naming ``what``."""
    check_frame(data, expected, what, exact)
    try:
        raw = zstandard.ZstdDecompressor().decompress(bytes(data), max_output_size=max(1, expected),
                                                      allow_extra_data=False)
    except zstandard.ZstdError as exc:
        raise BlobError(f"corrupted blob: {what} section unreadable ({exc})") from exc
    if len(raw) > expected or (exact and len(raw) != expected):
        raise BlobError(f"corrupted blob: {what} section holds {len(raw)} bytes, expected {expected}")
    return raw
