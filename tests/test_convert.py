"""``inrfilter convert``: realistic synthetic facility files in, everything checked out.

Sources built here: an Eiger-style NeXus master file with two bitshuffle-LZ4 data
files behind external links, NXdata attributes, dimension scales, a virtual dataset,
metadata and an integer count stack; a netCDF4 file with coordinates (an ocean-sst
crop, NaN land); a zarr v3 group; a .npy; a TIFF stack.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

import inrfilter.h5
from inrfilter.cli import main as cli
from inrfilter.convert import ConvertError, convert
from inrfilter.convert.journal import EXIT_AFTER_ENV
from inrfilter.convert.rules import RuleError, RuleSet, parse_rule, parse_size
from tests.conftest import smooth
from tests.h5helpers import plugin_env

hdf5plugin = pytest.importorskip("hdf5plugin")

FAST = "steps=20,device=cpu"
COUNTS_RULE = f"/entry/data/*:method=siren,max_error=0.5,{FAST}"  # integer detector counts: explicit
MAP_RULE = f"/entry/map/intensity:method=siren,psnr=5,{FAST}"
EIGER_ARGS = ["-f", COUNTS_RULE, "-f", MAP_RULE, "-m", "1KiB", "--batch", "2", "--no-progress"]


# -- sources ------------------------------------------------------------------------------------------------

def make_eiger(folder: Path) -> Path:
    """scan_master.h5 + scan_data_000001/2.h5 as an Eiger detector writes them."""
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:32, 0:32]
    ring = 200 * np.exp(-((np.hypot(yy - 15.5, xx - 16.5) - 9) ** 2) / 8.0)
    for k in (1, 2):
        counts = rng.poisson(ring[None] * (1 + 0.2 * np.arange(4))[:, None, None] + 2).astype(np.uint32)
        with h5py.File(folder / f"scan_data_{k:06d}.h5", "w") as f:
            ds = f.create_dataset("/entry/data/data", data=counts, chunks=(1, 32, 32),
                                  **hdf5plugin.Bitshuffle(cname="lz4"))
            ds.attrs["image_nr_low"] = np.int32(4 * k - 3)
            ds.attrs["image_nr_high"] = np.int32(4 * k)
    with h5py.File(folder / "scan_master.h5", "w") as f:
        f.attrs["default"] = "entry"
        entry = f.create_group("entry")
        entry.attrs.update({"NX_class": "NXentry", "default": "data"})
        data = entry.create_group("data")
        data.attrs.update({"NX_class": "NXdata", "signal": "data_000001"})
        for k in (1, 2):
            data[f"data_{k:06d}"] = h5py.ExternalLink(f"scan_data_{k:06d}.h5", "/entry/data/data")
        layout = h5py.VirtualLayout(shape=(8, 32, 32), dtype=np.uint32)
        for k in (1, 2):
            layout[4 * k - 4:4 * k] = h5py.VirtualSource(f"scan_data_{k:06d}.h5", "/entry/data/data",
                                                         shape=(4, 32, 32))
        entry.create_virtual_dataset("stack", layout, fillvalue=0)
        det = entry.create_group("instrument/detector")
        det.attrs["NX_class"] = "NXdetector"
        det["beam_center_x"] = 16.5
        det["beam_center_x"].attrs["units"] = "pixel"
        det["description"] = "Dectris Eiger 1M"
        det["count_time"] = np.float64(0.1)
        det["frame_time"] = det["count_time"]  # a hard link: a second name of one object
        det.create_dataset("pixel_mask", data=(rng.random((32, 32)) < 0.01).astype(np.uint8), chunks=(32, 32),
                           compression="gzip")
        det["threshold"] = np.array([4.0, 8.0], dtype=">f4")  # big-endian: types survive exactly
        nxmap = entry.create_group("map")
        nxmap.attrs.update({"NX_class": "NXdata", "signal": "intensity", "axes": ["y", "x"]})
        y = nxmap.create_dataset("y", data=np.linspace(-1, 1, 64))
        x = nxmap.create_dataset("x", data=np.linspace(0, 2, 48))
        intensity = nxmap.create_dataset("intensity", data=smooth((64, 48)), chunks=(32, 24), compression="gzip",
                                         fillvalue=np.float32(-1))
        y.make_scale("y")
        x.make_scale("x")
        intensity.dims[0].attach_scale(y)
        intensity.dims[1].attach_scale(x)
        intensity.dims[0].label = "y"
        entry["plot"] = h5py.SoftLink("/entry/map/intensity")
        entry.create_dataset("counts", data=rng.poisson(50, (6, 24, 24)).astype(np.int32), chunks=(2, 24, 24))
    return folder / "scan_master.h5"


def make_netcdf(path: Path, sst: np.ndarray) -> Path:
    netCDF4 = pytest.importorskip("netCDF4")
    with netCDF4.Dataset(path, "w") as nc:
        nc.title = "ocean-sst crop"
        nc.createDimension("time", 2)
        nc.createDimension("lat", sst.shape[0])
        nc.createDimension("lon", sst.shape[1])
        t = nc.createVariable("time", "f8", ("time",))
        t.units = "days since 2000-01-01"
        t[:] = [0, 1]
        lat = nc.createVariable("lat", "f4", ("lat",))
        lat.units = "degrees_north"
        lat[:] = np.linspace(-10, 10, sst.shape[0])
        lon = nc.createVariable("lon", "f4", ("lon",))
        lon.units = "degrees_east"
        lon[:] = np.linspace(100, 120, sst.shape[1])
        v = nc.createVariable("sst", "f4", ("time", "lat", "lon"), zlib=True, chunksizes=(1, *sst.shape))
        v.units = "degC"
        v.long_name = "sea surface temperature"
        v[:] = np.stack([sst, sst + 0.5]).astype(np.float32)
    return path


def tree(path: Path) -> dict:
    """Everything but the data of a file: links, attributes, types, shapes, chunks, scales."""
    out = {}
    with h5py.File(path, "r") as f:
        def visit(group, prefix=""):
            for name in group:
                full = f"{prefix}/{name}"
                link = group.get(name, getlink=True)
                if isinstance(link, (h5py.SoftLink, h5py.ExternalLink)):
                    out[full] = (type(link).__name__, getattr(link, "filename", None), link.path)
                    continue
                obj = group[name]
                attrs = {k: (repr(obj.attrs[k]), str(obj.attrs.get_id(k).dtype)) for k in obj.attrs
                         if k not in ("DIMENSION_LIST", "REFERENCE_LIST")}
                if isinstance(obj, h5py.Group):
                    out[full] = ("group", attrs)
                    visit(obj, full)
                else:
                    scales = [[s.name for s in d.values()] for d in obj.dims] if obj.shape else []
                    out[full] = ("dataset", attrs, obj.shape, str(obj.dtype), obj.chunks, scales,
                                 [d.label for d in obj.dims] if obj.shape else [], obj.fillvalue, obj.is_virtual)
        attrs = {k: repr(f.attrs[k]) for k in f.attrs}
        out["/"] = ("group", attrs)
        visit(f)
    return out


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def eiger(tmp_path_factory) -> Path:
    return make_eiger(tmp_path_factory.mktemp("eiger_src"))


@pytest.fixture(scope="module")
def converted(eiger, tmp_path_factory):
    """The Eiger scan converted once through the command line."""
    before = digest(eiger.parent)
    out = tmp_path_factory.mktemp("eiger_out") / "scan_master.h5"
    rc = cli(["convert", str(eiger), str(out), *EIGER_ARGS, "--json", str(out.with_suffix(".json"))])
    assert rc == 0
    assert digest(eiger.parent) == before  # the source is never written
    return out


# -- rules ----------------------------------------------------------------------------------------------------

def test_rules_parse_match_and_decide():
    rule = parse_rule("/entry/data/*:method=siren,psnr=45,device=cuda:0,chunks=1x16x16")
    assert rule.pattern == "/entry/data/*" and rule.settings.psnr == 45 and rule.settings.device == "cuda:0"
    assert rule.chunks == (1, 16, 16)
    assert rule.matches("/entry/data/data_000001") and not rule.matches("/entry/data/x/y")
    assert parse_rule("**/mask:lossless").matches("/a/b/mask") and parse_rule("**/mask:lossless").settings is None
    assert parse_size("1MiB") == 2**20 and parse_size("2kB") == 2000 and parse_size(100) == 100
    rules = RuleSet.parse([f"/ints:method=siren,max_error=0.5,{FAST}"], default=f"method=siren,psnr=30,{FAST}",
                          min_lossy="1KiB")
    f32, i32 = np.dtype("f4"), np.dtype("i4")
    assert rules.decide(["/x"], (64, 64), f32, 16384).lossy  # default rule
    assert not rules.decide(["/y"], (64, 64), i32, 16384).lossy  # integers need an explicit rule
    assert rules.decide(["/ints"], (64, 64), i32, 16384).lossy
    assert not rules.decide(["/x"], (8,), f32, 32).lossy  # under -m
    assert not rules.decide(["/x"], (2,) * 5, f32, 2**20).lossy  # 5-d
    assert not rules.decide(["/s"], (64,), np.dtype("S8"), 2**20).lossy
    assert not rules.decide(["/lat"], (4096,), f32, 16384, scale=True).lossy  # coordinates: explicit rules only
    assert RuleSet.parse(["/lat:psnr=40"]).decide(["/lat"], (4096,), f32, 2**20, scale=True).lossy
    for bad, says in [("/x:method=nosuch", "unknown method"), ("/x:psnr=40,ratio=3", "ratio"),
                      ("/x:steps=-1", "steps"), ("/x", "PATTERN:key=value"), ("/x:chunks=0x3,psnr=3", "positive")]:
        with pytest.raises(RuleError, match=says):
            parse_rule(bad)


# -- the Eiger scan ------------------------------------------------------------------------------------------

def test_eiger_tree_attributes_links_and_scales_survive(eiger, converted):
    assert sorted(p.name for p in converted.parent.iterdir() if p.suffix == ".h5") == \
        ["scan_data_000001.h5", "scan_data_000002.h5", "scan_master.h5"]
    assert not [p for p in converted.parent.iterdir() if "inrfilter" in p.name]  # no journal, no temporary
    assert tree(converted) == tree(eiger)  # includes NXdata @signal/@axes, @default, scales, labels, fill values
    for k in (1, 2):
        name = f"scan_data_{k:06d}.h5"
        src, out = tree(eiger.parent / name), tree(converted.parent / name)
        assert src == out
    with h5py.File(converted) as f:
        scales = f["entry/map/intensity"].dims
        assert scales[0]["y"] == f["entry/map/y"] and scales[1][0] == f["entry/map/x"]
        assert h5py.h5ds.is_scale(f["entry/map/x"].id)
        assert f["entry/instrument/detector/frame_time"] == f["entry/instrument/detector/count_time"]
        assert f["entry/data/data_000001"].file.filename.endswith(str(converted.parent / "scan_data_000001.h5"))


def test_eiger_lossless_bit_identical_lossy_within_targets(eiger, converted):
    with h5py.File(eiger) as src, h5py.File(converted) as out:
        for name in ("entry/instrument/detector/pixel_mask", "entry/instrument/detector/threshold",
                     "entry/instrument/detector/description", "entry/map/x", "entry/counts"):
            a, b = src[name], out[name]
            if isinstance(a[()], bytes):  # a variable-length string
                assert a[()] == b[()]
            else:
                assert a[()].tobytes() == b[()].tobytes() and a.dtype == b.dtype
            assert a.compression == b.compression and a.chunks == b.chunks
        # lossless chunked data keeps its stored bytes (no re-compression)
        assert src["entry/counts"].id.read_direct_chunk((0, 0, 0)) == out["entry/counts"].id.read_direct_chunk((0, 0, 0))
        assert inrfilter.h5.is_inrfilter_dataset(out["entry/map/intensity"])
        assert not inrfilter.h5.is_inrfilter_dataset(out["entry/counts"])
        stack = out["entry/stack"]
        assert stack.is_virtual and [v.file_name for v in stack.virtual_sources()] == \
            ["scan_data_000001.h5", "scan_data_000002.h5"]
        frames = stack[...]
        original = src["entry/stack"][...]
        assert frames.dtype == np.uint32 and np.abs(frames.astype(int) - original.astype(int)).max() <= 0.5
    with h5py.File(converted.parent / "scan_data_000002.h5") as f:
        assert inrfilter.h5.is_inrfilter_dataset(f["entry/data/data"])
        np.testing.assert_array_equal(f["entry/data/data"][...], frames[4:])
    import json

    report = json.loads(converted.with_suffix(".json").read_text())
    rows = {r["dataset"]: r for r in report["datasets"]}
    assert report["ok"] and rows["/entry/map/intensity"]["psnr_db"] >= 5
    assert rows["scan_data_000001.h5:/entry/data/data"]["max_abs_error"] <= 0.5
    assert rows["/entry/stack"]["action"] == "virtual" and rows["/entry/counts"]["action"] == "lossless"


def test_eiger_readable_by_h5dump(converted):
    h5dump = shutil.which("h5dump")
    if h5dump is None:
        pytest.fail("h5dump not found: install hdf5-tools (Debian), as .ci/run does")
    result = subprocess.run([h5dump, "-d", "/entry/data/data", "-y", "-w", "0",
                             str(converted.parent / "scan_data_000001.h5")],
                            capture_output=True, text=True, env=plugin_env(), timeout=300)
    assert result.returncode == 0, result.stderr
    body = result.stdout[result.stdout.index("DATA {") + len("DATA {"):]
    printed = np.array([int(v) for v in re.findall(r"\d+", body)])
    with h5py.File(converted.parent / "scan_data_000001.h5") as f:
        expected = f["entry/data/data"][...].ravel()
    np.testing.assert_array_equal(printed[:expected.size], expected)  # attributes follow


def test_dry_run_writes_nothing(eiger, tmp_path, capsys):
    assert cli(["convert", str(eiger), str(tmp_path / "o.h5"), *EIGER_ARGS, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "/entry/map/intensity" in out and "lossy method=siren,psnr=5" in out and "lossless" in out
    assert "scan_data_000002.h5" in out
    assert list(tmp_path.iterdir()) == []


def test_missed_target_is_exit_1_with_output_written(eiger, tmp_path, capsys):
    rc = cli(["convert", str(eiger), str(tmp_path / "o.h5"), "-f", "/entry/map/intensity:psnr=90,steps=3,device=cpu",
              "-m", "0", "--external", "keep", "--no-progress"])
    assert rc == 1
    assert "FAILED /entry/map/intensity: chunk at (0, 0): PSNR" in capsys.readouterr().out
    with h5py.File(tmp_path / "o.h5") as f:  # kept links point at the originals from the new folder
        assert f["entry/data/data_000001"].shape == (4, 32, 32)
        assert Path(f["entry/data"].get("data_000001", getlink=True).filename) == eiger.parent / "scan_data_000001.h5"


# -- resume --------------------------------------------------------------------------------------------------

def _run_cli(args: list[str], **env: str) -> subprocess.CompletedProcess:
    code = "import sys; from inrfilter.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).parent.parent, env={**os.environ, "OMP_NUM_THREADS": "1", **env})


def _data(path: Path) -> dict:
    out = {}
    with h5py.File(path) as f:
        f.visititems(lambda n, o: out.__setitem__(n, o[()]) if isinstance(o, h5py.Dataset) else None)
    return out


def test_killed_and_resumed_equals_uninterrupted(eiger, converted, tmp_path):
    out = tmp_path / "scan_master.h5"
    killed = _run_cli(["convert", str(eiger), str(out), *EIGER_ARGS], **{EXIT_AFTER_ENV: "3"})
    assert killed.returncode == 75, killed.stderr
    assert not out.exists() and (tmp_path / "scan_master.h5.inrfilter-journal").exists()
    assert len((tmp_path / "scan_master.h5.inrfilter-journal").read_text().splitlines()) == 4  # header + 3
    # a torn record at the end (killed mid-write) is dropped and its batch redone
    with open(tmp_path / "scan_master.h5.inrfilter-journal", "ab") as f:
        f.write(b'{"dataset":"abc","bat')
    assert cli(["convert", str(eiger), str(out), *EIGER_ARGS, "--resume"]) == 0
    assert not (tmp_path / "scan_master.h5.inrfilter-journal").exists()
    for name in ("scan_master.h5", "scan_data_000001.h5", "scan_data_000002.h5"):
        assert tree(tmp_path / name) == tree(converted.parent / name)
        a, b = _data(tmp_path / name), _data(converted.parent / name)
        assert a.keys() == b.keys()
        for key in a:
            np.testing.assert_array_equal(a[key], b[key], err_msg=f"{name}:{key}")
    with h5py.File(tmp_path / "scan_data_000002.h5") as f, h5py.File(converted.parent / "scan_data_000002.h5") as g:
        for offset in [(i, 0, 0) for i in range(4)]:  # same blobs: same batches, same steps, one machine
            assert f["entry/data/data"].id.read_direct_chunk(offset) == g["entry/data/data"].id.read_direct_chunk(offset)


def test_resume_refuses_a_journal_of_another_source(eiger, tmp_path, capsys):
    from inrfilter.convert import journal_path
    from inrfilter.convert.journal import Journal

    out = tmp_path / "o.h5"
    other = Journal(journal_path(out), resume=False, run_key='["/elsewhere/other.npy", "o.h5", "hdf5"]')
    other.record("key", 0, [b"blob"])
    other.close()
    assert "another source" in _error([eiger, out, *EIGER_ARGS, "--resume"], capsys)
    assert not out.exists()


# -- other inputs and zarr output ----------------------------------------------------------------------------

def test_netcdf4_with_coordinates_reads_in_xarray(tmp_path, sst_crop):
    xr = pytest.importorskip("xarray")
    src = make_netcdf(tmp_path / "sst.nc", sst_crop)
    out = tmp_path / "out" / "sst.nc"
    out.parent.mkdir()
    report = convert(src, out, default=f"method=siren,max_error=0.05,{FAST}", min_lossy="1KiB", progress=False)
    assert report.ok, report.lines()
    rows = {r.label: r for r in report.rows}
    assert rows["/sst"].action.startswith("siren") and rows["/lat"].action == "lossless"
    with xr.open_dataset(src, engine="h5netcdf") as a, xr.open_dataset(out, engine="h5netcdf") as b:
        assert list(b.coords) == list(a.coords) and b.sst.dims == ("time", "lat", "lon")
        assert b.attrs["title"] == "ocean-sst crop" and b.sst.attrs["long_name"] == "sea surface temperature"
        np.testing.assert_array_equal(a.lat.values, b.lat.values)
        np.testing.assert_array_equal(np.isnan(a.sst.values), np.isnan(b.sst.values))
        assert np.nanmax(np.abs(a.sst.values - b.sst.values)) <= 0.05
    netCDF4 = pytest.importorskip("netCDF4")
    with netCDF4.Dataset(out) as nc:  # the netCDF library itself sees the same dimensions and variables
        assert list(nc.dimensions) == ["time", "lat", "lon"] and list(nc.variables) == ["time", "lat", "lon", "sst"]
        assert nc["lon"].units == "degrees_east"


def test_zarr_group_to_zarr_reads_in_xarray(tmp_path):
    zarr = pytest.importorskip("zarr")
    xr = pytest.importorskip("xarray")
    src = tmp_path / "src.zarr"
    g = zarr.open_group(src, mode="w", zarr_format=3)
    g.attrs["experiment"] = "tomo"
    vol = g.create_array("volume", shape=(16, 32, 32), chunks=(8, 16, 16), dtype="f4", dimension_names=["z", "y", "x"])
    vol[:] = smooth((16, 32, 32))
    for name, n in (("z", 16), ("y", 32), ("x", 32)):
        g.create_array(name, shape=(n,), dtype="f8", dimension_names=[name])[:] = np.arange(n) * 0.5
    sub = g.create_group("meta")
    sub.create_array("angles", shape=(180,), dtype="f4")[:] = np.linspace(0, 180, 180)
    out = tmp_path / "out.zarr"
    report = convert(src, out, ["/volume:psnr=5,steps=20,device=cpu"], min_lossy="1KiB", progress=False)
    assert report.ok, report.lines()
    z = zarr.open_group(out, mode="r")
    assert z.attrs["experiment"] == "tomo"
    assert z["volume"].metadata.codecs[0].to_dict()["name"] == "inrfilter.inr"
    np.testing.assert_array_equal(z["meta/angles"][:], g["meta/angles"][:])
    ds = xr.open_zarr(out, consolidated=False)
    assert ds.volume.dims == ("z", "y", "x") and np.allclose(ds.x.values, np.arange(32) * 0.5)
    rows = {r.label: r for r in report.rows}
    assert rows["/volume"].psnr >= 5 and rows["/volume"].chunks == 8


def test_npy_and_tiff_stack(tmp_path):
    tifffile = pytest.importorskip("tifffile")
    stack = (smooth((3, 40, 40)) * 1000).astype(np.uint16)
    tifffile.imwrite(tmp_path / "stack.tif", stack, photometric="minisblack")
    report = convert(tmp_path / "stack.tif", tmp_path / "stack.zarr", [f"/data:max_error=2,{FAST}"], min_lossy=0,
                     progress=False)
    assert report.ok
    import zarr

    back = zarr.open_array(tmp_path / "stack.zarr" / "data", mode="r")[...]
    assert back.dtype == np.uint16 and np.abs(back.astype(int) - stack).max() <= 2
    np.save(tmp_path / "field.npy", smooth((50, 70), seed=3).astype(np.float64))
    report = convert(tmp_path / "field.npy", tmp_path / "field.h5", chunks="32x32",
                     default=f"psnr=5,{FAST}", min_lossy=0, progress=False)
    assert report.ok and report.rows[0].chunks == 6
    with h5py.File(tmp_path / "field.h5") as f:
        assert f["data"].chunks == (32, 32) and f["data"].dtype == np.float64 and f.attrs["source"] == "field.npy"


# -- bad input -----------------------------------------------------------------------------------------------

def _error(args: list[str], capsys) -> str:
    assert cli(["convert", *map(str, args), "--no-progress"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("inrfilter convert: error: ")
    return err


def test_bad_inputs_are_one_line_errors_and_leave_nothing(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    assert "does not exist" in _error([tmp_path / "nope.h5", out / "o.h5"], capsys)
    src = tmp_path / "bad.h5"
    with h5py.File(src, "w") as f:
        f.create_dataset("ok", data=np.ones((64, 64), "f4"))
        f.create_dataset("corrupt", shape=(64, 64), dtype="f4", chunks=(32, 32), compression="gzip")
        f["corrupt"].id.write_direct_chunk((0, 0), b"this is not deflate data")
        f.create_dataset("alien", shape=(16,), dtype="f4", chunks=(16,), compression=39999,
                         allow_unknown_filter=True)
        f["alien"].id.write_direct_chunk((0,), b"\0" * 64)
    err = _error([src, out / "o.h5", "-f", "/nothing/*:psnr=30"], capsys)
    assert "filter 39999" in err and "not available" in err
    with h5py.File(src, "a") as f:
        del f["alien"]
    assert "'/nothing/*:psnr=30' matches no dataset" in _error([src, out / "o.h5", "-f", "/nothing/*:psnr=30"], capsys)
    assert "unknown method" in _error([src, out / "o.h5", "-f", "/ok:method=nosuch"], capsys)
    err = _error([src, out / "o.h5", "-f", f"/corrupt:psnr=5,{FAST}", "-m", "0"], capsys)
    assert "/corrupt cannot be read" in err
    assert "is the source" in _error([src, src], capsys)
    import torch

    if not torch.cuda.is_available():  # a device the machine lacks stops it before anything is written
        assert "no CUDA device" in _error([src, out / "o.h5", "-f", "/ok:psnr=5,device=cuda", "-m", "0"], capsys)
    assert sorted(p.name for p in out.iterdir()) == ["o.h5.inrfilter-journal", "o.h5.inrfilter-journal.blobs"]
    (out / "o.h5").write_bytes(b"precious")
    assert "exists" in _error([tmp_path / "bad.h5", out / "o.h5", "-f", f"/ok:psnr=5,{FAST}", "-m", "0"], capsys)
    assert (out / "o.h5").read_bytes() == b"precious"


def test_full_disk_is_an_error_leaving_nothing_then_resume(eiger, tmp_path, monkeypatch, capsys):
    from inrfilter.convert import h5write

    real = h5write._lossless

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(h5write, "_lossless", full)
    out = tmp_path / "scan_master.h5"
    err = _error([eiger, out, *EIGER_ARGS], capsys)
    assert "no space left on device" in err and "--resume" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scan_master.h5.inrfilter-journal",
                                                          "scan_master.h5.inrfilter-journal.blobs"]
    monkeypatch.setattr(h5write, "_lossless", real)
    (tmp_path / "scan_data_000001.h5").write_bytes(b"")  # a linked file's output name is taken too
    with pytest.raises(ConvertError, match="scan_data_000001.h5 exists"):
        convert(eiger, out, [COUNTS_RULE, MAP_RULE], min_lossy="1KiB", batch=2, resume=True, progress=False)
    (tmp_path / "scan_data_000001.h5").unlink()
    report = convert(eiger, out, [COUNTS_RULE, MAP_RULE], min_lossy="1KiB", batch=2, resume=True, progress=False)
    assert report.ok and out.exists()


def test_zarr_v2_coordinates_become_hdf5_dimension_scales(tmp_path):
    zarr = pytest.importorskip("zarr")
    xr = pytest.importorskip("xarray")
    g = zarr.open_group(tmp_path / "v2.zarr", mode="w", zarr_format=2)
    t = g.create_array("t", shape=(24, 30), chunks=(12, 15), dtype="f4",
                       attributes={"_ARRAY_DIMENSIONS": ["y", "x"], "units": "K"})
    t[:] = smooth((24, 30))
    for name, n in (("y", 24), ("x", 30)):
        g.create_array(name, shape=(n,), dtype="f8", attributes={"_ARRAY_DIMENSIONS": [name]})[:] = np.arange(n) / 4
    g.attrs["instrument"] = {"name": "radiometer", "channels": [1, 2]}  # HDF5 has no JSON objects: kept as text
    g.create_array("station", shape=(2,), dtype=str)[:] = np.array(["north", "south"])
    report = convert(tmp_path / "v2.zarr", tmp_path / "out.h5", default=f"psnr=5,{FAST}", min_lossy=0, progress=False)
    assert report.ok and [r.action.split(",")[0] for r in report.rows] == ["lossless", "siren", "lossless", "lossless"]
    with xr.open_dataset(tmp_path / "out.h5", engine="h5netcdf", phony_dims="sort") as ds:
        assert ds.t.dims == ("y", "x") and ds.t.attrs["units"] == "K"
        np.testing.assert_array_equal(ds.x.values, np.arange(30) / 4)
    with h5py.File(tmp_path / "out.h5") as f:
        assert f.attrs["instrument"] == '{"name": "radiometer", "channels": [1, 2]}'
        assert f["station"].asstr()[...].tolist() == ["north", "south"]


def test_journal_drops_what_is_not_intact(tmp_path):
    from inrfilter.convert.journal import Journal, JournalError

    path = tmp_path / "j"
    j = Journal(path, resume=False, run_key="run")
    j.record("a", 0, [b"first", b"blob"])
    j.record("a", 1, [b"second"])
    j.record("b", 0, [b"third"])
    j.close()
    blobs = path.with_name("j.blobs")
    data = bytearray(blobs.read_bytes())
    data[len(b"firstblob") + 1] ^= 0xFF  # damage batch ("a", 1): it and what follows are trained again
    blobs.write_bytes(bytes(data))
    j = Journal(path, resume=True, run_key="run")
    assert j.has("a", 0) and not j.has("a", 1) and not j.has("b", 0)
    assert j.blobs("a", 0) == [b"first", b"blob"] and blobs.stat().st_size == len(b"firstblob")
    j.record("a", 1, [b"again"])
    j.close()
    j = Journal(path, resume=True, run_key="run")
    assert j.blobs("a", 1) == [b"again"]
    j.close()
    with pytest.raises(JournalError, match="another source"):
        Journal(path, resume=True, run_key="other")
    held = Journal(path, resume=True, run_key="run")
    with pytest.raises(JournalError, match="another conversion is writing"):
        Journal(path, resume=True, run_key="run")
    held.close()
    assert not path.with_name("j.lock").exists()


def test_nexus_to_zarr_keeps_links_as_attributes(eiger, tmp_path):
    zarr = pytest.importorskip("zarr")
    out = tmp_path / "scan.zarr"
    report = convert(eiger, out, [MAP_RULE], min_lossy="1KiB", progress=False)
    assert report.ok, report.lines()
    z = zarr.open_group(out, mode="r")
    assert z["entry"].attrs["inrfilter_links"] == {"plot": "soft:/entry/map/intensity"}
    assert z["entry/data"].attrs["inrfilter_links"]["data_000001"] == "external:scan_data_000001.h5:/entry/data/data"
    assert z["entry/map"].attrs["axes"] == ["y", "x"] and z["entry/map"].attrs["NX_class"] == "NXdata"
    assert z["entry/map/intensity"].metadata.dimension_names == ("y", "x")
    assert z["entry/instrument/detector/description"][()] == "Dectris Eiger 1M"
    with h5py.File(eiger) as f:
        np.testing.assert_array_equal(z["entry/stack"][...], f["entry/stack"][...])  # the virtual data, stored
        assert np.abs(z["entry/map/intensity"][...] - f["entry/map/intensity"][...]).max() > 0  # lossy
    assert any("virtual dataset stored as the data it maps" in n for n in report.notes)


def test_edge_chunks_give_their_valid_shape_when_encode_batch_takes_it(tmp_path, monkeypatch):
    """With the encode pool's encode_batch (valid=...), edge chunks train on their valid part."""
    from inrfilter.convert import encode, plan

    seen = []
    real = encode.encode_batch

    def with_valid(chunks, method, *, valid=None, **kwargs):
        seen.append((chunks[0].shape, valid))
        return real(chunks, method, **kwargs)

    monkeypatch.setattr(encode, "encode_batch", with_valid)
    monkeypatch.setattr(encode, "trains_on_valid_part", lambda: True)
    monkeypatch.setattr(plan, "trains_on_valid_part", lambda: True)
    np.save(tmp_path / "a.npy", smooth((40, 24)))
    report = convert(tmp_path / "a.npy", tmp_path / "a.h5", chunks="32x16", default=f"psnr=5,{FAST}", min_lossy=0,
                     progress=False)
    assert report.ok
    assert seen == [((32, 16), [(32, 16), (32, 8), (8, 16), (8, 8)])]


def test_external_raw_storage_is_copied_in_never_written_to(tmp_path):
    raw = tmp_path / "frames.raw"
    values = np.arange(64, dtype="<f4")
    raw.write_bytes(values.tobytes())
    with h5py.File(tmp_path / "src.h5", "w") as f:
        f.create_dataset("x", shape=(64,), dtype="<f4", external=[(str(raw), 0, h5py.h5f.UNLIMITED)])
    before = raw.read_bytes()
    (tmp_path / "out").mkdir()
    report = convert(tmp_path / "src.h5", tmp_path / "out" / "o.h5", progress=False)
    assert report.ok and raw.read_bytes() == before
    with h5py.File(tmp_path / "out" / "o.h5") as f:
        assert f["x"].id.get_create_plist().get_external_count() == 0
        np.testing.assert_array_equal(f["x"][...], values)


def test_zarr_output_killed_and_resumed_equals_uninterrupted(tmp_path):
    np.save(tmp_path / "v.npy", smooth((32, 48), seed=5))
    args = ["--default", f"psnr=5,{FAST}", "-m", "0", "--chunks", "16x16", "--batch", "2", "--no-progress"]
    killed = _run_cli(["convert", str(tmp_path / "v.npy"), str(tmp_path / "a.zarr"), *args], **{EXIT_AFTER_ENV: "2"})
    assert killed.returncode == 75, killed.stderr
    assert not (tmp_path / "a.zarr").exists()
    assert cli(["convert", str(tmp_path / "v.npy"), str(tmp_path / "a.zarr"), *args, "--resume"]) == 0
    assert cli(["convert", str(tmp_path / "v.npy"), str(tmp_path / "b.zarr"), *args]) == 0
    a = {p.relative_to(tmp_path / "a.zarr"): p.read_bytes() for p in (tmp_path / "a.zarr").rglob("*") if p.is_file()}
    b = {p.relative_to(tmp_path / "b.zarr"): p.read_bytes() for p in (tmp_path / "b.zarr").rglob("*") if p.is_file()}
    assert a == b and len(a) == 2 + 6  # group and array metadata, 6 chunks


def test_source_datasets_are_read_through_a_frame_sized_chunk_cache(eiger):
    """Output chunks smaller than the source's read the same source chunk in turn: it
    must stay in HDF5's chunk cache (HDF5 shares the cache of an open dataset, so the
    walk must not keep datasets open with the default 1 MiB)."""
    from inrfilter.convert.sources import CHUNK_CACHE_BYTES, HDF5Source

    with HDF5Source(Path(eiger.parent / "scan_data_000001.h5")) as source:
        node = [n for n in source.walk() if n.path == "/entry/data/data"][0]
        assert node.h5.id.get_access_plist().get_chunk_cache()[1] == CHUNK_CACHE_BYTES
        assert node.read((slice(0, 1), slice(0, 4), slice(0, 4))).shape == (1, 4, 4)


WITHOUT_TORCH = """
import sys
sys.modules["torch"] = None  # any "import torch" now raises ImportError
from inrfilter.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_without_torch_lossless_copies_work_and_lossy_rules_say_what_to_install(tmp_path):
    np.save(tmp_path / "a.npy", smooth((64, 64)))
    run = lambda *args: subprocess.run([sys.executable, "-c", WITHOUT_TORCH, "convert", *map(str, args), "--no-progress"],
                                       capture_output=True, text=True, timeout=300, cwd=Path(__file__).parent.parent)  # noqa: E731
    lossy = run(tmp_path / "a.npy", tmp_path / "a.h5", "--default", "psnr=30", "-m", "0")
    assert lossy.returncode == 2 and "pip install 'inrfilter[encode]'" in lossy.stderr
    assert len(lossy.stderr.strip().splitlines()) == 1 and sorted(p.name for p in tmp_path.iterdir()) == ["a.npy"]
    lossless = run(tmp_path / "a.npy", tmp_path / "a.h5")
    assert lossless.returncode == 0, lossless.stderr
    with h5py.File(tmp_path / "a.h5") as f:
        np.testing.assert_array_equal(f["data"][...], np.load(tmp_path / "a.npy"))


def test_convert_help_shows_defaults_and_choices(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli(["convert", "--help"])
    assert exit_.value.code == 0
    text = " ".join(capsys.readouterr().out.split())  # however the terminal wraps it
    assert "(default: 1MiB)" in text and "{convert,keep}" in text and "{hdf5,zarr}" in text
    assert "(default: None)" not in text and "PATTERN:key=value" in text


def test_pool_trains_the_same_blobs(tmp_path):
    """--pool: the chunks train in worker processes; blobs equal in-process training."""
    np.save(tmp_path / "a.npy", smooth((64, 48), seed=2))
    kw = dict(default=f"max_error=0.05,ratio=4,{FAST}", chunks="32x32", min_lossy=0, batch=2, progress=False)
    assert convert(tmp_path / "a.npy", tmp_path / "here.h5", **kw).ok
    report = convert(tmp_path / "a.npy", tmp_path / "pool.h5", pool="cpu", workers=1, **kw)
    assert report.ok
    with h5py.File(tmp_path / "here.h5") as f, h5py.File(tmp_path / "pool.h5") as g:
        for offset in [(i, j) for i in range(0, 64, 32) for j in range(0, 48, 32)]:
            assert f["data"].id.read_direct_chunk(offset) == g["data"].id.read_direct_chunk(offset)
    with pytest.raises(ConvertError, match="workers needs a pool"):
        convert(tmp_path / "a.npy", tmp_path / "x.h5", workers=2, **kw)
    with pytest.raises(ConvertError, match="pool 'gpu'"):
        convert(tmp_path / "a.npy", tmp_path / "x.h5", pool="gpu", **kw)
