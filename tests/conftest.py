"""Shared fixtures: small real crops (docs/datasets.md) and fast encoder settings."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.common import datasets

#: few steps: tests check correctness, benchmarks check quality
FAST = {"steps": 40, "device": "cpu", "progress": False}


@pytest.fixture(scope="session")
def saxs_crop() -> np.ndarray:
    """48x48 of the SAXS frame around the beam: float64, a third negative, 5 decades."""
    pytest.importorskip("sasdata")
    return datasets.crop(datasets.saxs_eiger(), (480, 480), (48, 48))


@pytest.fixture(scope="session")
def sst_crop() -> np.ndarray:
    """32x32 of NEMO sea-surface temperature with 40% land (NaN)."""
    pytest.importorskip("iris_sample_data")
    return datasets.crop(datasets.ocean_sst(), (60, 300), (32, 32))


@pytest.fixture(scope="session")
def ascent_crop() -> np.ndarray:
    """48x48 uint8 of PyWavelets' ascent photograph."""
    return datasets.crop(datasets.ascent(), (200, 200), (48, 48))


def smooth(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """A smooth synthetic field with a known closed form."""
    axes = np.meshgrid(*[np.linspace(0, 1, n) for n in shape], indexing="ij")
    rng = np.random.default_rng(seed)
    field = sum(np.sin(2 * np.pi * (1 + k) * a + rng.uniform(0, 6)) for k, a in enumerate(axes))
    return field.astype(np.float32)
