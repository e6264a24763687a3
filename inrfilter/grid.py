"""Coordinate frames and selections.

Voxel i of an axis of length n sits at ``-1 + 2*i/(n-1)`` (0 when n == 1); continuous
voxel-index coordinates map through the same formula, so sampling at integers equals
decoding.  A *region* is a tuple of slices (one per axis, steps allowed, already
bounded); *points* are a float array ``[..., ndim]`` of voxel-index coordinates.
"""

from __future__ import annotations

from typing import Any, Union

import numpy as np

Region = tuple[slice, ...]
Where = Union[None, Region, np.ndarray]


def to_unit(index: np.ndarray, n: int) -> np.ndarray:
    """Voxel-index coordinates along an axis of length n -> [-1, 1]."""
    index = np.asarray(index, dtype=np.float64)
    if n == 1:
        return np.zeros_like(index)
    return index * (2.0 / (n - 1)) - 1.0


def region_indices(shape: tuple[int, ...], region: Region) -> list[np.ndarray]:
    """Per-axis integer indices of a bounded region."""
    return [np.arange(*s.indices(n)) for s, n in zip(region, shape)]


def unit_points(shape: tuple[int, ...], where: Where) -> tuple[np.ndarray, tuple[int, ...]]:
    """Unit-frame coordinates ``[N, ndim]`` of what ``where`` asks for, and the output shape."""
    ndim = len(shape)
    if where is None:
        where = tuple(slice(None) for _ in shape)
    if isinstance(where, tuple):
        axes = [to_unit(i, n) for i, n in zip(region_indices(shape, where), shape)]
        out_shape = tuple(len(a) for a in axes)
        mesh = np.meshgrid(*axes, indexing="ij")
        return np.stack([m.ravel() for m in mesh], axis=-1), out_shape
    coords = np.asarray(where, dtype=np.float64)
    units = np.stack([to_unit(coords[..., k], shape[k]) for k in range(ndim)], axis=-1)
    return units.reshape(-1, ndim), coords.shape[:-1]


class RegionPoints:
    """The unit-frame points of a region, C order, made a block at a time.

    ``unit_points`` of a whole chunk holds ``ndim`` float64 coordinates per voxel
    (plus the meshgrid it is built from): 16-48 bytes a voxel, more than the decoded
    values.  A decoder that evaluates ``EVAL_BLOCK`` points at a time asks for
    ``block(start, stop)`` instead and never holds more than a block; the values are
    the very ones ``unit_points`` gives (the same per-axis coordinates, gathered)."""

    def __init__(self, shape: tuple[int, ...], region: Region):
        self._set_axes([to_unit(i, n) for i, n in zip(region_indices(shape, region), shape)])

    @classmethod
    def from_axes(cls, axes: list[np.ndarray]) -> "RegionPoints":
        """The grid of given per-axis coordinates (a block's own frame, say)."""
        points = cls.__new__(cls)
        points._set_axes([np.asarray(a, np.float64) for a in axes])
        return points

    def _set_axes(self, axes: list[np.ndarray]) -> None:
        self.axes = axes
        self.shape = tuple(len(a) for a in axes)
        self.size = int(np.prod(self.shape))

    def __len__(self) -> int:
        return self.size

    def block(self, start: int, stop: int) -> np.ndarray:
        """Points ``[stop - start, ndim]`` (float64) of flat positions start..stop."""
        return self.take(np.arange(start, min(stop, self.size)))

    def take(self, flat: np.ndarray) -> np.ndarray:
        """Points of the given flat (C order) positions."""
        index = np.unravel_index(flat, self.shape)
        return np.stack([a[i] for a, i in zip(self.axes, index)], axis=-1)

    def subset(self, flat: np.ndarray) -> "Subset":
        return Subset(self, flat)


class PointArray:
    """Explicit points ``[N, ndim]`` behind the same ``block`` interface."""

    def __init__(self, points: np.ndarray):
        self.points = points
        self.size = len(points)

    def __len__(self) -> int:
        return self.size

    def block(self, start: int, stop: int) -> np.ndarray:
        return self.points[start:stop]

    def subset(self, flat: np.ndarray) -> "PointArray":
        return PointArray(self.points[flat])


class Subset:
    """Some positions of lazy region points, in the given order, a block at a time."""

    def __init__(self, points: RegionPoints, flat: np.ndarray):
        self.points, self.flat, self.size = points, flat, len(flat)

    def __len__(self) -> int:
        return self.size

    def block(self, start: int, stop: int) -> np.ndarray:
        return self.points.take(self.flat[start:stop])


def lazy_points(shape: tuple[int, ...], where: Where) -> tuple[RegionPoints | PointArray, tuple[int, ...]]:
    """What ``unit_points`` returns, for a decoder that reads points block by block."""
    if where is None:
        where = tuple(slice(None) for _ in shape)
    if isinstance(where, tuple):
        points = RegionPoints(shape, where)
        return points, points.shape
    full, out_shape = unit_points(shape, where)
    return PointArray(full), out_shape


def normalise_selection(shape: tuple[int, ...], selection: Any) -> tuple[Region, tuple[int, ...]]:
    """numpy basic indexing (ints, slices with steps, Ellipsis) -> (bounded region, axes to drop)."""
    if not isinstance(selection, tuple):
        selection = (selection,)
    if sum(s is Ellipsis for s in selection) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if Ellipsis in selection:
        at = selection.index(Ellipsis)
        fill = len(shape) - (len(selection) - 1)
        selection = selection[:at] + (slice(None),) * fill + selection[at + 1 :]
    if len(selection) > len(shape):
        raise IndexError(f"too many indices: {len(selection)} for a {len(shape)}-d chunk")
    selection = selection + (slice(None),) * (len(shape) - len(selection))
    region, drop = [], []
    for axis, (s, n) in enumerate(zip(selection, shape)):
        if isinstance(s, slice):
            start, stop, step = s.indices(n)
            # a negative step ending before index 0 has stop -1, which a slice reads as "last"
            region.append(slice(start, None if stop < 0 else stop, step))
        elif isinstance(s, (int, np.integer)) and not isinstance(s, bool):
            i = int(s) + n if s < 0 else int(s)
            if not 0 <= i < n:
                raise IndexError(f"index {s} is out of bounds for axis {axis} with size {n}")
            region.append(slice(i, i + 1, 1))
            drop.append(axis)
        else:
            raise IndexError(f"only integers, slices and '...' select a region; got {s!r}")
    return tuple(region), tuple(drop)


def check_points(shape: tuple[int, ...], coords: Any) -> np.ndarray:
    """Validate continuous voxel-index coordinates ``[..., ndim]`` inside the chunk."""
    c = np.asarray(coords, dtype=np.float64)
    if c.ndim < 1 or c.shape[-1] != len(shape):
        raise ValueError(f"coords must have shape [..., {len(shape)}]; got {c.shape}")
    if not np.isfinite(c).all():
        raise ValueError("coords must be finite")
    upper = np.asarray(shape, dtype=np.float64) - 1
    if (c < 0).any() or (c > upper).any():
        raise ValueError(f"coords must lie within [0, n-1] on every axis of the chunk shape {shape}")
    return c
