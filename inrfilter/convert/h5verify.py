"""Verifying an assembled HDF5 output against its source (see :mod:`.verify`)."""

from __future__ import annotations

import h5py

from .h5write import _raw_copyable
from .plan import FilePlan, Item
from .verify import Row, check_lossless, lossy_row


def _raw_equal(item: Item, out: h5py.Dataset):
    """Compare stored chunks byte for byte (chunks copied without re-compression)."""
    src = item.node.h5

    def equal() -> bool:
        n = src.id.get_num_chunks()
        if out.id.get_num_chunks() != n:
            return False
        for i in range(n):
            offset = src.id.get_chunk_info(i).chunk_offset
            if src.id.read_direct_chunk(offset) != out.id.read_direct_chunk(offset):
                return False
        return True

    return equal


def verify_hdf5(fp: FilePlan) -> list[Row]:
    """One report row per dataset of ``fp``, read back from its temporary file."""
    import inrfilter.h5  # noqa: F401  (registers the filter with h5py's HDF5)

    rows = []
    with h5py.File(fp.tmp, "r") as f:
        for item in fp.items:
            node = item.node
            ds = f[node.path]
            after = int(ds.id.get_storage_size())
            if node.virtual is not None:
                row = Row(item.label, "virtual", node.shape, str(node.dtype), node.stored_bytes, after)
                if len(ds.virtual_sources()) != len(node.virtual) or ds.shape != node.h5.shape:
                    row.problems.append("virtual mapping differs from the source's")
                rows.append(row)
                continue
            if item.lossy:
                row = lossy_row(item, after, lambda sel: ds[sel])
            else:
                row = Row(item.label, "lossless", node.shape, str(node.dtype), node.stored_bytes, after, item.seconds)
                if node.h5 is not None and node.h5.shape is None:
                    pass  # null dataspace: nothing to compare
                else:
                    check_lossless(item, lambda sel: ds[sel], row,
                                   _raw_equal(item, ds) if _raw_copyable(node) else None)
            rows.append(row)
    return rows
