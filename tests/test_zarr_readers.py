"""Readers of inrfilter arrays: xarray, dask, and a fresh process that never imported
inrfilter and cannot import torch (codecs found through entry points)."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import zarr

from inrfilter.numcodecs import INR as INR2
from inrfilter.zarr import INR as INR3
from tests.conftest import FAST

BOUND = 0.05  # kelvin


def write(path: Path, a: np.ndarray, zarr_format: int) -> zarr.Array:
    """An xarray-readable group holding ``a`` as "sst", dimensions (y, x)."""
    group = zarr.open_group(path, mode="w", zarr_format=zarr_format)
    if zarr_format == 2:
        z = group.create_array("sst", shape=a.shape, chunks=(16, 16), dtype=a.dtype, fill_value=np.nan,
                               compressors=INR2(max_error=BOUND, **FAST), attributes={"_ARRAY_DIMENSIONS": ["y", "x"]})
    else:
        z = group.create_array("sst", shape=a.shape, chunks=(16, 16), dtype=a.dtype, fill_value=np.nan,
                               serializer=INR3(max_error=BOUND, **FAST), compressors=None, dimension_names=("y", "x"))
    z[:] = a
    return z


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_xarray_open_zarr_and_dask_from_zarr(sst_crop, tmp_path, zarr_format):
    xr = pytest.importorskip("xarray")
    da = pytest.importorskip("dask.array")
    a = sst_crop
    expected = write(tmp_path / "g.zarr", a, zarr_format)[:]
    finite = np.isfinite(a)
    assert np.abs(expected[finite] - a[finite]).max() <= BOUND

    ds = xr.open_zarr(tmp_path / "g.zarr", consolidated=False, zarr_format=zarr_format)
    assert ds.sst.dims == ("y", "x") and ds.sst.chunks == ((16, 16), (16, 16))
    np.testing.assert_array_equal(ds.sst.values, expected)
    # a sub-selection may be read as a region: equal up to float32 evaluation noise
    noise = 1e-6 * float(np.nanmax(a) - np.nanmin(a))
    np.testing.assert_allclose(ds.sst.isel(y=slice(5, 20), x=7).values, expected[5:20, 7], atol=noise, rtol=0)

    lazy = da.from_zarr(str(tmp_path / "g.zarr"), component="sst")
    np.testing.assert_array_equal(lazy.compute(), expected)
    np.testing.assert_allclose(lazy[3:30:4, 10:12].compute(), expected[3:30:4, 10:12], atol=noise, rtol=0)


FRESH = """
import sys
sys.modules["torch"] = None  # any "import torch" now raises ImportError
import numpy as np, numcodecs, zarr
from zarr.registry import get_codec_class
assert not [m for m in sys.modules if m.split(".")[0] == "inrfilter"], "inrfilter imported too early"
codec = numcodecs.get_codec({"id": "inrfilter", "max_error": 0.5})
assert type(codec).__module__ == "inrfilter.numcodecs" and codec.get_config()["max_error"] == 0.5
assert get_codec_class("inrfilter.inr").__module__ == "inrfilter.zarr.codec"
v2, v3 = (zarr.open_array(p, mode="r") for p in sys.argv[1:3])
np.save(sys.argv[3], np.stack([v2[:], v3[:]]))
np.save(sys.argv[4], v3[2:9, 20:31:3])
assert "torch" not in [m for m, v in sys.modules.items() if v is not None]
"""


def test_fresh_process_finds_the_codecs_and_reads_without_torch(tmp_path, saxs_crop):
    a = saxs_crop[:20, :30]
    bound = 0.01 * float(np.ptp(a))
    for fmt, kwargs in ((2, {"compressors": INR2(max_error=bound, **FAST)}),
                        (3, {"serializer": INR3(max_error=bound, **FAST), "compressors": None})):
        zarr.create_array(tmp_path / f"v{fmt}.zarr", shape=a.shape, chunks=(16, 16), dtype=a.dtype,
                          zarr_format=fmt, **kwargs)[:] = a
    outs = [tmp_path / "full.npy", tmp_path / "roi.npy"]
    result = subprocess.run(
        [sys.executable, "-c", FRESH, str(tmp_path / "v2.zarr"), str(tmp_path / "v3.zarr"), *map(str, outs)],
        capture_output=True, text=True, cwd=tmp_path,  # not the repository: inrfilter must come from entry points
    )
    assert result.returncode == 0, result.stderr
    full = np.load(outs[0])
    for back in full:
        assert np.abs(back - a).max() <= bound
    np.testing.assert_array_equal(full[1], zarr.open_array(tmp_path / "v3.zarr")[:])
    np.testing.assert_allclose(np.load(outs[1]), full[1][2:9, 20:31:3], atol=1e-6 * float(np.ptp(a)), rtol=0)
