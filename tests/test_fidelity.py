"""Fidelity targets: max_error is a guarantee, ratio a size, psnr a quality ladder."""

import numpy as np
import pytest

import inrfilter
from tests.conftest import FAST, smooth


def _within(array, bound, **kwargs):
    blob = inrfilter.encode(array, max_error=bound, **{**FAST, **kwargs})
    out = inrfilter.decode(blob).astype(np.float64)
    a = array.astype(np.float64)
    finite = np.isfinite(a)
    assert np.array_equal(np.isnan(out), np.isnan(a))
    err = np.abs(out[finite] - a[finite]).max()
    assert err <= bound, (err, bound, inrfilter.info(blob))
    return blob


@pytest.mark.parametrize("relative", [1e-1, 1e-2, 1e-3])
def test_max_error_on_saxs(saxs_crop, relative):
    _within(saxs_crop, relative * np.ptp(saxs_crop))


@pytest.mark.parametrize("relative", [1e-1, 1e-3])
def test_max_error_on_saxs_log_transform(saxs_crop, relative):
    _within(saxs_crop, relative * np.ptp(saxs_crop), transform="log")


@pytest.mark.parametrize("relative", [1e-1, 1e-2, 1e-4])
def test_max_error_on_ocean_sst_with_land(sst_crop, relative):
    _within(sst_crop, relative * float(np.nanmax(sst_crop) - np.nanmin(sst_crop)))


@pytest.mark.parametrize("bound", [0.4, 1, 2.5, 10])
def test_max_error_on_uint8_photograph(ascent_crop, bound):
    _within(ascent_crop, bound)


def _adversarial():
    rng = np.random.default_rng(7)
    noise = rng.normal(size=(24, 24)).astype(np.float32)
    steps = np.repeat(np.repeat(rng.integers(0, 5, (4, 4)), 6, 0), 6, 1).astype(np.float32)
    spikes = np.zeros((24, 24), np.float32)
    spikes[rng.integers(0, 24, 10), rng.integers(0, 24, 10)] = 1e4
    return {
        "noise": (noise, 0.1),
        "steps": (steps, 0.01),
        "spikes": (spikes, 1.0),
        "huge": (noise.astype(np.float64) * 1e300, 1e297),
        "tiny": (noise * 1e-30, 1e-33),
        "huge_f32": (noise * 1e37, 1e34),
        "int64_big": ((noise * 1e15).astype(np.int64), 1e11),
        "float16": (noise.astype(np.float16) * 100, 0.5),
        "mixed_inf": (np.where(noise > 1.5, np.inf, noise), 0.05),
    }


@pytest.mark.parametrize("name", sorted(_adversarial()))
def test_max_error_on_adversarial_arrays(name):
    array, bound = _adversarial()[name]
    _within(array, bound)


def test_max_error_zero_is_lossless(sst_crop):
    blob = inrfilter.encode(sst_crop, max_error=0, **FAST)
    np.testing.assert_array_equal(inrfilter.decode(blob), sst_crop)
    assert inrfilter.info(blob)["method"] == "lossless"


@pytest.mark.parametrize("ratio", [4, 10])
def test_ratio_within_tolerance(saxs_crop, ratio):
    blob = inrfilter.encode(saxs_crop, ratio=ratio, **FAST)
    target = saxs_crop.nbytes / ratio
    assert inrfilter.info(blob)["method"] == "siren"
    assert 0.85 * target <= len(blob) <= 1.15 * target
    assert len(blob) < saxs_crop.nbytes


@pytest.mark.parametrize("quant", ["int8", "fp32"])
def test_ratio_with_other_quantisers(saxs_crop, quant):
    blob = inrfilter.encode(saxs_crop, ratio=6, quant=quant, **FAST)
    target = saxs_crop.nbytes / 6
    assert 0.85 * target <= len(blob) <= 1.15 * target
    assert inrfilter.info(blob)["quant"] == quant


def test_psnr_target_reached_and_recorded():
    a = smooth((32, 32))
    # a 32-sample chunk holds few oscillations: w0 = 10 suits it better than SIREN's 30
    blob = inrfilter.encode(a, psnr=32, steps=400, device="cpu", progress=False, w0=10)
    info = inrfilter.info(blob)
    out = inrfilter.decode(blob)
    measured = 10 * np.log10(np.ptp(a) ** 2 / np.mean((out.astype(np.float64) - a) ** 2))
    assert measured >= 32
    assert info["psnr"] == pytest.approx(measured, abs=1e-6)
    assert info["ratio"] > 4 and info["method"] == "siren"


def test_psnr_ladder_picks_smallest_network_that_reaches_target():
    a = smooth((32, 32))
    low = inrfilter.info(inrfilter.encode(a, psnr=20, steps=300, device="cpu", progress=False))
    high = inrfilter.info(inrfilter.encode(a, psnr=36, steps=300, device="cpu", progress=False))
    assert low["psnr"] >= 20 and high["psnr"] >= 36
    assert low["nbytes"] < high["nbytes"]


def test_unreachable_psnr_keeps_largest_and_records_achieved():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(16, 16)).astype(np.float32)
    blob = inrfilter.encode(a, psnr=90, steps=5, device="cpu", progress=False)
    info = inrfilter.info(blob)
    out = inrfilter.decode(blob)
    assert info["psnr"] == pytest.approx(
        10 * np.log10(np.ptp(a) ** 2 / np.mean((out.astype(np.float64) - a) ** 2)) if info["psnr"] < np.inf else np.inf
    )


def test_lossless_fallback_when_network_would_not_be_smaller():
    a = np.zeros((32, 32), np.float32)
    a[5, 5] = 1.0  # zstd stores this in a few bytes; no network is that small
    blob = inrfilter.encode(a, ratio=4, **FAST)
    assert inrfilter.info(blob)["method"] == "lossless"
    np.testing.assert_array_equal(inrfilter.decode(blob), a)


def test_same_input_seed_device_give_same_bytes(saxs_crop):
    kwargs = dict(ratio=8, **FAST)
    assert inrfilter.encode(saxs_crop, **kwargs) == inrfilter.encode(saxs_crop, **kwargs)
    assert inrfilter.encode(saxs_crop, seed=1, **kwargs) != inrfilter.encode(saxs_crop, **kwargs)


def test_seconds_budget_stops_training():
    import time

    a = smooth((64, 64))
    start = time.monotonic()
    blob = inrfilter.encode(a, ratio=8, seconds=0.5, device="cpu", progress=False)
    assert time.monotonic() - start < 30  # generous: the budget is per batch, sizing/packing add a little
    assert inrfilter.info(blob)["method"] == "siren"


def test_batch_encoding_trains_all_chunks(saxs_crop, sst_crop):
    chunks = [saxs_crop[:32, :32], saxs_crop[16:, 16:], saxs_crop[8:40, 8:40]]
    blobs = inrfilter.encode_batch(chunks, ratio=4, max_error=5.0, **FAST)
    for chunk, blob in zip(chunks, blobs):
        assert np.abs(inrfilter.decode(blob) - chunk).max() <= 5.0
    with pytest.raises(ValueError, match="one shape"):
        inrfilter.encode_batch([saxs_crop, sst_crop], **FAST)
