"""The encode pool (inrfilter.pool), the doors routed through it, edge chunks sized on
their valid part, and inrfilter.h5.write.

Worker processes import torch when they start (seconds on 2 cores), so one pool of
two CPU workers serves the module; the tests that kill or cancel workers come last.
"""

from __future__ import annotations

import itertools
import os
import signal
import threading
import time
from concurrent.futures import CancelledError

import numpy as np
import pytest

import inrfilter
from inrfilter.pool import EncodePool, WorkerLost, active_pool
from benchmarks.common import datasets
from tests.conftest import smooth

FAST = {"steps": 40, "device": "cpu"}


@pytest.fixture(scope="module")
def pool():
    p = EncodePool("cpu", workers=2, threads=1, max_batch=4, max_delay=0.05, progress=False)
    assert p.wait_ready(240), "the pool's workers did not start"
    yield p
    p.close()


@pytest.fixture(scope="module")
def tiles() -> list[np.ndarray]:
    """Nine 16x16 chunks of a real photograph (PyWavelets' ascent), float32."""
    crop = datasets.crop(datasets.ascent(), (200, 200), (48, 48)).astype(np.float32)
    return [crop[i:i + 16, j:j + 16] for i in range(0, 48, 16) for j in range(0, 48, 16)]


def test_pool_blobs_equal_serial_encode_batch_and_both_workers_train(pool, tiles):
    serial = inrfilter.encode_batch(tiles, ratio=4, **FAST)
    before = dict(pool.stats.chunks_by_pid)
    with pool.routing():
        assert active_pool() is pool
        pooled = inrfilter.encode_batch(tiles, ratio=4, **FAST)
    assert active_pool() is None
    assert pooled == serial
    used = {pid for pid, n in pool.stats.chunks_by_pid.items() if n > before.get(pid, 0)}
    assert len(used) == 2, pool.stats


def test_concurrent_callers_share_batches(pool, tiles):
    serial = inrfilter.encode_batch(tiles[:6], ratio=4, **FAST)
    pool.max_batch, pool.max_delay = 6, 30.0  # a batch leaves when full
    results: dict[int, list[bytes]] = {}
    try:
        seen = len(pool.stats.batch_sizes)
        with pool.routing():
            threads = [threading.Thread(target=lambda k=k: results.__setitem__(
                k, inrfilter.encode_batch(tiles[2 * k:2 * k + 2], ratio=4, **FAST))) for k in range(3)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(120)
        sizes = pool.stats.batch_sizes[seen:]
        # three callers' chunks, shared between the two idle workers: fewer batches than callers
        assert sum(sizes) == 6 and len(sizes) < 3, sizes
    finally:
        pool.max_batch, pool.max_delay = 4, 0.05
    assert [b for k in range(3) for b in results[k]] == serial


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_zarr_writes_batch_through_the_pool(pool, tiles, zarr_format, tmp_path):
    zarr = pytest.importorskip("zarr")
    data = np.block([[tiles[0], tiles[1]], [tiles[3], tiles[4]]])

    def write(path):
        if zarr_format == 2:
            from inrfilter.numcodecs import INR
            codec = {"compressors": INR(ratio=4, **FAST)}
        else:
            from inrfilter.zarr import INR
            codec = {"serializer": INR(ratio=4, **FAST), "compressors": None}
        z = zarr.create_array(str(path), shape=data.shape, chunks=(16, 16), dtype="f4", zarr_format=zarr_format,
                              **codec)
        z[...] = data
        return z

    serial = write(tmp_path / "serial")
    pool.max_delay = 2.0  # zarr's concurrent chunk encodes arrive within this
    try:
        seen = len(pool.stats.batch_sizes)
        with pool.routing():
            pooled = write(tmp_path / "pooled")
        sizes = pool.stats.batch_sizes[seen:]
    finally:
        pool.max_delay = 0.05
    assert sum(sizes) == 4 and len(sizes) < 4, sizes  # merged, not one chunk per batch
    np.testing.assert_array_equal(pooled[...], serial[...])
    assert np.abs(pooled[...] - data).max() < np.ptp(data)


def test_numcodecs_encode_batch_trains_together_and_through_the_pool(pool, tiles):
    from inrfilter.numcodecs import INR

    codec = INR(ratio=4, **FAST)
    fortran = np.asfortranarray(tiles[2])  # encoded as its memory reads, as encode() does
    expected = [codec.encode(t) for t in (tiles[0], tiles[1], fortran)]
    assert codec.encode_batch([tiles[0], tiles[1], fortran]) == expected
    seen = len(pool.stats.batch_sizes)
    with pool.routing():
        assert codec.encode_batch([tiles[0], tiles[1], fortran]) == expected
    assert sum(pool.stats.batch_sizes[seen:]) == 3


def test_bad_input_fails_in_the_caller_with_the_same_errors(pool, tiles):
    def error(call):
        with pytest.raises((TypeError, ValueError)) as info:
            call()
        return type(info.value), str(info.value)

    cases = [
        lambda: inrfilter.encode_batch([np.array(["a"])], ratio=4, **FAST),
        lambda: inrfilter.encode_batch(tiles[:1], ratio=0.5, **FAST),
        lambda: inrfilter.encode_batch(tiles[:1], psnr=30, ratio=4, **FAST),
        lambda: inrfilter.encode_batch(tiles[:1], ratio=4, nonsense=1, **FAST),
        lambda: inrfilter.encode_batch(tiles[:1], valid=[(17, 3)], ratio=4, **FAST),
        # found in the worker (sizing), raised in the caller
        lambda: inrfilter.encode_batch([np.random.default_rng(0).random((8, 8))], ratio=1000, **FAST),
    ]
    serial = [error(c) for c in cases]
    with pool.routing():
        pooled = [error(c) for c in cases]
    assert pooled == serial


def test_target_warnings_from_workers_reach_the_caller(pool, tiles):
    """A chunk a worker stores lossless, or that misses its psnr, warns in the calling
    process with the same message as without a pool."""
    noise = np.random.default_rng(0).standard_normal((16, 16)).astype(np.float32)
    x = np.linspace(-1, 1, 32, dtype=np.float32)
    smooth_field = np.sin(2 * x)[:, None] * np.cos(x)[None, :]
    cases = [({"max_error": 1e-6, "steps": 5}, [noise], "stored as a lossless copy"),
             ({"psnr": 90, "steps": 20}, [smooth_field, smooth_field[::-1].copy()], "missed psnr=90")]
    for settings, chunks, expected in cases:
        with pytest.warns(inrfilter.TargetWarning) as serial_warnings:
            serial = inrfilter.encode_batch(chunks, device="cpu", progress=False, **settings)
        with pool.routing(), pytest.warns(inrfilter.TargetWarning) as pooled_warnings:
            pooled = inrfilter.encode_batch(chunks, device="cpu", **settings)
        assert pooled == serial
        messages = [str(w.message) for w in serial_warnings]
        assert any(expected in m for m in messages), messages
        assert [str(w.message) for w in pooled_warnings] == messages
    futures = pool.submit_many([smooth_field], psnr=90, steps=20, device="cpu")
    assert futures[0].result() and futures[0].outcome.psnr < 90


def test_one_callers_failure_does_not_fail_another_in_its_batch():
    """What a worker does with a merged batch that fails: it retries per caller."""
    from inrfilter.pool.worker import _encode

    noise = np.random.default_rng(0).random((8, 8))
    constant = np.full((8, 8), 3.0)
    results = _encode(inrfilter.encoder.encode_batch_outcomes, "siren", dict(ratio=1000, **FAST),
                      [noise, constant], [None, None], [7, 8])
    assert isinstance(results[0], ValueError) and "impossible" in str(results[0])
    assert results[1] == (inrfilter.encode(constant, ratio=1000, **FAST), None)  # a constant is not trained


def test_a_worker_leaves_after_a_device_failure():
    """CUDA errors and out-of-memory can leave a CUDA context unusable: the worker
    reports them, exits, and the pool replaces it; other failures keep it."""
    from inrfilter.pool.worker import _device_broken

    torch = pytest.importorskip("torch")
    assert _device_broken(torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB"))
    assert _device_broken(RuntimeError("CUDA error: device-side assert triggered"))
    assert not _device_broken(ValueError("ratio=1000 is impossible for a (8, 8) float64 chunk"))
    assert not _device_broken(b"INRF...")


def test_worker_plan_and_gpu_pinning(monkeypatch):
    from inrfilter.pool import devices

    monkeypatch.setattr(devices, "cpu_cores", lambda: 8)
    monkeypatch.setattr(devices, "gpu_count", lambda: 0)
    assert devices.plan("cpu") == [devices.WorkerSpec("cpu", 1)] * 8  # one 1-thread worker per core
    assert devices.plan("auto", workers=2) == [devices.WorkerSpec("cpu", 4)] * 2
    assert devices.plan("cpu", workers=3, threads=2) == [devices.WorkerSpec("cpu", 2)] * 3
    for bad in (dict(devices="cuda"), dict(devices=[0]), dict(devices="tpu"), dict(devices="cpu", workers=0),
                dict(devices="cpu", threads=1.5)):
        with pytest.raises(ValueError):
            devices.plan(**bad)
    monkeypatch.setattr(devices, "gpu_count", lambda: 4)
    assert [s.device for s in devices.plan("auto")] == ["cuda:0", "cuda:1", "cuda:2", "cuda:3"]
    assert [s.device for s in devices.plan(["cuda:1", 3], workers=2)] == ["cuda:1"] * 2 + ["cuda:3"] * 2
    # the worker sees its GPU alone, named as this process's CUDA_VISIBLE_DEVICES names it
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "4,5,6,7")
    assert devices.WorkerSpec("cuda:2", 2).env()["CUDA_VISIBLE_DEVICES"] == "6"
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES")
    assert devices.WorkerSpec("cuda:2", 2).env()["CUDA_VISIBLE_DEVICES"] == "2"
    assert devices.WorkerSpec("cpu", 1).env()["CUDA_VISIBLE_DEVICES"] == ""  # a CPU worker sees no GPU


# -- edge chunks: trained and sized on their valid part -------------------------------------
def test_valid_region_sizes_on_valid_bytes_and_decodes_finite(ascent_crop):
    chunk = np.zeros((32, 32), np.float32)
    chunk[:20, :32] = ascent_crop[:20, :32]
    chunk[20:] = np.nan  # padding zarr or HDF5 might hold: never read, never fitted
    whole = inrfilter.encode(np.ascontiguousarray(ascent_crop[:32, :32], np.float32), ratio=8, **FAST)
    edge = inrfilter.encode(chunk, ratio=8, valid=(20, 32), **FAST)
    assert len(edge) <= 20 * 32 * 4 / 8 * 1.15 < len(whole)
    out = inrfilter.decode(edge)
    assert np.isfinite(out).all()
    info = inrfilter.info(edge)
    valid = ascent_crop[:20, :32].astype(np.float64)
    err = (out[:20].astype(np.float64) - valid) / np.ptp(valid)  # peak: the value range
    assert info["psnr"] == pytest.approx(-10 * np.log10(np.mean(err ** 2)), abs=1e-6)


def test_valid_region_max_error_holds_on_the_valid_part(sst_crop):
    chunk = np.array(sst_crop, np.float32)
    bound = 0.05
    blob = inrfilter.encode(chunk, ratio=8, max_error=bound, valid=(25, 19), **FAST)
    out = inrfilter.decode(blob)
    valid = chunk[:25, :19]
    finite = np.isfinite(valid)
    assert np.abs(out[:25, :19][finite] - valid[finite]).max() <= bound
    assert np.isnan(out[:25, :19][~finite]).all()  # holes inside stay holes
    assert np.isfinite(out[25:]).all() and np.isfinite(out[:, 19:]).all()  # the padding does not


def test_whole_chunks_ignore_edge_chunks_in_their_batch(tiles):
    padded = np.pad(tiles[1][:10], [(0, 6), (0, 0)], mode="edge")
    alone = inrfilter.encode_batch(tiles[:2], ratio=4, **FAST)
    mixed = inrfilter.encode_batch([tiles[0], padded, tiles[1]], ratio=4, valid=[None, (10, 16), None], **FAST)
    assert [mixed[0], mixed[2]] == alone


@pytest.mark.parametrize("method", ["siren", "fourier", "sasnet"])
def test_edge_and_hole_chunks_do_not_depend_on_their_batch_mates(method):
    """Masked chunks (edge padding, NaN holes) train on their own voxels from their own
    random stream: a chunk gets the same blob whatever its batch mates and position
    (dynamic pool batching must not change a file's bytes).  Not compared: a batch of
    one, where torch's kernels may round the last float bit differently; sci, which
    buckets the blocks of a batch together; and wien and latent, whose chunks with NaN
    holes still differ in the last bits between batches (not yet traced)."""
    whole, edge, holed, other = (smooth((48, 48), seed) for seed in range(4))
    edge[30:] = edge[29]
    holed[3:9, 7:15] = np.nan
    other[:, 24:] = other[:, 23:24]
    settings = dict(ratio=6, steps=20, device="cpu", progress=False)
    pairs = [inrfilter.encode_batch([c, whole], method, valid=[v, None], **settings)[0]
             for c, v in ((edge, (30, 48)), (holed, None), (other, (48, 24)))]
    together = inrfilter.encode_batch([other, whole, holed, edge], method, valid=[(48, 24), None, None, (30, 48)],
                                      **settings)
    assert all(inrfilter.info(b)["method"] == method for b in pairs)
    assert [together[3], together[2], together[0]] == pairs


# -- inrfilter.h5.write ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def h5():
    h5py = pytest.importorskip("h5py")
    import inrfilter.h5

    if not inrfilter.h5.plugin_built():
        pytest.skip("the HDF5 plugin is not built (python native/build.py)")
    return h5py, inrfilter.h5


def _chunk_blobs(dataset) -> dict:
    grid = [range(0, n, c) for n, c in zip(dataset.shape, dataset.chunks)]
    return {o: dataset.id.read_direct_chunk(o)[1] for o in itertools.product(*grid)}


def test_h5_write_round_trips_a_dataset_with_edge_chunks(pool, h5, tmp_path):
    h5py, h5mod = h5
    from tests.h5helpers import decode_chunks

    data = datasets.crop(datasets.ascent(), (100, 100), (40, 37)).astype(np.float32)  # 40x37 in 16x16 chunks
    settings = dict(ratio=4, steps=30, device="cpu")
    with h5py.File(tmp_path / "w.h5", "w") as f:
        plain = f.create_dataset("plain", data=data, chunks=(16, 16), **h5mod.INR(**settings))
        here = f.create_dataset("here", shape=data.shape, dtype="f4", chunks=(16, 16), **h5mod.INR(**settings))
        result = h5mod.write(here, data, progress=False)
        pooled = f.create_dataset("pooled", shape=data.shape, dtype="f4", chunks=(16, 16), **h5mod.INR(**settings))
        h5mod.write(pooled, data, pool=pool)
        frames = f.create_dataset("frames", shape=(0, 37), maxshape=(None, 37), dtype="f4", chunks=(16, 16),
                                  **h5mod.INR(**settings))
        h5mod.write(frames, iter(data), pool=pool)  # one row at a time, the dataset grows
        assert result.chunks == 9 and result.raw_bytes == data.nbytes
        blobs = {name: _chunk_blobs(f[name]) for name in ("plain", "here", "pooled", "frames")}
        for name in ("here", "pooled", "frames"):
            read = f[name][...]  # through HDF5's filter pipeline
            assert read.shape == data.shape and np.isfinite(read).all()
            np.testing.assert_array_equal(read, decode_chunks(f[name]))
            rms = float(np.sqrt(np.mean((read.astype(np.float64) - data) ** 2)))
            assert rms < 0.25 * np.ptp(data)  # 30 steps: coarse, but the data's, in place
    interior = [(0, 0), (0, 16), (16, 0), (16, 16)]
    assert all(blobs["here"][o] == blobs["plain"][o] for o in interior)  # the filter's very blobs
    # whole chunks: the same blob however they were batched; edge chunks train masked, and
    # masked training draws its points per batch, so theirs depend on their batch-mates
    assert all(blobs["here"][o] == blobs["pooled"][o] == blobs["frames"][o] for o in interior)
    edge = [o for o in blobs["here"] if o not in interior]
    assert sum(len(blobs["here"][o]) for o in edge) < sum(len(blobs["plain"][o]) for o in edge)


def test_the_hdf5_filter_encodes_in_the_active_pool(pool, h5, tmp_path):
    h5py, h5mod = h5
    data = datasets.crop(datasets.ascent(), (100, 100), (32, 32)).astype(np.float32)
    settings = dict(ratio=4, steps=30, device="cpu")
    seen = pool.stats.chunks
    with h5py.File(tmp_path / "f.h5", "w") as f:
        f.create_dataset("here", data=data, chunks=(16, 16), **h5mod.INR(**settings))
        with pool.routing():
            f.create_dataset("pooled", data=data, chunks=(16, 16), **h5mod.INR(**settings))
        assert pool.stats.chunks - seen == 4  # HDF5's filter calls went to the workers
        assert _chunk_blobs(f["here"]) == _chunk_blobs(f["pooled"])


def test_h5_write_rejects_wrong_shapes_and_other_filters(h5, tmp_path):
    h5py, h5mod = h5
    with h5py.File(tmp_path / "bad.h5", "w") as f:
        d = f.create_dataset("x", shape=(8, 8), dtype="f4", chunks=(4, 4), **h5mod.INR(psnr=20, steps=5, device="cpu"))
        with pytest.raises(ValueError, match="shape"):
            h5mod.write(d, np.zeros((8, 9), np.float32))
        with pytest.raises(ValueError, match="rows"):
            h5mod.write(d, iter(np.zeros((5, 8), np.float32)))
        g = f.create_dataset("g", shape=(8, 8), dtype="f4", chunks=(4, 4), compression="gzip")
        with pytest.raises(ValueError, match="filters"):
            h5mod.write(g, np.zeros((8, 8), np.float32))


# -- inrfilter.zarr.write -----------------------------------------------------------------------
def _zarr_blobs(z) -> dict:
    from zarr.core.buffer import default_buffer_prototype
    from zarr.core.sync import sync

    grid = [range(-(-n // c)) for n, c in zip(z.shape, z.chunks)]
    return {c: sync((z.store_path / z.metadata.encode_chunk_key(c)).get(default_buffer_prototype())).to_bytes()
            for c in itertools.product(*grid)}


@pytest.mark.parametrize("zarr_format", [3, 2])
def test_zarr_write_sizes_edge_chunks_on_their_valid_part(pool, zarr_format, tmp_path):
    zarr = pytest.importorskip("zarr")
    import inrfilter.numcodecs
    import inrfilter.zarr

    data = datasets.crop(datasets.ascent(), (100, 100), (40, 37)).astype(np.float32)

    def create(name):
        codec = ({"serializer": inrfilter.zarr.INR(ratio=4, **FAST), "compressors": None} if zarr_format == 3
                 else {"compressors": inrfilter.numcodecs.INR(ratio=4, **FAST), "filters": None})
        return zarr.create_array(str(tmp_path / name), shape=data.shape, chunks=(16, 16), dtype="f4",
                                 zarr_format=zarr_format, **codec)

    plain, here, pooled = create("plain"), create("here"), create("pooled")
    plain[...] = data
    assert inrfilter.zarr.write(here, data, batch=4, progress=False) == 9
    with pool.routing():
        inrfilter.zarr.write(pooled, data, progress=False)
    blobs = {name: _zarr_blobs(z) for name, z in (("plain", plain), ("here", here), ("pooled", pooled))}
    interior = [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert all(blobs["plain"][c] == blobs["here"][c] == blobs["pooled"][c] for c in interior)
    edge = [c for c in blobs["here"] if c not in interior]
    assert sum(len(blobs["here"][c]) for c in edge) < sum(len(blobs["plain"][c]) for c in edge)
    for z in (here, pooled):
        values = zarr.open_array(str(z.store_path.store.root))[...]
        assert values.shape == data.shape and np.isfinite(values).all()
        assert np.sqrt(np.mean((values - data) ** 2)) < 0.25 * np.ptp(data)
    sharded = zarr.create_array(str(tmp_path / "s"), shape=data.shape, chunks=(8, 8), shards=(16, 16), dtype="f4",
                                serializer=inrfilter.zarr.INR(ratio=4, **FAST), compressors=None) \
        if zarr_format == 3 else zarr.create_array(str(tmp_path / "s"), shape=data.shape, chunks=(16, 16),
                                                   dtype="f4", zarr_format=2)
    with pytest.raises(ValueError, match="sharded|compressors=INR"):
        inrfilter.zarr.write(sharded, data)


# -- failures (these replace or stop workers: last) -----------------------------------------------
def test_a_killed_worker_fails_its_chunks_and_is_replaced(pool, tiles):
    future = pool.submit(tiles[0], ratio=4, steps=200000, device="cpu", name="the long chunk")
    deadline = time.monotonic() + 60
    while not pool.busy() and time.monotonic() < deadline:
        time.sleep(0.05)
    (pid, names), = pool.busy().items()
    assert names == ["the long chunk"]
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(WorkerLost, match=r"SIGKILL.*the long chunk"):
        future.result(60)
    assert pool.stats.worker_deaths == 1
    assert pid not in pool.worker_pids() and len(pool.worker_pids()) == 2
    assert pool.encode_batch(tiles[:2], ratio=4, **FAST) == inrfilter.encode_batch(tiles[:2], ratio=4, **FAST)


def test_leaving_the_block_on_ctrl_c_cancels_and_stops_workers(tiles):
    with pytest.raises(KeyboardInterrupt):
        with EncodePool("cpu", workers=1, threads=1, progress=False) as p:
            future = p.submit(tiles[0], ratio=4, steps=200000, device="cpu")
            pids = p.worker_pids()
            raise KeyboardInterrupt
    with pytest.raises(CancelledError):
        future.result(30)
    assert active_pool() is None
    for pid in pids:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reaped: the process is gone


@pytest.mark.gpu
@pytest.mark.skipif(not __import__("torch").cuda.is_available(), reason="needs a CUDA GPU")
def test_gpu_pool_one_worker_per_gpu(tiles):
    import torch

    with EncodePool("cuda", progress=False) as p:
        assert len(p.specs) == torch.cuda.device_count()
        blobs = inrfilter.encode_batch(tiles, ratio=4, steps=200)
    for tile, blob in zip(tiles, blobs):
        assert inrfilter.info(blob)["shape"] == tile.shape
        assert np.abs(inrfilter.decode(blob) - tile).max() < np.ptp(tile)
