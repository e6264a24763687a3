"""``write``: fill an inrfilter HDF5 dataset at full speed, with direct chunk writes.

HDF5 calls a filter one chunk at a time under its global lock, so a plain
``dataset[...] = data`` trains one network after another on one device.  ``write``
encodes whole rows of chunks together, in the active :class:`inrfilter.pool.EncodePool`
(or in-process, batched, when there is none), with the dataset's own filter settings
(its cd_values), and writes the blobs with ``write_direct_chunk`` from the calling
thread only (HDF5 is not written from several threads or processes at once).

Edge chunks are padded to the full chunk shape (a shorter blob would read back
wrong) and their networks are trained and sized on the valid voxels only: a
1065x1030 frame in 256x256 chunks pays for 1065x1030 voxels, not 1280x1280.  The
padding decodes to finite values (the nearest valid ones, roughly); HDF5 never shows
it.  Interior chunks get the very blob the filter would have written.
"""

from __future__ import annotations

import collections
import itertools
import math
import time
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

import h5py
import numpy as np

from ..encoder import encode_batch
from ..pool.active import active_pool
from .cdvalues import unpack
from .plugin import FILTER_ID
from .read import _check_dataset


@dataclass
class WriteResult:
    """What ``write`` did: chunks written, the bytes they hold and take, and how long."""

    chunks: int = 0
    raw_bytes: int = 0
    stored_bytes: int = 0
    seconds: float = 0.0

    @property
    def ratio(self) -> float:
        return self.raw_bytes / self.stored_bytes if self.stored_bytes else math.inf


def write(dataset: h5py.Dataset, data: Any, pool: Any = None, *, batch: int = 64,
          progress: bool | None = None) -> WriteResult:
    """Encode ``data`` into ``dataset`` (created with ``**inrfilter.h5.INR(...)``) chunk by chunk.

    ``data``: an array-like of the dataset's shape (numpy, h5py, zarr, dask: anything
    with ``shape`` and slicing; read one row of chunks at a time), or an iterable of
    slabs along the first axis (frames as a detector makes them; any number of rows
    each), which may grow a dataset made with ``maxshape=(None, ...)``.
    ``pool``: the :class:`inrfilter.pool.EncodePool` to encode in (default: the active
    one; none: in this process, ``batch`` chunks trained together).  ``progress``: a
    bar when encoding in-process (a pool shows its own); None: on a terminal only.
    """
    chunks = _check_dataset(dataset)
    settings, layout = unpack(dataset.id.get_create_plist().get_filter_by_id(FILTER_ID)[1])
    if layout is not None and (layout.chunks != chunks or layout.dtype.itemsize != dataset.dtype.itemsize):
        raise ValueError(f"dataset {dataset.name}: its filter options record {layout.chunks} {layout.dtype} chunks; "
                         f"the dataset has {chunks} {dataset.dtype}")
    if not isinstance(batch, int) or isinstance(batch, bool) or batch < 1:
        raise ValueError(f"batch must be a positive integer; got {batch!r}")
    pool = pool if pool is not None else active_pool()
    total = math.prod(-(-n // c) for n, c in zip(data.shape, chunks)) if hasattr(data, "shape") else None
    writer = _Writer(dataset, chunks, settings, pool, batch, progress, total)
    start = time.perf_counter()
    try:
        for row_start, row in _rows(dataset, chunks, data):
            writer.add_row(row_start, row)
        writer.flush()
    except BaseException:
        writer.cancel()
        raise
    finally:
        writer.close()
    writer.result.seconds = time.perf_counter() - start
    return writer.result


def _rows(dataset: h5py.Dataset, chunks: tuple[int, ...], data: Any) -> Iterator[tuple[int, np.ndarray]]:
    """(first index, values) of each row of chunks along axis 0, in the dataset's dtype."""
    if hasattr(data, "shape") and hasattr(data, "__getitem__"):
        shape = tuple(data.shape)
        if shape != dataset.shape:
            if len(shape) != dataset.ndim or shape[1:] != dataset.shape[1:]:
                raise ValueError(f"data of shape {shape} for dataset {dataset.name} of shape {dataset.shape}")
            _grow(dataset, shape[0])
        for i in range(0, shape[0], chunks[0]):
            yield i, np.asarray(data[i:i + chunks[0]], dtype=dataset.dtype)
        return
    if not isinstance(data, Iterable):
        raise TypeError(f"data must be an array-like or an iterable of slabs along axis 0; got {type(data).__name__}")
    pending: list[np.ndarray] = []
    held, written = 0, 0
    for slab in data:
        slab = np.asarray(slab, dtype=dataset.dtype)
        if slab.ndim == dataset.ndim - 1:
            slab = slab[np.newaxis]  # one frame
        if slab.shape[1:] != dataset.shape[1:]:
            raise ValueError(f"slab of shape {slab.shape} for dataset {dataset.name} of shape {dataset.shape}")
        pending.append(slab)
        held += len(slab)
        while held >= chunks[0]:
            rows = np.concatenate(pending)
            _grow(dataset, written + chunks[0])
            yield written, rows[:chunks[0]]
            pending, held, written = [rows[chunks[0]:]], held - chunks[0], written + chunks[0]
    if held:
        _grow(dataset, written + held)
        yield written, np.concatenate(pending)
        written += held
    if written < dataset.shape[0]:
        raise ValueError(f"the slabs held {written} rows; dataset {dataset.name} has {dataset.shape[0]}")


def _grow(dataset: h5py.Dataset, rows: int) -> None:
    if rows <= dataset.shape[0]:
        return
    limit = dataset.maxshape[0]
    if limit is not None and rows > limit:
        raise ValueError(f"{rows} rows for dataset {dataset.name} of shape {dataset.shape} "
                         f"(maxshape {dataset.maxshape})")
    dataset.resize(rows, axis=0)


class _Writer:
    """Encodes chunks (pool futures or in-process batches) and writes them in order."""

    def __init__(self, dataset: h5py.Dataset, chunks: tuple[int, ...], settings: Any, pool: Any, batch: int,
                 progress: bool | None, total: int | None):
        self.dataset, self.chunks, self.settings, self.pool, self.batch = dataset, chunks, settings, pool, batch
        self.result = WriteResult()
        self.waiting: collections.deque = collections.deque()  # (offset, nbytes, future or array, valid)
        workers = len(pool.specs) if pool is not None else 1
        self.in_flight = max(2 * batch, 2 * workers * getattr(pool, "max_batch", batch))
        self.bar = None
        if pool is None and progress is not False:
            from tqdm.auto import tqdm

            self.bar = tqdm(desc=f"inrfilter h5.write {dataset.name}", unit="chunk", total=total,
                            disable=None if progress is None else not progress)

    def add_row(self, row_start: int, row: np.ndarray) -> None:
        grid = [range(0, n, c) for n, c in zip(row.shape[1:], self.chunks[1:])]
        for rest in itertools.product(*grid):
            local = (slice(0, row.shape[0]),) + tuple(slice(o, o + c) for o, c in zip(rest, self.chunks[1:]))
            block = row[local]
            padded = block if block.shape == self.chunks else np.pad(
                block, [(0, c - n) for c, n in zip(self.chunks, block.shape)], mode="edge")
            offset = (row_start, *rest)
            valid = None if block.shape == self.chunks else block.shape
            if self.pool is not None:
                future = self.pool.submit(padded, self.settings.method, valid=valid,
                                          name=f"{self.dataset.name} chunk at {offset}",
                                          **self.settings.encode_kwargs())
                self.waiting.append((offset, block.nbytes, future, valid))
                while len(self.waiting) > self.in_flight:
                    self._write_next()
            else:
                self.waiting.append((offset, block.nbytes, padded, valid))
                if len(self.waiting) >= self.batch:
                    self._encode_here()

    def _encode_here(self) -> None:
        items = list(self.waiting)
        self.waiting.clear()
        blobs = encode_batch([a for _, _, a, _ in items], self.settings.method, valid=[v for *_, v in items],
                             progress=False, **self.settings.encode_kwargs())
        for (offset, nbytes, _, _), blob in zip(items, blobs):
            self._store(offset, nbytes, blob)

    def _write_next(self) -> None:
        offset, nbytes, future, _ = self.waiting.popleft()
        self._store(offset, nbytes, future.result())

    def _store(self, offset: tuple[int, ...], nbytes: int, blob: bytes) -> None:
        self.dataset.id.write_direct_chunk(offset, blob, filter_mask=0)
        self.result.chunks += 1
        self.result.raw_bytes += nbytes
        self.result.stored_bytes += len(blob)
        if self.bar is not None:
            self.bar.update(1)

    def flush(self) -> None:
        if self.pool is not None:
            while self.waiting:
                self._write_next()
        elif self.waiting:
            self._encode_here()

    def cancel(self) -> None:
        for _, _, item, _ in self.waiting:
            if hasattr(item, "cancel"):
                item.cancel()
        self.waiting.clear()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
