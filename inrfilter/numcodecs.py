"""numcodecs codec: inrfilter as a zarr format 2 compressor (codec id ``inrfilter``).

    zarr.create_array(store, shape=..., chunks=..., dtype="f4", zarr_format=2,
                      compressors=INR(psnr=40))

numcodecs codecs see a chunk as the memory it occupies.  zarr hands ``encode`` the
full chunk (edge chunks padded with the fill value), C- or F-contiguous as the
array's ``order`` says, and rebuilds the chunk from the decoded buffer's memory,
flattened in the order it is laid out.  So an F-ordered chunk is encoded as its
memory reads in C order, the transpose: decoding then gives back that memory, and
the network fits the same values either way.  Reading needs numpy, not torch.
Each call trains one chunk (``encode_batch`` trains several); with an encode pool
active (:mod:`inrfilter.pool`), zarr's concurrent calls share the pool's batches.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from numcodecs.abc import Codec
from numcodecs.compat import ensure_contiguous_ndarray, ensure_ndarray, ndarray_copy
from numcodecs.registry import register_codec

from .decoder import decode
from .settings import EncodeSettings, encode_chunks


def memory_order(buf: Any) -> np.ndarray:
    """The array whose C order is ``buf``'s memory order (F-contiguous -> transpose)."""
    array = ensure_ndarray(buf)
    if array.flags.c_contiguous:
        return array
    if array.flags.f_contiguous:
        return array.T
    return np.ascontiguousarray(array)


class INR(Codec):
    """Each chunk stored as a small neural network fitted to it.

    Parameters are those of :func:`inrfilter.encode`: ``method``, one target
    (``ratio``, ``psnr``) and/or ``max_error``, a budget (``steps``, ``seconds``),
    ``device``, ``seed``, ``transform``, ``quant`` and the method's options.
    ``progress`` (a training bar) is a display choice, kept out of the config.
    """

    codec_id = "inrfilter"

    def __init__(self, method: str = "siren", *, progress: bool | None = None, **kwargs: Any):
        self.settings = EncodeSettings.create(method, **kwargs)
        self.progress = progress

    def encode(self, buf: Any) -> bytes:
        return encode_chunks(self.settings, [memory_order(buf)], self.progress)[0]

    def encode_batch(self, bufs: Sequence[Any]) -> list[bytes]:
        """Encode several chunks, training those of one shape and dtype together (in
        the active encode pool, if any).  zarr calls ``encode`` once per chunk, from
        several threads at once: with a pool active those calls share batches too."""
        arrays = [memory_order(b) for b in bufs]
        groups: dict[tuple, list[int]] = {}
        for i, a in enumerate(arrays):
            groups.setdefault((a.shape, a.dtype.str), []).append(i)
        blobs: list[bytes] = [b""] * len(arrays)
        for members in groups.values():
            for i, blob in zip(members, encode_chunks(self.settings, [arrays[i] for i in members], self.progress)):
                blobs[i] = blob
        return blobs

    def decode(self, buf: Any, out: Any = None) -> np.ndarray:
        values = decode(ensure_contiguous_ndarray(buf))
        return ndarray_copy(values, out)

    def get_config(self) -> dict[str, Any]:
        return {"id": self.codec_id, **self.settings.to_json()}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "INR":
        config = dict(config)
        config.pop("id", None)
        return cls(**config)

    def __reduce__(self) -> tuple:
        """Pickled (Dask, multiprocessing) as its configuration alone."""
        return type(self).from_config, (self.get_config(),)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.settings.to_json().items())
        return f"{type(self).__name__}({args})"


register_codec(INR)
