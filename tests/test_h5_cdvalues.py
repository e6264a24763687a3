"""The HDF5 filter's cd_values layout, and ``inrfilter cd-values``."""

from __future__ import annotations

import numpy as np
import pytest

from inrfilter.h5 import plugin
from inrfilter.h5.cdvalues import pack, pack_float64, unpack, unpack_float64
from inrfilter.settings import EncodeSettings
from inrfilter.cli import main as cli


def test_float64_as_two_words_high_first():
    assert pack_float64(1.0) == (0x3FF00000, 0)
    assert pack_float64(-2.5) == (0xC0040000, 0)
    for value in (0.1, 1e-300, 123456.789, -0.0):
        assert unpack_float64(*pack_float64(value)) == value


@pytest.mark.parametrize("settings", [
    EncodeSettings(),
    EncodeSettings(ratio=50, max_error=0.25, steps=300, seed=7, transform="log", quant="int8", device="cpu"),
    EncodeSettings.create(psnr=41.5, seconds=2.5, quant="fp32", device="cuda", w0=12.5, layers=2),
    EncodeSettings.create(ratio=30, effort="best"),
])
def test_pack_unpack_round_trip(settings):
    values = pack(settings)
    assert all(isinstance(v, int) and 0 <= v < 2**32 for v in values)
    assert values[0] == plugin.CD_VERSION and len(values) >= plugin.CD_FIXED
    assert unpack(values) == (settings, None)


def test_quant_code_is_stored_so_the_default_change_leaves_old_datasets_writing_fp16():
    """Datasets created before entropy became the default store quant code 0 (fp16) in their
    cd_values and keep writing fp16; new ones store code 3."""
    old = pack(EncodeSettings(ratio=30, quant="fp16"))
    assert old[12] == 0 and unpack(old)[0].quant == "fp16"
    new = pack(EncodeSettings(ratio=30))
    assert new[12] == 3 and unpack(new)[0].quant == "entropy"


def test_defaults_take_the_fixed_fields_only():
    assert len(pack(EncodeSettings())) == plugin.CD_FIXED
    assert unpack([]) == (EncodeSettings(), None)


def test_layout_appended_by_set_local_is_read():
    values = [*pack(EncodeSettings(psnr=30)), 2, 4, 1, 3, 8, 16, 5]
    settings, layout = unpack(values)
    assert settings.psnr == 30
    assert layout.dtype == np.dtype(">f4") and layout.chunks == (8, 16, 5)


@pytest.mark.parametrize("values, message", [
    ([2, *[0] * 14], "layout version 2"),
    ([1, 0, 0], "at least 15"),
    ([*[1] + [0] * 13, 9], "method section"),
    ([*pack(EncodeSettings()), 2, 4, 0, 2, 8], "malformed chunk layout"),
    ([*pack(EncodeSettings()), 7, 4, 0, 1, 8], "unknown datatype"),
    ([1, 0, *[0] * 10, 9, 0, 0], "quant code 9"),
])
def test_malformed_cd_values(values, message):
    with pytest.raises(ValueError, match=message):
        unpack(values)


def test_method_options_too_long():
    with pytest.raises(ValueError, match="method options take"):
        pack(EncodeSettings(options={"w0": 1.0, "note": "x" * 1000}))


def test_cli_cd_values(capsys):
    assert cli(["cd-values", "--psnr", "35", "--steps", "200", "--option", "w0=20", "--option", "layers=2"]) == 0
    values = [int(v) for v in capsys.readouterr().out.strip().split(",")]
    assert unpack(values) == (EncodeSettings.create(psnr=35, steps=200, w0=20, layers=2), None)
    assert cli(["cd-values", "--option", "bogus=1"]) == 2
    assert "bogus" in capsys.readouterr().err
