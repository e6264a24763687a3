"""What the native HDF5 filter calls: one chunk's bytes in, one chunk's bytes out.

Runs inside HDF5's filter pipeline, with HDF5's lock held: it must never call HDF5
or h5py (hence no h5py import here, nor anywhere inrfilter's core imports from).
Any failure is an exception, logged here and pushed by the C side onto HDF5's error
stack; the write or read then fails (the filter is mandatory: never a raw chunk).
"""

from __future__ import annotations

import logging
import math

import numpy as np

from ..blob import BlobError
from ..decoder import decode
from ..encoder import encode
from . import exit_flush
from .cdvalues import ChunkLayout, unpack

_log = logging.getLogger(__name__)


def encode_chunk(cd_values: list[int], data: memoryview) -> bytes:
    """A raw chunk (the dataset's datatype, C order) -> its blob."""
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
    blob = encode(array, settings.method, progress=False, **settings.encode_kwargs())  # no terminal here
    exit_flush.register()  # unclosed files get flushed before torch's exit handlers
    return blob


def decode_chunk(cd_values: list[int], data: memoryview) -> bytes:
    """A blob -> the raw chunk; BlobError if it is not one of this dataset's chunks."""
    out = decode(data)
    layout = _layout_or_none(cd_values)
    if layout is not None and (out.shape != layout.chunks or out.dtype.itemsize != layout.dtype.itemsize
                               or out.dtype.kind != layout.dtype.kind):
        raise BlobError(f"the chunk holds a {out.shape} {out.dtype} array; this dataset's chunks are "
                        f"{layout.chunks} {layout.dtype}")
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
