"""Reading inrfilter datasets chunk by chunk, without HDF5's filter pipeline: a region
or continuous points touching only the chunks involved, and ``verify``, which names
damaged chunks (a plain HDF5 read cannot: HDF5 tells a filter neither the dataset
nor the chunk).  None of it needs the native plugin."""

from __future__ import annotations

import itertools
from typing import Any

import h5py
import numpy as np
from scipy import ndimage

from ..blob import BlobError
from ..chunk import cast
from ..decoder import ParsedChunk
from ..grid import Region, check_points, normalise_selection
from .plugin import FILTER_ID


class _ArrayChunk:
    """A chunk HDF5 holds unfiltered (never written, or the filter skipped), read like a blob."""

    def __init__(self, array: np.ndarray):
        self.array = array

    def region(self, region: Region) -> np.ndarray:
        return self.array[region]

    def points(self, coords: np.ndarray) -> np.ndarray:
        data = self.array.astype(np.float64)
        values = ndimage.map_coordinates(data, np.moveaxis(coords, -1, 0), order=1, mode="nearest")
        return cast(values, self.array.dtype)


def _filters(dataset: h5py.Dataset) -> list[int]:
    plist = dataset.id.get_create_plist()
    return [plist.get_filter(i)[0] for i in range(plist.get_nfilters())]


def is_inrfilter_dataset(dataset: h5py.Dataset) -> bool:
    """Whether ``dataset`` is one that read_region, sample and verify read: chunked,
    with inrfilter its only filter."""
    return dataset.chunks is not None and _filters(dataset) == [FILTER_ID]


def _check_dataset(dataset: h5py.Dataset) -> tuple[int, ...]:
    """Chunk shape of a dataset whose pipeline is the inrfilter filter alone."""
    if dataset.chunks is None:
        raise ValueError(f"dataset {dataset.name} is not chunked, so it is not compressed with inrfilter")
    filters = _filters(dataset)
    if filters != [FILTER_ID]:
        raise ValueError(f"dataset {dataset.name} has filters {filters}; read_region and sample read "
                         f"datasets whose only filter is inrfilter ({FILTER_ID})")
    return dataset.chunks


def _chunk(dataset: h5py.Dataset, offset: tuple[int, ...]):
    """The chunk at ``offset`` as something with ``region`` and ``points``."""
    chunks = dataset.chunks
    info = dataset.id.get_chunk_info_by_coord(offset)
    if info.byte_offset is None:  # never written: the fill value
        return _ArrayChunk(np.full(chunks, dataset.fillvalue, dataset.dtype))
    filter_mask, data = dataset.id.read_direct_chunk(offset)
    if filter_mask & 1:  # the filter was skipped for this chunk: raw bytes
        return _ArrayChunk(np.frombuffer(data, dataset.dtype).reshape(chunks))
    chunk = ParsedChunk(data)
    if chunk.shape != chunks or chunk.h.dtype.kind != dataset.dtype.kind \
            or chunk.h.dtype.itemsize != dataset.dtype.itemsize:
        raise BlobError(f"the chunk holds a {chunk.shape} {chunk.h.dtype} array; this dataset's chunks are "
                        f"{chunks} {dataset.dtype}")
    return chunk


def _fail(dataset: h5py.Dataset, offset: tuple[int, ...], exc: BlobError) -> BlobError:
    return BlobError(f"dataset {dataset.name}, chunk at {offset} of {dataset.file.filename}: {exc}")


def _runs(index: np.ndarray, step: int, size: int) -> list[tuple[int, slice, slice]]:
    """Split one axis' selected indices by chunk: (chunk number, output slice, in-chunk slice)."""
    which = index // size
    cuts = np.flatnonzero(np.diff(which)) + 1
    runs = []
    for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, len(index)]):
        k = int(which[lo])
        first, last = int(index[lo]) - k * size, int(index[hi - 1]) - k * size
        stop = last + (1 if step > 0 else -1)
        runs.append((k, slice(int(lo), int(hi)), slice(first, None if stop < 0 else stop, step)))
    return runs


def read_region(dataset: h5py.Dataset, selection: Any = Ellipsis) -> np.ndarray:
    """``dataset[selection]`` (integers, slices with steps, Ellipsis) reading only the chunks
    the selection touches, and evaluating each network only at the selected points.

    A chunk that does not decode raises :class:`inrfilter.BlobError` naming the
    dataset and the chunk.
    """
    chunks = _check_dataset(dataset)
    region, drop = normalise_selection(dataset.shape, selection)
    indices = [np.arange(*s.indices(n)) for s, n in zip(region, dataset.shape)]
    out = np.empty([len(i) for i in indices], dataset.dtype)
    if out.size:
        per_axis = [_runs(i, s.step, c) for i, s, c in zip(indices, region, chunks)]
        for pieces in itertools.product(*per_axis):
            offset = tuple(k * c for (k, _, _), c in zip(pieces, chunks))
            try:
                values = _chunk(dataset, offset).region(tuple(p[2] for p in pieces))
            except BlobError as exc:
                raise _fail(dataset, offset, exc) from exc
            out[tuple(p[1] for p in pieces)] = values
    return out.reshape([n for axis, n in enumerate(out.shape) if axis not in drop])


def sample(dataset: h5py.Dataset, coords: Any) -> np.ndarray:
    """Values at continuous coordinates ``[..., ndim]`` in dataset index units.

    Inside a chunk this is its network's value (as :func:`inrfilter.sample`); between
    the last voxel of a chunk and the first of the next, values blend linearly across
    the seam.  At integer coordinates it equals reading the dataset.
    """
    chunks = np.asarray(_check_dataset(dataset))
    points = check_points(dataset.shape, coords)
    flat = points.reshape(-1, len(chunks))
    # per axis, two corners: (x, weight 1) and (x, weight 0) inside a chunk; the voxels
    # either side of the seam, weighted linearly, between two chunks
    local = flat - np.floor(flat / chunks) * chunks
    seam = local > chunks - 1
    below = np.where(seam, np.floor(flat), flat)
    frac = np.where(seam, flat - below, 0.0)
    total = np.zeros(len(flat))
    for corner in itertools.product((0, 1), repeat=len(chunks)):
        up = np.asarray(corner, bool)
        weight = np.prod(np.where(up, frac, 1.0 - frac), axis=1)
        keep = weight > 0
        if keep.any():
            at = np.where(up, below + 1, below)[keep]
            total[keep] += weight[keep] * _evaluate(dataset, chunks, at)
    return cast(total, dataset.dtype).reshape(points.shape[:-1])


def _evaluate(dataset: h5py.Dataset, chunks: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Values (float64) at points that each lie inside one chunk's grid."""
    which = np.minimum(np.floor(points / chunks), np.ceil(np.asarray(dataset.shape) / chunks) - 1).astype(np.int64)
    keys, inverse = np.unique(which, axis=0, return_inverse=True)
    values = np.empty(len(points))
    for n, key in enumerate(keys):
        mine = inverse.ravel() == n
        offset = tuple(int(k) for k in key * chunks)
        try:
            values[mine] = _chunk(dataset, offset).points(points[mine] - key * chunks).astype(np.float64)
        except BlobError as exc:
            raise _fail(dataset, offset, exc) from exc
    return values


def verify(dataset: h5py.Dataset) -> dict[tuple[int, ...], str]:
    """Every stored chunk that does not decode, by chunk offset, with the reason ({} when all do).

    A plain ``dataset[...]`` that meets a damaged chunk fails with HDF5's
    ``filter returned failure``: HDF5 tells a filter neither the dataset nor the
    chunk it is decoding.  This names them.  Each blob's CRC-32, header and shape are
    checked; no network is evaluated, so it is quick.
    """
    _check_dataset(dataset)
    damaged = {}
    for i in range(dataset.id.get_num_chunks()):
        offset = tuple(int(o) for o in dataset.id.get_chunk_info(i).chunk_offset)
        try:
            _chunk(dataset, offset)
        except BlobError as exc:
            damaged[offset] = str(exc)
    return damaged
