"""The active-voxel mask (AVM) of the ``fourier`` method: which voxels a network is
trained on, which it is decoded at, and how the mask is stored.

Vocabulary (per chunk, all bool arrays of the chunk's shape):

- *inactive*: voxels the network is not asked for: background voxels (finite and equal
  to the background value) and non-finite holes (the core restores those itself);
- *active*: the rest, ``~inactive`` (the paper's undilated AVM);
- *training set*: the active voxels grown by ``dilation`` voxels (morphological
  dilation, scipy's default cross-shaped structuring element iterated ``dilation``
  times, i.e. every voxel within L1 distance ``dilation``); the whole chunk when
  ``dilation`` is None (the paper's bounding-box baseline, BBX).

The stored mask is the inactive set, bit-packed (C order) and zstd-compressed; the
decoder returns the background value there and evaluates the network elsewhere.

numpy, scipy and zstandard only: the decoder imports this module.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import zstandard
from scipy import ndimage

#: "auto" background: the most common finite value, when it covers at least this share
#: of the finite voxels (MNI-T1's zeros cover 78%; a float field's most common value
#: usually covers one voxel)
AUTO_BACKGROUND_SHARE = 0.2
_ZSTD_LEVEL = 19


def background_value(values: np.ndarray, holes: np.ndarray | None, norm: Any, background: Any) -> float | None:
    """The background in the normalised units of ``values`` (float32-exact), or None.

    "auto": the most common finite value if it covers ``AUTO_BACKGROUND_SHARE`` of the
    finite voxels.  A number is in the user's units and goes through ``norm`` exactly
    as the chunk did, so equal inputs give equal normalised values.
    """
    if background is None:
        return None
    finite_values = values if holes is None else values[~holes]
    if finite_values.size == 0:
        return None
    if isinstance(background, str):  # "auto"
        uniques, counts = np.unique(finite_values, return_counts=True)
        top = int(np.argmax(counts))
        return float(uniques[top]) if counts[top] >= AUTO_BACKGROUND_SHARE * finite_values.size else None
    if norm is None:
        raise ValueError("fourier: a numeric background needs the chunk's normalisation (encode passes it)")
    normalised = np.clip(norm.forward(np.array([float(background)])), -1.0, 1.0).astype(np.float32)
    return float(normalised[0])


def inactive_voxels(values: np.ndarray, holes: np.ndarray | None, background: float | None) -> np.ndarray:
    """Background voxels and holes: where the network is not asked for a value."""
    inactive = np.zeros(values.shape, bool) if background is None else values == np.float32(background)
    return inactive if holes is None else inactive | holes


def training_set(active: np.ndarray, dilation: int | None) -> np.ndarray:
    """The active voxels grown by ``dilation`` voxels (L1 ball); everything when None."""
    if dilation is None:
        return np.ones(active.shape, bool)
    if dilation == 0:
        return active.copy()
    return ndimage.binary_dilation(active, iterations=int(dilation))


def pack_mask(mask: np.ndarray) -> bytes:
    """Bit-packed (C order) and zstd-compressed bool mask."""
    return zstandard.ZstdCompressor(level=_ZSTD_LEVEL).compress(np.packbits(mask.ravel()).tobytes())


def unpack_mask(data: bytes, shape: tuple[int, ...]) -> np.ndarray:
    """Inverse of :func:`pack_mask`; BlobError when the size does not match ``shape``."""
    from ...limits import decompress

    size = int(np.prod(shape))
    raw = decompress(bytes(data), (size + 7) // 8, "fourier mask")
    return np.unpackbits(np.frombuffer(raw, np.uint8), count=size).astype(bool).reshape(shape)
