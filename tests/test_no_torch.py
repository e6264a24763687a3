"""Readers never need torch: decode in a process where importing torch fails."""

import subprocess
import sys
from pathlib import Path

import numpy as np

import inrfilter
from tests.conftest import FAST, smooth

SCRIPT = """
import sys
sys.modules["torch"] = None  # any "import torch" now raises ImportError
import numpy as np, inrfilter
blob = open(sys.argv[1], "rb").read()
full = inrfilter.decode(blob)
np.save(sys.argv[2], full)
assert np.allclose(inrfilter.decode_region(blob, (slice(1, 4), 2)), full[1:4, 2], atol=1e-5, equal_nan=True)
inrfilter.sample(blob, [[0.5, 1.5]])
inrfilter.info(blob)
assert "torch" not in [m for m, v in sys.modules.items() if v is not None]
try:
    inrfilter.encode(full)
except ImportError as exc:
    assert "torch" in str(exc)
else:
    raise SystemExit("encode worked without torch")
"""


def test_decode_without_torch(tmp_path: Path):
    a = smooth((10, 9))
    a[2, 2] = np.nan
    blob = inrfilter.encode(a, max_error=0.01, **FAST)
    (tmp_path / "b.inrf").write_bytes(blob)
    out = tmp_path / "out.npy"
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "b.inrf"), str(out)],
                            capture_output=True, text=True, cwd=Path(__file__).parents[1])
    assert result.returncode == 0, result.stderr
    np.testing.assert_array_equal(np.load(out), inrfilter.decode(blob))
