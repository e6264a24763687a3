"""Method ``sasnet``: hash grid and frozen frequencies agree between torch and numpy,
round trips under every fidelity target on real crops, region and point decode."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import inrfilter
from benchmarks.common import datasets
from inrfilter.methods import get_method
from inrfilter.methods.sasnet.hashgrid import HashGrid, geometric_resolutions
from inrfilter.methods.sasnet.arch import arch_of
from inrfilter.methods.sasnet.frequencies import effective_limits, frequency_embedding
from tests.conftest import FAST, assert_ratio_within_tolerance, smooth
from tests.readers import (
    assert_region_matches_full,
    assert_sample_at_integers_matches_decode,
    decode_without_torch,
    voxel_grid,
)

torch = pytest.importorskip("torch")

SASNET = {**FAST, "steps": 20}


def _load(loader, *args):
    try:
        return loader(*args)
    except ModuleNotFoundError as exc:  # generated datasets need their package unless cached
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def turb_crop() -> np.ndarray:
    """16^3 of the turbulence velocity field (vx): 3-d, smooth with small eddies."""
    return datasets.crop(_load(datasets.turbulence, "vx"), (40, 40, 40), (16, 16, 16))


@pytest.fixture(scope="module")
def powder_crop() -> np.ndarray:
    """64x64 of the Pilatus powder frame: rings, Poisson noise and a module gap (-1)."""
    return datasets.crop(_load(datasets.powder_pilatus), (440, 460), (64, 64))


# -- hash grid: torch (training) and numpy (decoding) agree ------------------------

@pytest.mark.parametrize("ndim", [1, 2, 3, 4])
def test_hash_grid_torch_and_numpy_lookups_agree(ndim):
    from inrfilter.methods.sasnet.hashgrid_torch import hash_corners, hash_lookup

    grid = HashGrid(ndim, geometric_resolutions(1, 100, 5), 6)
    assert any(grid.dense(i) for i in range(grid.levels)) and not all(grid.dense(i) for i in range(grid.levels))
    rng = np.random.default_rng(ndim)
    tables = np.stack([grid.init_table(rng), grid.init_table(rng)])
    x = rng.uniform(-1, 1, (500, ndim)).astype(np.float32)
    x[:3] = [[-1.0] * ndim, [1.0] * ndim, [0.0] * ndim]  # corners and a cell boundary
    rows, weights = grid.corners(x)
    t_rows, t_weights = hash_corners(grid, torch.as_tensor(x))
    np.testing.assert_array_equal(rows, t_rows.numpy())
    np.testing.assert_array_equal(weights, t_weights.numpy())
    assert rows.min() >= 0 and rows.max() < grid.entries
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, atol=1e-6)
    shared = hash_lookup(grid, torch.as_tensor(tables), torch.as_tensor(x)).numpy()
    per_chunk = hash_lookup(grid, torch.as_tensor(tables), torch.as_tensor(np.stack([x, x[::-1]]))).numpy()
    for b in range(2):
        expected = grid.lookup(tables[b], x)
        np.testing.assert_allclose(shared[b], expected, atol=1e-7, rtol=0)
        np.testing.assert_allclose(per_chunk[b], expected if b == 0 else expected[::-1], atol=1e-7, rtol=0)


def test_hash_grid_interpolates_exactly_at_vertices_and_linearly_between():
    grid = HashGrid(2, (4,), 10)  # one dense level: vertex v of axis at -1 + v / 2
    table = np.random.default_rng(0).normal(size=(grid.entries, 2)).astype(np.float32)
    vertex = np.array([[-1.0 + 2 * 0.25, -1.0 + 3 * 0.5]], np.float32)  # vertex (1, 3)
    np.testing.assert_allclose(grid.lookup(table, vertex)[0], table[1 + 3 * 5], atol=1e-6)
    mid = np.array([[-0.75, -0.5]], np.float32)  # halfway between vertices (0, 1) and (1, 1)
    np.testing.assert_allclose(grid.lookup(table, mid)[0], (table[5] + table[6]) / 2, atol=1e-6)


def test_hash_grid_backward_reaches_only_looked_up_entries():
    from inrfilter.methods.sasnet.hashgrid_torch import hash_lookup

    grid = HashGrid(3, (2, 5, 9), 5)
    table = torch.zeros(2, grid.entries, 2, requires_grad=True)
    x = torch.full((1, 3), 0.1)
    hash_lookup(grid, table, x).sum().backward()
    touched = (table.grad[0].abs().sum(dim=1) > 0).numpy()
    rows, _ = grid.corners(x.numpy())
    assert set(np.flatnonzero(touched)) == set(np.unique(rows))
    np.testing.assert_allclose(table.grad[0].sum().item(), 2 * grid.levels, rtol=1e-6)  # weights sum to 1


# -- frozen frequency embedding ---------------------------------------------------

@pytest.mark.parametrize("shape", [(128, 128, 128), (32, 32, 32), (48, 40), (64,)])
def test_frozen_frequencies_regenerated_identically_and_laid_out_as_the_paper(shape):
    width, p = 96, len(shape)
    emb = frequency_embedding(shape, width, seed=7, reference_size=128)
    again = frequency_embedding(shape, width, seed=7, reference_size=128)
    np.testing.assert_array_equal(emb.k, again.k)
    np.testing.assert_array_equal(emb.matrix, again.matrix)
    assert not np.array_equal(emb.k, frequency_embedding(shape, width, seed=8, reference_size=128).k)
    limit, low = effective_limits(shape, 30, 6, 128)
    k = emb.k
    assert k.shape == (width, p) and emb.group_ends[-1] == width and len(emb.group_ends) == 5
    np.testing.assert_array_equal(k[:p], np.eye(p))  # the axes first
    first_nonzero = k[np.arange(width), np.argmax(k != 0, axis=1)]
    assert (first_nonzero > 0).all()  # half of the frequency space
    n_low = emb.group_ends[0]
    assert n_low == int(np.ceil(0.5 * width))  # the paper's low-frequency percentage
    assert np.abs(k[:n_low]).max() <= low
    peak = np.abs(k[n_low:]).max(axis=1)
    assert (peak > low).all() and (peak <= limit).all()
    cuts = np.linspace(low, limit + 1, 5)
    for band, (start, end) in enumerate(zip(emb.group_ends[:-1], emb.group_ends[1:])):
        assert ((peak[start - n_low : end - n_low] >= cuts[band]) & (peak[start - n_low : end - n_low] < cuts[band + 1])).all()
    axes = np.meshgrid(*[np.arange(-limit, limit + 1)] * p, indexing="ij")
    box = np.stack(axes, -1).reshape(-1, p)
    admissible = int(np.sum(np.abs(box).max(axis=1) > low)) // 2  # half of the symmetric shell
    assert len({tuple(r) for r in k[n_low:]}) == min(width - n_low, admissible)  # no repeat while any is left
    np.testing.assert_allclose(emb.matrix, 2 * np.pi * k.T / emb.period, rtol=1e-6)


def test_frequencies_follow_the_paper_for_a_volume_of_the_papers_size():
    assert effective_limits((128, 128, 128), 30, 6, 128) == (30, 6)
    assert effective_limits((32, 32, 32), 30, 6, 128) == (8, 2)
    assert effective_limits((8, 8), 30, 6, 0) == (3, 1)  # unscaled, clipped to Nyquist
    emb = frequency_embedding((5, 1, 7), 12, seed=0)
    assert (emb.k[3:, 1] == 0).all()  # no frequency along a singleton axis


def test_frequencies_of_a_box_too_big_to_enumerate_are_drawn_alike():
    shape = (200, 200, 200, 200)  # 61^4 candidate vectors with the paper's B = 30 unscaled
    emb = frequency_embedding(shape, 64, seed=1)
    np.testing.assert_array_equal(emb.k, frequency_embedding(shape, 64, seed=1).k)
    high = emb.k[emb.group_ends[0] :]
    first_nonzero = high[np.arange(len(high)), np.argmax(high != 0, axis=1)]
    assert (first_nonzero > 0).all() and len({tuple(r) for r in high}) == len(high)
    assert (np.abs(high).max(axis=1) > 6).all() and np.abs(high).max() <= 30


def test_frozen_frequencies_are_really_frozen(turb_crop, monkeypatch):
    """The torch forward never trains W: it is a constant tensor regenerated from the
    seed, absent from the stored parameters, and the numpy decoder's regenerated copy
    reproduces the trained network."""
    from inrfilter.methods.sasnet import layers as sasnet_layers

    seen = []
    original = sasnet_layers.SasnetForward.__init__

    def spy(self, *args, **kwargs):
        original(self, *args, **kwargs)
        seen.append((self, self.frequencies.clone()))

    monkeypatch.setattr(sasnet_layers.SasnetForward, "__init__", spy)
    blob = inrfilter.encode(turb_crop, "sasnet", ratio=8, seed=3, **SASNET)
    info = inrfilter.info(blob)
    assert info["spec"]["s"] == 3
    (forward, before), = seen
    assert not forward.frequencies.requires_grad
    np.testing.assert_array_equal(forward.frequencies.numpy(), before.numpy())
    arch = arch_of(info["spec"], turb_crop.shape)
    np.testing.assert_array_equal(forward.frequencies.numpy(), arch.embedding.matrix)
    method = get_method("sasnet")
    names = method.param_shapes(info["spec"], turb_crop.shape)
    assert "b0" in names and not any(n.startswith("W0") for n in names)

    # the trained parameters under torch and under the numpy decoder give the same values
    from inrfilter.decoder import ParsedChunk

    chunk = ParsedChunk(blob)
    params = chunk.params()
    coords = np.stack(np.meshgrid(*[np.linspace(-1, 1, n) for n in turb_crop.shape], indexing="ij"), -1)
    coords = coords.reshape(-1, 3).astype(np.float32)
    pred, _ = forward({k: torch.as_tensor(v)[None] for k, v in params.items()}, torch.as_tensor(coords))
    ours = method.evaluate(params, info["spec"], turb_crop.shape, None).ravel()
    np.testing.assert_allclose(pred[0].detach().numpy(), ours, atol=2e-4, rtol=0)


# -- architecture and sizing --------------------------------------------------------

@pytest.mark.parametrize("masks", [True, False])
def test_ladder_grows_and_init_matches_shapes(masks):
    method = get_method("sasnet")
    shape = (24, 24, 24)
    specs = method.specs(shape, method.check_options({"masks": masks}))
    counts = [method.n_params(s, shape) for s in specs[::25]]
    assert counts == sorted(counts) and len(set(counts)) == len(counts)
    for spec in specs[:: len(specs) // 4]:
        params = method.init_params(spec, shape, np.random.default_rng(0))
        shapes = method.param_shapes(spec, shape)
        assert list(params) == list(shapes)
        assert all(params[n].shape == shapes[n] for n in shapes)
        assert ("H" in shapes) == masks
        if masks:
            assert 2 <= spec["d"] <= 48 and 2 <= spec["t"] <= 11
            assert spec["g"] == min(8, spec["w"] // 2)  # the paper's 8 groups, at least 2 neurons each
    if masks:  # below the caps (decoder 48 wide, 2^11 entries) the masks get about mask_share
        for spec in (s for s in specs if s["w"] in (16, 32, 64)):
            shapes = method.param_shapes(spec, shape)
            mask = sum(int(np.prod(shapes[n])) for n in ("H", "D0", "d0", "D1", "d1"))
            assert 0.15 < mask / method.n_params(spec, shape) < 0.45


def test_penalty_is_lambda_times_mean_mask():
    from inrfilter.methods.sasnet.layers import SasnetForward

    method = get_method("sasnet")
    shape = (12, 10)
    spec = {**method.specs(shape, method.check_options({}))[20], "s": 0}
    arch = arch_of(spec, shape)
    params = {k: torch.as_tensor(v)[None] for k, v in arch.init_params(np.random.default_rng(0)).items()}
    forward = SasnetForward(arch, torch.device("cpu"), lam=0.25)
    x = torch.rand(50, 2) * 2 - 1
    _, penalty = forward(params, x)
    masks = forward.masks(params, x)
    assert masks.shape == (1, 50, arch.n_masks) and 0.3 < float(masks.mean()) < 0.7  # masks start near 0.5
    np.testing.assert_allclose(penalty.numpy(), 0.25 * masks.mean(dim=(1, 2)).numpy(), rtol=1e-6)


def test_bad_options_are_rejected():
    with pytest.raises(TypeError, match="no option"):
        inrfilter.encode(np.zeros((4, 4), np.float32) + np.arange(4), "sasnet", hash_levels=3)
    for bad in ({"low_range": 40}, {"lam": -1.0}, {"mask_share": 1.5}, {"layers": 0}, {"masks": "yes"}):
        with pytest.raises(ValueError):
            get_method("sasnet").check_options(bad)


# -- round trips on real crops ------------------------------------------------------

def _crop(request, name):
    return request.getfixturevalue(name)


@pytest.mark.parametrize("name,ratio", [("turb_crop", 8), ("powder_crop", 10), ("sst_crop", 3)])
def test_ratio_within_tolerance(request, name, ratio):
    array = _crop(request, name)
    blob = inrfilter.encode(array, "sasnet", ratio=ratio, **SASNET)
    info = inrfilter.info(blob)
    assert info["method"] == "sasnet"
    assert_ratio_within_tolerance(blob, array.nbytes, ratio)
    out = inrfilter.decode(blob)
    assert out.shape == array.shape and out.dtype == array.dtype
    np.testing.assert_array_equal(np.isnan(out), np.isnan(array))


@pytest.mark.parametrize("name", ["turb_crop", "powder_crop", "sst_crop"])
def test_max_error_is_guaranteed(request, name):
    array = _crop(request, name)
    bound = 1e-2 * float(np.nanmax(array) - np.nanmin(array))
    blob = inrfilter.encode(array, "sasnet", max_error=bound, **SASNET)
    assert inrfilter.info(blob)["method"] == "sasnet"
    out = inrfilter.decode(blob).astype(np.float64)
    finite = np.isfinite(array)
    assert np.abs(out[finite] - array[finite]).max() <= bound


def test_psnr_target_reached_on_an_easy_case():
    a = smooth((32, 32))
    blob = inrfilter.encode(a, "sasnet", psnr=20, steps=100, device="cpu", progress=False)
    info = inrfilter.info(blob)
    out = inrfilter.decode(blob).astype(np.float64)
    measured = 10 * np.log10(np.ptp(a) ** 2 / np.mean((out - a) ** 2))
    assert info["method"] == "sasnet" and measured >= 20 and info["ratio"] > 2
    assert info["psnr"] == pytest.approx(measured, abs=1e-6)


@pytest.mark.parametrize("name, db", [("turb_crop", 25), ("powder_crop", 30)])
def test_psnr_target_reached_on_real_crops(request, name, db):
    array = _crop(request, name)
    blob = inrfilter.encode(array, "sasnet", psnr=db, **{**SASNET, "steps": 100})
    info = inrfilter.info(blob)
    a = array.astype(np.float64)
    out = inrfilter.decode(blob).astype(np.float64)
    measured = 10 * np.log10(np.ptp(a) ** 2 / np.mean((out - a) ** 2))
    assert info["method"] == "sasnet" and measured >= db
    assert info["psnr"] == pytest.approx(measured, abs=1e-6)


def test_same_seed_same_bytes(powder_crop):
    kwargs = dict(ratio=10, **SASNET)
    blob = inrfilter.encode(powder_crop, "sasnet", **kwargs)
    assert blob == inrfilter.encode(powder_crop, "sasnet", **kwargs)
    assert blob != inrfilter.encode(powder_crop, "sasnet", seed=1, **kwargs)


def test_without_masks_is_the_frequency_embedding_alone(turb_crop):
    blob = inrfilter.encode(turb_crop, "sasnet", ratio=8, masks=False, **SASNET)
    spec = inrfilter.info(blob)["spec"]
    assert "t" not in spec and "r" not in spec
    assert set(get_method("sasnet").param_shapes(spec, turb_crop.shape)) == {"b0", "W1", "b1", "W2", "b2", "W3", "b3"}
    assert_ratio_within_tolerance(blob, turb_crop.nbytes, 8)


# -- region and point decode, 2-d and 3-d -------------------------------------------

@pytest.fixture(scope="module")
def blobs(turb_crop, powder_crop):
    return {
        "turb": (turb_crop, inrfilter.encode(turb_crop, "sasnet", ratio=8, **SASNET)),
        "powder": (powder_crop, inrfilter.encode(powder_crop, "sasnet", ratio=10, max_error=50.0, **SASNET)),
    }


@pytest.mark.parametrize("name,selection", [
    ("turb", (slice(2, 9), slice(None, None, 3), 4)),
    ("turb", (Ellipsis, slice(15, None, -4))),
    ("powder", (slice(10, 50, 7), slice(None))),
    ("powder", (33,)),
])
def test_region_equals_full_decode(blobs, name, selection):
    assert_region_matches_full(*blobs[name], selection)


def test_region_evaluates_only_selected_points(blobs, monkeypatch):
    from inrfilter.methods import sasnet

    counted = []
    original = sasnet.forward_numpy
    monkeypatch.setattr(sasnet, "forward_numpy", lambda arch, p, x: counted.append(len(x)) or original(arch, p, x))
    inrfilter.decode_region(blobs["turb"][1], (slice(0, 2), 3, slice(None, None, 4)))
    assert counted == [2 * 1 * 4]


@pytest.mark.parametrize("name", ["turb", "powder"])
def test_sample_at_integers_equals_decode_and_between_is_finite(blobs, name):
    array, blob = blobs[name]
    full = assert_sample_at_integers_matches_decode(blob)
    grid = voxel_grid(full.shape)
    between = inrfilter.sample(blob, grid[(slice(0, -1),) * full.ndim] + 0.5)
    assert np.isfinite(between).all() and np.abs(between).max() < 2 * np.abs(array).max()


def test_decode_without_torch(blobs, tmp_path: Path):
    _, blob = blobs["turb"]
    decoded = decode_without_torch(tmp_path, blob, "inrfilter.sample(blob, [[0.5, 1.5, 2.0]])")
    np.testing.assert_array_equal(decoded, inrfilter.decode(blob))
