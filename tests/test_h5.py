"""The HDF5 filter inside h5py: round trips, the recorded settings, refusals, failures,
and reads of regions and points that touch only the chunks involved."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np
import pytest

import inrfilter
import inrfilter.h5
from inrfilter.h5.cdvalues import unpack
from inrfilter.cli import main as cli
from inrfilter.methods import get_method
from tests.conftest import smooth
from tests.h5helpers import FAST_H5, decode_chunks


def _cases(saxs: np.ndarray, sst: np.ndarray, ascent: np.ndarray) -> dict[str, tuple[np.ndarray, tuple, float]]:
    """name -> (data, chunks, max_error): real crops in several dtypes, with edge chunks."""
    return {
        "uint8-ascent": (ascent[:44, :40], (16, 16), 2.0),
        "int16-ascent": (ascent.astype(np.int16) * 100 - 12000, (16, 20), 150.0),
        "float16-ascent": ((ascent / 255).astype(np.float16), (20, 16), 0.02),
        "float32-sst": (sst, (16, 12), 0.05),
        "bigendian-float32-sst": (sst.astype(">f4"), (12, 16), 0.05),
        "float64-saxs": (saxs, (16, 16), 500.0),
    }


CASE_NAMES = ["uint8-ascent", "int16-ascent", "float16-ascent", "float32-sst", "bigendian-float32-sst",
              "float64-saxs"]


@pytest.fixture(scope="module")
def cases(saxs_crop, sst_crop, ascent_crop):
    return _cases(saxs_crop, sst_crop, ascent_crop)


@pytest.mark.parametrize("method", inrfilter.METHODS)
@pytest.mark.parametrize("case", CASE_NAMES)
def test_round_trip(tmp_path, cases, method, case):
    data, chunks, bound = cases[case]
    with h5py.File(tmp_path / "f.h5", "w") as f:
        f.create_dataset("x", data=data, chunks=chunks, **inrfilter.h5.INR(method, max_error=bound, **FAST_H5))
    with h5py.File(tmp_path / "f.h5") as f:
        ds = f["x"]
        back = ds[...]
        assert back.dtype == data.dtype and back.shape == data.shape
        np.testing.assert_array_equal(back, decode_chunks(ds))  # the filter decodes with inrfilter.decode
    a, b = data.astype(np.float64), back.astype(np.float64)
    np.testing.assert_array_equal(np.isnan(b), np.isnan(a))
    finite = np.isfinite(a)
    assert np.abs(b[finite] - a[finite]).max() <= bound


def test_settings_and_layout_recorded(tmp_path, sst_crop):
    inr = inrfilter.h5.INR(psnr=30, max_error=0.1, seed=3, quant="int8", w0=20.0, **FAST_H5)
    with h5py.File(tmp_path / "f.h5", "w") as f:
        ds = f.create_dataset("x", data=sst_crop.astype(">f4"), chunks=(16, 8), **inr)
        flags, values, name = ds.id.get_create_plist().get_filter_by_id(inrfilter.h5.FILTER_ID)
        # set_local made the filter mandatory: h5py adds it as optional, which stores
        # a chunk raw when the encoder fails
        assert flags & h5py.h5z.FLAG_OPTIONAL == 0
        assert name == b"inrfilter"
        settings, layout = unpack(values)
        assert settings == inr.settings
        assert layout.dtype == np.dtype(">f4") and layout.chunks == (16, 8)
        # a dcpl copied from a dataset already holds a layout: set_local replaces it
        dcpl = ds.id.get_create_plist()
        dcpl.set_chunk((8, 8))
        like = h5py.h5d.create(f.id, b"y", ds.id.get_type(), ds.id.get_space(), dcpl=dcpl)
        values_like = like.get_create_plist().get_filter_by_id(inrfilter.h5.FILTER_ID)[1]
        assert len(values_like) == len(values) and unpack(values_like)[1].chunks == (8, 8)


def test_registered_on_import():
    assert h5py.h5z.filter_avail(inrfilter.h5.FILTER_ID)
    assert 32768 <= inrfilter.h5.FILTER_ID <= 65535
    inr = inrfilter.h5.INR(ratio=10)
    assert dict(inr)["compression"] == inrfilter.h5.FILTER_ID
    assert dict(inr)["compression_opts"] == inr.filter_options
    assert "rdcc_nbytes" not in dict(inrfilter.h5.INR(write_through=False))


@pytest.mark.parametrize("kwargs, error", [
    ({"ratio": 4, "psnr": 30}, ValueError), ({"method": "nope"}, ValueError), ({"device": "tpu"}, ValueError),
    ({"bogus": 1}, TypeError), ({"seed": 2**32}, ValueError), ({"quant": "int4"}, ValueError),
    ({"device": "cuda:1"}, ValueError), ({"steps": 2**32}, ValueError),
])
def test_bad_settings_refused_when_built(kwargs, error):
    with pytest.raises(error):
        inrfilter.h5.INR(**kwargs)


@pytest.mark.parametrize("dtype", [np.complex64, "S4", bool, [("a", "<f4"), ("b", "<i2")]])
def test_unsupported_dtype_refused_at_creation(tmp_path, dtype):
    with h5py.File(tmp_path / "f.h5", "w") as f:
        with pytest.raises((ValueError, OSError, TypeError)) as info:
            f.create_dataset("x", shape=(8, 8), dtype=dtype, chunks=(4, 4), **inrfilter.h5.INR())
        assert "inrfilter compresses" in str(info.value)
        assert "x" not in f


def test_five_dimensional_chunks_refused(tmp_path):
    with h5py.File(tmp_path / "f.h5", "w") as f:
        with pytest.raises((ValueError, OSError), match="1 to 4 dimensions"):
            f.create_dataset("x", shape=(2,) * 5, dtype="f4", chunks=(1,) * 5, **inrfilter.h5.INR())


def test_unreachable_ratio_fails_at_creation(tmp_path):
    a = smooth((16, 16))
    impossible = inrfilter.h5.INR(ratio=1000, **FAST_H5)  # an 8x8 float32 chunk is 256 bytes
    with h5py.File(tmp_path / "f.h5", "w") as f:
        for name, kwargs in (("x", {"data": a}), ("y", {"shape": a.shape, "dtype": a.dtype})):
            with pytest.raises(ValueError, match="ratio=1000 is impossible for \\(8, 8\\) float32 chunks"):
                f.create_dataset(name, chunks=(8, 8), **kwargs, **impossible)
        assert len(f) == 0  # set_local refused it: no dataset


def test_encoder_failure_fails_the_write(tmp_path, caplog, monkeypatch):
    from inrfilter.h5 import filter as h5filter

    a = smooth((16, 16))

    def failing(*args, **kwargs):
        raise RuntimeError("simulated encoder failure")

    with caplog.at_level(logging.ERROR, logger="inrfilter"), h5py.File(tmp_path / "f.h5", "w") as f:
        ds = f.create_dataset("y", shape=a.shape, dtype=a.dtype, chunks=(16, 16), **inrfilter.h5.INR(ratio=2, **FAST_H5))
        monkeypatch.setattr(h5filter, "encode", failing)
        with pytest.raises(OSError):
            ds[...] = a  # write_through: the write itself fails
        assert ds.id.get_num_chunks() == 0  # nothing stored, raw or otherwise
        monkeypatch.undo()
    assert "simulated encoder failure" in caplog.text
    with h5py.File(tmp_path / "f.h5") as f:
        assert all(f[name].id.get_num_chunks() == 0 for name in f)


@pytest.fixture(scope="module")
def written_once(tmp_path_factory):
    a = smooth((40, 36))
    path = tmp_path_factory.mktemp("written") / "f.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=a, chunks=(16, 16), **inrfilter.h5.INR(ratio=2, **FAST_H5))
    return path, a


@pytest.fixture()
def written(tmp_path, written_once):
    """A copy of a 40x36 float32 dataset of 16x16 chunks, and its array."""
    path, a = written_once
    shutil.copyfile(path, tmp_path / "f.h5")
    return tmp_path / "f.h5", a


def _corrupt(path, offset, blob: bytes) -> None:
    with h5py.File(path, "a") as f:
        f["x"].id.write_direct_chunk(offset, blob)


@pytest.mark.parametrize("damage, reason", [
    ("garbage", "not an inrfilter blob"), ("flip", "checksum"), ("truncate", "truncated"),
    ("foreign", "this dataset's chunks are"),
])
def test_corrupt_chunk_raises_naming_dataset_and_chunk(written, caplog, capsys, damage, reason):
    path, _ = written
    with h5py.File(path) as f:
        blob = bytearray(f["x"].id.read_direct_chunk((16, 0))[1])
    if damage == "garbage":
        blob = b"garbage!" * 8
    elif damage == "flip":
        blob[len(blob) // 2] ^= 0xFF
    elif damage == "truncate":
        blob = blob[:-10]
    else:  # a valid blob of another shape
        blob = inrfilter.encode(smooth((8, 8)), steps=30, device="cpu", progress=False)
    _corrupt(path, (16, 0), bytes(blob))
    with h5py.File(path) as f:
        ds = f["x"]
        with caplog.at_level(logging.ERROR, logger="inrfilter"), pytest.raises(OSError):
            ds[...]
        assert reason in caplog.text and "h5-verify" in caplog.text
        with pytest.raises(inrfilter.BlobError, match=reason) as info:
            inrfilter.h5.read_region(ds, (slice(10, 30), 3))
        assert "dataset /x" in str(info.value) and "chunk at (16, 0)" in str(info.value)
        with pytest.raises(inrfilter.BlobError, match=r"dataset /x, chunk at \(16, 0\)"):
            inrfilter.h5.sample(ds, [[20.5, 1.0]])
        # the other chunks still read
        np.testing.assert_array_equal(inrfilter.h5.read_region(ds, (slice(0, 16), slice(None))), ds[:16])
        # what a plain read cannot say, verify does: this chunk and no other
        damaged = inrfilter.h5.verify(ds)
        assert list(damaged) == [(16, 0)] and reason in damaged[(16, 0)]
    assert cli(["h5-verify", str(path)]) == 1
    out = capsys.readouterr().out
    assert "/x:" in out and "1 damaged" in out and "chunk at (16, 0)" in out


def test_verify_refuses_what_it_cannot_check(written, capsys):
    path, a = written
    with h5py.File(path, "a") as f:
        f.create_dataset("plain", data=a, chunks=(16, 16))
    assert cli(["h5-verify", str(path), "missing"]) == 2
    assert "no dataset 'missing'" in capsys.readouterr().err
    assert cli(["h5-verify", str(path), "plain"]) == 2
    assert "has filters []" in capsys.readouterr().err
    assert cli(["h5-verify", str(path)]) == 0  # unnamed: only the inrfilter datasets
    assert "/x:" in capsys.readouterr().out


def test_verify_passes_an_intact_file(written, capsys):
    path, _ = written
    with h5py.File(path) as f:
        assert inrfilter.h5.verify(f["x"]) == {}
    assert cli(["h5-verify", str(path), "x"]) == 0
    assert "0 damaged" in capsys.readouterr().out


class _Recording:
    """A dataset whose direct chunk reads are recorded (h5py's ids are immutable types)."""

    class _Id:
        def __init__(self, dsid):
            self._dsid, self.read = dsid, []

        def read_direct_chunk(self, offset):
            self.read.append(offset)
            return self._dsid.read_direct_chunk(offset)

        def __getattr__(self, name):
            return getattr(self._dsid, name)

    def __init__(self, dataset: h5py.Dataset):
        self._dataset, self.id = dataset, self._Id(dataset.id)

    def __getattr__(self, name):
        return getattr(self._dataset, name)


SELECTIONS = [
    Ellipsis,
    (slice(3, 17), slice(None, None, 4), 2),
    (slice(None, None, -3), 5, slice(1, 11, 2)),
    (-1, Ellipsis),
    (slice(15, 17), slice(7, 9), slice(4, 6)),
    (slice(2, 2),),
    (4, 9, 11),
]


@pytest.fixture(scope="module")
def cube(tmp_path_factory):
    """A 3-d float32 dataset with edge chunks, and its array."""
    a = smooth((20, 18, 12))
    path = tmp_path_factory.mktemp("cube") / "cube.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=a, chunks=(8, 8, 5), **inrfilter.h5.INR(max_error=0.05, **FAST_H5))
    return path, a


@pytest.mark.parametrize("selection", SELECTIONS)
def test_read_region_equals_full_read(cube, selection):
    path, a = cube
    with h5py.File(path) as f:
        full = f["x"][...]
        part = inrfilter.h5.read_region(f["x"], selection)
    expected = full[selection]
    assert part.shape == expected.shape and part.dtype == expected.dtype
    np.testing.assert_allclose(part, expected, atol=1e-6 * np.ptp(a), rtol=0)


@pytest.mark.parametrize("method", inrfilter.METHODS)
def test_read_region_reads_and_evaluates_only_what_is_selected(tmp_path, monkeypatch, method):
    a = smooth((40, 36))
    with h5py.File(tmp_path / "f.h5", "w") as f:
        f.create_dataset("x", data=a, chunks=(16, 16), **inrfilter.h5.INR(method, ratio=2, **FAST_H5))
    cls = type(get_method(method))
    original, evaluated = cls.evaluate, []

    def spy(self, params, spec, shape, where):
        out = original(self, params, spec, shape, where)
        evaluated.append(out.size)
        return out

    monkeypatch.setattr(cls, "evaluate", spy)
    with h5py.File(tmp_path / "f.h5") as f:
        recording = _Recording(f["x"])
        inrfilter.h5.read_region(recording, (slice(12, 20), slice(13, 32, 5)))
    assert sorted(recording.id.read) == [(0, 0), (0, 16), (16, 0), (16, 16)]
    assert sum(evaluated) == 8 * 4


def test_read_region_unwritten_chunks_and_refusals(tmp_path):
    a = smooth((16, 16))
    with h5py.File(tmp_path / "f.h5", "w") as f:
        ds = f.create_dataset("x", shape=(16, 24), dtype="f4", chunks=(16, 8), fillvalue=7.0,
                              **inrfilter.h5.INR(ratio=2, **FAST_H5))
        ds[:, :16] = a
        np.testing.assert_array_equal(inrfilter.h5.read_region(ds, (slice(None), slice(12, 24))), ds[:, 12:])
        assert (inrfilter.h5.read_region(ds, (3, slice(16, None))) == 7.0).all()
        gz = f.create_dataset("g", data=a, chunks=(8, 8), compression="gzip")
        with pytest.raises(ValueError, match="only filter is inrfilter"):
            inrfilter.h5.read_region(gz, 0)
        with pytest.raises(ValueError, match="not chunked"):
            inrfilter.h5.read_region(f.create_dataset("c", data=a), 0)


def test_sample(cube):
    path, _ = cube
    with h5py.File(path) as f:
        ds = f["x"]
        full = ds[...]
        grid = np.stack(np.meshgrid(*[np.arange(n) for n in full.shape], indexing="ij"), axis=-1)
        at_voxels = inrfilter.h5.sample(ds, grid[::3, 1::4].astype(float))
        np.testing.assert_allclose(at_voxels, full[::3, 1::4], atol=1e-6, rtol=0)
        # inside a chunk: that chunk's network, as inrfilter.sample says
        blob = ds.id.read_direct_chunk((8, 8, 5))[1]
        inside = inrfilter.h5.sample(ds, [[9.5, 10.25, 6.75]])
        np.testing.assert_allclose(inside, inrfilter.sample(blob, [[1.5, 2.25, 1.75]]), atol=1e-6, rtol=0)
        # across a seam (7 | 8 on axis 0, 4 | 5 on axis 2): linear between the voxels
        seam = inrfilter.h5.sample(ds, [[7.25, 3.0, 4.5]])
        expected = 0.75 * (full[7, 3, 4] + full[7, 3, 5]) / 2 + 0.25 * (full[8, 3, 4] + full[8, 3, 5]) / 2
        np.testing.assert_allclose(seam, [expected], atol=1e-6, rtol=0)
        assert inrfilter.h5.sample(ds, np.zeros((2, 3, 3))).shape == (2, 3)
        with pytest.raises(ValueError, match="within"):
            inrfilter.h5.sample(ds, [[20.0, 0, 0]])


UNCLOSED = """
import sys, h5py, numpy as np, inrfilter.h5
a = np.sin(np.linspace(0, 9, 32 * 32)).reshape(32, 32).astype("f4")
f = h5py.File(sys.argv[1], "w")
ds = f.create_dataset("x", shape=a.shape, dtype=a.dtype, chunks=(16, 16),
                      **inrfilter.h5.INR(max_error=0.01, steps=30, device="cpu", write_through=False))
ds[...] = a   # the chunks wait in HDF5's chunk cache
"""


def test_file_left_open_is_encoded_before_python_exits(tmp_path):
    """HDF5 flushes unclosed files after Python has finalised; inrfilter flushes them
    before, while the encoder (and torch) still work."""
    result = subprocess.run([sys.executable, "-c", UNCLOSED, str(tmp_path / "f.h5")], capture_output=True,
                            text=True, timeout=300, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert result.returncode == 0, result.stderr
    with h5py.File(tmp_path / "f.h5") as f:
        assert f["x"].id.get_num_chunks() == 4
        expected = np.sin(np.linspace(0, 9, 32 * 32)).reshape(32, 32)
        assert np.abs(f["x"][...] - expected).max() <= 0.01
