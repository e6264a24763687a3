"""The plugin outside h5py: Debian's h5dump and C programs built against Debian's
libhdf5-dev (HDF5 1.10, not h5py's bundled HDF5), and a Python that finds the plugin
only through HDF5_PLUGIN_PATH.  .ci/run installs hdf5-tools and libhdf5-dev."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

import inrfilter
import inrfilter.h5
from inrfilter.h5.cdvalues import unpack
from inrfilter.cli import main as cli
from tests.h5helpers import FAST_H5, decode_chunks, plugin_env

HERE = Path(__file__).parent
C_TYPES = {np.dtype(np.uint8): "u8", np.dtype(np.int16): "i16", np.dtype(np.float32): "f32",
           np.dtype(np.float64): "f64"}


def _need(program: str) -> str:
    path = shutil.which(program)
    if path is None:
        pytest.fail(f"{program} not found: install hdf5-tools and libhdf5-dev (Debian), as .ci/run does")
    return path


@pytest.fixture(scope="module")
def c_programs(tmp_path_factory) -> dict[str, str]:
    """inr_write and inr_read, compiled against the system's libhdf5 (pkg-config hdf5)."""
    cc, pkg = _need("cc"), _need("pkg-config")
    flags = subprocess.run([pkg, "--cflags", "--libs", "hdf5"], capture_output=True, text=True, check=True)
    out = tmp_path_factory.mktemp("c")
    programs = {}
    for name in ("inr_write", "inr_read"):
        cmd = [cc, "-Wall", "-Werror", "-O1", f"-DINR_FILTER_ID={inrfilter.h5.FILTER_ID}", "-o", str(out / name),
               str(HERE / "hdf5_c" / f"{name}.c"), *flags.stdout.split()]
        result = subprocess.run(cmd, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        programs[name] = str(out / name)
    return programs


def _run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, env=plugin_env(), timeout=300, **kwargs)


def _write_h5py(path: Path, data: np.ndarray, chunks: tuple[int, ...], **settings) -> np.ndarray:
    """Write with h5py in this process; return what inrfilter.decode makes of the chunks."""
    with h5py.File(path, "w") as f:
        ds = f.create_dataset("x", data=data, chunks=chunks, **inrfilter.h5.INR(**settings, **FAST_H5))
        return decode_chunks(ds)


def _h5dump_values(text: str) -> np.ndarray:
    body = text[text.index("DATA {") + len("DATA {"): text.rindex("}", 0, text.rindex("}"))]
    return np.array([float(v) for v in re.findall(r"[-+]?(?:nan|inf|\d[\d.e+-]*)", body)])


@pytest.mark.parametrize("crop", ["ascent_crop", "sst_crop"])
def test_h5dump_prints_the_decoded_values(tmp_path, request, crop):
    data = request.getfixturevalue(crop)
    expected = _write_h5py(tmp_path / "f.h5", data, (16, 20), max_error=0.05 if data.dtype.kind == "f" else 2)
    result = _run([_need("h5dump"), "-d", "/x", "-y", "-w", "0", "-m", "%.9g", str(tmp_path / "f.h5")])
    assert result.returncode == 0, result.stderr
    printed = _h5dump_values(result.stdout).astype(data.dtype)  # %.9g round-trips float32
    np.testing.assert_array_equal(printed, expected.ravel())


@pytest.mark.parametrize("crop, bound", [("sst_crop", 0.05), ("ascent_crop", 2.0)])
def test_c_program_writes_and_h5py_reads(tmp_path, request, capsys, c_programs, crop, bound):
    data = request.getfixturevalue(crop)
    data.tofile(tmp_path / "in.raw")
    assert cli(["cd-values", "--max-error", str(bound), "--steps", "30", "--device", "cpu"]) == 0
    cd_values = capsys.readouterr().out.strip()
    result = _run([c_programs["inr_write"], str(tmp_path / "c.h5"), "x", C_TYPES[data.dtype], str(tmp_path / "in.raw"),
                   "x".join(map(str, data.shape)), "16x12", cd_values])
    assert result.returncode == 0, result.stderr
    with h5py.File(tmp_path / "c.h5") as f:
        ds = f["x"]
        flags, values, _ = ds.id.get_create_plist().get_filter_by_id(inrfilter.h5.FILTER_ID)
        assert flags & h5py.h5z.FLAG_OPTIONAL == 0  # set_local ran in HDF5 1.10 too
        assert unpack(values)[1].chunks == (16, 12) and unpack(values)[1].dtype == data.dtype
        back = ds[...]
        np.testing.assert_array_equal(back, decode_chunks(ds))
    finite = np.isfinite(data)
    np.testing.assert_array_equal(np.isnan(back), np.isnan(data))
    assert np.abs(back[finite].astype(float) - data[finite].astype(float)).max() <= bound


def test_h5py_writes_and_c_program_reads(tmp_path, saxs_crop, c_programs):
    expected = _write_h5py(tmp_path / "f.h5", saxs_crop, (16, 20), max_error=500)
    result = _run([c_programs["inr_read"], str(tmp_path / "f.h5"), "x", str(tmp_path / "out.raw")])
    assert result.returncode == 0, result.stderr
    np.testing.assert_array_equal(np.fromfile(tmp_path / "out.raw", np.float64).reshape(saxs_crop.shape), expected)


PLUGIN_PATH_ONLY = """
import json, sys
import h5py, numpy as np
assert "inrfilter" not in sys.modules
path, out, cd_values = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
with h5py.File(path, "a") as f:
    np.save(out, f["x"][...])   # the plugin's filter starts inrfilter in this interpreter
    assert "inrfilter.h5.dataset" not in sys.modules   # the plugin loads no h5py side
    f.create_dataset("y", data=np.arange(256, dtype="f4").reshape(16, 16), chunks=(8, 16),
                     compression=int(sys.argv[4]), compression_opts=tuple(cd_values))
"""


def test_plugin_found_only_through_HDF5_PLUGIN_PATH(tmp_path, ascent_crop):
    expected = _write_h5py(tmp_path / "f.h5", ascent_crop, (16, 16), max_error=2)
    cd_values = str(list(inrfilter.h5.INR(max_error=1.0, **FAST_H5).filter_options))
    cmd = [sys.executable, "-c", PLUGIN_PATH_ONLY, str(tmp_path / "f.h5"), str(tmp_path / "out.npy"), cd_values,
           str(inrfilter.h5.FILTER_ID)]
    # the folder inrfilter is imported from is not on the child's path: cwd elsewhere
    without = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=300,
                             env={k: v for k, v in plugin_env().items() if k != "HDF5_PLUGIN_PATH"})
    assert without.returncode != 0 and "OSError: Can't synchronously read data" in without.stderr
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=300, env=plugin_env())
    assert result.returncode == 0, result.stderr
    np.testing.assert_array_equal(np.load(tmp_path / "out.npy"), expected)
    with h5py.File(tmp_path / "f.h5") as f:
        written = f["y"][...]
        np.testing.assert_array_equal(written, decode_chunks(f["y"]))
    assert np.abs(written - np.arange(256).reshape(16, 16)).max() <= 1.0


def test_corrupt_chunk_fails_h5dump_and_c_reader_cleanly(tmp_path, c_programs):
    _write_h5py(tmp_path / "f.h5", np.linspace(0, 1, 32 * 32, dtype=np.float32).reshape(32, 32), (16, 16), ratio=2)
    with h5py.File(tmp_path / "f.h5", "a") as f:
        f["x"].id.write_direct_chunk((16, 0), b"not a blob, not at all")
    dump = _run([_need("h5dump"), "--enable-error-stack", "-d", "/x", str(tmp_path / "f.h5")])
    read = _run([c_programs["inr_read"], str(tmp_path / "f.h5"), "x", str(tmp_path / "out.raw")])
    for result in (dump, read):
        assert result.returncode > 0  # an error exit, not a signal
        assert "inrfilter: reading a chunk failed: not an inrfilter blob" in result.stderr


def test_c_program_with_foreign_cd_values_refused_at_creation(tmp_path, c_programs):
    np.zeros((8, 8), np.float32).tofile(tmp_path / "in.raw")
    result = _run([c_programs["inr_write"], str(tmp_path / "c.h5"), "x", "f32", str(tmp_path / "in.raw"), "8x8",
                   "4x4", "9,0"])
    assert result.returncode == 1
    assert "are not layout version 1" in result.stderr


def test_h5repack_compresses_an_existing_file(tmp_path, sst_crop, capsys):
    with h5py.File(tmp_path / "plain.h5", "w") as f:
        f.create_dataset("x", data=sst_crop, chunks=(16, 16))
    assert cli(["cd-values", "--max-error", "0.05", "--steps", "30", "--device", "cpu"]) == 0
    values = capsys.readouterr().out.strip()
    ud = f"UD={inrfilter.h5.FILTER_ID},0,{len(values.split(','))},{values}"
    result = _run([_need("h5repack"), "-f", ud, str(tmp_path / "plain.h5"), str(tmp_path / "packed.h5")])
    assert result.returncode == 0, result.stderr
    with h5py.File(tmp_path / "packed.h5") as f:
        back = f["x"][...]
        np.testing.assert_array_equal(back, decode_chunks(f["x"]))
    np.testing.assert_array_equal(np.isnan(back), np.isnan(sst_crop))
    assert np.nanmax(np.abs(back - sst_crop)) <= 0.05
