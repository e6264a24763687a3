"""Integers beyond float64's exact range (|v| > 2**53: int64, uint64): constant
detection and lossless storage work on the integers themselves, and a max_error
bound is proved in integer arithmetic (the encoder falls back to a lossless copy when
the network cannot meet it)."""

from __future__ import annotations

import numpy as np
import pytest

import inrfilter
from inrfilter import blob as blobfmt
from inrfilter.chunk import max_int_difference

FAST = {"steps": 5, "device": "cpu", "progress": False}


def _near(base: int, dtype, step: int = 1, shape=(10, 10)) -> np.ndarray:
    values = [base + step * i for i in range(int(np.prod(shape)))]
    return np.array(values, dtype=object).astype(dtype).reshape(shape)


EXTREMES = [
    _near(2**62, np.int64),  # float64 sees one value: the old "constant"
    _near(-(2**63), np.int64),
    _near(2**63 - 100, np.int64),
    _near(2**64 - 100, np.uint64),
    _near(2**53 + 1, np.int64, 3),
]


@pytest.mark.parametrize("a", EXTREMES, ids=lambda a: f"{a.dtype}-{a.flat[0]}")
def test_lossless_is_lossless(a):
    blob = inrfilter.encode(a, max_error=0)
    out = inrfilter.decode(blob)
    assert out.dtype == a.dtype and np.array_equal(out, a)
    assert inrfilter.info(blob)["method"] == "lossless"


@pytest.mark.parametrize("a", EXTREMES, ids=lambda a: f"{a.dtype}-{a.flat[0]}")
@pytest.mark.parametrize("bound", [0.5, 7, 3000])
def test_max_error_holds_exactly(a, bound):
    out = inrfilter.decode(inrfilter.encode(a, max_error=bound, **FAST))
    assert max_int_difference(a, out) <= bound


def test_max_error_on_a_wide_integer_field():
    """Values spread over +-2**62: the network path, with its residual, must keep the
    bound on the integers (or the blob is lossless)."""
    axes = np.meshgrid(np.linspace(-1, 1, 24), np.linspace(-1, 1, 24), indexing="ij")
    field = np.sin(3 * axes[0]) * np.cos(2 * axes[1]) * 2.0**62
    a = np.array([int(v) for v in field.ravel()], dtype=object).astype(np.int64).reshape(field.shape)
    bound = float(2**53)
    blob = inrfilter.encode(a, ratio=3, max_error=bound, **FAST)
    assert max_int_difference(a, inrfilter.decode(blob)) <= bound
    lossy = inrfilter.decode(inrfilter.encode(a, ratio=3, **FAST))  # no bound: decodes, in range
    assert lossy.dtype == np.int64


@pytest.mark.parametrize("value, dtype", [(2**62 + 1, np.int64), (-(2**63) + 1, np.int64), (2**64 - 1, np.uint64),
                                          (2**63 + 7, np.uint64)])
def test_constant_chunks_are_exact(value, dtype):
    a = np.full((6, 5), value, dtype)
    blob = inrfilter.encode(a)
    assert inrfilter.info(blob)["method"] == "constant"
    assert np.array_equal(inrfilter.decode(blob), a)
    assert inrfilter.decode_region(blob, (2, slice(1, 3))).tolist() == [value, value]
    assert inrfilter.sample(blob, [[0.5, 1.25]]).tolist() == [value]


def test_small_integer_constants_keep_their_float_header():
    """Below 2**53 the header is what it always was (blobs byte-identical)."""
    _, header, _ = blobfmt.unpack(inrfilter.encode(np.full((4, 4), 70000, np.int32)))
    assert isinstance(header["v"], float) and header["v"] == 70000.0


def test_a_lying_integer_constant_is_a_blob_error():
    _, header, sections = blobfmt.unpack(inrfilter.encode(np.full((4, 4), 2**62 + 1, np.int64)))
    for bad in (2**63, 2**64 - 1):  # msgpack holds -2**63 .. 2**64-1
        with pytest.raises(inrfilter.BlobError, match="outside the range"):
            inrfilter.decode(blobfmt.pack({**header, "v": bad}, sections))
