"""Source readers: one tree of groups, datasets and links, whatever the file format.

- HDF5 (NeXus, netCDF4 files are HDF5 too), read through ``hdf5plugin`` when it is
  installed so bitshuffle/LZ4/Blosc/ZFP/SZ-compressed sources open;
- zarr v2/v3 groups and arrays (directories);
- ``.npy`` (one dataset, ``/data``; memory-mapped);
- TIFF stacks (one dataset, ``/data``, pages along the first axis; ``tifffile``).

Each walk yields groups before their members, in the source's iteration order (its
creation order when the source tracks it).  HDF5 nodes keep their h5py object
(``h5``), which the HDF5 writer uses to copy property lists, attributes with their
exact types and raw chunks.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

#: HDF5 chunk cache of the source dataset being read (allocated as chunks are read)
CHUNK_CACHE_BYTES = 256 * 1024**2
#: (source, path, h5py dataset): the one source dataset open for reading
_READING: list[tuple[Any, str, Any]] = []
#: attributes HDF5 manages for dimension scales; the writer rebuilds them
SCALE_ATTRS = {"DIMENSION_LIST", "REFERENCE_LIST", "CLASS", "NAME", "DIMENSION_LABELS"}


class SourceError(ValueError):
    """A source that cannot be read."""


@dataclass
class GroupNode:
    path: str
    attrs: dict[str, Any]
    h5: Any = None


@dataclass
class DatasetNode:
    path: str
    shape: tuple[int, ...]
    dtype: np.dtype
    chunks: tuple[int, ...] | None
    attrs: dict[str, Any]
    read: Callable[[tuple[slice, ...]], np.ndarray]
    stored_bytes: int
    maxshape: tuple | None = None
    fillvalue: Any = None
    #: HDF5 sources: opens the h5py dataset (see :meth:`HDF5Source._reader`)
    opener: Callable[[], Any] | None = None
    #: per axis: paths (in the same file) of the dimension scales attached
    dims: list[list[str]] = field(default_factory=list)
    dim_labels: list[str] = field(default_factory=list)
    scale_name: str | None = None
    #: HDF5 filters (id, name) of the source, and which of them are not available here
    filters: list[tuple[int, str]] = field(default_factory=list)
    missing_filters: list[tuple[int, str]] = field(default_factory=list)
    #: virtual dataset mappings: (vspace, file name, dataset path, source space)
    virtual: list | None = None

    @property
    def h5(self) -> Any:
        """The source's h5py dataset (None for other formats)."""
        return self.opener() if self.opener is not None else None

    @property
    def nbytes(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) * self.dtype.itemsize


@dataclass
class LinkNode:
    path: str
    kind: str  # "soft", "external" or "hard" (a second path to an object already walked)
    target: str
    filename: str | None = None


Node = GroupNode | DatasetNode | LinkNode


def default_chunks(shape: tuple[int, ...], itemsize: int) -> tuple[int, ...]:
    """Chunks for a source without any: halve the longest axis until a chunk holds at
    most 2**18 values (1 MiB of float32), about what one network fits well."""
    chunks = [max(1, n) for n in shape]
    while int(np.prod(chunks)) > 2**18:
        i = int(np.argmax(chunks))
        chunks[i] = (chunks[i] + 1) // 2
    return tuple(chunks)


def fingerprint(path: str | Path) -> str:
    """Identity of a source file or directory (path, sizes, modification times): the
    journal refuses to resume work done on a different source."""
    path = Path(path).resolve()
    h = hashlib.sha256(str(path).encode())
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for p in files:
        st = p.stat()
        h.update(f"{p.relative_to(path) if p != path else ''}:{st.st_size}:{st.st_mtime_ns};".encode())
    return h.hexdigest()[:24]


class Source:
    """One source file (or store)."""

    path: Path
    kind: str

    def walk(self) -> Iterator[Node]:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self) -> "Source":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _decode_attr(value: Any) -> Any:
    return value.decode() if isinstance(value, bytes) else value


def _names(group: Any) -> list[str]:
    """Member names in creation order when the group tracks it (netCDF4 files do, and
    variable order matters there), else in name order."""
    import h5py

    gid = group["/"].id if isinstance(group, h5py.File) else group.id  # a File's id is the file's
    if not gid.get_create_plist().get_link_creation_order() & h5py.h5p.CRT_ORDER_TRACKED:
        return list(group)
    names: list[str] = []
    gid.links.iterate(lambda n: names.append(n.decode()), idx_type=h5py.h5.INDEX_CRT_ORDER)
    return names


class HDF5Source(Source):
    kind = "hdf5"

    def __init__(self, path: Path):
        import h5py

        try:
            import hdf5plugin  # noqa: F401  (registers bitshuffle, LZ4, Blosc, ZFP, SZ, ...)
        except ImportError:
            pass
        import inrfilter.h5  # noqa: F401  (sources may hold inrfilter datasets)

        self.path = path
        try:
            self.file = h5py.File(path, "r")
        except OSError as exc:
            raise SourceError(f"{path}: not a readable HDF5 file ({exc})") from None

    def close(self) -> None:
        if _READING and _READING[0][0] is self:
            _READING.clear()
        self.file.close()

    def _reader(self, path: str) -> Any:
        """``path`` opened with a chunk cache that holds a whole detector frame: output
        chunks smaller than the source's (``--chunks 1x512x512`` of 1x4362x4148 frames)
        are read one after another from the same source chunk, which is then
        decompressed once instead of once per output chunk.

        One dataset of all sources is open at a time (a conversion works through them
        in turn), so one cache is ever filled.  HDF5 shares an open dataset's cache
        with every later open, so the walk keeps no dataset open."""
        import h5py

        if not _READING or _READING[0][:2] != (self, path):
            _READING.clear()  # closes the previous handle, freeing its cache
            dapl = h5py.h5p.create(h5py.h5p.DATASET_ACCESS)
            dapl.set_chunk_cache(100_003, CHUNK_CACHE_BYTES, 0.75)
            _READING.append((self, path, h5py.Dataset(h5py.h5d.open(self.file.id, path.encode(), dapl=dapl))))
        return _READING[0][2]

    def walk(self) -> Iterator[Node]:
        seen: dict[Any, str] = {}
        yield GroupNode("/", self._attrs(self.file), self.file)
        yield from self._walk_group(self.file, seen)

    def _attrs(self, obj: Any) -> dict[str, Any]:
        out = {}
        for name in obj.attrs:
            if name in SCALE_ATTRS:
                continue
            try:
                out[name] = obj.attrs[name]
            except (OSError, TypeError, ValueError) as exc:
                raise SourceError(f"{self.path}: attribute {name!r} of {obj.name} cannot be read ({exc})") from None
        return out

    def _walk_group(self, group: Any, seen: dict[Any, str]) -> Iterator[Node]:
        import h5py

        for name in _names(group):
            path = f"{group.name.rstrip('/')}/{name}"
            link = group.get(name, getlink=True)
            if isinstance(link, h5py.SoftLink):
                yield LinkNode(path, "soft", link.path)
                continue
            if isinstance(link, h5py.ExternalLink):
                yield LinkNode(path, "external", link.path, link.filename)
                continue
            try:
                obj = group[name]
            except (KeyError, OSError) as exc:
                raise SourceError(f"{self.path}: {path} cannot be opened ({exc})") from None
            key = obj.id
            if key in seen:
                yield LinkNode(path, "hard", seen[key])
                continue
            seen[key] = path
            if isinstance(obj, h5py.Group):
                yield GroupNode(path, self._attrs(obj), obj)
                yield from self._walk_group(obj, seen)
            elif isinstance(obj, h5py.Dataset):
                yield self._dataset(obj, path)
            else:  # named datatypes
                raise SourceError(f"{self.path}: {path} is a {type(obj).__name__}, which convert does not copy")

    def _dataset(self, ds: Any, path: str) -> DatasetNode:
        import h5py

        plist = ds.id.get_create_plist()
        filters = []
        for i in range(plist.get_nfilters()):
            code, _flags, _values, name = plist.get_filter(i)
            filters.append((int(code), name.decode(errors="replace") if isinstance(name, bytes) else str(name)))
        missing = [f for f in filters if not h5py.h5z.filter_avail(f[0])]
        dims, labels = [], []
        if ds.shape:
            try:
                for axis in ds.dims:
                    dims.append([s.name for s in axis.values() if s.file.filename == ds.file.filename])
                    labels.append(axis.label)
            except (RuntimeError, OSError, ValueError):  # dangling references: no scales to rebuild
                dims, labels = [], []
        scale = None
        if h5py.h5ds.is_scale(ds.id):
            scale = _decode_attr(h5py.h5ds.get_scale_name(ds.id) or b"")
        virtual = None
        if ds.is_virtual:
            virtual = [(v.vspace, v.file_name, v.dset_name, v.src_space) for v in ds.virtual_sources()]

        def read(selection: tuple[slice, ...]) -> np.ndarray:
            try:
                return self._reader(path)[selection]
            except (OSError, ValueError, KeyError) as exc:
                raise SourceError(f"{self.path}: dataset {path} cannot be read ({exc})") from None

        return DatasetNode(path, tuple(ds.shape or ()), ds.dtype, ds.chunks, self._attrs(ds), read,
                           int(ds.id.get_storage_size()), ds.maxshape, ds.fillvalue, lambda: self._reader(path),
                           dims, labels, scale, filters, missing, virtual)


class ZarrSource(Source):
    kind = "zarr"

    def __init__(self, path: Path):
        import zarr

        self.path = path
        try:
            self.root = zarr.open(str(path), mode="r")
        except Exception as exc:  # zarr raises several types for "not a store"
            raise SourceError(f"{path}: not a readable zarr store ({exc})") from None

    def walk(self) -> Iterator[Node]:
        import zarr

        if isinstance(self.root, zarr.Array):
            yield GroupNode("/", {})
            yield self._array(self.root, "/data")
            return
        yield from self._group(self.root, "/")

    def _group(self, group: Any, path: str) -> Iterator[Node]:
        import zarr

        yield GroupNode(path, dict(group.attrs))
        for name, member in sorted(group.members(), key=lambda kv: kv[0]):
            child = f"{path.rstrip('/')}/{name}"
            if isinstance(member, zarr.Array):
                yield self._array(member, child)
            else:
                yield from self._group(member, child)

    def _array(self, a: Any, path: str) -> DatasetNode:
        attrs = dict(a.attrs)
        stored = int(a.nbytes_stored()) if hasattr(a, "nbytes_stored") else a.nbytes

        def read(selection: tuple[slice, ...]) -> np.ndarray:
            try:
                return np.asarray(a[selection])
            except Exception as exc:
                raise SourceError(f"{self.path}: array {path} cannot be read ({exc})") from None

        node = DatasetNode(path, tuple(a.shape), np.dtype(a.dtype), tuple(a.chunks), attrs, read, stored,
                           fillvalue=a.fill_value)
        # zarr v3 dimension_names, or xarray's attribute for v2: coordinates are sibling arrays
        names = getattr(a.metadata, "dimension_names", None) or attrs.get("_ARRAY_DIMENSIONS")
        if names and len(names) == len(a.shape) and all(isinstance(n, str) for n in names):
            parent = path.rsplit("/", 1)[0]
            node.dims = [[f"{parent}/{n}"] for n in names]
            if node.dims == [[path]]:  # a coordinate array: a dimension scale in HDF5
                node.scale_name, node.dims = names[0], []
        return node


class ArraySource(Source):
    """A single array file: ``.npy`` or a TIFF stack, as the dataset ``/data``."""

    def __init__(self, path: Path, kind: str):
        self.path, self.kind = path, kind
        try:
            if kind == "npy":
                self.array = np.load(path, mmap_mode="r")
                self.attrs: dict[str, Any] = {}
            else:
                import tifffile

                with tifffile.TiffFile(path) as tif:
                    self.array = tif.asarray()
                    page = tif.pages[0]
                    self.attrs = {"tiff_pages": len(tif.pages)}
                    if page.description:
                        self.attrs["tiff_description"] = page.description
        except Exception as exc:
            raise SourceError(f"{path}: not a readable {kind} file ({exc})") from None

    def walk(self) -> Iterator[Node]:
        a = self.array
        yield GroupNode("/", {"source": self.path.name})
        yield DatasetNode("/data", tuple(a.shape), a.dtype, None, dict(self.attrs),
                          lambda sel: np.asarray(a[sel]), int(a.nbytes))


def open_source(path: str | Path) -> Source:
    """The reader for ``path``, by its suffix and content."""
    path = Path(path)
    if not path.exists():
        raise SourceError(f"{path}: no such file or directory")
    suffix = path.suffix.lower()
    if path.is_dir():
        return ZarrSource(path)
    if suffix == ".npy":
        return ArraySource(path, "npy")
    if suffix in (".tif", ".tiff"):
        return ArraySource(path, "tiff")
    if suffix == ".zarr" or path.name == "zarr.json":
        return ZarrSource(path)
    if not os.access(path, os.R_OK):
        raise SourceError(f"{path}: permission denied")
    return HDF5Source(path)
