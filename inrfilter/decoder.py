"""Reading blobs: full decode, region decode, continuous sampling, info.

Needs numpy, scipy and zstandard only: never torch.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import ndimage

from . import blob as blobfmt
from .blob import BlobError
from .chunk import cast, decode_nonfinite
from .fidelity import decode_residual
from .grid import Region, check_points, normalise_selection
from .header import CONSTANT, LOSSLESS, SECTION_NAMES, ChunkHeader
from .limits import decompress
from .levels import check_level, level_shape, max_level, reduce_holes, reduce_values
from .methods import get_method
from .validate import parse as parse_header


def read(blob: Any) -> tuple[int, ChunkHeader, dict[str, bytes]]:
    """Verify a blob and validate its header against its sections (inrfilter.validate);
    every failure is a BlobError."""
    version, raw_header, sections = blobfmt.unpack(blob)
    header = parse_header(raw_header, sections)
    if header.quant == "entropy" and version < 2:
        raise BlobError(f"corrupted blob: entropy-coded weights in a version-{version} blob")
    return version, header, sections


class ParsedChunk:
    """A parsed blob, with each section decompressed at most once.

    The header was validated when the blob was read, so the sections' readers
    (bounded decompression, size checks) are the only source of BlobError from here
    on; an exception raised by a method's code is a bug and propagates as it is."""

    def __init__(self, blob: Any):
        self.version, self.h, self.sections = read(blob)
        self._cache: dict[str, Any] = {}

    def _once(self, key: str, make):
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    @property
    def shape(self) -> tuple[int, ...]:
        return self.h.shape

    def lossless(self) -> np.ndarray:
        def make():
            raw = decompress(self.sections["l"], int(np.prod(self.shape)) * self.h.dtype.itemsize, "lossless")
            return np.frombuffer(raw, self.h.dtype).reshape(self.shape)
        return self._once("l", make)

    def holes(self) -> np.ndarray | None:
        """NaN/+Inf/-Inf at non-finite positions, 0 elsewhere; None when there are none."""
        if self.h.method == LOSSLESS:
            data = self.lossless()
            return None if np.isfinite(data).all() else np.where(np.isfinite(data), 0.0, data)
        if "n" not in self.sections:
            return None
        return self._once("n", lambda: decode_nonfinite(self.sections["n"], self.shape))

    def params(self) -> dict[str, np.ndarray]:
        method = get_method(self.h.method)

        def make() -> dict[str, np.ndarray]:
            try:  # the section's decoder (inrfilter.quant, inrfilter.entropy) checks the bytes
                return method.unpack_params(self.sections["w"], self.h.spec, self.shape, self.h.quant)
            except BlobError:
                raise
            except ValueError as exc:
                raise BlobError(f"corrupted blob: weights section unreadable ({exc})") from exc
        return self._once("w", make)

    def residual(self) -> np.ndarray | None:
        if self.h.residual is None:
            return None
        step, code = self.h.residual
        return self._once("r", lambda: decode_residual(self.sections["r"], code, step, self.shape))

    def _method_call(self, name: str, *args):
        """A call into the blob's method, whose spec the header validator has checked."""
        return getattr(get_method(self.h.method), name)(*args)

    def network(self, where, level: int = 0) -> np.ndarray:
        """De-normalised network values (float64) on a region or at points (of level ``level``)."""
        if level:
            y = self._method_call("evaluate_level", self.params(), self.h.spec, self.shape, where, level)
        else:
            y = self._method_call("evaluate", self.params(), self.h.spec, self.shape, where)
        return self.h.norm.inverse(y)

    def levels(self) -> int:
        """How many reduced-resolution levels this chunk has (beyond level 0)."""
        if self.h.method in (CONSTANT, LOSSLESS):
            return max_level(self.shape)
        return self._method_call("levels", self.h.spec, self.shape)

    def level_shape(self, level: Any) -> tuple[int, ...]:
        """Shape of reduced-resolution level ``level`` (0: the chunk's), or a ValueError
        that says which levels this chunk has."""
        kind = {CONSTANT: "constant", LOSSLESS: "lossless"}.get(self.h.method, self.h.method)
        what = f"this {kind} chunk of shape {self.shape}"
        return level_shape(self.shape, check_level(level, self.levels(), what))

    def region(self, region: Region, level: int = 0) -> np.ndarray:
        """Values of a bounded region (of level ``level``'s grid) in the chunk's dtype,
        non-finite values restored.  Level k > 0 (see inrfilter.levels): the method's
        level-k approximation plus the low-passed residual; a lossless chunk gives
        pairwise means of its finite values; a cell is non-finite only when its whole
        block is."""
        if self.h.method == LOSSLESS and not level:
            return self.lossless()[region].copy()
        if self.h.method == LOSSLESS:
            data = self.lossless().astype(np.float64)
            values = reduce_values(data, np.isfinite(data), level)[0][region]
        elif self.h.method == CONSTANT:
            grid = level_shape(self.shape, level)
            out_shape = tuple(len(range(*s.indices(n))) for s, n in zip(region, grid))
            if isinstance(self.h.constant, int):  # an integer beyond float64's exact range
                return np.full(out_shape, self.h.constant, self.h.dtype)
            values = np.full(out_shape, self.h.constant)
        else:
            values = self.network(region, level)
            residual = self.residual()
            if residual is not None:
                if level:
                    residual = self._method_call("lowpass", residual, self.h.spec, self.shape, level)
                values = values + residual[region]
        holes = self.holes()
        if holes is not None:
            holes = reduce_holes(holes, level) if level else holes
            values = np.where(holes[region] != 0, holes[region], values)
        return cast(values, self.h.dtype)

    def points(self, coords: np.ndarray) -> np.ndarray:
        """Values at continuous voxel coordinates in the chunk's dtype (multilinear between
        voxels for the residual and lossless data; nearest voxel for non-finite positions)."""
        grid_coords = np.moveaxis(coords, -1, 0)
        if self.h.method == LOSSLESS:
            data = self.lossless().astype(np.float64)
            data = np.where(np.isfinite(data), data, 0.0)
            values = ndimage.map_coordinates(data, grid_coords, order=1, mode="nearest")
        elif self.h.method == CONSTANT:
            if isinstance(self.h.constant, int):
                return np.full(coords.shape[:-1], self.h.constant, self.h.dtype)
            values = np.full(coords.shape[:-1], self.h.constant)
        else:
            values = self.network(coords)
            residual = self.residual()
            if residual is not None:
                values = values + ndimage.map_coordinates(residual, grid_coords, order=1, mode="nearest")
        holes = self.holes()
        if holes is not None:
            nearest = np.rint(coords).astype(np.intp)
            hole = holes[tuple(np.moveaxis(nearest, -1, 0))]
            values = np.where(hole != 0, hole, values)
        values = cast(values, self.h.dtype)
        if self.h.method == LOSSLESS:  # exact data where the coordinates are integers
            integral = (coords == np.rint(coords)).all(axis=-1)
            exact = self.lossless()[tuple(np.moveaxis(np.rint(coords[integral]).astype(np.intp), -1, 0))]
            values[integral] = exact
        return values


def decode(blob: Any, out: np.ndarray | None = None, level: int = 0) -> np.ndarray:
    """Decode a whole chunk: same dtype and shape as encoded (C order).

    ``out``, when given, must hold as many elements of the same dtype; it is filled
    and returned (any memory order; a flat buffer is filled in C order).
    ``level=k`` reads the reduced-resolution level k instead (a preview: every
    pyramid axis halved k times, see inrfilter.levels), for methods that have levels
    and for constant and lossless chunks; other methods raise a ValueError.
    """
    chunk = ParsedChunk(blob)
    full = tuple(slice(0, n, 1) for n in chunk.level_shape(level))
    result = chunk.region(full, level)
    if out is None:
        return result
    target = np.asarray(out)
    if target.dtype != result.dtype or target.size != result.size:
        raise ValueError(f"out must hold {result.size} values of {result.dtype}; got {target.size} of {target.dtype}")
    target[...] = result if target.shape == result.shape else result.reshape(target.shape)
    return out


def decode_region(blob: Any, selection: Any, level: int = 0) -> np.ndarray:
    """``decode(blob, level=level)[selection]`` for basic indexing, evaluating only the
    selected points (``selection`` indexes the level's grid)."""
    chunk = ParsedChunk(blob)
    region, drop = normalise_selection(chunk.level_shape(level), selection)
    values = chunk.region(region, level)
    return values.reshape([n for axis, n in enumerate(values.shape) if axis not in drop])


def sample(blob: Any, coords: Any) -> np.ndarray:
    """Values at continuous voxel-index coordinates ``[..., ndim]`` (dtype of the chunk).

    At integer coordinates this equals ``decode``; between voxels it is the network's
    value (plus the multilinearly interpolated residual, when there is one)."""
    chunk = ParsedChunk(blob)
    return chunk.points(check_points(chunk.shape, coords))


def info(blob: Any) -> dict[str, Any]:
    """What a blob holds: method, dtype, shape, section sizes, achieved fidelity, version."""
    data = blobfmt.as_bytes(blob)
    chunk = ParsedChunk(data)
    version, h, sections = chunk.version, chunk.h, chunk.sections
    raw_nbytes = int(np.prod(h.shape)) * h.dtype.itemsize
    sizes = {SECTION_NAMES[k]: len(v) for k, v in sections.items()}
    return {
        "format_version": version,
        "method": {CONSTANT: "constant", LOSSLESS: "lossless"}.get(h.method, h.method),
        "dtype": str(h.dtype),
        "shape": h.shape,
        "nbytes": len(data),
        "raw_nbytes": raw_nbytes,
        "ratio": raw_nbytes / len(data),
        "sections": {"header": len(data) - sum(sizes.values()), **sizes},
        "psnr": h.psnr,
        "max_abs_error": h.max_abs_error,
        "spec": h.spec,
        "quant": h.quant,
        "transform": h.norm.transform if h.norm else None,
        "residual_step": h.residual[0] if h.residual else None,
        "levels": chunk.levels(),
    }
