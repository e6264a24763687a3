"""Real data for tests and benchmarks (see shared/DATASETS.md), one loader per dataset.

Each loader returns a numpy array read from a package that ships the data; a missing
package raises a ModuleNotFoundError that names it.  Crops for unit tests come from
:func:`crop`.
"""

from __future__ import annotations

import glob
import os
from functools import lru_cache

import numpy as np


def _need(module: str, package: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        raise ModuleNotFoundError(f"this dataset needs the package '{package}': pip install {package}") from exc


@lru_cache(maxsize=None)
def saxs_eiger() -> np.ndarray:
    """Background-subtracted SAXS frame (Eiger 1M), 1065x1030 float64, 37% negative."""
    sasdata = _need("sasdata", "sasdata")
    h5py = _need("h5py", "h5py")
    path = os.path.join(os.path.dirname(sasdata.__file__), "example_data", "2d_data", "BAM_2D.h5")
    with h5py.File(path, "r") as f:
        return np.asarray(f["sasentry01/data/I"][()])


@lru_cache(maxsize=None)
def ocean_sst() -> np.ndarray:
    """NEMO sea-surface temperature, 330x360 float32, NaN over land (45%)."""
    sample = _need("iris_sample_data", "iris-sample-data")
    netcdf = _need("netCDF4", "netCDF4")
    path = sorted(glob.glob(os.path.join(os.path.dirname(sample.__file__), "sample_data", "NEMO", "*.nc")))[0]
    with netcdf.Dataset(path) as ds:
        tos = ds["tos"][0]
    return np.ma.filled(tos.astype(np.float32), np.nan)


@lru_cache(maxsize=None)
def ascent() -> np.ndarray:
    """The 512x512 uint8 'ascent' photograph that ships with PyWavelets (a core dependency)."""
    import pywt.data

    return pywt.data.ascent()


def crop(array: np.ndarray, corner: tuple[int, ...], size: tuple[int, ...]) -> np.ndarray:
    """A C-contiguous copy of ``array[corner : corner + size]``."""
    return np.ascontiguousarray(array[tuple(slice(c, c + s) for c, s in zip(corner, size))])
