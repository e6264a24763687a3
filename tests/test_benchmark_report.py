"""The benchmark's verdict sentences and its guard against peers that crash."""

import os
import signal

import numpy as np
import pytest

from benchmarks.common import peers, report


def _row(codec, setting, ratio, psnr):
    return {"codec": codec, "setting": setting, "ratio": ratio, "psnr": psnr}


PEERS = [_row("SZ3 abs", "abs=0.01", 20.0, 50.0), _row("SZ3 abs", "abs=0.1", 200.0, 30.0)]


def test_verdicts_compare_with_the_peer_interpolated_at_inrfilters_ratio():
    rows = PEERS + [_row("inrfilter siren", "ratio=30", 30.0, 48.0), _row("inrfilter sci", "ratio=30", 30.0, 41.0)]
    (line,) = report.verdicts(rows, (30,))
    # the peer's curve is linear in log(ratio): at 30, 50 - 20 * log(1.5) / log(10)
    expected = 50.0 - 20.0 * np.log(30 / 20) / np.log(10)
    assert "inrfilter siren 48.00 dB" in line and f"{expected:.2f} dB" in line
    assert ("wins by" if 48.0 > expected else "loses by") in line


def test_verdicts_say_when_inrfilter_was_not_run_or_cannot_reach_a_ratio():
    assert "not run" in report.verdicts(PEERS, (30, 100))[0]
    lines = report.verdicts(PEERS + [_row("inrfilter siren", "ratio=30", 30.0, 48.0)], (30, 100))
    assert "cannot reach" in lines[1]
    alone = report.verdicts(PEERS + [_row("inrfilter siren", "ratio=300", 300.0, 25.0)], (300,))
    assert "only codec there" in alone[0]


def test_a_peer_that_kills_its_process_is_a_failed_setting():
    def crash(array):
        os.kill(os.getpid(), signal.SIGKILL)  # as SZ3 on NaN data ("double free or corruption")

    setting = peers.Setting("crasher", "x", crash)
    with pytest.raises(RuntimeError, match="crashed"):
        peers.run_h5_isolated(np.zeros((8, 8), np.float32), (8, 8), setting)


def test_every_codec_at_every_target_ratio():
    rows = PEERS + [_row("SPERR rate", "rate=0.1", 320.0, 28.0), _row("SPERR rate", "rate=1", 25.0, 45.0),
                    _row("inrfilter siren", "ratio=30", 30.0, 48.0), _row("inrfilter siren", "ratio=100", 95.0, 40.0),
                    _row("inrfilter siren", "max_error=0.01*range", 12.0, 60.0)]
    table = report.every_codec_at(rows, (30, 100, 300))
    by_codec = {line.split(" | ")[0].lstrip("| "): line for line in table[2:]}
    assert set(by_codec) == {"SZ3 abs", "SPERR rate", "inrfilter siren"}  # max_error rows are not its ratio curve
    assert " - " not in by_codec["SPERR rate"]  # 25-320 spans every target
    assert by_codec["SZ3 abs"].split(" | ")[3] == "-"  # 20-200 does not reach 300
    assert by_codec["inrfilter siren"].split(" | ")[1:4] == ["48.00", "40.00", "-"]  # its ratio-target rows
    assert report.family_psnr_at([(20.0, 50.0), (200.0, 30.0)], 200.0) == pytest.approx(30.0)
    assert report.family_psnr_at([(20.0, 50.0), (200.0, 30.0)], 300.0) is None


def test_integer_data_reaches_peers_fairly():
    """SZ3 gets uint8 as it is; SPERR gets float32 and its output is rounded back to uint8."""
    pytest.importorskip("hdf5plugin")
    a = (np.arange(16 * 16 * 16) % 251).astype(np.uint8).reshape(16, 16, 16)
    by_family = {s.family: s for s in peers.peer_settings(a, (1e-2,))}
    assert by_family["SZ3 abs"].native_int and not by_family["SPERR abs"].native_int
    for family in ("SZ3 abs", "SPERR abs"):
        stored, decoded, _, _ = peers.run_h5(a, (16, 16, 16), by_family[family])
        assert decoded.dtype == np.uint8 and stored > 0
    rates = [s.label for s in peers.peer_settings(a, (1e-2,)) if s.family == "SPERR rate"]
    assert "rate=0.01" in rates
