"""Committed blobs of every method and format version keep decoding bit-identically."""

from pathlib import Path

import numpy as np
import pytest

import inrfilter

GOLDEN = Path(__file__).parent / "golden"
BLOBS = sorted(GOLDEN.glob("*.inrf"))


def test_every_method_has_a_golden_blob_of_the_current_version():
    names = {p.stem for p in BLOBS}
    for method in inrfilter.METHODS:
        assert f"{method}-v{inrfilter.FORMAT_VERSION}" in names


@pytest.mark.parametrize("path", BLOBS, ids=lambda p: p.stem)
def test_golden_blob_decodes_bit_identically(path):
    expected = np.load(path.with_suffix(".npy"))
    decoded = inrfilter.decode(path.read_bytes())
    assert decoded.dtype == expected.dtype and decoded.shape == expected.shape
    assert decoded.tobytes() == expected.tobytes()
