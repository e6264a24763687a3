"""What the native HDF5 filter calls: one chunk's bytes in, one chunk's bytes out.

Runs inside HDF5's filter pipeline, with HDF5's lock held: it must never call HDF5
or h5py (hence no h5py import here, nor anywhere inrfilter's core imports from).
Any failure is an exception, logged here and pushed by the C side onto HDF5's error
stack; the write or read then fails (the filter is mandatory: never a raw chunk).
"""

from __future__ import annotations

import hashlib
import logging
import math

import numpy as np

from ..blob import BlobError
from ..decoder import decode, read
from ..encoder import check_chunk_target, encode, torch_device
from ..settings import EncodeSettings
from . import exit_flush
from .cdvalues import ChunkLayout, unpack

_log = logging.getLogger(__name__)


def encode_chunk(cd_values: list[int], data: memoryview, closing: bool = False) -> bytes:
    """A raw chunk (the dataset's datatype, C order) -> its blob.

    ``closing``: HDF5 is closing the dataset or file.  A filter failure there corrupts
    HDF5's state (a segfault follows: HDF5 issue #6601), so an encoder failure then
    stores the chunk losslessly and is recorded in :data:`CLOSE_FAILURES` (h5py's
    ``File.close`` raises it, see :mod:`.close_check`); anywhere else it fails the
    write or flush.  A chunk whose encoding failed before comes back at the next flush
    or close: it is stored losslessly too (the failure was reported then)."""
    settings, layout = unpack(cd_values)
    if layout is None:
        raise ValueError(
            "the dataset's filter options lack the datatype and chunk shape that the plugin's set_local "
            "records when the dataset is created: the plugin was not loaded then (with HDF5 1.10, call "
            "H5Zfilter_avail before creating the dataset)"
        )
    if len(data) != math.prod(layout.chunks) * layout.dtype.itemsize:
        raise ValueError(f"chunk of {len(data)} bytes; a {layout.chunks} {layout.dtype} chunk has "
                         f"{math.prod(layout.chunks) * layout.dtype.itemsize}")
    array = np.frombuffer(data, layout.dtype).reshape(layout.chunks)
    key = _chunk_key(cd_values, data)
    if key in _FAILED:
        # HDF5 hands a chunk whose encoding failed back at the next flush or close; a
        # filter failure while a dataset or file closes corrupts HDF5's state (HDF5
        # issue #6601: a segfault later).  The failure was reported the first time:
        # now keep the data, exactly, and say so.
        _FAILED.pop(key)
        _log.error("inrfilter: storing a chunk losslessly whose encoding failed before (%s)", settings)
        return encode(array, max_error=0, progress=False)
    try:
        blob = encode(array, settings.method, progress=False, **settings.encode_kwargs())  # no terminal here
    except Exception as exc:
        if closing:
            message = failure(exc, False)
            CLOSE_FAILURES.append(message)
            _log.error("inrfilter: HDF5 is closing the dataset: storing the chunk losslessly instead")
            return encode(array, max_error=0, progress=False)
        if len(_FAILED) >= _MAX_FAILED:
            _FAILED.pop(next(iter(_FAILED)))
        _FAILED[key] = None
        global WRITE_FAILURE_COUNT
        WRITE_FAILURES[:] = [*WRITE_FAILURES[-15:], f"{type(exc).__name__}: {exc}"]
        WRITE_FAILURE_COUNT += 1
        raise
    exit_flush.register()  # unclosed files get flushed before torch's exit handlers
    return blob


#: encoder failures met while HDF5 closed a dataset or file (messages, oldest first)
CLOSE_FAILURES: list[str] = []
#: the last encoder failures that failed a write or flush (HDF5 2.0 drops a filter's
#: own message, so h5py's error only says "filter returned failure")
WRITE_FAILURES: list[str] = []
WRITE_FAILURE_COUNT = 0
#: chunks (settings + bytes digests) whose encoding failed, oldest first
_FAILED: dict[bytes, None] = {}
_MAX_FAILED = 4096


def _chunk_key(cd_values: list[int], data: memoryview) -> bytes:
    digest = hashlib.blake2b(digest_size=16)
    digest.update(np.asarray(cd_values, np.uint32).tobytes())
    digest.update(data)
    return digest.digest()


def check_settings(cd_values: list[int]) -> None:
    """What set_local asks when a dataset is created: ValueError unless these settings
    can encode the dataset's chunks (settings readable, options valid, an explicit
    ratio reachable for the chunk shape, a CUDA device present when asked for), so a
    bad setting fails at creation instead of at a flush."""
    settings, layout = unpack(cd_values)
    settings = EncodeSettings.create(settings.method, **settings.encode_kwargs())
    if layout is None:
        raise ValueError("cd_values without the chunk layout set_local appends")
    check_chunk_target(settings.method, layout.chunks, layout.dtype, ratio=settings.ratio, quant=settings.quant,
                       **dict(settings.options))
    if settings.device.startswith("cuda"):
        torch_device(settings.device)  # ImportError/RuntimeError when there is no CUDA


def decode_chunk(cd_values: list[int], data: memoryview) -> bytes:
    """A blob -> the raw chunk; BlobError if it is not one of this dataset's chunks.

    The header's shape and dtype are compared with the dataset's chunk layout before
    anything is decoded: a hostile chunk fails at once instead of evaluating a network
    on whatever grid its header claims."""
    layout = _layout_or_none(cd_values)
    _, header, _ = read(data)
    if layout is not None and (header.shape != layout.chunks or header.dtype.itemsize != layout.dtype.itemsize
                               or header.dtype.kind != layout.dtype.kind):
        raise BlobError(f"the chunk holds a {header.shape} {header.dtype} array; this dataset's chunks are "
                        f"{layout.chunks} {layout.dtype}")
    out = decode(data)
    if layout is not None and out.dtype != layout.dtype:
        out = out.astype(layout.dtype)  # same values, the dataset's byte order
    return out.tobytes()


def _layout_or_none(cd_values: list[int]) -> ChunkLayout | None:
    """Reading does not depend on the encoder settings: ignore a section we cannot parse."""
    try:
        return unpack(cd_values)[1]
    except ValueError:
        return None


def failure(exc: BaseException, reverse: bool) -> str:
    """Log a failed chunk and return the line the C side pushes onto HDF5's error stack.

    Logged because HDF5 2.0 (h5py's wheels) drops what a filter pushes, leaving only
    "filter returned failure"; with HDF5 1.10 (Debian's h5dump, C programs) both show."""
    what = "reading a chunk" if reverse else "writing a chunk"
    kind = "" if isinstance(exc, BlobError) else f"{type(exc).__name__}: "
    message = f"inrfilter: {what} failed: {kind}{exc}"
    if reverse:  # HDF5 tells a filter neither the dataset nor the chunk
        message += " (`inrfilter h5-verify FILE` names the dataset and chunk)"
    _log.error("%s", message)
    return message
