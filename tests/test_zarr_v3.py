"""inrfilter.zarr.INR: the zarr format 3 array->bytes codec ``inrfilter.inr``."""

import asyncio
import json
import threading
import warnings

import numpy as np
import pytest
import zarr
from zarr.codecs import ShardingCodec, TransposeCodec, ZstdCodec

import inrfilter
import inrfilter.settings
from inrfilter.methods import get_method
from inrfilter.zarr import INR, PartialDecodeWarning
from tests.conftest import FAST, smooth


def codec(method="siren", **kwargs):
    return INR(method, **{**FAST, **kwargs})


def create(store, a, chunks=(16, 16), **kwargs):
    kwargs.setdefault("serializer", codec(max_error=0.02))
    kwargs.setdefault("compressors", None)
    return zarr.create_array(store, shape=a.shape, chunks=chunks, dtype=a.dtype, **kwargs)


def bound_for(a, fraction=0.01):
    return fraction * float(np.nanmax(a) - np.nanmin(a))


def assert_same_values(part, full, scale):
    """Equal up to float32 noise between evaluating a region and a whole chunk."""
    assert np.shape(part) == np.shape(full)
    np.testing.assert_allclose(np.asarray(part), full, atol=1e-6 * scale, rtol=0)


def assert_within(back, a, bound):
    assert back.shape == a.shape and back.dtype == a.dtype
    np.testing.assert_array_equal(np.isnan(back.astype(float)), np.isnan(a.astype(float)))
    finite = np.isfinite(a)
    assert np.abs(back[finite].astype(float) - a[finite].astype(float)).max() <= bound


# -- configuration and validation ------------------------------------------------------
@pytest.mark.parametrize("method", inrfilter.METHODS)
def test_config_round_trip_through_zarr_json(method, tmp_path):
    c = INR(method, psnr=35, max_error=0.5, steps=30, device="cpu", seed=2, quant="fp32", progress=False,
            **get_method(method).defaults)
    d = c.to_dict()
    assert d["name"] == "inrfilter.inr" and "progress" not in d["configuration"]
    assert INR.from_dict(json.loads(json.dumps(d))) == c
    create(tmp_path / "a.zarr", np.zeros((4, 4), np.float32), chunks=(4, 4), serializer=c)
    stored = json.loads((tmp_path / "a.zarr" / "zarr.json").read_text())["codecs"]
    assert stored == [json.loads(json.dumps(d))]
    assert zarr.open_array(tmp_path / "a.zarr").metadata.codecs == (c,)


@pytest.mark.parametrize("dtype, shape, error", [
    ("bool", (8, 8), TypeError),
    ("complex64", (8, 8), TypeError),
    ("float32", (2, 2, 2, 2, 2), ValueError),
])
def test_validate_refuses_what_cannot_be_encoded(dtype, shape, error):
    with pytest.raises(error, match="inrfilter.inr"):
        zarr.create_array(zarr.storage.MemoryStore(), shape=shape, chunks=shape, dtype=dtype,
                          serializer=codec(), compressors=None)


def test_validate_inside_a_shard():
    with pytest.raises(TypeError, match="inrfilter.inr"):
        zarr.create_array(zarr.storage.MemoryStore(), shape=(8, 8), chunks=(4, 4), shards=(8, 8), dtype="bool",
                          serializer=codec(), compressors=None)


# -- round trips -------------------------------------------------------------------------
@pytest.mark.parametrize("method", inrfilter.METHODS)
@pytest.mark.parametrize("crop", ["saxs_crop", "sst_crop", "ascent_crop"])
def test_round_trip_on_real_data(crop, method, request, tmp_path):
    a = request.getfixturevalue(crop)
    bound = bound_for(a)
    create(tmp_path / "a.zarr", a, serializer=codec(method, max_error=bound))[:] = a
    z = zarr.open_array(tmp_path / "a.zarr", mode="r")
    assert_within(z[:], a, bound)


@pytest.mark.parametrize("order", ["C", "F"])
def test_edge_and_missing_chunks(order, tmp_path):
    a = smooth((20, 28))
    z = create(tmp_path / "a.zarr", np.zeros((40, 28), a.dtype), fill_value=np.nan, config={"order": order})
    z[:20] = a  # chunk row 1 is half data, half fill (NaN); chunk row 2 is never written
    z = zarr.open_array(tmp_path / "a.zarr", mode="r")
    back = z[:]
    assert_within(back[:20], a, 0.02)
    assert np.isnan(back[20:]).all()
    assert sorted(p.name for p in (tmp_path / "a.zarr" / "c").iterdir()) == ["0", "1"]
    assert_same_values(z[18:23, 3:27:5], back[18:23, 3:27:5], np.ptp(a))


# -- partial decoding -----------------------------------------------------------------
@pytest.fixture(scope="module")
def stored(tmp_path_factory, saxs_crop):
    """A 48x48 real crop in 16x16 chunks, and the full-chunk decode of every stored blob."""
    path = tmp_path_factory.mktemp("zarr") / "saxs.zarr"
    a = saxs_crop
    create(path, a, serializer=codec(max_error=bound_for(a)))[:] = a
    reference = np.empty_like(a)
    for key in (path / "c").rglob("*"):
        if key.is_file():
            i, j = int(key.parent.name), int(key.name)
            reference[16 * i: 16 * i + 16, 16 * j: 16 * j + 16] = inrfilter.decode(key.read_bytes())
    return path, a, reference


MASK = np.zeros((48, 48), bool)
MASK[3::7, 5::9] = True
SELECTIONS = {
    "sub_chunk": lambda z: z[3:13, 2:9],
    "steps": lambda z: z[1:47:5, ::3],
    "int": lambda z: z[17, 4:40],
    "ints": lambda z: z[17, 40],
    "oindex": lambda z: z.oindex[[1, 20, 47, 5], 3:45:4],
    "oindex_int": lambda z: z.oindex[7, [0, 33, 12]],
    "oindex_bool": lambda z: z.oindex[MASK.any(axis=1), [2, 40]],
    "vindex": lambda z: z.vindex[[0, 47, 20, 20], [47, 0, 16, 15]],
    "mask": lambda z: z.vindex[MASK],
    "block": lambda z: z.blocks[1, 2],
}
NUMPY = {
    "sub_chunk": lambda r: r[3:13, 2:9],
    "steps": lambda r: r[1:47:5, ::3],
    "int": lambda r: r[17, 4:40],
    "ints": lambda r: r[17, 40],
    "oindex": lambda r: r[np.ix_([1, 20, 47, 5], range(3, 45, 4))],
    "oindex_int": lambda r: r[7, [0, 33, 12]],
    "oindex_bool": lambda r: r[np.ix_(MASK.any(axis=1), [2, 40])],
    "vindex": lambda r: r[[0, 47, 20, 20], [47, 0, 16, 15]],
    "mask": lambda r: r[MASK],
    "block": lambda r: r[16:32, 32:48],
}


@pytest.mark.parametrize("name", list(SELECTIONS))
def test_partial_reads_equal_full_decode(stored, name):
    path, a, reference = stored
    part = SELECTIONS[name](zarr.open_array(path, mode="r"))
    assert_same_values(part, NUMPY[name](reference), np.ptp(a))


@pytest.fixture
def decode_calls(monkeypatch):
    """Count full and partial decodes, and the voxels the network is evaluated at."""
    calls = {"full": 0, "partial": 0, "points": 0}
    full, partial = INR._decode_single, INR._decode_partial_single
    method = type(get_method("siren"))
    evaluate = method.evaluate

    async def count_full(self, *args):
        calls["full"] += 1
        return await full(self, *args)

    async def count_partial(self, *args):
        calls["partial"] += 1
        return await partial(self, *args)

    def count_points(self, *args):
        out = evaluate(self, *args)
        calls["points"] += out.size
        return out

    monkeypatch.setattr(INR, "_decode_single", count_full)
    monkeypatch.setattr(INR, "_decode_partial_single", count_partial)
    monkeypatch.setattr(method, "evaluate", count_points)
    return calls


def test_sub_chunk_read_decodes_partially(stored, decode_calls):
    z = zarr.open_array(stored[0], mode="r")
    roi = z[18:22, 33:36]  # 4x3 voxels of chunk (1, 2)
    assert decode_calls == {"full": 0, "partial": 1, "points": 12}
    z.vindex[[0, 47, 20], [47, 0, 16]]  # three points in three chunks
    assert decode_calls == {"full": 0, "partial": 4, "points": 15}
    assert_same_values(roi, stored[2][18:22, 33:36], np.ptp(stored[1]))


def test_zstd_beside_the_codec_warns_and_decodes_whole_chunks(tmp_path, decode_calls):
    a = smooth((16, 16))
    with pytest.warns(PartialDecodeWarning, match="compressors=None"):
        z = create(tmp_path / "z.zarr", a, compressors="auto")  # zarr's default: Zstd
    assert any(isinstance(c, ZstdCodec) for c in z.metadata.codecs)
    z[:] = a
    with pytest.warns(PartialDecodeWarning):  # again for whoever opens it
        z = zarr.open_array(tmp_path / "z.zarr", mode="r")
    decode_calls.update(full=0, partial=0, points=0)  # the encoder checks its blobs with the decoder
    z[2:4, 2:4]
    assert decode_calls["full"] == 1 and decode_calls["partial"] == 0 and decode_calls["points"] == 256


def test_array_to_array_filter_beside_the_codec_warns():
    with pytest.warns(PartialDecodeWarning, match="TransposeCodec"):
        create(zarr.storage.MemoryStore(), np.zeros((16, 16), np.float32), filters=[TransposeCodec(order=(1, 0))])


def test_codec_alone_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error", PartialDecodeWarning)
        create(zarr.storage.MemoryStore(), np.zeros((16, 16), np.float32))
        create(zarr.storage.MemoryStore(), np.zeros((16, 16), np.float32), chunks=(8, 8), shards=(16, 16))


# -- sharding -------------------------------------------------------------------------
def test_inner_codec_of_a_shard(saxs_crop, tmp_path, decode_calls):
    a = saxs_crop
    inner = codec(max_error=bound_for(a))
    z = create(tmp_path / "s.zarr", a, chunks=(12, 12), shards=(24, 24), serializer=inner)
    z[:] = a
    z = zarr.open_array(tmp_path / "s.zarr", mode="r")
    (sharding,) = z.metadata.codecs
    assert isinstance(sharding, ShardingCodec) and sharding.codecs == (inner,)
    assert sorted(p.name for p in (tmp_path / "s.zarr" / "c").iterdir()) == ["0", "1"]  # 2x2 shards
    full = z[:]
    assert_within(full, a, bound_for(a))
    decode_calls.update(full=0, partial=0, points=0)
    roi = z[14:17, 26:30]  # 3x4 voxels of one inner chunk
    assert decode_calls == {"full": 0, "partial": 1, "points": 12}  # one inner chunk, 12 voxels
    assert_same_values(roi, full[14:17, 26:30], np.ptp(a))
    assert_within(z.vindex[[0, 47, 30], [47, 0, 30]], a[[0, 47, 30], [47, 0, 30]], bound_for(a))


def test_shard_with_compressors_warns():
    with pytest.warns(PartialDecodeWarning):
        create(zarr.storage.MemoryStore(), np.zeros((16, 16), np.float32), chunks=(8, 8), shards=(16, 16),
               compressors="auto")


# -- batched encoding ------------------------------------------------------------------
@pytest.fixture
def batches(monkeypatch):
    """Record each encode_batch call: its size, and whether it ran off the event loop
    and alone (the training lock)."""
    seen = {"sizes": [], "on_loop": [], "overlap": 0}
    active = []
    original = inrfilter.settings.encode_batch

    def spy(arrays, *args, **kwargs):
        seen["sizes"].append(len(arrays))
        try:
            asyncio.get_running_loop()
            seen["on_loop"].append(True)
        except RuntimeError:
            seen["on_loop"].append(False)
        active.append(1)
        seen["overlap"] = max(seen["overlap"], len(active))
        try:
            threading.Event().wait(0.01)  # give an unlocked second batch the chance to overlap
            return original(arrays, *args, **kwargs)
        finally:
            active.pop()

    monkeypatch.setattr(inrfilter.settings, "encode_batch", spy)
    return seen


@pytest.mark.parametrize("batch_size, sizes", [(1, [1] * 6), (3, [3, 3]), (6, [6])])
def test_batch_size_chunks_train_together(batch_size, sizes, batches):
    a = np.concatenate([smooth((16, 16), seed=s) for s in range(6)], axis=1)
    with zarr.config.set({"codec_pipeline.batch_size": batch_size}):
        z = create(zarr.storage.MemoryStore(), a)
        z[:] = a
    assert sorted(batches["sizes"]) == sorted(sizes)
    assert batches["on_loop"] == [False] * len(sizes)
    assert batches["overlap"] == 1
    assert_within(z[:], a, 0.02)
