"""Committed blobs of every method and format version keep reading the same.

Their header fields, sections and dequantised weights must match the record made with
them bit for bit (tests/golden/*.json); decoded values must match the stored decode
within float rounding (``record.ULPS`` float32 ulps: numpy's float32 arithmetic differs
by an ulp between CPU models), and keep the max_error bound they were written with."""

from pathlib import Path

import numpy as np
import pytest

import inrfilter
from inrfilter import blob as blobfmt
from tests.golden import record
from tests.golden.make_golden import golden_input

GOLDEN = Path(__file__).parent / "golden"
BLOBS = sorted(GOLDEN.glob("*.inrf"))


def test_every_method_has_a_golden_blob_of_the_current_version():
    names = {p.stem for p in BLOBS}
    for method in inrfilter.METHODS:
        assert f"{method}-v{inrfilter.FORMAT_VERSION}" in names


@pytest.mark.parametrize("path", BLOBS, ids=lambda p: p.stem)
def test_golden_blob_header_sections_and_weights_are_unchanged(path):
    expected = record.load(path.with_suffix(".json"))
    assert record.differences(expected["record"], record.record(path.read_bytes())) == []


@pytest.mark.parametrize("path", BLOBS, ids=lambda p: p.stem)
def test_golden_blob_decodes_to_its_values_within_float_rounding(path):
    expected = np.load(path.with_suffix(".npy"))
    assert record.decoded_mismatch(expected, inrfilter.decode(path.read_bytes())) is None


@pytest.mark.parametrize("path", BLOBS, ids=lambda p: p.stem)
def test_golden_blob_keeps_its_max_error_bound(path):
    bound = record.load(path.with_suffix(".json"))["max_error"]
    original, decoded = golden_input(), inrfilter.decode(path.read_bytes())
    finite = np.isfinite(original)
    assert np.abs(decoded[finite].astype(np.float64) - original[finite]).max() <= bound
    assert np.array_equal(np.isnan(decoded), np.isnan(original))
    assert np.array_equal(decoded[np.isinf(original)], original[np.isinf(original)])


# ---- the checks themselves: rounding passes, a changed byte of ours fails ------------------

SIREN = GOLDEN / f"siren-v{inrfilter.FORMAT_VERSION}.inrf"


def test_float_rounding_in_the_decode_passes():
    expected = np.load(SIREN.with_suffix(".npy"))
    nudged = expected.copy()
    finite = np.isfinite(nudged)
    nudged[finite] = np.nextafter(nudged[finite], np.float32(np.inf))  # one ulp everywhere
    nudged[finite] = np.nextafter(nudged[finite], np.float32(np.inf))  # two
    assert record.decoded_mismatch(expected, nudged) is None


def test_a_decoded_value_off_by_more_than_rounding_fails():
    expected = np.load(SIREN.with_suffix(".npy"))
    changed = expected.copy()
    changed[5, 5] += record.tolerance(expected) * 4 + 1e-3
    assert "differ" in record.decoded_mismatch(expected, changed)
    moved = expected.copy()
    moved[0, 0] = np.nan
    assert record.decoded_mismatch(expected, moved) == "non-finite values moved"


def _repacked(blob: bytes, header_change=None, section_change=None) -> bytes:
    _, header, sections = blobfmt.unpack(blob)
    if header_change:
        header_change(header)
    if section_change:
        section_change(sections)
    return blobfmt.pack(header, sections)


def _diff(blob: bytes) -> list[str]:
    return record.differences(record.load(SIREN.with_suffix(".json"))["record"], record.record(blob))


def test_a_changed_header_field_fails():
    changed = _repacked(SIREN.read_bytes(), header_change=lambda h: h["f"].__setitem__(0, h["f"][0] + 0.5))
    assert any(path.startswith("/header/f") for path in _diff(changed))


def test_a_changed_section_fails():
    def flip_residual(sections):
        data = bytearray(sections["r"])
        data[-1] ^= 1
        sections["r"] = bytes(data)

    changed = _repacked(SIREN.read_bytes(), section_change=flip_residual)
    assert "/sections/r" in " ".join(_diff(changed))


def test_a_changed_weight_fails():
    from inrfilter.methods import get_method
    from inrfilter.quant import quantise

    blob = SIREN.read_bytes()
    _, header, _ = blobfmt.unpack(blob)
    chunk = inrfilter.decoder.ParsedChunk(blob)
    params = {k: v.copy() for k, v in chunk.params().items()}
    params["b0"][0] += 0.25
    shapes = get_method("siren").param_shapes(chunk.h.spec, chunk.shape)
    changed = _repacked(blob, section_change=lambda s: s.__setitem__("w", quantise(params, shapes, header["q"])))
    assert any(path.startswith("/weights/b0") for path in _diff(changed))
