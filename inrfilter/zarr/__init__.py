"""zarr format 3 codec: ``inrfilter.zarr.INR`` (codec name ``inrfilter.inr``).

An array->bytes codec with partial decoding (``a[roi]`` evaluates only the ROI)
and batched encoding; see :mod:`inrfilter.zarr.codec` and docs/zarr.md.
"""

from .codec import NAME, INR, PartialDecodeWarning

__all__ = ["INR", "NAME", "PartialDecodeWarning"]
