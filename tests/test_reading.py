"""Region decode, continuous sampling, NaN/Inf, constant chunks, out=, info."""

import numpy as np
import pytest

import inrfilter
from tests.conftest import FAST, smooth
from tests.readers import SELECTIONS, assert_region_matches_full, assert_sample_at_integers_matches_decode


@pytest.fixture(scope="module")
def blobs(sst_crop):
    a3 = smooth((6, 7, 8))
    return {
        "sst": (sst_crop, inrfilter.encode(sst_crop, ratio=3, **FAST)),
        "sst_bound": (sst_crop, inrfilter.encode(sst_crop, max_error=0.05, **FAST)),
        "cube": (a3, inrfilter.encode(a3, ratio=3, **FAST)),
        "int16": ((a3 * 1000).astype(np.int16), inrfilter.encode((a3 * 1000).astype(np.int16), ratio=3, **FAST)),
    }


@pytest.mark.parametrize("name", ["sst", "sst_bound", "cube", "int16"])
@pytest.mark.parametrize("selection", SELECTIONS)
def test_region_equals_full_decode(blobs, name, selection):
    assert_region_matches_full(*blobs[name], selection)


def test_region_evaluates_only_selected_points(blobs, monkeypatch):
    from inrfilter.methods import siren

    counted = []
    original = siren.Siren.evaluate

    def spy(self, params, spec, shape, where):
        out = original(self, params, spec, shape, where)
        counted.append(out.size)
        return out

    monkeypatch.setattr(siren.Siren, "evaluate", spy)
    _, blob = blobs["cube"]
    inrfilter.decode_region(blob, (slice(0, 2), 3, slice(None, None, 4)))
    assert counted == [2 * 1 * 2]


def test_bad_selections(blobs):
    _, blob = blobs["cube"]
    with pytest.raises(IndexError):
        inrfilter.decode_region(blob, (0, 0, 0, 0))
    with pytest.raises(IndexError):
        inrfilter.decode_region(blob, (99,))
    with pytest.raises(IndexError):
        inrfilter.decode_region(blob, ([1, 2],))


@pytest.mark.parametrize("name", ["sst", "sst_bound", "cube", "int16"])
def test_sample_at_integers_equals_decode(blobs, name):
    assert_sample_at_integers_matches_decode(blobs[name][1])


def test_sample_between_voxels(blobs):
    array, blob = blobs["cube"]
    coords = np.array([[2.5, 3.0, 4.25], [0.0, 0.0, 0.0], [5.0, 6.0, 7.0]])
    values = inrfilter.sample(blob, coords)
    assert values.shape == (3,) and np.isfinite(values).all()
    assert np.abs(values).max() < 2 * np.abs(array).max()
    with pytest.raises(ValueError, match="within"):
        inrfilter.sample(blob, [[6.0, 0, 0]])
    with pytest.raises(ValueError, match="shape"):
        inrfilter.sample(blob, [[1.0, 2.0]])


def test_nan_and_inf_positions_restored_exactly(sst_crop):
    a = sst_crop.copy()
    a[0, 0], a[5, 7], a[31, 31] = np.inf, -np.inf, np.inf
    out = inrfilter.decode(inrfilter.encode(a, ratio=3, **FAST))
    for probe in (np.isnan, np.isposinf, np.isneginf):
        np.testing.assert_array_equal(probe(out), probe(a))


@pytest.mark.parametrize(
    "array",
    [
        np.full((5, 6), 3.25, np.float32),
        np.full((7,), np.nan),
        np.array([[np.nan, 2.0], [2.0, np.inf]]),
        np.array([np.inf, -np.inf, np.nan]),
        np.full((3, 3), -7, np.int32),
    ],
)
def test_constant_chunks_stored_without_network(array):
    blob = inrfilter.encode(array, **FAST)
    info = inrfilter.info(blob)
    assert info["method"] == "constant" and "weights" not in info["sections"]
    assert len(blob) < 100
    out = inrfilter.decode(blob)
    np.testing.assert_array_equal(out, array)


def test_decode_into_out(blobs):
    _, blob = blobs["cube"]
    full = inrfilter.decode(blob)
    out = np.empty(full.shape, full.dtype, order="F")
    assert inrfilter.decode(blob, out=out) is out
    np.testing.assert_array_equal(out, full)
    flat = np.empty(full.size, full.dtype)
    inrfilter.decode(blob, out=flat)
    np.testing.assert_array_equal(flat, full.ravel())
    with pytest.raises(ValueError, match="out must hold"):
        inrfilter.decode(blob, out=np.empty(3, full.dtype))


def test_info_fields(blobs):
    array, blob = blobs["sst_bound"]
    info = inrfilter.info(blob)
    assert info["format_version"] == inrfilter.FORMAT_VERSION
    assert info["method"] == "siren" and info["dtype"] == "float32" and info["shape"] == array.shape
    assert set(info["sections"]) == {"header", "weights", "residual", "nonfinite"}
    assert sum(info["sections"].values()) == info["nbytes"] == len(blob)
    assert info["max_abs_error"] <= 0.05 and info["residual_step"] > 0
