"""``chunk[selection]`` from a parsed blob, evaluating the network only where selected.

zarr hands a partial decode one of two kinds of chunk selection: basic (ints and
slices with steps, ints dropping their axis) or advanced (``numpy.ix_`` arrays
for ``oindex`` and boolean masks, matched coordinate arrays for ``vindex``).  Basic
selections are regions, decoded like :func:`inrfilter.decode_region`.  For any
other selection numpy itself says which voxels it picks, in which output shape:
indexing a zero-stride view of each axis's index range costs one entry per
selected voxel, and the network is then sampled at those integer coordinates.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..decoder import ParsedChunk
from ..grid import normalise_selection


def is_basic(selection: tuple[Any, ...]) -> bool:
    """Only ints, slices and Ellipsis: a region, no advanced indexing."""
    return all(
        isinstance(s, slice) or s is Ellipsis or (isinstance(s, (int, np.integer)) and not isinstance(s, bool))
        for s in selection
    )


def selected_coords(shape: tuple[int, ...], selection: Any) -> np.ndarray:
    """Integer voxel coordinates ``[*result_shape, ndim]`` of ``np.empty(shape)[selection]``."""
    axes = []
    for k, n in enumerate(shape):
        index = np.arange(n).reshape([n if j == k else 1 for j in range(len(shape))])
        axes.append(np.broadcast_to(index, shape)[selection])
    return np.stack(axes, axis=-1)


def select(chunk: ParsedChunk, selection: Any) -> np.ndarray:
    """Exactly ``decode(blob)[selection]`` (values within decoder float noise), for any
    numpy selection, with the network evaluated at the selected voxels only."""
    if not isinstance(selection, tuple):
        selection = (selection,)
    if is_basic(selection):
        region, drop = normalise_selection(chunk.shape, selection)
        counts = [len(range(*s.indices(n))) for s, n in zip(region, chunk.shape)]
        values = chunk.region(region) if 0 not in counts else np.empty(counts, chunk.h.dtype)
        return values.reshape([n for axis, n in enumerate(values.shape) if axis not in drop])
    coords = selected_coords(chunk.shape, selection)
    out_shape = coords.shape[:-1]
    if coords.size == 0:
        return np.empty(out_shape, chunk.h.dtype)
    return chunk.points(coords.reshape(-1, len(chunk.shape)).astype(np.float64)).reshape(out_shape)
