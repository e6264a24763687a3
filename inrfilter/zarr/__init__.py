"""zarr format 3 codec: ``inrfilter.zarr.INR`` (codec name ``inrfilter.inr``).

An array->bytes codec with partial decoding (``a[roi]`` evaluates only the ROI)
and batched encoding; see :mod:`inrfilter.zarr.codec` and docs/zarr.md.
``inrfilter.zarr.write(z, data)`` (:mod:`inrfilter.zarr.writer`) fills an unsharded
array (format 3 or 2) with edge chunks trained and sized on their valid part.
"""

from .codec import NAME, INR, PartialDecodeWarning
from .writer import write

__all__ = ["INR", "NAME", "PartialDecodeWarning", "write"]
