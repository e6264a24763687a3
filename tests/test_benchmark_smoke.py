"""The rate-distortion benchmark runs end to end on one tiny crop (CI smoke run)."""

import csv

import pytest

pytest.importorskip("hdf5plugin")
pytest.importorskip("skimage")

from benchmarks import ratedistortion
from benchmarks.common import metrics  # noqa: E402


def test_smoke_profile_writes_tables_and_plots(tmp_path):
    ratedistortion.main(["--profile", "smoke", "--device", "cpu", "--out", str(tmp_path)])
    rows = list(csv.DictReader(open(tmp_path / "results.csv")))
    codecs = {r["codec"] for r in rows}
    assert {"SZ3 abs", "ZFP rate", "SPERR rate", "blosc-zstd (lossless)", "inrfilter siren"} <= codecs
    lossless = next(r for r in rows if "lossless" in r["codec"])
    assert float(lossless["max_abs_error"]) == 0
    bounded = next(r for r in rows if r["codec"] == "inrfilter siren" and r["setting"].startswith("max_error"))
    crop = ratedistortion._profiles()["smoke"].cases[0].load()
    assert float(bounded["max_abs_error"]) <= 1e-2 * metrics.value_range(crop)  # the bound SZ3 gets too
    text = (tmp_path / "results.md").read_text()
    assert "Where inrfilter stands" in text and "saxs-eiger" in text
    assert (tmp_path / "psnr_vs_ratio_saxs-eiger.png").stat().st_size > 1000
    assert (tmp_path / "throughput.png").stat().st_size > 1000
