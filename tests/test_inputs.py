"""What encode accepts and what it refuses, with messages that say what is supported."""

import numpy as np
import pytest

import inrfilter
from tests.conftest import FAST, smooth

FLOATS = [np.float16, np.float32, np.float64]
INTS = [np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64]
SHAPES = {1: (40,), 2: (9, 8), 3: (5, 4, 6), 4: (3, 4, 3, 4)}


@pytest.mark.parametrize("ndim", sorted(SHAPES))
@pytest.mark.parametrize("dtype", FLOATS + INTS)
def test_every_dtype_and_dimensionality_round_trips(dtype, ndim):
    field = smooth(SHAPES[ndim], seed=ndim)
    if np.dtype(dtype).kind in "iu":
        info = np.iinfo(dtype)
        low = 0 if info.min == 0 else -100
        a = np.rint(low + (field - field.min()) / np.ptp(field) * 100).astype(dtype)
        bound = 3
    else:
        a = field.astype(dtype)
        bound = 0.05
    blob = inrfilter.encode(a, max_error=bound, **FAST)
    out = inrfilter.decode(blob)
    assert out.dtype == a.dtype and out.shape == a.shape
    assert np.abs(out.astype(np.float64) - a.astype(np.float64)).max() <= bound
    assert inrfilter.info(blob)["max_abs_error"] <= bound


def test_fortran_order_input_decodes_to_same_values():
    a = smooth((12, 10))
    f = np.asfortranarray(a)
    blob_c = inrfilter.encode(a, max_error=0.01, **FAST)
    blob_f = inrfilter.encode(f, max_error=0.01, **FAST)
    assert blob_c == blob_f
    np.testing.assert_array_equal(inrfilter.decode(blob_f), inrfilter.decode(blob_c))


def test_non_contiguous_view():
    a = smooth((20, 20))[::2, 1::2]
    out = inrfilter.decode(inrfilter.encode(a, max_error=0.01, **FAST))
    assert np.abs(out - a).max() <= 0.01


def test_integer_cast_rounds_and_clips():
    from inrfilter.chunk import cast

    values = np.array([-3.7, -0.5, 0.4, 254.6, 300.0, np.nan])
    np.testing.assert_array_equal(cast(values[:5], np.uint8), [0, 0, 0, 255, 255])
    np.testing.assert_array_equal(cast(np.array([-1e30, 1e30]), np.int64), [np.iinfo(np.int64).min, np.iinfo(np.int64).max])
    np.testing.assert_array_equal(cast(np.array([-200.4, 126.6]), np.int8), [-128, 127])


def test_integers_at_the_dtype_limits_round_trip():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 256, (32, 32)).astype(np.uint8)
    a[:, :8], a[:, 24:] = 0, 255  # a network overshooting here must clip, not wrap around
    blob = inrfilter.encode(a, ratio=2, steps=300, device="cpu", progress=False)
    assert inrfilter.info(blob)["method"] == "siren"
    out = inrfilter.decode(blob)
    assert out.dtype == np.uint8
    assert out[:, 26:].mean() > 200 and out[:, :6].mean() < 50  # wrap-around would flip these


@pytest.mark.parametrize(
    "bad, error, words",
    [
        (np.zeros((4, 4), bool), TypeError, "float16/32/64"),
        (np.zeros((4, 4), np.complex64), TypeError, "complex64"),
        (np.array([["a", "b"]]), TypeError, "dtype"),
        (np.array([{}, 1], dtype=object), TypeError, "object"),
        (np.float32(3.0), ValueError, "0-d"),
        (np.zeros((2,) * 5, np.float32), ValueError, "1 to 4 dimensions"),
        (np.zeros((0, 4), np.float32), ValueError, "empty"),
        (np.zeros(4, np.longdouble), TypeError, "float16/32/64"),
    ],
)
def test_unsupported_arrays_are_refused(bad, error, words):
    with pytest.raises(error, match=words):
        inrfilter.encode(bad, **FAST)


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"ratio": 10, "psnr": 30}, ValueError, "not both"),
        ({"ratio": 0.5}, ValueError, "ratio"),
        ({"psnr": -3}, ValueError, "psnr"),
        ({"max_error": float("nan")}, ValueError, "max_error"),
        ({"max_error": "big"}, TypeError, "max_error"),
        ({"method": "nosuch"}, ValueError, "unknown method"),
        ({"wobble": 3}, TypeError, "no option"),
        ({"transform": "sqrt"}, ValueError, "transform"),
        ({"quant": "int4"}, ValueError, "quant"),
        ({"steps": 0}, ValueError, "steps"),
        ({"device": "tpu"}, ValueError, "device"),
        ({"layers": 0}, ValueError, "layers"),
    ],
)
def test_bad_arguments_are_refused(kwargs, error, words):
    args = {**FAST, **kwargs}
    with pytest.raises(error, match=words):
        inrfilter.encode(smooth((8, 8)), **args)


def test_impossible_ratio_says_so():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="impossible"):
        inrfilter.encode(rng.normal(size=(16, 16)).astype(np.float32), ratio=500, **FAST)


def test_methods_listed():
    assert "siren" in inrfilter.METHODS
