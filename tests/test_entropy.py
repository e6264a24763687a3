"""The shared entropy coder (inrfilter.entropy): round trips, rate against the model, hostile input."""

import numpy as np
import pytest

from inrfilter import entropy


def _laplace_ints(rng, n, scale, loc=0):
    return np.rint(rng.laplace(loc, scale, n)).astype(np.int64)


@pytest.mark.parametrize("scale", [0.2, 1.0, 7.0, 300.0])
def test_laplace_round_trip_and_rate(scale):
    rng = np.random.default_rng(1)
    s = _laplace_ints(rng, 20000, scale)
    bound = int(np.abs(s).max())
    data = entropy.encode_laplace(s, 0.0, scale, bound)
    assert np.array_equal(entropy.decode_laplace(data, 0.0, scale, s.size, bound), s)
    predicted = entropy.laplace_bits(s, 0.0, scale)
    # the range coder writes within a few words of the ideal code length
    assert 8 * len(data) >= 0.995 * predicted
    assert 8 * len(data) <= predicted * 1.005 + 96


def test_per_symbol_parameters():
    rng = np.random.default_rng(2)
    loc = rng.normal(0, 5, 5000)
    scale = rng.uniform(0.05, 10, 5000)
    s = np.rint(loc + rng.laplace(0, scale)).astype(np.int64)
    bound = int(np.abs(s).max())
    data = entropy.encode_laplace(s, loc, scale, bound)
    assert np.array_equal(entropy.decode_laplace(data, loc, scale, s.size, bound), s)
    assert 8 * len(data) <= entropy.laplace_bits(s, loc, scale) * 1.01 + 96
    # a matching model beats a factorised one on this data
    flat = entropy.encode_laplace(s, 0.0, float(np.abs(s).mean()), bound)
    assert len(data) < len(flat)


def test_empty_and_zero_symbols():
    assert entropy.decode_laplace(entropy.encode_laplace(np.zeros(0, int), 0, 1, 0), 0, 1, 0, 0).size == 0
    z = np.zeros(1000, int)
    data = entropy.encode_laplace(z, 0.0, entropy.MIN_SCALE, 0)
    assert len(data) <= 8  # ~1000 * 1e-5 bits
    assert np.array_equal(entropy.decode_laplace(data, 0.0, entropy.MIN_SCALE, 1000, 0), z)


def test_out_of_range_symbol_is_refused():
    with pytest.raises(ValueError):
        entropy.encode_laplace(np.array([5]), 0.0, 1.0, 4)
    with pytest.raises(ValueError):
        entropy.encode_laplace(np.array([1]), np.nan, 1.0, 4)


def test_corrupt_and_truncated_streams_raise():
    rng = np.random.default_rng(3)
    s = _laplace_ints(rng, 5000, 3.0)
    bound = int(np.abs(s).max())
    data = entropy.encode_laplace(s, 0.0, 3.0, bound)
    with pytest.raises(ValueError):
        entropy.decode_laplace(data[:-1], 0.0, 3.0, s.size, bound)  # not whole words
    with pytest.raises(ValueError):
        entropy.decode_laplace(data[: len(data) // 2], 0.0, 3.0, s.size, bound)  # runs out
    with pytest.raises(ValueError):  # far more data than the symbols use
        entropy.decode_laplace(data + data, 0.0, 3.0, 10, bound)
    with pytest.raises(ValueError):
        entropy.decode_laplace(data, 0.0, 3.0, -1, bound)
    with pytest.raises(ValueError):
        entropy.decode_laplace(b"", 0.0, 3.0, 10, bound)


def test_tensors_round_trip_and_scale_choice():
    rng = np.random.default_rng(4)
    tensors = [_laplace_ints(rng, 3000, 4.0, loc=17), _laplace_ints(rng, 16, 0.5), np.zeros(0, int),
               np.array([-40000, 40000, 3])]
    data = entropy.encode_tensors(tensors)
    back = entropy.decode_tensors(data, [t.size for t in tensors])
    for a, b in zip(tensors, back):
        assert np.array_equal(a, b)
    # the chosen scale of the first tensor is near the maximum-likelihood one (mean |x - loc|)
    idx = entropy.best_scale_index(tensors[0] - 17)
    assert 3.0 <= entropy.SCALES[idx] <= 5.0
    one = entropy.encode_ints_factorised(tensors[0])
    assert np.array_equal(entropy.decode_ints_factorised(one, tensors[0].size), tensors[0])


def test_tensors_header_validation():
    data = entropy.encode_tensors([np.arange(10), np.arange(5)])
    with pytest.raises(ValueError):
        entropy.decode_tensors(data, [10])  # fewer tensors than stored
    with pytest.raises(ValueError):
        entropy.decode_tensors(data, [10, 5, 3])
    with pytest.raises(ValueError):
        entropy.decode_tensors(data[:3], [10, 5])
    bad = bytearray(data)
    bad[1] = 255  # scale index out of the table
    with pytest.raises(ValueError):
        entropy.decode_tensors(bytes(bad), [10, 5])
    with pytest.raises(TypeError):
        entropy.encode_tensors([np.ones(3)])


def test_scale_table_is_exact_and_sorted():
    assert np.all(np.diff(entropy.SCALES) > 0)
    # dyadic rationals with a 4-bit significand: exact in float32 too
    assert np.array_equal(entropy.SCALES.astype(np.float32).astype(np.float64), entropy.SCALES)


def test_weights_round_trip():
    rng = np.random.default_rng(5)
    arrays = [rng.normal(0, 0.3, (12, 16)), rng.normal(0, 0.01, 16)]
    exps = [entropy.power_of_two_step(0.3 / 64), entropy.power_of_two_step(0.01 / 64)]
    assert exps == [-8, -13]
    data = entropy.encode_weights(arrays, exps)
    back = entropy.decode_weights(data, [a.shape for a in arrays])
    expect = entropy.quantise_weights(arrays, exps)
    for a, b, e, x in zip(arrays, back, expect, exps):
        assert b.shape == a.shape and np.array_equal(b, e)
        assert np.abs(b - a).max() <= 2.0**x / 2 * 1.0001
    with pytest.raises(ValueError):
        entropy.decode_weights(data, [(12, 16)])
    with pytest.raises(ValueError):
        entropy.encode_weights(arrays, [0, 200])
