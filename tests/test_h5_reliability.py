"""The HDF5 write path never crashes and never loses a failure: bad settings fail at
dataset creation (set_local asks the Python side), an encoder failure at a flush is an
error, one during a close keeps the chunk losslessly and h5py's close raises; a
hostile chunk is refused before it is decoded."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

import inrfilter
import inrfilter.h5
from inrfilter import blob as blobfmt
from inrfilter.h5.cdvalues import pack
from inrfilter.settings import EncodeSettings
from tests.h5helpers import FAST_H5, plugin_env
from tests.test_h5_native import _need, _run, c_programs  # noqa: F401 - the fixture

ROOT = Path(__file__).resolve().parents[1]

REPRODUCER = """
import numpy as np, h5py, inrfilter.h5
from inrfilter.h5 import INR
try:
    with h5py.File("f.h5", "w") as f:
        f.create_dataset("x", shape=(16, 16), dtype="f4", chunks=(16, 16), **INR(ratio=1000, steps=20))
    with h5py.File("f.h5", "r+") as f:
        f["x"][...] = np.random.rand(16, 16)
except Exception as exc:
    print("RAISED", type(exc).__name__, exc)
"""

# An encoder failure HDF5 meets at a flush or a close (the settings themselves are fine)
FAILING = """
import sys, numpy as np, h5py, inrfilter.h5
from inrfilter.h5 import INR, filter as h5filter
v = np.random.default_rng(0).random((16, 16)).astype("f4")
with h5py.File("f.h5", "w") as f:
    f.create_dataset("x", shape=(16, 16), dtype="f4", chunks=(16, 16), **INR(ratio=4, steps=2, device="cpu"))
real = h5filter.encode
def failing(array, method="siren", **kw):
    if kw.get("max_error") == 0:
        return real(array, max_error=0, progress=False)
    raise RuntimeError("simulated encoder failure")
h5filter.encode = failing
try:
    with h5py.File("f.h5", "r+") as f:
        if sys.argv[1] == "temporary":
            f["x"][...] = v             # the dataset closes (and flushes) at the end of the line
        else:
            ds = f["x"]
            ds[...] = v                 # cached: encoded at the flush before close
except OSError as exc:
    print("RAISED", exc)
h5filter.encode = real
with h5py.File("f.h5") as f:
    print("EXACT", np.array_equal(f["x"][...], v))
"""


def _python(code: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300, env=plugin_env())


def test_the_reproducer_raises_and_does_not_crash(tmp_path):
    result = _python(REPRODUCER, tmp_path)
    assert result.returncode == 0, (result.returncode, result.stderr[-2000:])
    assert "RAISED" in result.stdout and "ratio=1000 is impossible for (16, 16) float32 chunks" in result.stdout


@pytest.mark.parametrize("how", ["temporary", "cached"])
def test_an_encoder_failure_at_close_raises_and_keeps_the_data(tmp_path, how):
    result = _python(FAILING, tmp_path, how)
    assert result.returncode == 0, (result.returncode, result.stderr[-2000:])  # -11 was the old end
    assert "RAISED inrfilter could not encode chunk(s)" in result.stdout
    assert "simulated encoder failure" in result.stdout
    assert "EXACT True" in result.stdout  # stored losslessly, not lost


def test_a_flush_failure_is_an_error_and_close_then_succeeds(tmp_path):
    code = FAILING.replace('            ds[...] = v                 # cached: encoded at the flush before close',
                           '            ds[...] = v\n            try:\n                f.flush()\n'
                           '            except Exception as exc:\n                print("FLUSH", exc)')
    result = _python(code, tmp_path, "cached")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "FLUSH" in result.stdout and "EXACT True" in result.stdout


def test_bad_settings_fail_at_creation_in_h5py(tmp_path):
    bad = EncodeSettings(method="siren", ratio=4.0, steps=2, device="cpu", options=(("layers", 99),))
    with h5py.File(tmp_path / "f.h5", "w") as f:
        with pytest.raises((ValueError, OSError), match="layers"):
            f.create_dataset("x", shape=(16, 16), dtype="f4", chunks=(16, 16), compression=inrfilter.h5.FILTER_ID,
                             compression_opts=pack(bad))
        assert "x" not in f


@pytest.mark.parametrize("settings, reason", [
    (EncodeSettings(ratio=1000.0, steps=2, device="cpu"), "ratio=1000 is impossible"),
    (EncodeSettings(method="siren", ratio=4.0, device="cpu", options=(("nosuch", 1),)), "nosuch"),
    (EncodeSettings(method="wien", ratio=4.0, device="cpu", options=(("r", 4),)), "odd"),
])
def test_c_writer_with_bad_cd_values_fails_at_create(tmp_path, c_programs, settings, reason):  # noqa: F811
    np.random.default_rng(0).random((16, 16)).astype(np.float32).tofile(tmp_path / "in.raw")
    cd = ",".join(map(str, pack(settings)))
    result = _run([c_programs["inr_write"], str(tmp_path / "c.h5"), "x", "f32", str(tmp_path / "in.raw"), "16x16",
                   "16x16", cd])
    assert result.returncode == 1, result.stderr  # an error exit, not a signal
    assert reason in result.stderr and "H5Dcreate" in result.stderr  # at creation, not at the write


def test_h5dump_refuses_a_hostile_chunk_before_decoding(tmp_path):
    data = np.linspace(0, 1, 16 * 16, dtype=np.float32).reshape(16, 16)
    with h5py.File(tmp_path / "f.h5", "w") as f:
        f.create_dataset("x", data=data, chunks=(16, 16), **inrfilter.h5.INR(ratio=2, **FAST_H5))
        _, blob = f["x"].id.read_direct_chunk((0, 0))
        _, header, sections = blobfmt.unpack(blob)
        assert header["m"] == "siren"
        # a valid blob whose network would be evaluated on 8192 x 8192 voxels (minutes)
        hostile = blobfmt.pack({**header, "s": [8192, 8192]}, sections)
        f["x"].id.write_direct_chunk((0, 0), hostile)
    start = time.perf_counter()
    dump = _run([_need("h5dump"), "--enable-error-stack", "-d", "/x", str(tmp_path / "f.h5")])
    elapsed = time.perf_counter() - start
    assert dump.returncode > 0, dump.stderr
    assert "this dataset's chunks are (16, 16)" in dump.stderr
    assert elapsed < 60  # starting Python and numpy in h5dump dominates; decoding would take minutes
