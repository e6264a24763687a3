"""The zarr format 3 array -> bytes codec ``inrfilter.inr``.

    zarr.create_array(store, shape=..., chunks=..., dtype="f4",
                      serializer=INR(psnr=40), compressors=None)

- Partial decoding: ``a[roi]`` parses a chunk's blob and evaluates its network at
  the selected voxels only.  zarr decodes partially only when the array->bytes
  codec stands alone, and it appends a Zstd compressor unless told
  ``compressors=None``; a Zstd pass over INR weights gains nothing, so the codec
  warns (:class:`PartialDecodeWarning`) when it finds neighbours.
- Batched encoding: zarr hands a codec ``codec_pipeline.batch_size`` chunks at a
  time (default 1); the batch-level ``encode`` trains them together in one
  :func:`inrfilter.encode_batch` run, in a worker thread, one batch per process at
  a time (:data:`inrfilter.settings.TRAINING_LOCK`).
- Reading needs numpy, not torch.
"""

from __future__ import annotations

import asyncio
import sys
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from zarr.abc.codec import ArrayArrayCodec, ArrayBytesCodec, ArrayBytesCodecPartialDecodeMixin, BytesBytesCodec
from zarr.core.common import JSON, parse_named_configuration
from zarr.registry import register_codec

from ..blob import BlobError
from ..chunk import MAX_NDIM, SUPPORTED_DTYPES
from ..decoder import ParsedChunk
from ..settings import EncodeSettings, encode_chunks
from .selection import select

if TYPE_CHECKING:
    from typing import Self

    from zarr.abc.store import ByteGetter
    from zarr.core.array_spec import ArraySpec
    from zarr.core.buffer import Buffer, NDBuffer
    from zarr.core.chunk_grids import ChunkGrid
    from zarr.core.dtype.wrapper import TBaseDType, TBaseScalar, ZDType
    from zarr.core.indexing import SelectorTuple

NAME = "inrfilter.inr"


class PartialDecodeWarning(UserWarning):
    """Region reads of this array decode whole chunks (a codec sits beside inrfilter.inr)."""


@dataclass(frozen=True)
class INR(ArrayBytesCodecPartialDecodeMixin, ArrayBytesCodec):
    """Each chunk stored as a small neural network fitted to it.

    Parameters are those of :func:`inrfilter.encode`: ``method``, one target
    (``ratio``, ``psnr``) and/or ``max_error``, a budget (``steps``, ``seconds``),
    ``device``, ``seed``, ``transform``, ``quant`` and the method's options.
    ``progress`` (a training bar) is a display choice, kept out of zarr.json.
    """

    is_fixed_size = False

    settings: EncodeSettings
    progress: bool | None = field(default=None, compare=False)

    def __init__(self, method: str = "siren", *, progress: bool | None = None, **kwargs: Any) -> None:
        object.__setattr__(self, "settings", EncodeSettings.create(method, **kwargs))
        object.__setattr__(self, "progress", progress)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.settings.to_json().items())
        return f"{type(self).__name__}({args})"

    # -- metadata ---------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: dict[str, JSON]) -> Self:
        _, configuration = parse_named_configuration(data, NAME, require_configuration=False)
        return cls(**(configuration or {}))  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, JSON]:
        return {"name": NAME, "configuration": self.settings.to_json()}

    def __reduce__(self) -> tuple:
        """Pickled (Dask, multiprocessing) as its zarr.json entry alone."""
        return type(self).from_dict, (self.to_dict(),)

    def validate(
        self, *, shape: tuple[int, ...], dtype: ZDType[TBaseDType, TBaseScalar], chunk_grid: ChunkGrid
    ) -> None:
        check_array_type(len(shape), dtype)
        warn_if_not_alone(self)

    def evolve_from_array_spec(self, array_spec: ArraySpec) -> Self:
        # zarr validates only top-level codecs: inside a shard this is the one check
        check_array_type(len(array_spec.shape), array_spec.dtype)
        warn_if_not_alone(self)
        return self

    def compute_encoded_size(self, input_byte_length: int, chunk_spec: ArraySpec) -> int:
        raise NotImplementedError("inrfilter.inr blobs have a variable size")

    # -- encoding ---------------------------------------------------------------
    async def encode(self, chunks_and_specs: Iterable[tuple[NDBuffer | None, ArraySpec]]) -> Iterable[Buffer | None]:
        """Train the whole batch together (one run per chunk shape and dtype)."""
        items = list(chunks_and_specs)
        arrays = [None if chunk is None else chunk.as_numpy_array() for chunk, _ in items]
        blobs = await asyncio.to_thread(self._train, arrays)
        return [None if blob is None else spec.prototype.buffer.from_bytes(blob)
                for blob, (_, spec) in zip(blobs, items)]

    async def _encode_single(self, chunk_array: NDBuffer, chunk_spec: ArraySpec) -> Buffer | None:
        return next(iter(await self.encode([(chunk_array, chunk_spec)])))

    def _train(self, arrays: list[np.ndarray | None]) -> list[bytes | None]:
        groups: dict[tuple[tuple[int, ...], str], list[int]] = {}
        for i, a in enumerate(arrays):
            if a is not None:
                groups.setdefault((a.shape, a.dtype.str), []).append(i)
        blobs: list[bytes | None] = [None] * len(arrays)
        for members in groups.values():
            for i, blob in zip(members, encode_chunks(self.settings, [arrays[i] for i in members], self.progress)):
                blobs[i] = blob
        return blobs

    # -- decoding ---------------------------------------------------------------
    async def _decode_single(self, chunk_bytes: Buffer, chunk_spec: ArraySpec) -> NDBuffer:
        values = await asyncio.to_thread(decode_selection, chunk_bytes.as_numpy_array(), (), chunk_spec)
        return chunk_spec.prototype.nd_buffer.from_numpy_array(values)

    async def _decode_partial_single(
        self, byte_getter: ByteGetter, selection: SelectorTuple, chunk_spec: ArraySpec
    ) -> NDBuffer | None:
        chunk_bytes = await byte_getter.get(prototype=chunk_spec.prototype)
        if chunk_bytes is None:
            return None
        values = await asyncio.to_thread(decode_selection, chunk_bytes.as_numpy_array(), selection, chunk_spec)
        return chunk_spec.prototype.nd_buffer.from_numpy_array(values)


def decode_selection(blob: np.ndarray, selection: Any, chunk_spec: ArraySpec) -> np.ndarray:
    """``chunk[selection]`` of one stored blob, checked against the chunk zarr expects."""
    chunk = ParsedChunk(blob)
    if chunk.shape != tuple(chunk_spec.shape):
        raise BlobError(f"blob holds a chunk of shape {chunk.shape}; this array's chunks are {chunk_spec.shape}")
    values = select(chunk, selection)
    native = np.dtype(chunk_spec.dtype.to_native_dtype())
    if values.dtype != native:
        if values.dtype.newbyteorder("=") != native.newbyteorder("="):
            raise BlobError(f"blob holds {values.dtype} values; this array's dtype is {native}")
        values = values.astype(native)
    return values


def check_array_type(ndim: int, dtype: ZDType[TBaseDType, TBaseScalar]) -> None:
    native = np.dtype(dtype.to_native_dtype())
    if native.kind not in "fiu" or native.itemsize > 8:
        raise TypeError(f"{NAME} encodes {SUPPORTED_DTYPES}; got {dtype}")
    if not 1 <= ndim <= MAX_NDIM:
        raise ValueError(f"{NAME} encodes arrays of 1 to {MAX_NDIM} dimensions; got {ndim}-d")


def warn_if_not_alone(codec: INR) -> None:
    """Warn when array->array or bytes->bytes codecs sit beside ``codec``: zarr then
    decodes whole chunks for every region read."""
    codecs = _enclosing_codecs(codec)
    others = [c for c in codecs if isinstance(c, (ArrayArrayCodec, BytesBytesCodec))]
    if others:
        names = ", ".join(type(c).__name__ for c in others)
        warnings.warn(
            f"{NAME} sits beside {names}: zarr turns partial decoding off, so every region read "
            f"evaluates whole chunks, and compressing INR weights gains nothing. "
            f"Create the array with compressors=None (and no filters).",
            PartialDecodeWarning,
            stacklevel=2,
        )


def _enclosing_codecs(codec: INR, depth: int = 6) -> tuple[Any, ...]:
    """The codec list that holds ``codec``, from the zarr object checking it, if any.

    zarr shows a codec none of its neighbours, but its codecs are validated and
    evolved by methods of the objects that hold the list (an array's metadata, a
    sharding codec): the nearest caller whose ``self.codecs`` contains ``codec`` is
    its pipeline.  Nothing found (another caller, another zarr) means no warning.
    """
    frame = sys._getframe(1)
    for _ in range(depth):
        frame = frame.f_back
        if frame is None:
            break
        owner = frame.f_locals.get("self")
        codecs = getattr(owner, "codecs", None)
        if owner is not codec and isinstance(codecs, tuple) and any(c is codec for c in codecs):
            return codecs
    return ()


register_codec(NAME, INR)
