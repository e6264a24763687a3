"""``write``: fill a zarr array chunk by chunk, edge chunks trained and sized on their valid part.

zarr hands a codec each chunk padded to the full chunk shape and never says where the
chunk lies, so ``z[...] = data`` encodes an edge chunk's padding as if it were data.
``write`` knows: it cuts ``data`` into chunks itself, encodes them in batches (in the
active :class:`inrfilter.pool.EncodePool`, or in-process), and stores each blob under
its chunk key.  That is exact only when the inrfilter codec stands alone (format 3:
``serializer=INR(...)``, ``compressors=None``; format 2: ``compressors=INR(...)``, no
filters, C order) and the array is unsharded, since then a chunk's stored bytes are its
blob; ``write`` checks this.  Whole chunks get the blob zarr itself would store.
:mod:`inrfilter.dask` writes the same way on a cluster.
"""

from __future__ import annotations

import itertools
from typing import Any, Iterator, Sequence

import numpy as np

from ..settings import EncodeSettings, encode_chunks


def inr_settings(z: Any) -> EncodeSettings:
    """The settings of ``z``'s inrfilter codec; ValueError unless it stands alone in an
    unsharded array (then a chunk's stored bytes are exactly its blob)."""
    from ..numcodecs import INR as V2INR
    from .codec import INR

    meta = z.metadata
    if meta.zarr_format == 3:
        codecs = tuple(meta.codecs)
        if len(codecs) == 1 and isinstance(codecs[0], INR):
            return codecs[0].settings
        detail = "sharded arrays are written by zarr itself (z[...] = data)" if z.shards else \
            "create it with serializer=INR(...), compressors=None"
        raise ValueError(f"the array's codecs are {codecs}: inrfilter must stand alone; {detail}")
    if isinstance(meta.compressor, V2INR) and not meta.filters and meta.order == "C":
        return meta.compressor.settings
    raise ValueError(f"a zarr format 2 array needs compressors=INR(...), no filters and order 'C'; "
                     f"this one has compressor {meta.compressor}, filters {meta.filters}, order {meta.order}")


def chunk_pieces(block: np.ndarray, region: tuple[slice, ...],
                 chunks: Sequence[int]) -> Iterator[tuple[tuple[int, ...], np.ndarray, tuple[int, ...] | None]]:
    """(chunk coordinates, padded chunk, valid shape or None) of each chunk in ``block``,
    which covers ``region`` of the array (starting on a chunk boundary); the padding
    repeats the edge values (training leaves it out, and it decodes finite)."""
    grid = [range(0, s.stop - s.start, c) for s, c in zip(region, chunks)]
    for local in itertools.product(*grid):
        piece = block[tuple(slice(o, o + c) for o, c in zip(local, chunks))]
        coords = tuple((s.start + o) // c for s, o, c in zip(region, local, chunks))
        if piece.shape == tuple(chunks):
            yield coords, np.ascontiguousarray(piece), None
        else:
            pad = [(0, c - n) for c, n in zip(chunks, piece.shape)]
            yield coords, np.pad(piece, pad, mode="edge"), piece.shape


def encode_pieces(settings: EncodeSettings, pieces: list) -> list[bytes]:
    """Blobs of :func:`chunk_pieces`, trained together (in the active encode pool, if any)."""
    return encode_chunks(settings, [p for _, p, _ in pieces], progress=False, valid=[v for *_, v in pieces])


def store_blobs(z: Any, coords_and_blobs: Sequence[tuple[tuple[int, ...], bytes]]) -> None:
    """Store each blob as the chunk at its coordinates."""
    from zarr.core.buffer import default_buffer_prototype
    from zarr.core.sync import sync

    prototype = default_buffer_prototype()
    for coords, blob in coords_and_blobs:
        key = z.metadata.encode_chunk_key(coords)
        sync((z.store_path / key).set(prototype.buffer.from_bytes(blob)))


def write_region(z: Any, block: np.ndarray, region: tuple[slice, ...], settings: EncodeSettings | None = None) -> int:
    """Encode the chunks of ``block`` (``z[region]``, on chunk boundaries) together and
    store them; the number of chunks."""
    settings = settings or inr_settings(z)
    pieces = list(chunk_pieces(np.asarray(block, dtype=z.dtype), region, z.chunks))
    store_blobs(z, [(c, b) for (c, _, _), b in zip(pieces, encode_pieces(settings, pieces))])
    return len(pieces)


def write(z: Any, data: Any, *, batch: int = 64, progress: bool | None = None) -> int:
    """Fill zarr array ``z`` with ``data`` (an array-like of its shape), ``batch`` chunks
    trained together at a time; returns the chunks written.  With an encode pool
    active, the batches go to its workers.  ``progress``: a bar (None: on a terminal)."""
    settings = inr_settings(z)
    if tuple(data.shape) != tuple(z.shape):
        raise ValueError(f"data of shape {tuple(data.shape)} for an array of shape {z.shape}")
    if not isinstance(batch, int) or isinstance(batch, bool) or batch < 1:
        raise ValueError(f"batch must be a positive integer; got {batch!r}")
    from tqdm.auto import tqdm

    chunks = z.chunks
    total = int(np.prod([-(-n // c) for n, c in zip(z.shape, chunks)]))
    # slabs of whole chunks along the first axis, about ``batch`` chunks each
    per_row = total // -(-z.shape[0] // chunks[0])
    rows = max(1, batch // max(per_row, 1)) * chunks[0]
    written = 0
    with tqdm(total=total, desc="inrfilter zarr write", unit="chunk",
              disable=None if progress is None else not progress) as bar:
        for start in range(0, z.shape[0], rows):
            region = (slice(start, min(start + rows, z.shape[0])),) + tuple(slice(0, n) for n in z.shape[1:])
            n = write_region(z, np.asarray(data[region[0]]), region, settings)
            written += n
            bar.update(n)
    return written
