"""Assembling a zarr v3 output (a directory store) and verifying it.

Lossy arrays get the ``inrfilter.inr`` codec alone (``compressors=None``, so region
reads evaluate only the points asked for); their blobs come from the journal and are
stored as the chunk objects directly (the codec stores a chunk as its blob).  Lossless
arrays use zarr's default compressor.  What zarr cannot hold natively is kept in
attributes: HDF5 soft/external links under ``inrfilter_links`` of their group; a
virtual dataset is stored as the data it maps.  Dimension scales become the arrays'
``dimension_names`` (the zarr v3 field xarray reads) when every axis has one.
"""

from __future__ import annotations

import os
import time
from typing import Any

import numpy as np

from .encode import Progress
from .journal import Journal
from .plan import FilePlan, where
from .sources import DatasetNode, GroupNode, LinkNode, default_chunks
from .verify import Row, check_lossless, lossy_row


def json_value(value: Any) -> Any:
    """An attribute value as JSON (zarr attributes are JSON)."""
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    if isinstance(value, np.ndarray):
        return [json_value(v) for v in value.tolist()] if value.ndim else json_value(value.item())
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, np.generic):
        return json_value(value.item())
    if isinstance(value, float) and not np.isfinite(value):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool, dict)):
        return value
    return str(value)


def _attrs(attrs: dict[str, Any]) -> dict[str, Any]:
    return {k: json_value(v) for k, v in attrs.items()}


def _dimension_names(node: DatasetNode) -> list[str] | None:
    if node.scale_name is not None and len(node.shape) == 1:
        return [node.path.rsplit("/", 1)[1]]
    if node.dims and len(node.dims) == len(node.shape) and all(len(d) == 1 for d in node.dims):
        return [d[0].rsplit("/", 1)[1] for d in node.dims]
    return None


def _plain(data: np.ndarray) -> np.ndarray:
    """Object arrays (HDF5 variable-length strings) as str arrays zarr can store."""
    if data.dtype.kind in "OS":
        return np.vectorize(lambda v: v.decode(errors="replace") if isinstance(v, bytes) else str(v),
                            otypes=[str])(data) if data.size else data.astype(str)
    return data


def _write_node(root: Any, fp: FilePlan, node: Any, items: dict[str, Any], journal: Journal, progress: Progress,
                notes: list[str], links: dict[str, dict[str, str]]) -> None:
    import inrfilter.zarr

    if isinstance(node, GroupNode):
        group = root if node.path == "/" else root.create_group(node.path.lstrip("/"))
        group.attrs.update(_attrs(node.attrs))
        return
    if isinstance(node, LinkNode):
        parent, _, name = node.path.rpartition("/")
        where = f"{node.kind}:{node.filename}:{node.target}" if node.kind == "external" else f"{node.kind}:{node.target}"
        links.setdefault(parent or "/", {})[name] = where
        notes.append(f"{fp.out.name}:{node.path}: zarr has no links; kept as attribute inrfilter_links of its group")
        return
    item = items[node.path]
    name = node.path.lstrip("/")
    dims = _dimension_names(node)
    if item.lossy:
        s = item.decision.settings
        codec = inrfilter.zarr.INR(s.method, **s.encode_kwargs())
        arr = root.create_array(name, shape=node.shape, chunks=item.chunks, dtype=node.dtype,
                                serializer=codec, compressors=None, fill_value=node.fillvalue,
                                dimension_names=dims, attributes=_attrs(node.attrs))
        base = os.path.join(str(fp.tmp), name)
        for b, offsets in enumerate(item.batches()):
            for offset, blob in zip(offsets, journal.blobs(item.key, b)):
                coords = tuple(o // c for o, c in zip(offset, item.chunks))
                key = os.path.join(base, *arr.metadata.encode_chunk_key(coords).split("/"))
                os.makedirs(os.path.dirname(key), exist_ok=True)
                with open(key, "wb") as f:
                    f.write(blob)
        progress.step(0, datasets=1)
        return
    if node.virtual is not None:
        notes.append(f"{fp.out.name}:{node.path}: virtual dataset stored as the data it maps")
    sample = _plain(np.asarray(node.read(tuple(slice(0, min(1, n)) for n in node.shape))))
    chunks = node.chunks or default_chunks(node.shape, max(1, node.dtype.itemsize))
    fill = node.fillvalue if node.dtype.kind in "fiub" else None
    arr = root.create_array(name, shape=node.shape, chunks=chunks if node.shape else (), dtype=sample.dtype
                            if sample.dtype.kind != "U" else str, fill_value=fill, dimension_names=dims,
                            attributes=_attrs(node.attrs))
    if not node.shape:
        arr[()] = _plain(np.asarray(node.read(())))
    elif 0 not in node.shape:
        row = max(1, node.nbytes // node.shape[0])
        step = max(1, (64 * 1024**2) // row)
        for start in range(0, node.shape[0], step):
            sel = (slice(start, min(start + step, node.shape[0])),)
            arr[sel] = _plain(np.asarray(node.read(sel)))
            progress.step(row * (sel[0].stop - start))
    progress.step(0, datasets=1)


def write_zarr(fp: FilePlan, journal: Journal, progress: Progress, notes: list[str]) -> None:
    import zarr

    items = {item.node.path: item for item in fp.items}
    root = zarr.open_group(str(fp.tmp), mode="w", zarr_format=3)
    links: dict[str, dict[str, str]] = {}
    for node in fp.nodes:
        t0 = time.perf_counter()
        with where(fp, node.path):
            _write_node(root, fp, node, items, journal, progress, notes, links)
        if node.path in items:
            items[node.path].seconds += time.perf_counter() - t0
    for path, entries in links.items():
        group = root if path == "/" else root[path.lstrip("/")]
        group.attrs["inrfilter_links"] = entries


def verify_zarr(fp: FilePlan) -> list[Row]:
    import zarr

    root = zarr.open_group(str(fp.tmp), mode="r")
    rows = []
    for item in fp.items:
        node = item.node
        arr = root[node.path.lstrip("/")]
        after = int(arr.nbytes_stored())
        if item.lossy:
            row = lossy_row(item, after, lambda sel: arr[sel])
        else:
            row = Row(item.label, "lossless", node.shape, str(node.dtype), node.stored_bytes, after, item.seconds)
            plain = DatasetNode(node.path, node.shape, node.dtype, node.chunks, {},
                                lambda sel: _plain(np.asarray(node.read(sel))), node.stored_bytes)
            from .plan import Item

            check_lossless(Item(plain, item.decision, item.label), lambda sel: np.asarray(arr[sel]), row, None)
        rows.append(row)
    return rows
