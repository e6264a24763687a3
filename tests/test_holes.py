"""Non-finite holes are left out of training (siren, sasnet): the core restores them."""

import numpy as np
import pytest

import inrfilter
from inrfilter.methods.base import finite_voxels
from tests.conftest import FAST, smooth


def test_finite_voxels_skips_holes_but_never_empties_a_chunk():
    assert finite_voxels(None) is None
    holes = np.zeros((3, 4, 4), bool)
    holes[0, :2] = True
    holes[1] = True  # all holes: keeps every voxel, training needs one
    active = finite_voxels(holes)
    assert not active[0, :2].any() and active[0, 2:].all()
    assert active[1].all() and active[2].all()


@pytest.mark.parametrize("method", ["siren", "sasnet"])
def test_trains_on_finite_voxels_only(monkeypatch, method):
    from inrfilter import nn

    seen = []
    original = nn.fit_batched

    def recording(*args, **kwargs):
        seen.append(kwargs.get("active"))
        return original(*args, **kwargs)

    monkeypatch.setattr(nn, "fit_batched", recording)
    a = smooth((24, 24))
    a[:5, :7] = np.nan
    blob = inrfilter.encode(a, method, ratio=4, **FAST)
    assert seen and all(m is not None for m in seen)
    np.testing.assert_array_equal(seen[0][0], np.isfinite(a))
    out = inrfilter.decode(blob)
    np.testing.assert_array_equal(np.isnan(out), np.isnan(a))
    inrfilter.encode(smooth((24, 24)), method, ratio=4, **FAST)  # no holes: no mask
    assert seen[-1] is None
