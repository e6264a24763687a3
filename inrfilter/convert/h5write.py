"""Assembling an HDF5 output: the source's tree with lossy datasets from the journal.

What is kept, and how:

- groups with their creation property lists (so netCDF4's creation-order tracking
  survives), the file's creation property list, attributes with their exact types;
- lossless datasets with the source's dataset creation property list (chunks, filters,
  fill value, layout); chunked ones are copied chunk by chunk as stored bytes
  (``read_direct_chunk``/``write_direct_chunk``: bit-identical, no re-compression),
  others (and variable-length data, whose stored bytes point into the source's heap)
  through a read and a write;
- lossy datasets with the inrfilter filter, chunks written directly from the journal;
- soft links, hard links, external links (file names rewritten for converted targets);
- virtual datasets rebuilt from their mappings (file names rewritten likewise);
- dimension scales rebuilt with ``H5DSset_scale``/``H5DSattach_scale`` (copied
  references would point into the source file).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from .encode import Progress
from .journal import Journal
from .plan import FilePlan, Item, where
from .sources import DatasetNode, GroupNode, LinkNode, default_chunks

#: contiguous datasets are copied in slabs of about this many bytes
SLAB_BYTES = 64 * 1024**2


def _parent_and_name(f: h5py.File, path: str) -> tuple[h5py.Group, str]:
    parent, _, name = path.rpartition("/")
    return f[parent or "/"], name


def copy_attrs(src: dict[str, Any], h5src: Any, dst: Any) -> list[str]:
    """Copy attributes; HDF5 sources keep each attribute's type and shape, JSON ones
    (zarr) that HDF5 cannot type (objects, mixed lists) are stored as JSON text.
    Returns the names of attributes skipped (object references other than dimension
    scales')."""
    skipped = []
    for name, value in src.items():
        if h5src is not None:
            aid = h5src.attrs.get_id(name)
            if h5py.check_dtype(ref=aid.dtype) is not None or aid.dtype.hasobject and aid.dtype.names:
                skipped.append(name)
                continue
            if isinstance(value, h5py.Empty):
                dst.attrs[name] = value
            else:
                dst.attrs.create(name, data=value, shape=aid.shape, dtype=aid.dtype)
        elif isinstance(value, dict):  # zarr's JSON attributes: what HDF5 has no type for stays JSON text
            dst.attrs[name] = json.dumps(value)
        else:
            try:
                dst.attrs[name] = value
            except (TypeError, ValueError):
                dst.attrs[name] = json.dumps(value)
    return skipped


def _create_file(fp: FilePlan) -> h5py.File:
    fcpl = None
    if fp.source.kind == "hdf5":
        fcpl = fp.source.file.id.get_create_plist()
        # the root group's creation-order tracking lives in its group plist, not in the fcpl
        root = fp.source.file["/"].id.get_create_plist()
        fcpl.set_link_creation_order(root.get_link_creation_order())
        fcpl.set_attr_creation_order(root.get_attr_creation_order())
    fid = h5py.h5f.create(str(fp.tmp).encode(), h5py.h5f.ACC_TRUNC, fcpl=fcpl)
    return h5py.File(fid)


def _raw_copyable(node: DatasetNode) -> bool:
    return node.h5 is not None and node.chunks is not None and not node.dtype.hasobject \
        and h5py.check_dtype(vlen=node.dtype) is None and h5py.check_dtype(ref=node.dtype) is None


def _h5_values(data: np.ndarray) -> np.ndarray:
    """Values h5py can write: numpy text (unicode, StringDType) as str objects."""
    data = np.asarray(data)
    return data.astype(object) if data.dtype.kind in "UT" else data


def _lossless(group: h5py.Group, name: str, node: DatasetNode, progress: Progress) -> h5py.Dataset:
    if node.h5 is not None:
        src = node.h5
        dcpl = src.id.get_create_plist()
        if dcpl.get_external_count():
            # raw data in external files: the same plist would write into the source's files
            dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
            if node.fillvalue is not None and not node.dtype.hasobject:
                dcpl.set_fill_value(np.array(node.fillvalue, dtype=node.dtype))
        dsid = h5py.h5d.create(group.id, name.encode(), src.id.get_type(), src.id.get_space(), dcpl=dcpl)
        ds = h5py.Dataset(dsid)
    else:  # zarr, npy, TIFF: gzip-compressed chunks (zarr's own compressors are not HDF5 filters)
        chunks = (node.chunks or default_chunks(node.shape, node.dtype.itemsize)) \
            if node.shape and node.nbytes > 64 * 1024 else None
        kw = {"compression": "gzip", "compression_opts": 4, "shuffle": True} if chunks else {}
        fill = node.fillvalue if node.dtype.kind in "fiub" and node.fillvalue is not None else None
        dtype = h5py.string_dtype() if node.dtype.kind in "UOT" else node.dtype  # text: HDF5 UTF-8 strings
        ds = group.create_dataset(name, shape=node.shape, dtype=dtype, chunks=chunks, fillvalue=fill, **kw)
    if node.h5 is not None and node.stored_bytes == 0 and node.chunks is None \
            and not node.h5.id.get_create_plist().get_external_count():
        return ds  # never written in the source: its fill value, with no storage, as there
    if not node.shape or 0 in node.shape:
        if node.shape == () and node.h5 is not None and node.h5.shape is not None:
            ds[()] = node.h5[()]
        elif node.shape == ():
            ds[()] = _h5_values(node.read(()))
        return ds
    if _raw_copyable(node):
        src = node.h5
        for i in range(src.id.get_num_chunks()):
            info = src.id.get_chunk_info(i)
            mask, data = src.id.read_direct_chunk(info.chunk_offset)
            ds.id.write_direct_chunk(info.chunk_offset, data, mask)
        progress.step(node.nbytes)
        return ds
    row = max(1, node.nbytes // max(1, node.shape[0]))
    step = max(1, SLAB_BYTES // row)
    for start in range(0, node.shape[0], step):
        sel = (slice(start, min(start + step, node.shape[0])),) + tuple(slice(0, n) for n in node.shape[1:])
        ds[sel] = _h5_values(node.read(sel))
        progress.step(row * (sel[0].stop - start))
    return ds


def _lossy(group: h5py.Group, name: str, item: Item, journal: Journal, progress: Progress) -> h5py.Dataset:
    import inrfilter.h5

    node, s = item.node, item.decision.settings
    track = bool(node.h5.id.get_create_plist().get_attr_creation_order()) if node.h5 is not None else None
    fill = node.fillvalue if node.fillvalue is not None else None
    ds = group.create_dataset(name, shape=node.shape, dtype=node.dtype, chunks=item.chunks,
                              maxshape=node.maxshape, fillvalue=fill, track_order=track,
                              **inrfilter.h5.INR(s.method, write_through=False, **s.encode_kwargs()))
    for b, offsets in enumerate(item.batches()):
        for offset, blob in zip(offsets, journal.blobs(item.key, b)):
            ds.id.write_direct_chunk(offset, blob, 0)
    progress.step(0, datasets=1)
    return ds


def _virtual(group: h5py.Group, name: str, node: DatasetNode, renames: dict[str, str]) -> h5py.Dataset:
    src = node.h5
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    if node.fillvalue is not None:
        dcpl.set_fill_value(np.array(node.fillvalue, dtype=node.dtype))
    for vspace, filename, dset, src_space in node.virtual:
        new = renames.get(filename, filename)
        dcpl.set_virtual(vspace, new.encode(), dset.encode(), _source_space(node, vspace, filename, dset, src_space))
    dsid = h5py.h5d.create(group.id, name.encode(), src.id.get_type(), src.id.get_space(), dcpl=dcpl)
    return h5py.Dataset(dsid)


def _source_space(node: DatasetNode, vspace: Any, filename: str, dset: str, src_space: Any) -> Any:
    """The mapping's source selection.  HDF5 (2.0) reports a selection of all elements
    of a source it has not opened as a scalar space; rebuild it with the source's
    shape (all of it selected), which is what such a mapping means."""
    if src_space.get_select_npoints() == vspace.get_select_npoints():
        return src_space
    path = Path(node.h5.file.filename).parent / filename if filename != "." else Path(node.h5.file.filename)
    with h5py.File(path, "r") as f:
        return h5py.h5s.create_simple(f[dset].shape)


def _write_node(f: h5py.File, fp: FilePlan, node: Any, items: dict[str, Item], journal: Journal,
                progress: Progress, notes: list[str]) -> None:
    if isinstance(node, GroupNode):
        if node.path == "/":
            obj = f
        else:
            parent, name = _parent_and_name(f, node.path)
            gcpl = node.h5.id.get_create_plist() if node.h5 is not None else None
            obj = h5py.Group(h5py.h5g.create(parent.id, name.encode(), gcpl=gcpl))
        skipped = copy_attrs(node.attrs, node.h5, obj)
    elif isinstance(node, LinkNode):
        parent, name = _parent_and_name(f, node.path)
        if node.kind == "soft":
            parent[name] = h5py.SoftLink(node.target)
        elif node.kind == "hard":
            parent[name] = f[node.target]
        else:
            parent[name] = h5py.ExternalLink(fp.renames.get(node.filename, node.filename), node.target)
        return
    else:
        parent, name = _parent_and_name(f, node.path)
        item = items[node.path]
        if node.virtual is not None:
            obj = _virtual(parent, name, node, fp.renames)
            progress.step(0, datasets=1)
        elif item.lossy:
            obj = _lossy(parent, name, item, journal, progress)
        else:
            obj = _lossless(parent, name, node, progress)
            progress.step(0, datasets=1)
        skipped = copy_attrs(node.attrs, node.h5, obj)
    for a in skipped:
        notes.append(f"{fp.out.name}:{node.path}: attribute {a!r} holds object references; not copied")


def write_hdf5(fp: FilePlan, journal: Journal, progress: Progress, notes: list[str]) -> None:
    """Write ``fp`` to its temporary path."""
    items = {item.node.path: item for item in fp.items}
    with _create_file(fp) as f:
        for node in fp.nodes:
            t0 = time.perf_counter()
            with where(fp, node.path):
                _write_node(f, fp, node, items, journal, progress, notes)
            if node.path in items:
                items[node.path].seconds += time.perf_counter() - t0
        with where(fp, "dimension scales"):
            _dimension_scales(f, fp)


def _dimension_scales(f: h5py.File, fp: FilePlan) -> None:
    datasets = [n for n in fp.nodes if isinstance(n, DatasetNode)]
    for node in datasets:
        if node.scale_name is not None:
            h5py.h5ds.set_scale(f[node.path].id, node.scale_name.encode())
    for node in datasets:
        ds = f[node.path]
        for axis, scales in enumerate(node.dims):
            for path in scales:
                if path in f:
                    h5py.h5ds.attach_scale(ds.id, f[path].id, axis)
        for axis, label in enumerate(node.dim_labels):
            if label:
                ds.dims[axis].label = label
