"""Budgets a user can live with: effort presets, unreachable psnr targets stop early and
say so, lossless fallbacks warn, absurd targets are refused."""

import warnings

import numpy as np
import pytest

import inrfilter
import inrfilter.nn
from inrfilter.effort import (EFFORTS, MAX_PSNR_DB, TargetWarning, hopeless, preset, stop_climbing, to_db)
from inrfilter.options import OptionError
from inrfilter.settings import EncodeSettings

from benchmarks.common import datasets


@pytest.fixture
def fits(monkeypatch):
    """Every fit_batched call's budget (steps asked, steps run, hopeless chunks)."""
    calls = []
    original = inrfilter.nn.fit_batched

    def spy(forward, init, chunks, budget, *args, **kwargs):
        out = original(forward, init, chunks, budget, *args, **kwargs)
        calls.append({"steps": budget.steps, "lr_scale": budget.lr_scale, **budget.report})
        return out

    monkeypatch.setattr(inrfilter.nn, "fit_batched", spy)
    return calls


def noisy_crop() -> np.ndarray:
    """A 32x32 SAXS crop plus 10% (of its range) Gaussian noise: no small network
    reaches 60 dB on it."""
    a = datasets.crop(datasets.saxs_eiger(), (480, 480), (32, 32)).astype(np.float32)
    rng = np.random.default_rng(1)
    return a + (0.1 * np.ptp(a) * rng.standard_normal(a.shape)).astype(np.float32)


def test_psnr_beyond_float64_is_an_error():
    with pytest.raises(OptionError, match="psnr.*float64"):
        inrfilter.encode(np.zeros((8, 8), np.float32), psnr=1000)
    with pytest.raises(OptionError, match="float64"):
        EncodeSettings.create(psnr=MAX_PSNR_DB + 1)
    EncodeSettings.create(psnr=MAX_PSNR_DB - 1)  # the limit itself is allowed


def test_effort_must_be_a_preset():
    with pytest.raises(OptionError, match="effort"):
        inrfilter.encode(np.zeros((8, 8), np.float32), effort="max")
    assert EncodeSettings.create(effort="best").to_json()["effort"] == "best"


def test_effort_sets_the_step_budget_unless_steps_are_given(fits):
    a = datasets.crop(datasets.saxs_eiger(), (480, 480), (12, 12)).astype(np.float32)
    inrfilter.encode(a, ratio=2, effort="fast", device="cpu", progress=False)
    steps, scale = preset("fast")
    assert fits[-1]["steps"] == steps and fits[-1]["lr_scale"] == scale
    inrfilter.encode(a, ratio=2, effort="normal", steps=7, device="cpu", progress=False)
    assert fits[-1]["steps"] == 7 and fits[-1]["lr_scale"] == 1.0
    assert preset(None, "cpu") == EFFORTS["fast"] and preset(None, "cuda") == EFFORTS["normal"]


def test_hopeless_projects_the_curve():
    steps, target = 1000, np.array([4 / 10**6.0])  # 60 dB
    flat = [(s, np.array([4 / 10**3.0])) for s in range(0, 301, 10)]  # stuck at 30 dB
    assert hopeless(flat, 300, steps, target).all()
    assert not hopeless(flat[:10], 90, steps, target).any()  # too early to judge
    assert not hopeless(flat[:10], 90, 200, target).any()  # a short budget: not before MIN_JUDGE_STEPS
    rising = [(s, 4 / 10 ** (np.array([3.0]) + s / 100)) for s in range(0, 301, 10)]  # +1 dB per 10 steps
    assert not hopeless(rising, 300, steps, target).any()
    assert to_db(np.array([4e-4]))[0] == pytest.approx(40.0)


def test_stop_climbing():
    assert stop_climbing(30.0, 30.2, 40.0, 5)  # a bigger rung bought 0.2 dB
    assert stop_climbing(30.0, 29.0, 30.5, 5)  # or nothing
    assert not stop_climbing(21.25, 21.7, 22.0, 1)  # 0.3 dB short, 0.45 dB a rung: one more
    assert stop_climbing(30.0, 31.0, 40.0, 4)  # 1 dB a rung, 9 dB short, 4 rungs left
    assert not stop_climbing(30.0, 31.0, 40.0, 5)  # 5 rungs at twice that could make it
    assert not stop_climbing(30.0, 31.0, 40.0, 4, early=True)  # a fit stopped early understates its size
    assert not stop_climbing(20.0, 30.0, 40.0, 5)
    assert not stop_climbing(-np.inf, 20.0, 40.0, 5)  # the first rung is always followed


def test_unreachable_psnr_stops_early_and_warns(fits):
    a = noisy_crop()
    with pytest.warns(TargetWarning, match="missed psnr=60"):
        blob = inrfilter.encode(a, psnr=60, steps=300, device="cpu", progress=False)
    achieved = inrfilter.info(blob)["psnr"]
    assert achieved < 60
    assert any(call["hopeless"].all() for call in fits)
    assert sum(call["steps"] for call in fits) < 300 * len(fits)  # some rung stopped early
    assert len(fits) < len(inrfilter.encoder.LADDER_RATIOS)  # and the ladder was not climbed to the top


def test_reachable_psnr_does_not_warn():
    x = np.linspace(-1, 1, 32, dtype=np.float32)
    a = np.sin(2 * x)[:, None] * np.cos(x)[None, :]
    with warnings.catch_warnings():
        warnings.simplefilter("error", TargetWarning)
        blob = inrfilter.encode(a, psnr=30, steps=300, device="cpu", progress=False)
    assert inrfilter.info(blob)["psnr"] >= 30


def test_lossless_fallback_warns():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((16, 16)).astype(np.float32)  # white noise: no network is smaller
    with pytest.warns(TargetWarning, match="lossless copy"):
        blob = inrfilter.encode(a, max_error=1e-6, steps=5, device="cpu", progress=False)
    assert inrfilter.info(blob)["method"] == "lossless"
