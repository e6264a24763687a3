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
