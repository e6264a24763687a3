"""The inrfilter command on a real crop: encode prints ratio, PSNR, max error, timings."""

import json
import subprocess
import sys

import numpy as np

import inrfilter
from inrfilter.cli import main


def test_encode_info_decode(tmp_path, saxs_crop, capsys):
    np.save(tmp_path / "crop.npy", saxs_crop)
    assert main(["encode", str(tmp_path / "crop.npy"), str(tmp_path / "crop.inrf"), "--ratio", "6",
                 "--steps", "30", "--device", "cpu"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert {"ratio", "psnr_db", "max_abs_error", "encode_s", "decode_s"} <= set(row)
    assert 5 < row["ratio"] < 7
    assert main(["info", str(tmp_path / "crop.inrf")]) == 0
    assert json.loads(capsys.readouterr().out)["method"] == "siren"
    assert main(["decode", str(tmp_path / "crop.inrf"), str(tmp_path / "back.npy")]) == 0
    blob = (tmp_path / "crop.inrf").read_bytes()
    np.testing.assert_array_equal(np.load(tmp_path / "back.npy"), inrfilter.decode(blob))


def test_errors_are_reported_not_raised(tmp_path, capsys):
    (tmp_path / "junk.inrf").write_bytes(b"not a blob at all")
    assert main(["info", str(tmp_path / "junk.inrf")]) == 2
    assert "not an inrfilter blob" in capsys.readouterr().err


def test_console_script_installed():
    result = subprocess.run([sys.executable, "-m", "inrfilter.cli", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "demo" in result.stdout
