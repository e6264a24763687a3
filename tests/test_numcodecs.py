"""inrfilter.numcodecs.INR: the codec on its own and as a zarr format 2 compressor."""

import json

import numcodecs
import numpy as np
import pytest
import zarr

import inrfilter
from inrfilter.methods import get_method
from inrfilter.numcodecs import INR
from tests.conftest import FAST, smooth

# max_error makes every round trip checkable: each value within it, or the data moved
BOUND = {"max_error": 0.02}


def codec(method="siren", **kwargs):
    return INR(method, **{**FAST, **kwargs})


# -- configuration ---------------------------------------------------------------------
@pytest.mark.parametrize("method", inrfilter.METHODS)
def test_config_round_trip(method):
    c = INR(method, ratio=20, max_error=0.5, steps=30, seconds=9.5, device="cpu", seed=3, transform="log",
            quant="int8", progress=False, **get_method(method).defaults)
    config = c.get_config()
    assert config["id"] == "inrfilter" and config["method"] == method
    assert "progress" not in config  # a display choice, not part of what is stored
    assert json.loads(json.dumps(config)) == config
    again = INR.from_config(config)
    assert again == c and again.get_config() == config
    assert numcodecs.get_codec(dict(config)) == c
    assert isinstance(numcodecs.get_codec({"id": "inrfilter"}), INR)


def test_stored_configs_keep_their_quant_across_the_default_change():
    """A config names its quant: one written while fp16 was the default keeps writing fp16,
    a new codec's config says entropy."""
    assert INR(ratio=20).get_config()["quant"] == "entropy"
    old = {"id": "inrfilter", "method": "siren", "ratio": 20, "device": "auto", "seed": 0, "quant": "fp16"}
    codec = numcodecs.get_codec(dict(old))
    assert codec.settings.quant == "fp16" and codec.get_config() == old


@pytest.mark.parametrize("bad, error", [
    ({"ratio": 10, "psnr": 30}, ValueError),
    ({"device": "tpu"}, ValueError),
    ({"steps": 0}, ValueError),
    ({"quant": "fp8"}, ValueError),
    ({"no_such_option": 1}, TypeError),
    ({"method": "no_such_method"}, ValueError),
])
def test_bad_settings_fail_when_the_codec_is_made(bad, error):
    with pytest.raises(error):
        INR(**bad)


# -- the codec alone -------------------------------------------------------------------
def test_encode_decode_and_out():
    a = smooth((12, 9))
    c = codec(**BOUND)
    decoded = c.decode(c.encode(a))
    assert decoded.shape == a.shape and decoded.dtype == a.dtype
    assert np.abs(decoded - a).max() <= BOUND["max_error"]
    blob = c.encode(a)
    for out in (np.empty_like(a), np.empty(a.size, a.dtype)):  # zarr 2.x passes out
        assert c.decode(blob, out=out) is out
        np.testing.assert_array_equal(out.reshape(a.shape), decoded)


def test_f_ordered_chunk_round_trips_through_its_memory():
    """zarr rebuilds an F-ordered chunk from the decoded buffer's memory order."""
    a = np.asfortranarray(smooth((12, 9)))
    c = codec(**BOUND)
    blob = c.encode(a)
    decoded = c.decode(np.frombuffer(blob, np.uint8))
    rebuilt = decoded.reshape(-1, order="A").reshape(a.shape, order="F")  # what zarr-python 3 does
    assert np.abs(rebuilt - a).max() <= BOUND["max_error"]
    out = np.empty(a.shape, a.dtype, order="F")  # zarr 2.x decodes into an F-ordered chunk
    c.decode(blob, out=out)
    np.testing.assert_array_equal(out, rebuilt)


# -- zarr format 2 through zarr-python 3 -------------------------------------------------
@pytest.mark.parametrize("method", inrfilter.METHODS)
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("crop", ["saxs_crop", "sst_crop", "ascent_crop"])
def test_zarr_v2_round_trip(crop, order, method, request, tmp_path):
    a = request.getfixturevalue(crop)
    bound = 0.01 * float(np.nanmax(a) - np.nanmin(a))
    z = zarr.create_array(tmp_path / "a.zarr", shape=a.shape, chunks=(16, 16), dtype=a.dtype, zarr_format=2,
                          order=order, compressors=codec(method, max_error=bound))
    z[:] = a
    z = zarr.open_array(tmp_path / "a.zarr", mode="r")
    assert z.metadata.compressor == codec(method, max_error=bound)
    back = z[:]
    assert back.dtype == a.dtype
    np.testing.assert_array_equal(np.isnan(back.astype(float)), np.isnan(a.astype(float)))
    finite = np.isfinite(a)
    assert np.abs(back[finite].astype(float) - a[finite].astype(float)).max() <= bound
    roi = (slice(5, 30, 2), slice(20, 27))
    np.testing.assert_array_equal(z[roi], back[roi])


def test_zarr_open_with_compressor_edge_and_missing_chunks(tmp_path):
    """zarr.open(..., compressor=...): edge chunks come padded, unwritten chunks are the fill value."""
    a = smooth((20, 28))
    z = zarr.open(tmp_path / "b.zarr", mode="w", shape=(40, 28), chunks=(16, 16), dtype=a.dtype,
                  compressor=codec(**BOUND), fill_value=-7.0, zarr_format=2)
    z[:20] = a  # rows 20..39 partly in chunk row 1, wholly in chunk row 2: never written there
    back = zarr.open_array(tmp_path / "b.zarr", mode="r")[:]
    assert np.abs(back[:20] - a).max() <= BOUND["max_error"]
    assert np.abs(back[20:32] - (-7.0)).max() <= BOUND["max_error"]  # chunk row 1, encoded with the fill
    np.testing.assert_array_equal(back[32:], -7.0)  # chunk row 2 was never written
    assert sorted(p.name for p in (tmp_path / "b.zarr").iterdir() if not p.name.startswith(".")) == \
        ["0.0", "0.1", "1.0", "1.1"]
