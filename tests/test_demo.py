"""`inrfilter demo` in its fast mode produces the table (inrfilter, zstd and, with
hdf5plugin, SZ3 and SPERR at inrfilter's ratio, for both datasets) and the picture."""

from __future__ import annotations

import numpy as np
import pytest

from inrfilter import demo
from inrfilter.cli import main as cli


def test_fast_demo_prints_the_table_and_writes_the_png(tmp_path, capsys):
    pytest.importorskip("hdf5plugin")
    pytest.importorskip("matplotlib")
    assert cli(["demo", "--fast", "--device", "cpu", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    png = tmp_path / "inrfilter-demo.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    assert f"picture: {png.resolve()}" in out and "demo took" in out
    rows = [line for line in out.splitlines() if line.startswith("| ") and "---" not in line][1:]
    codecs = [line.split(" | ")[1] for line in rows]
    assert len(rows) == 8 and sum(c.startswith("inrfilter") for c in codecs) == 2
    assert sum(c.startswith(("SZ3", "SPERR")) for c in codecs) == 4 and "zstd -19 (lossless)" in codecs
    for line in rows:  # every peer reaches inrfilter's ratio (zstd is lossless: its own ratio, infinite PSNR)
        ratio, psnr = float(line.split(" | ")[2]), float(line.split(" | ")[3])
        assert (ratio > 1 and np.isinf(psnr)) if "zstd" in line else (ratio > 14 and np.isfinite(psnr))


def test_demo_without_peers_or_picture(tmp_path):
    result = demo.run(tmp_path, fast=True, peers=False, png=False, device="cpu", echo=lambda s: None)
    assert result["png"] is None and len(result["rows"]) == 4
    assert not list(tmp_path.iterdir())


def test_the_field_is_deterministic_with_a_kolmogorov_spectrum():
    a, b = demo.turbulence_field((16, 32, 32)), demo.turbulence_field((16, 32, 32))
    assert a.dtype == np.float32 and np.array_equal(a, b) and abs(float(a.std()) - 1) < 1e-4
    power = np.abs(np.fft.rfft(demo.turbulence_field((256,)))) ** 2
    k = np.arange(1, power.size)
    slope = np.polyfit(np.log(k[4:100]), np.log(power[1:][4:100]), 1)[0]
    assert -2.2 < slope < -1.2  # 1-D: E(k) ~ k^(-5/3)
