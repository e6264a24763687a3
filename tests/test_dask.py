"""inrfilter on a Dask cluster: to_zarr, worker set-up, HDF5 through one writer, codecs
that travel by their configuration, and a worker lost mid-write.

One LocalCluster (two worker processes, one thread each) serves the module: start-up
and each worker's first torch import take seconds.
"""

from __future__ import annotations

import itertools
import os
import pickle
import signal
import time

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
da = pytest.importorskip("dask.array")
zarr = pytest.importorskip("zarr")

import inrfilter  # noqa: E402
import inrfilter.dask  # noqa: E402
import inrfilter.numcodecs  # noqa: E402
import inrfilter.zarr  # noqa: E402
from benchmarks.common import datasets  # noqa: E402

FAST = {"steps": 30, "device": "cpu"}


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                       worker_class="distributed.Nanny")
    with distributed.Client(cluster) as c:
        info = inrfilter.dask.setup_workers(c, devices="cpu")
        assert sorted(v["device"] for v in info.values()) == ["cpu", "cpu"]
        yield c
    cluster.close()


@pytest.fixture(scope="module")
def image() -> np.ndarray:
    """72x60 float32 crop of PyWavelets' ascent: 5x4 chunks of 16x16, the last row and
    column edge chunks."""
    return datasets.crop(datasets.ascent(), (150, 150), (72, 60)).astype(np.float32)


def _blobs(z) -> dict:
    grid = [range(-(-n // c)) for n, c in zip(z.shape, z.chunks)]
    store = z.store_path
    from zarr.core.buffer import default_buffer_prototype
    from zarr.core.sync import sync

    out = {}
    for coords in itertools.product(*grid):
        buf = sync((store / z.metadata.encode_chunk_key(coords)).get(default_buffer_prototype()))
        out[coords] = None if buf is None else buf.to_bytes()
    return out


def test_to_zarr_on_two_workers_equals_a_serial_write(client, image, tmp_path):
    import dask

    codec = inrfilter.zarr.INR(ratio=4, **FAST)
    x = da.from_array(image, chunks=(16, 16))
    with distributed.get_task_stream(client) as stream:
        z = inrfilter.dask.to_zarr(x, str(tmp_path / "cluster.zarr"), codec=codec, chunks_per_task=4)
    workers = {t["worker"] for t in stream.data if "inrfilter-to-zarr" in str(t["key"])}
    assert len(workers) == 2, workers  # both workers encoded chunks
    with dask.config.set(scheduler="synchronous"):  # the same tasks, one after another, here
        serial = inrfilter.dask.to_zarr(x, str(tmp_path / "serial.zarr"), codec=codec, chunks_per_task=4)
    cluster_blobs = _blobs(zarr.open_array(str(tmp_path / "cluster.zarr")))
    assert None not in cluster_blobs.values() and cluster_blobs == _blobs(serial)
    values = z[...]
    assert values.shape == image.shape and np.isfinite(values).all()
    assert np.sqrt(np.mean((values - image) ** 2)) < 0.25 * np.ptp(image)
    # whole chunks hold the codec's very blobs (as zarr writes them); edge chunks are
    # trained and sized on their valid part, so they take less room
    plain = zarr.create_array(str(tmp_path / "plain.zarr"), shape=image.shape, dtype="f4", chunks=(16, 16),
                              serializer=codec, compressors=None)
    plain[...] = image
    plain_blobs = _blobs(plain)
    interior = [(i, j) for i in range(4) for j in range(3)]
    assert all(cluster_blobs[c] == plain_blobs[c] for c in interior)
    edge = [c for c in cluster_blobs if c not in interior]
    assert sum(len(cluster_blobs[c]) for c in edge) < sum(len(plain_blobs[c]) for c in edge)


def test_sharded_and_format_2_arrays(client, image, tmp_path):
    x = da.from_array(image, chunks=(16, 16))
    z = inrfilter.dask.to_zarr(x, str(tmp_path / "sharded.zarr"), codec=inrfilter.zarr.INR(ratio=4, **FAST),
                               chunks=(16, 16), shards=(32, 32), chunks_per_task=4)
    v2 = inrfilter.dask.to_zarr(x, str(tmp_path / "v2.zarr"), codec=inrfilter.numcodecs.INR(ratio=4, **FAST))
    for path in ("sharded.zarr", "v2.zarr"):
        values = zarr.open_array(str(tmp_path / path))[...]
        assert values.shape == image.shape
        assert np.sqrt(np.mean((values - image) ** 2)) < 0.25 * np.ptp(image)
    assert z.shards == (32, 32) and v2.metadata.zarr_format == 2


def test_xarray_to_zarr_with_inrfilter_encoding_reopens(client, tmp_path):
    xr = pytest.importorskip("xarray")
    pytest.importorskip("iris_sample_data")
    sst = datasets.crop(datasets.ocean_sst(), (60, 300), (64, 48)).astype(np.float32)  # NaN over land
    ds = xr.Dataset({"sst": (("y", "x"), sst)}).chunk({"y": 32, "x": 16})
    encoding = {"sst": {"serializer": inrfilter.zarr.INR(ratio=4, **FAST), "compressors": None}}
    ds.to_zarr(tmp_path / "sst.zarr", encoding=encoding, zarr_format=3, consolidated=False)
    back = xr.open_zarr(tmp_path / "sst.zarr", consolidated=False)
    values = back["sst"].values
    assert values.shape == sst.shape
    np.testing.assert_array_equal(np.isnan(values), np.isnan(sst))  # land stays land
    finite = np.isfinite(sst)
    assert np.sqrt(np.mean((values[finite] - sst[finite]) ** 2)) < 0.25 * np.nanmax(sst) - 0.25 * np.nanmin(sst)


def test_hdf5_through_one_writer(client, image, tmp_path):
    h5py = pytest.importorskip("h5py")
    import inrfilter.h5

    if not inrfilter.h5.plugin_built():
        pytest.skip("the HDF5 plugin is not built (python native/build.py)")
    x = da.from_array(image, chunks=(16, 16))
    with h5py.File(tmp_path / "d.h5", "w") as f:
        d = f.create_dataset("x", shape=image.shape, dtype="f4", chunks=(16, 16), **inrfilter.h5.INR(ratio=4, **FAST))
        assert inrfilter.dask.write_hdf5(x, d, chunks_per_task=4) == 20
        local = f.create_dataset("y", shape=image.shape, dtype="f4", chunks=(16, 16),
                                 **inrfilter.h5.INR(ratio=4, **FAST))
        import dask

        with dask.config.set(scheduler="synchronous"):
            inrfilter.dask.write_hdf5(x, local, chunks_per_task=4, client=False)
    with h5py.File(tmp_path / "d.h5") as f:
        values = f["x"][...]
        np.testing.assert_array_equal(values, f["y"][...])  # same tasks, same bytes
        assert np.sqrt(np.mean((values - image) ** 2)) < 0.25 * np.ptp(image)


@pytest.mark.parametrize("codec", [
    lambda: inrfilter.zarr.INR(method="siren", ratio=8, steps=10, device="cpu", w0=20.0),
    lambda: inrfilter.numcodecs.INR(method="siren", psnr=30, max_error=0.1, steps=10, seed=3),
    lambda: __import__("inrfilter.h5", fromlist=["INR"]).INR(ratio=8, steps=10, device="cpu"),
], ids=["zarr", "numcodecs", "h5"])
def test_codecs_travel_by_their_configuration(codec):
    from distributed.protocol import deserialize, serialize

    if "h5" in codec.__code__.co_names:
        h5 = pytest.importorskip("inrfilter.h5")
        if not h5.plugin_built():
            pytest.skip("the HDF5 plugin is not built")
    c = codec()
    for back in (pickle.loads(pickle.dumps(c)), deserialize(*serialize(c))):
        assert type(back) is type(c) and back.settings == c.settings
    assert len(pickle.dumps(c)) < 1000  # a configuration, not state


def test_a_pool_does_not_travel():
    from inrfilter.pool import EncodePool

    with pytest.raises(TypeError, match="belongs to the process"):
        EncodePool.__reduce__(object.__new__(EncodePool))


def test_a_worker_killed_mid_write_still_gives_a_complete_array(client, image, tmp_path):
    codec = inrfilter.zarr.INR(ratio=4, steps=200, device="cpu")
    x = da.from_array(image, chunks=(16, 16))
    done = inrfilter.dask.to_zarr(x, str(tmp_path / "k.zarr"), codec=codec, chunks_per_task=2, compute=False)
    future = client.compute(done)
    deadline = time.monotonic() + 120
    victim = None
    while victim is None and time.monotonic() < deadline:
        busy = client.processing()
        victim = next((w for w, keys in busy.items() if keys), None)
        time.sleep(0.2)
    assert victim is not None
    time.sleep(1.0)  # let it train a while
    pid = client.run(os.getpid, workers=[victim])[victim]
    os.kill(pid, signal.SIGKILL)
    assert future.result(timeout=600).all()
    blobs = _blobs(zarr.open_array(str(tmp_path / "k.zarr")))
    assert None not in blobs.values()
    import dask

    with dask.config.set(scheduler="synchronous"):
        serial = inrfilter.dask.to_zarr(x, str(tmp_path / "s.zarr"), codec=codec, chunks_per_task=2)
    assert blobs == _blobs(serial)
