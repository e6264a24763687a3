"""``import inrfilter.h5`` works where the native plugin is not built: reading chunks
directly (read_region, sample, verify) needs no plugin; only the filter itself does,
and asking for it says how to build it."""

import shutil
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np

import inrfilter
import inrfilter.h5
from tests.h5helpers import FAST_H5

READ_WITHOUT_PLUGIN = """
import sys
import h5py, numpy as np
import inrfilter, inrfilter.h5
assert not inrfilter.h5.plugin_built()
with h5py.File(sys.argv[1], "r") as f:
    np.save(sys.argv[2], inrfilter.h5.read_region(f["x"], (slice(2, 14), slice(None))))
    assert inrfilter.h5.verify(f["x"]) == {}
try:
    inrfilter.h5.INR(ratio=4)
except ImportError as exc:
    print("INR:", exc)
"""


def test_reading_directly_and_a_clear_error_for_the_filter_without_the_plugin(tmp_path):
    data = np.add.outer(np.linspace(0, 1, 16), np.linspace(0, 2, 12)).astype(np.float32)
    with h5py.File(tmp_path / "f.h5", "w") as f:
        f.create_dataset("x", data=data, chunks=(8, 12), **inrfilter.h5.INR(max_error=0.01, **FAST_H5))
    copy = tmp_path / "site"
    shutil.copytree(Path(inrfilter.__file__).parent, copy / "inrfilter",
                    ignore=shutil.ignore_patterns("plugins", "__pycache__"))
    result = subprocess.run([sys.executable, "-c", READ_WITHOUT_PLUGIN, str(tmp_path / "f.h5"),
                             str(tmp_path / "roi.npy")], capture_output=True, text=True, timeout=300,
                            cwd=tmp_path, env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert "plugin is not built" in result.stdout and "pip install" in result.stdout
    np.testing.assert_allclose(np.load(tmp_path / "roi.npy"), data[2:14], atol=0.011)


def test_import_inrfilter_loads_no_hdf5_door():
    code = "import sys, inrfilter; assert 'h5py' not in sys.modules and 'inrfilter.h5' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
