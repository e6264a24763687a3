"""Wheel check, writer side: files for the fresh reader venv to read (see .ci/wheel-check).

Run in a venv that has inrfilter with the encode extra, h5py and zarr:
  python .ci/wheel_write.py OUTDIR
writes OUTDIR/written.zarr (zarr format 3 array), OUTDIR/written.h5 (dataset "x" through
inrfilter.h5.INR) and OUTDIR/expected.npz (what each must decode to, from inrfilter.decode of
the stored chunks)."""

from __future__ import annotations

import sys
from pathlib import Path

import h5py
import numpy as np
import zarr

import inrfilter
import inrfilter.h5
from inrfilter.zarr import INR

out = Path(sys.argv[1])
y, x = np.mgrid[0:48, 0:40] / 16.0
data = (np.sin(y) * np.cos(1.3 * x) + 0.1 * y).astype(np.float32)
fast = {"steps": 40, "device": "cpu"}

z = zarr.create_array(out / "written.zarr", shape=data.shape, chunks=(24, 20), dtype="float32",
                      serializer=INR(max_error=0.01, **fast), compressors=None)
z[:] = data
with h5py.File(out / "written.h5", "w") as f:
    f.create_dataset("x", data=data, chunks=(24, 20), **inrfilter.h5.INR(max_error=0.01, **fast))
with h5py.File(out / "written.h5") as f:
    h5_expected = f["x"][...]
np.savez(out / "expected.npz", data=data, zarr=zarr.open_array(out / "written.zarr")[...], h5=h5_expected)
print(f"wrote {out}/written.zarr and {out}/written.h5")
