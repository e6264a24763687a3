"""Wheel check, after `pip install 'inrfilter[encode]'` into the fresh venv (see
.ci/wheel-check): write through inrfilter.h5.INR, read back with h5py.
  python .ci/wheel_roundtrip.py FILE.h5
Prints the decoded values as one line of %.9g numbers, for comparison with h5dump's."""

from __future__ import annotations

import sys

import h5py
import numpy as np

import inrfilter.h5

y, x = np.mgrid[0:20, 0:16] / 6.0
data = (np.cos(y) + np.sin(x)).astype(np.float32)
with h5py.File(sys.argv[1], "w") as f:
    f.create_dataset("x", data=data, chunks=(10, 16), **inrfilter.h5.INR(max_error=0.02, steps=30, device="cpu"))
with h5py.File(sys.argv[1]) as f:
    back = f["x"][...]
    flags, _, _ = f["x"].id.get_create_plist().get_filter_by_id(inrfilter.h5.FILTER_ID)
assert np.abs(back - data).max() <= 0.02
print(" ".join(f"{v:.9g}" for v in back.ravel()))
