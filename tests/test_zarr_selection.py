"""inrfilter.zarr.selection: chunk[selection] for every selection zarr can hand a
partial decode, evaluating the network only at the selected voxels."""

import numpy as np
import pytest

import inrfilter
from inrfilter.decoder import ParsedChunk
from inrfilter.zarr.selection import select, selected_coords
from tests.conftest import FAST, smooth

SHAPE = (24, 20)
MASK = np.zeros(SHAPE, bool)
MASK[::3, 1::4] = True

# What zarr's indexers produce per chunk, plus numpy forms beyond them.
SELECTIONS = {
    "slices": (slice(1, 11, 3), slice(None)),
    "int_drops_axis": (4, slice(2, 9, 2)),
    "ints": (3, 7),
    "negative_step": (slice(None, None, -2), slice(8, 1, -3)),
    "ellipsis": (Ellipsis, 5),
    "empty": (slice(5, 5), slice(None)),
    "oindex_ix": np.ix_([0, 4, 11], [9, 2, 3, 3]),
    "oindex_ix_int": np.ix_([6], [1, 2, 8]),
    "vindex": (np.array([0, 11, 5, 5]), np.array([9, 0, 3, 3])),
    "vindex_2d": (np.array([[1, 2], [3, 4]]), np.array([[5, 6], [7, 8]])),
    "mask": (MASK,),
    "mask_nonzero": np.nonzero(MASK),
    "array_and_slice": (np.array([2, 0]), slice(1, 4)),
    "empty_array": (np.array([], int), np.array([], int)),
}


def _chunks():
    a = smooth(SHAPE)
    holes = a.copy()
    holes[2:5, 3] = np.nan
    holes[7, 7] = np.inf
    noise = np.random.default_rng(1).normal(size=SHAPE).astype(np.float32)
    return {
        "network": inrfilter.encode(a, ratio=3, **FAST),
        "residual_and_holes": inrfilter.encode(holes, max_error=0.02, **FAST),
        "int16": inrfilter.encode((a * 900).astype(np.int16), ratio=3, **FAST),
        "constant": inrfilter.encode(np.full(SHAPE, 2.5, np.float32), **FAST),
        "lossless": inrfilter.encode(noise, max_error=0, **FAST),
    }


@pytest.fixture(scope="module")
def blobs():
    return _chunks()


@pytest.mark.parametrize("kind", ["network", "residual_and_holes", "int16", "constant", "lossless"])
@pytest.mark.parametrize("name", list(SELECTIONS))
def test_select_equals_full_decode(blobs, kind, name):
    blob = blobs[kind]
    selection = SELECTIONS[name]
    full = inrfilter.decode(blob)
    expected = full[selection]
    part = select(ParsedChunk(blob), selection)
    assert part.shape == expected.shape and part.dtype == expected.dtype
    finite = full[np.isfinite(full.astype(np.float64))].astype(np.float64)
    atol = 1e-6 * (finite.max() - finite.min())
    np.testing.assert_allclose(part.astype(np.float64), expected.astype(np.float64), atol=atol, rtol=0)
    np.testing.assert_array_equal(np.isnan(part.astype(np.float64)), np.isnan(expected.astype(np.float64)))


@pytest.mark.parametrize("name", list(SELECTIONS))
def test_selected_coords_follow_numpy(name):
    grid = np.arange(np.prod(SHAPE)).reshape(SHAPE)
    coords = selected_coords(SHAPE, SELECTIONS[name])
    expected = grid[SELECTIONS[name]]
    assert coords.shape == expected.shape + (2,)
    np.testing.assert_array_equal(np.ravel_multi_index(np.moveaxis(coords, -1, 0), SHAPE), expected)


@pytest.mark.parametrize("name", ["slices", "ints", "oindex_ix", "vindex_2d", "mask", "empty_array"])
def test_network_evaluated_at_selected_voxels_only(blobs, name, monkeypatch):
    from inrfilter.methods import get_method

    method = type(get_method(ParsedChunk(blobs["network"]).h.method))
    original = method.evaluate
    counted = []

    def spy(self, params, spec, shape, where):
        out = original(self, params, spec, shape, where)
        counted.append(out.size)
        return out

    monkeypatch.setattr(method, "evaluate", spy)
    expected = np.empty(SHAPE)[SELECTIONS[name]].size
    select(ParsedChunk(blobs["network"]), SELECTIONS[name])
    assert sum(counted) == expected
