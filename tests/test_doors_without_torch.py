"""Every door imports and reads without torch, and writing says how to get it
(`pip install 'inrfilter[encode]'`); the CLI's help shows defaults and choices."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from inrfilter.cli import main as cli

ROOT = Path(__file__).resolve().parents[1]

DOORS_WITHOUT_TORCH = """
import sys
sys.modules["torch"] = None  # any "import torch" now raises ImportError
import numpy as np
import inrfilter
import inrfilter.h5, inrfilter.zarr, inrfilter.numcodecs
assert inrfilter.numcodecs.INR is not None and inrfilter.zarr.INR is not None
codec = inrfilter.numcodecs.INR(ratio=4)
blob = inrfilter.encode(np.zeros((8, 8), np.float32))   # a constant chunk needs no network...
assert np.array_equal(codec.decode(blob), np.zeros((8, 8), np.float32))
for write in (lambda: inrfilter.encode(np.random.rand(8, 8)), lambda: codec.encode(np.random.rand(8, 8)),
              lambda: inrfilter.h5.INR(ratio=4)):
    try:
        write()
    except ImportError as exc:
        assert "pip install 'inrfilter[encode]'" in str(exc), exc
    else:
        raise SystemExit("wrote without torch")
assert "torch" not in [m for m, v in sys.modules.items() if v is not None]
"""


def test_doors_import_and_read_without_torch_and_writing_says_what_to_install():
    result = subprocess.run([sys.executable, "-c", DOORS_WITHOUT_TORCH], capture_output=True, text=True,
                            cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr


def test_cli_help_shows_defaults_choices_and_plain_text(capsys):
    for argv in (["--help"], ["encode", "--help"], ["demo", "--help"], ["cd-values", "--help"]):
        try:
            cli(argv)
        except SystemExit as exc:
            assert exc.code == 0
        text = capsys.readouterr().out
        assert "``" not in text and ":func:" not in text
        if argv[0] == "encode":
            assert "(default: siren)" in text and "{fp16,int8,fp32,entropy}" in text and "(default: entropy)" in text
            assert "(default: None)" not in text
        if argv[0] == "demo":
            assert "(default: .)" in text and "--fast" in text
