"""WIEN-INR (method "wien", issue 5): round trips on real crops under every fidelity
target, local reads (regions, points, reduced-resolution levels), odd and tiny
chunks, and the pieces the paper defines (per-scale networks, enhancement module)."""

import warnings
from pathlib import Path

import numpy as np
import pytest
import pywt
from scipy import ndimage

import inrfilter
from benchmarks.common import datasets
from inrfilter.methods import get_method
from inrfilter.methods.wien import layout as layouts
from inrfilter.methods.wien import numpy_decoder
from inrfilter.methods.wien.synthesis import plan_level
from tests.conftest import FAST, assert_ratio_within_tolerance, smooth
from tests.readers import (
    SELECTIONS,
    assert_region_matches_full,
    assert_sample_at_integers_matches_decode,
    decode_without_torch,
)

WIEN = get_method("wien")
#: wien trains twice (scales, then the enhancement): fewer steps keep the tests fast
FAST = {**FAST, "steps": 20}


def _real(loader, *args):
    """A dataset, or a skip when its package is missing (generated datasets are cached)."""
    try:
        return loader(*args)
    except ModuleNotFoundError as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def powder_crop() -> np.ndarray:
    """45x61 (odd) of the Pilatus powder rings near the beam: rings, Poisson counts, a module gap (-1)."""
    return datasets.crop(_real(datasets.powder_pilatus), (456, 470), (45, 61))


@pytest.fixture(scope="module")
def turbulence_crop() -> np.ndarray:
    """17x18x19 of FluidSim's decaying turbulence (vx): 3-D, odd and even axes."""
    return datasets.crop(_real(datasets.turbulence, "vx"), (40, 50, 60), (17, 18, 19))


def _range(a: np.ndarray) -> float:
    a = a.astype(np.float64)
    return float(np.nanmax(a[np.isfinite(a)]) - np.nanmin(a[np.isfinite(a)]))


def _noise(shape: tuple[int, ...]) -> np.ndarray:
    """Incompressible values, so that even a tiny chunk is stored as a network."""
    return np.random.default_rng(5).normal(size=shape)


@pytest.fixture(scope="module")
def noise_3d() -> np.ndarray:
    """A 3-D chunk with J = 2 (the enhancement on) that needs no optional dataset package."""
    return _noise((13, 14, 16)).astype(np.float32)


#: the blobs the reading tests share: source fixture and encode options
ENCODINGS = {
    "saxs": ("saxs_crop", lambda a: {"ratio": 5}),
    "saxs_db2": ("saxs_crop", lambda a: {"ratio": 5, "wavelet": "db2"}),
    "powder": ("powder_crop", lambda a: {"max_error": 0.05 * _range(a)}),  # with a residual section
    "turbulence": ("turbulence_crop", lambda a: {"ratio": 4}),
    "noise_3d": ("noise_3d", lambda a: {"ratio": 3}),
}


@pytest.fixture(scope="module")
def _encoded() -> dict:
    return {}


@pytest.fixture
def blobs(request, _encoded):
    """name -> (array, blob), encoded once per module and on first use, so a missing
    dataset package skips only the tests that need that dataset."""

    class Lazy:
        def __getitem__(self, name: str) -> tuple[np.ndarray, bytes]:
            if name not in _encoded:
                source, options = ENCODINGS[name]
                array = request.getfixturevalue(source)
                _encoded[name] = (array, inrfilter.encode(array, "wien", **options(array), **FAST))
            return _encoded[name]

    return Lazy()


# -- the method's structure ---------------------------------------------------------------
def test_registered():
    assert "wien" in inrfilter.METHODS


@pytest.mark.parametrize("name, levels", [("saxs", 3), ("saxs_db2", 3), ("powder", 3), ("turbulence", 2),
                                          ("noise_3d", 2)])
def test_levels_adapt_to_the_chunk_and_enhancement_is_stored(blobs, name, levels):
    array, blob = blobs[name]
    info = inrfilter.info(blob)
    assert info["method"] == "wien" and info["spec"]["J"] == levels == info["levels"]
    layout = layouts.build(array.shape, info["spec"])
    assert [n.name for n in layout.nets] == ["a"] + [f"d{j}" for j in range(levels, 1, -1)] + ["k"]
    q = array.ndim
    assert layout.net("k").n_out == (2**q - 1) * 3**q  # an r**q kernel per orientation
    assert all(n.n_out == 2**q - 1 for n in layout.detail_nets)  # one network per scale, all orientations


def test_enhance_false_is_the_wavelet_inr_baseline(saxs_crop):
    blob = inrfilter.encode(saxs_crop, "wien", ratio=5, enhance=False, **FAST)
    spec = inrfilter.info(blob)["spec"]
    names = {n.split(".")[0] for n in WIEN.param_shapes(spec, saxs_crop.shape)}
    assert spec["e"] == 0 and names == {"a", "d3", "d2", "d1"}


def test_budget_split_gives_coarse_scales_smaller_networks():
    specs = WIEN.specs((256, 256), WIEN.check_options({}))
    counts = [WIEN.n_params(s, (256, 256)) for s in specs]
    assert counts == sorted(counts) and len(set(counts)) == len(counts)  # a finely spaced ladder
    widths = specs[len(specs) // 2]["w"]  # a_4, d4, d3, d2, kernel
    assert widths[1] <= widths[2] <= widths[3] and widths[1] < widths[3]
    assert widths[4] == widths[3]  # the kernel predictor is as wide as the scale-2 network


def test_one_optimiser_for_all_scales_and_chunks(monkeypatch, saxs_crop):
    import inrfilter.nn

    calls = []
    original = inrfilter.nn.fit_batched

    def spy(forward, init, chunks, *args, **kwargs):
        calls.append((kwargs.get("desc"), len(init)))
        return original(forward, init, chunks, *args, **kwargs)

    monkeypatch.setattr(inrfilter.nn, "fit_batched", spy)
    chunks = [saxs_crop[:32, :32], saxs_crop[16:, 16:], saxs_crop[8:40, 8:40]]
    inrfilter.encode_batch(chunks, "wien", ratio=3, steps=5, device="cpu", progress=False)
    assert calls == [("wien scales", 3), ("wien enhance", 3)]  # the enhancement trains after the scales
    calls.clear()
    inrfilter.encode_batch(chunks, "wien", ratio=3, steps=5, device="cpu", progress=False, enhance=False)
    assert calls == [("wien scales", 3)]


def test_training_forward_matches_the_numpy_decoder():
    """The torch forwards (training) and the numpy reference decoder compute the same
    coefficients from the same parameters, the enhancement (Eq. 5) included."""
    import torch

    from inrfilter.methods.wien.train import grid_index
    from inrfilter.methods.wien.layers import EnhanceForward, ScalesForward, tag_rows, upsampled_neighbourhoods

    shape = (20, 24)
    spec = WIEN.specs(shape, WIEN.check_options({}))[3]
    layout = layouts.build(shape, spec)
    params = WIEN.init_params(spec, shape, np.random.default_rng(3))
    tensors = {n: torch.as_tensor(v[None]) for n, v in params.items()}
    for i, net in enumerate([layout.net("a"), *layout.detail_nets]):
        index = grid_index(layout.grid(net.level))
        rows = np.concatenate([layout.coords(net.level, index), np.full((len(index), 1), i)], axis=1)
        forward = ScalesForward([layout.net("a"), *layout.detail_nets], 2, layout.channels)
        torch_out = forward(tensors, torch.as_tensor(rows, dtype=torch.float32))[0, :, : net.n_out].numpy()
        numpy_out = numpy_decoder.mlp(params, net, layout.coords(net.level, index)) * net.gain
        np.testing.assert_allclose(torch_out, numpy_out, rtol=1e-5, atol=1e-6)
    index = grid_index(layout.grid(1))
    around_rows, around = numpy_decoder.neighbourhood_positions(layout, index)
    neighbours = upsampled_neighbourhoods(tensors, layout.net("d2"), layout.coords(1, around_rows), around)
    rows = np.concatenate([layout.coords(1, index), tag_rows(np.arange(len(index)))], axis=1)
    torch_d1 = EnhanceForward(layout.net("k"), 2, neighbours)(tensors, torch.as_tensor(rows, dtype=torch.float32))
    np.testing.assert_allclose(torch_d1[0].numpy(), numpy_decoder.details(layout, params, 1, index),
                               rtol=1e-4, atol=1e-6)


# -- fidelity targets on real crops -----------------------------------------------------------
@pytest.mark.parametrize("name, ratio", [("saxs", 5), ("turbulence", 4)])
def test_ratio_within_tolerance(blobs, name, ratio):
    array, blob = blobs[name]
    assert_ratio_within_tolerance(blob, array.nbytes, ratio)


def test_ratio_within_tolerance_on_powder_with_int8_weights(powder_crop):
    blob = inrfilter.encode(powder_crop, "wien", ratio=8, quant="int8", **FAST)
    target = powder_crop.nbytes / 8
    assert inrfilter.info(blob)["method"] == "wien" and 0.85 * target <= len(blob) <= 1.15 * target
    assert inrfilter.decode(blob).shape == powder_crop.shape


@pytest.mark.parametrize("crop, relative", [("saxs_crop", 1e-1), ("powder_crop", 1e-1), ("turbulence_crop", 1e-1),
                                             ("turbulence_crop", 1e-3)])
def test_max_error_is_guaranteed(request, crop, relative):
    array = request.getfixturevalue(crop)
    bound = relative * _range(array)
    blob = inrfilter.encode(array, "wien", max_error=bound, **FAST)
    out = inrfilter.decode(blob)
    assert out.dtype == array.dtype and out.shape == array.shape
    assert np.abs(out.astype(np.float64) - array).max() <= bound
    assert inrfilter.info(blob)["max_abs_error"] <= bound


def test_max_error_with_log_transform(saxs_crop):
    bound = 1e-2 * _range(saxs_crop)
    out = inrfilter.decode(inrfilter.encode(saxs_crop, "wien", max_error=bound, transform="log", **FAST))
    assert np.abs(out - saxs_crop).max() <= bound


def test_psnr_target_reached_on_a_smooth_turbulence_slice():
    field = _real(datasets.turbulence, "vx")
    a = datasets.crop(field, (64, 0, 0), (1, 32, 32))[0]
    blob = inrfilter.encode(a, "wien", psnr=28, steps=100, device="cpu", progress=False)
    info = inrfilter.info(blob)
    out = inrfilter.decode(blob).astype(np.float64)
    measured = 10 * np.log10(np.ptp(a) ** 2 / np.mean((out - a) ** 2))
    assert measured >= 28 and info["psnr"] == pytest.approx(measured, abs=1e-6)
    assert info["ratio"] > 2 and info["method"] == "wien"


# -- reading: regions, points ------------------------------------------------------------------
@pytest.mark.parametrize("name", ["saxs", "saxs_db2", "powder", "turbulence", "noise_3d"])
@pytest.mark.parametrize("selection", SELECTIONS)
def test_region_equals_full_decode(blobs, name, selection):
    assert_region_matches_full(*blobs[name], selection)


def test_haar_region_evaluates_exactly_the_matching_coefficients(blobs, monkeypatch):
    """A 2x2 block aligned on the Haar grid needs one coefficient per scale and network,
    and the enhancement's 3x3 neighbourhood of the scale-2 prediction."""
    counted = []
    original = numpy_decoder.mlp

    def spy(params, net, coords):
        counted.append((net.name, len(coords)))
        return original(params, net, coords)

    monkeypatch.setattr(numpy_decoder, "mlp", spy)
    _, blob = blobs["saxs"]
    inrfilter.decode_region(blob, (slice(8, 10), slice(16, 18)))
    assert sorted(counted) == sorted([("a", 1), ("d3", 1), ("d2", 1), ("d2", 9), ("k", 1)])


def test_local_inverse_needs_a_filter_halo_only_for_longer_wavelets():
    shape, rows = (40, 36), np.array([[10, 7], [11, 7], [30, 20]])
    haar = plan_level(rows, 1, (0, 1), shape, (20, 18), "haar")
    np.testing.assert_array_equal(haar.detail_positions, [[5, 3], [15, 10]])
    db2 = plan_level(rows, 1, (0, 1), shape, (20, 18), "db2")
    assert len(db2.detail_positions) > len(haar.detail_positions)


@pytest.mark.parametrize("wavelet", ["haar", "db2", "sym4", "coif1", "bior2.2"])
@pytest.mark.parametrize("shape", [(17, 9), (9, 11, 13), (3, 16, 16)])
def test_local_inverse_matches_pywavelets(wavelet, shape):
    """Sparse synthesis on any set of samples equals pywt.waverecn (periodization)."""
    from inrfilter.levels import level_shape, max_level, pyramid_axes

    rng = np.random.default_rng(0)
    x = rng.normal(size=shape)
    axes, levels = pyramid_axes(shape), min(2, max_level(shape))
    with warnings.catch_warnings():  # boundary-effect warnings do not apply to periodization
        warnings.simplefilter("ignore", UserWarning)
        coeffs = pywt.wavedecn(x, wavelet, mode="periodization", level=levels, axes=axes)
    bands = sorted(coeffs[1])
    every = np.stack(np.meshgrid(*[np.arange(n) for n in shape], indexing="ij"), -1).reshape(-1, len(shape))
    for outputs in (every, every[rng.choice(len(every), 25, replace=False)]):
        plans, needed = [], outputs
        for j in range(1, levels + 1):
            plans.append(plan_level(needed, j, axes, level_shape(shape, j - 1), level_shape(shape, j), wavelet))
            needed = plans[-1].approx_positions
        values = coeffs[0][tuple(needed.T)]
        for plan in reversed(plans):
            details = coeffs[levels - plan.level + 1]
            values = plan.synthesise(values, np.stack([details[b][tuple(plan.detail_positions.T)] for b in bands], -1))
        np.testing.assert_allclose(values, x[tuple(outputs.T)], atol=1e-9)


@pytest.mark.parametrize("name", ["saxs", "powder", "turbulence", "noise_3d"])
def test_sample_at_integers_equals_decode(blobs, name):
    assert_sample_at_integers_matches_decode(blobs[name][1])


@pytest.mark.parametrize("name", ["saxs", "turbulence"])
def test_sample_between_voxels_interpolates_the_decode(blobs, name):
    array, blob = blobs[name]
    full = inrfilter.decode(blob).astype(np.float64)
    rng = np.random.default_rng(1)
    coords = rng.uniform(0, np.asarray(array.shape) - 1, (200, array.ndim))
    expected = ndimage.map_coordinates(full, coords.T, order=1)
    np.testing.assert_allclose(inrfilter.sample(blob, coords), expected, atol=1e-5 * _range(array), rtol=0)


# -- reduced-resolution levels ----------------------------------------------------------------
def _block_mean(a: np.ndarray, level: int) -> np.ndarray:
    """Means of the whole 2**level blocks (a trailing partial block is dropped)."""
    a = a.astype(np.float64)
    for _ in range(level):
        for axis in range(a.ndim):
            n = a.shape[axis] // 2 * 2
            a = (np.take(a, np.arange(0, n, 2), axis) + np.take(a, np.arange(1, n, 2), axis)) / 2
    return a


def test_haar_levels_are_block_means_of_the_decode(blobs):
    array, blob = blobs["saxs"]  # float64 48x48: every level has even sizes, the cast is exact
    full = inrfilter.decode(blob)
    for level in range(1, 4):
        coarse = inrfilter.decode(blob, level=level)
        assert coarse.shape == (48 >> level,) * 2 and coarse.dtype == array.dtype
        np.testing.assert_allclose(coarse, _block_mean(full, level), atol=1e-6 * _range(array), rtol=0)


@pytest.mark.parametrize("name, shapes", [("powder", [(23, 31), (12, 16), (6, 8)]), ("turbulence", [(9, 9, 10), (5, 5, 5)])])
def test_level_shapes_and_regions(blobs, name, shapes):
    array, blob = blobs[name]
    for level, shape in enumerate(shapes, start=1):
        coarse = inrfilter.decode(blob, level=level)
        assert coarse.shape == shape
        selection = (slice(1, None, 2), Ellipsis, 0)
        np.testing.assert_allclose(inrfilter.decode_region(blob, selection, level=level), coarse[selection],
                                   atol=1e-6 * _range(array), rtol=0)
        # Haar: whole blocks average the full decode (residual included); the last cell of
        # an odd axis also averages the repeated last sample
        means = _block_mean(inrfilter.decode(blob), level)
        inner = coarse[tuple(slice(0, n) for n in means.shape)]
        np.testing.assert_allclose(inner, means, atol=1e-5 * _range(array), rtol=0)
    with pytest.raises(ValueError, match=f"level {len(shapes) + 1} is not available"):
        inrfilter.decode(blob, level=len(shapes) + 1)


def test_level_reads_evaluate_only_coarse_networks(blobs, monkeypatch):
    counted = []
    original = numpy_decoder.mlp
    monkeypatch.setattr(numpy_decoder, "mlp", lambda p, net, c: counted.append(net.name) or original(p, net, c))
    _, blob = blobs["saxs"]
    inrfilter.decode(blob, level=1)
    assert set(counted) == {"a", "d3", "d2"}
    counted.clear()
    inrfilter.decode(blob, level=3)
    assert set(counted) == {"a"}


def test_levels_of_non_finite_values(sst_crop):
    """A level-k cell is NaN when its whole block is NaN (land); coastal cells keep a value."""
    blob = inrfilter.encode(sst_crop, "wien", ratio=3, **FAST)
    full = inrfilter.decode(blob)
    np.testing.assert_array_equal(np.isnan(full), np.isnan(sst_crop))
    coarse = inrfilter.decode(blob, level=1)
    all_land = _block_mean(np.isnan(sst_crop).astype(float), 1) == 1
    np.testing.assert_array_equal(np.isnan(coarse), all_land)


def test_levels_of_constant_and_lossless_chunks_and_of_methods_without_levels():
    constant = inrfilter.encode(np.full((16, 12), 2.5, np.float32), "wien", **FAST)
    np.testing.assert_array_equal(inrfilter.decode(constant, level=1), np.full((8, 6), 2.5, np.float32))
    sparse = np.zeros((32, 32), np.float32)
    sparse[5, 5] = 1.0
    lossless = inrfilter.encode(sparse, "wien", ratio=4, **FAST)
    assert inrfilter.info(lossless)["method"] == "lossless"
    np.testing.assert_array_equal(inrfilter.decode(lossless, level=2), _block_mean(sparse.astype(np.float64), 2))
    siren = inrfilter.encode(smooth((16, 16)), "siren", ratio=2, **FAST)
    with pytest.raises(ValueError, match="level 1 is not available"):
        inrfilter.decode(siren, level=1)
    with pytest.raises(ValueError, match="non-negative integer"):
        inrfilter.decode(constant, level=-1)


# -- odd and tiny chunks ----------------------------------------------------------------------
def test_chunk_too_small_for_a_level_is_a_single_siren():
    a = _noise((6, 5, 6))
    blob = inrfilter.encode(a, "wien", max_error=0.3, **FAST)
    info = inrfilter.info(blob)
    assert info["method"] == "wien" and info["spec"]["J"] == 0 and info["levels"] == 0
    assert [n.split(".")[0] for n in WIEN.param_shapes(info["spec"], a.shape)] == ["a"] * 8
    out = inrfilter.decode(blob)
    assert np.abs(out - a).max() <= 0.3
    np.testing.assert_array_equal(inrfilter.sample(blob, [[2.0, 3.0, 1.0]]), out[2:3, 3, 1])
    with pytest.raises(ValueError, match="level 1 is not available"):
        inrfilter.decode(blob, level=1)


def test_one_level_chunk_has_no_enhancement():
    a = _noise((7, 9, 40))  # the short axes halve once to >= 4 samples, not twice: J = 1
    blob = inrfilter.encode(a, "wien", max_error=0.3, **FAST)
    spec = inrfilter.info(blob)["spec"]
    assert spec["J"] == 1 and {n.split(".")[0] for n in WIEN.param_shapes(spec, a.shape)} == {"a", "d1"}
    assert np.abs(inrfilter.decode(blob) - a).max() <= 0.3
    assert inrfilter.decode(blob, level=1).shape == (4, 5, 20)


# -- options and readers ----------------------------------------------------------------------
@pytest.mark.parametrize("options, words", [
    ({"levels": 5}, "levels"), ({"wavelet": "morl"}, "wavelet"), ({"r": 2}, "odd"), ({"split": -1}, "split"),
    ({"enhance": "yes"}, "enhance"), ({"w0": 0}, "w0 must be a finite number > 0"),
])
def test_bad_options_are_refused(options, words):
    with pytest.raises(ValueError, match=words):
        inrfilter.encode(smooth((16, 16)), "wien", **FAST, **options)


def test_decode_without_torch(tmp_path: Path, blobs):
    _, blob = blobs["saxs"]
    levels = ("inrfilter.decode(blob, level=2); inrfilter.decode_region(blob, (slice(1, 4), 2), level=1); "
              "inrfilter.sample(blob, [[0.5, 1.5]])")
    np.testing.assert_array_equal(decode_without_torch(tmp_path, blob, levels), inrfilter.decode(blob))


# -- the core hook this method added, fit_batched(points=...), with main's score= and optimiser=
@pytest.mark.parametrize("with_active", [False, True])
@pytest.mark.parametrize("optimiser", ["adam", "adamax"])
def test_fit_batched_points_with_multi_output_targets_and_score(with_active, optimiser):
    """Explicit rows with two outputs each, half 0 and half 1: a constant predictor
    starting at 0 is pulled to 0.5, but if only the zero rows are scored, its best
    parameters are the starting ones (a row's weight covers all of its outputs)."""
    import torch

    from inrfilter.methods.base import Budget
    from inrfilter.nn import fit_batched

    points = np.linspace(0, 1, 8, dtype=np.float32)[:, None]
    targets = np.zeros((1, 8, 2), np.float32)
    targets[0, 4:] = 1.0
    forward = lambda p, x: p["c"][:, None, :].expand(-1, x.shape[-2], -1)
    kwargs = {"active": np.ones((1, 8), bool)} if with_active else {}
    run = lambda **kw: fit_batched(forward, [{"c": np.zeros(2, np.float32)}], targets,
                                   Budget(steps=200, progress=False), torch.device("cpu"), 0.05, points=points,
                                   optimiser=optimiser, **kwargs, **kw)
    assert np.abs(run()[0]["c"] - 0.5).max() < 0.1
    score = np.where(np.arange(8) < 4, 2.0, 0.0)[None]
    assert (run(score=score)[0]["c"] == 0).all()
    with pytest.raises(ValueError, match="points"):
        fit_batched(forward, [{"c": np.zeros(2, np.float32)}], targets[:, :5], Budget(steps=1, progress=False),
                    torch.device("cpu"), 0.05, points=points)
