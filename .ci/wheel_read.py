"""Wheel check, reader side: run in a fresh venv where only the wheel (no torch), h5py and
zarr are installed (see .ci/wheel-check):
  python .ci/wheel_read.py OUTDIR GOLDEN_DIR
Decodes the golden blobs, reads the zarr array and the HDF5 dataset written by
.ci/wheel_write.py in another venv, and checks that encoding says how to get torch."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import h5py
import numpy as np
import zarr

import inrfilter

out, golden = Path(sys.argv[1]), Path(sys.argv[2])
assert importlib.util.find_spec("torch") is None, "torch is installed: this is not a reader-only venv"
assert "site-packages" in inrfilter.__file__, f"inrfilter comes from {inrfilter.__file__}, not the wheel"

# the golden test's own checks (tests/golden/record.py), loaded by path so that the
# repository's inrfilter/ does not shadow the wheel's
spec = importlib.util.spec_from_file_location("golden_record", golden / "record.py")
record = importlib.util.module_from_spec(spec)
spec.loader.exec_module(record)
blobs = sorted(golden.glob("*.inrf"))
assert blobs, f"no golden blobs in {golden}"
for path in blobs:
    assert record.differences(record.load(path.with_suffix(".json"))["record"], record.record(path.read_bytes())) == []
    assert record.decoded_mismatch(np.load(path.with_suffix(".npy")), inrfilter.decode(path.read_bytes())) is None
print(f"decoded {len(blobs)} golden blobs (header, sections, weights bit for bit; values within "
      f"{record.ULPS} ulps): {', '.join(p.stem for p in blobs)}")

expected = np.load(out / "expected.npz")
np.testing.assert_array_equal(zarr.open_array(out / "written.zarr")[...], expected["zarr"])
np.testing.assert_array_equal(zarr.open_array(out / "written.zarr")[5:30, 7], expected["zarr"][5:30, 7])
print("read the zarr array (whole and a region), no import of inrfilter needed by zarr's entry point")

import inrfilter.h5  # noqa: E402  (registers the filter with h5py's HDF5)

with h5py.File(out / "written.h5") as f:
    np.testing.assert_array_equal(f["x"][...], expected["h5"])
    np.testing.assert_array_equal(inrfilter.h5.read_region(f["x"], (slice(3, 40, 2), 9)), expected["h5"][3:40:2, 9])
print(f"read the HDF5 dataset with h5py (HDF5 {h5py.version.hdf5_version}) and read_region")

try:
    inrfilter.encode(expected["data"])
except ImportError as exc:
    assert "pip install 'inrfilter[encode]'" in str(exc), exc
    print(f"encode without torch: {exc}")
else:
    raise SystemExit("encode worked without torch")
