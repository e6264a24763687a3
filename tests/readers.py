"""Checks every method's reading tests share: a region read equals the same part of a
full decode, and a blob decodes in a process where torch cannot be imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

import inrfilter

#: selections of every kind decode_region takes (steps, negative steps, integers, empty)
SELECTIONS = [
    (slice(2, 9), slice(None, None, 3)),
    (Ellipsis, 4),
    (-1,),
    (slice(None, None, -2), slice(1, 2)),
    (3, 5),
    (slice(5, 5),),
]


def value_range(array: np.ndarray) -> float:
    a = array.astype(np.float64)
    return float(np.nanmax(a) - np.nanmin(a))


def assert_region_matches_full(array: np.ndarray, blob: bytes, selection, **read) -> None:
    """decode_region(blob, selection) == decode(blob)[selection] within 1e-6 of the value range, NaNs in place."""
    full = inrfilter.decode(blob, **read)
    part = inrfilter.decode_region(blob, selection, **read)
    expected = full[selection]
    assert part.shape == expected.shape and part.dtype == expected.dtype
    np.testing.assert_array_equal(np.isnan(part.astype(np.float64)), np.isnan(expected.astype(np.float64)))
    np.testing.assert_allclose(part.astype(np.float64), expected.astype(np.float64),
                               atol=1e-6 * value_range(array), rtol=0)


def voxel_grid(shape: tuple[int, ...]) -> np.ndarray:
    """Every voxel's index as float coordinates, ``[*shape, ndim]``."""
    return np.stack(np.meshgrid(*[np.arange(n) for n in shape], indexing="ij"), axis=-1).astype(float)


def assert_sample_at_integers_matches_decode(blob: bytes) -> np.ndarray:
    """sample() at every voxel's integer coordinates returns exactly the decoded chunk
    (which it returns, for further checks)."""
    full = inrfilter.decode(blob)
    np.testing.assert_array_equal(inrfilter.sample(blob, voxel_grid(full.shape)), full)
    return full


_WITHOUT_TORCH = """
import sys
sys.modules["torch"] = None  # any "import torch" now raises ImportError
import numpy as np, inrfilter
blob = open(sys.argv[1], "rb").read()
np.save(sys.argv[2], inrfilter.decode(blob))
{extra}
assert "torch" not in [m for m, v in sys.modules.items() if v is not None]
"""


def decode_without_torch(tmp_path: Path, blob: bytes, extra: str = "") -> np.ndarray:
    """Decode ``blob`` in a fresh process where torch is unimportable, running the
    statements ``extra`` (which see ``blob``, ``np`` and ``inrfilter``) there too."""
    (tmp_path / "b.inrf").write_bytes(blob)
    out = tmp_path / "out.npy"
    result = subprocess.run(
        [sys.executable, "-c", _WITHOUT_TORCH.format(extra=extra), str(tmp_path / "b.inrf"), str(out)],
        capture_output=True, text=True, cwd=Path(__file__).parents[1])
    assert result.returncode == 0, result.stderr
    return np.load(out)
