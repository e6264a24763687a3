"""Readers never need torch: decode in a process where importing torch fails."""

from pathlib import Path

import numpy as np

import inrfilter
from tests.conftest import FAST, smooth
from tests.readers import decode_without_torch

#: every reader, and encode's error, in the torch-less process
READS_AND_ENCODE = """
full = inrfilter.decode(blob)
assert np.allclose(inrfilter.decode_region(blob, (slice(1, 4), 2)), full[1:4, 2], atol=1e-5, equal_nan=True)
inrfilter.sample(blob, [[0.5, 1.5]])
inrfilter.info(blob)
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
    np.testing.assert_array_equal(decode_without_torch(tmp_path, blob, READS_AND_ENCODE), inrfilter.decode(blob))
