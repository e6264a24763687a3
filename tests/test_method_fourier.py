"""The ``fourier`` method: Fourier features + ReLU MLP trained on a dilated active-voxel
mask, with the undilated mask stored (or not: the pure paper mode)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import ndimage

import inrfilter
from benchmarks.common import datasets
from inrfilter.methods.fourier import network as net
from inrfilter.methods import get_method
from inrfilter.methods.fourier.active_mask import pack_mask, unpack_mask
from tests.conftest import FAST, assert_ratio_within_tolerance, smooth
from tests.readers import SELECTIONS, assert_region_matches_full, assert_sample_at_integers_matches_decode

METHOD = get_method("fourier")


@pytest.fixture(scope="module")
def mni_crop() -> np.ndarray:
    """16^3 uint8 of the MNI T1 template at the edge of the head: 45% zero background."""
    pytest.importorskip("nilearn")
    pytest.importorskip("nibabel")
    return datasets.crop(datasets.mni_t1(), (30, 60, 60), (16, 16, 16))


def _encode(array, **kwargs):
    return inrfilter.encode(array, "fourier", **{**FAST, **kwargs})


def _value_range(array) -> float:
    a = array.astype(np.float64)
    return float(np.nanmax(a) - np.nanmin(a))


@pytest.fixture(scope="module")
def blobs(mni_crop, sst_crop):
    """Blobs reused by the reading tests: 3-D with a stored mask, 2-D with NaN land."""
    return {
        "mni": (mni_crop, _encode(mni_crop, ratio=4)),
        "mni_pure": (mni_crop, _encode(mni_crop, ratio=4, store_mask=False)),
        "sst": (sst_crop, _encode(sst_crop, ratio=3)),
        "sst_bound": (sst_crop, _encode(sst_crop, max_error=0.01 * _value_range(sst_crop))),
    }


# -- fidelity targets ---------------------------------------------------------------
@pytest.mark.parametrize("store_mask", [True, False])
@pytest.mark.parametrize("name, ratio", [("mni", 4), ("sst", 3)])
def test_ratio_within_tolerance(mni_crop, sst_crop, name, ratio, store_mask):
    """fp16 weights: the size ladder lands within 15% of the target."""
    array = {"mni": mni_crop, "sst": sst_crop}[name]
    blob = _encode(array, ratio=ratio, store_mask=store_mask, quant="fp16")
    target = array.nbytes / ratio
    assert inrfilter.info(blob)["method"] == "fourier"
    assert 0.85 * target <= len(blob) <= 1.15 * target


@pytest.mark.parametrize("name, ratio", [("mni", 4), ("sst", 3)])
def test_ratio_with_entropy_coded_weights_stays_within_the_budget(mni_crop, sst_crop, name, ratio):
    """Entropy-coded weights (the default): never above the target (see
    tests.conftest.assert_ratio_within_tolerance for the lower side)."""
    array = {"mni": mni_crop, "sst": sst_crop}[name]
    blob = _encode(array, ratio=ratio)
    assert inrfilter.info(blob)["quant"] == "entropy"
    assert_ratio_within_tolerance(blob, array.nbytes, ratio)


@pytest.mark.parametrize("name, relative", [("mni", 0.01), ("mni", 0.1), ("sst", 0.001), ("sst", 0.05)])
def test_max_error_guaranteed(mni_crop, sst_crop, name, relative):
    array = {"mni": mni_crop, "sst": sst_crop}[name]
    bound = relative * _value_range(array)
    blob = _encode(array, max_error=bound)
    out = inrfilter.decode(blob).astype(np.float64)
    a = array.astype(np.float64)
    finite = np.isfinite(a)
    np.testing.assert_array_equal(np.isnan(out), np.isnan(a))
    assert np.abs(out[finite] - a[finite]).max() <= bound
    assert inrfilter.info(blob)["method"] == "fourier"  # a network plus residual, not the lossless fallback


def test_psnr_target_reached_on_sst(sst_crop):
    """The smooth SST field is the easy case; lr 3e-3 because tests train for 150 steps."""
    blob = _encode(sst_crop, psnr=24, steps=150, lr=3e-3)
    out = inrfilter.decode(blob).astype(np.float64)
    finite = np.isfinite(sst_crop)
    mse = np.mean((out[finite] - sst_crop[finite]) ** 2)
    measured = 10 * np.log10(_value_range(sst_crop) ** 2 / mse)
    assert measured >= 24
    assert inrfilter.info(blob)["psnr"] == pytest.approx(measured, abs=1e-6)
    assert inrfilter.info(blob)["method"] == "fourier"


def test_psnr_target_reached_on_mni(mni_crop):
    """The brain crop (mostly zero background) under a PSNR target, measured by the numpy decoder."""
    blob = _encode(mni_crop, psnr=22, steps=150, lr=3e-3)
    out = inrfilter.decode(blob).astype(np.float64)
    measured = 10 * np.log10(_value_range(mni_crop) ** 2 / np.mean((out - mni_crop) ** 2))
    assert measured >= 22
    assert inrfilter.info(blob)["psnr"] == pytest.approx(measured, abs=1e-6)
    assert inrfilter.info(blob)["method"] == "fourier"


# -- the active-voxel mask ------------------------------------------------------------
def test_mask_stored_and_applied(blobs, mni_crop):
    _, blob = blobs["mni"]
    spec = inrfilter.info(blob)["spec"]
    background = mni_crop == 0
    np.testing.assert_array_equal(unpack_mask(spec["m"], mni_crop.shape), background)
    out = inrfilter.decode(blob)
    assert (out[background] == 0).all()
    # the mask counts in the blob: the pure paper mode stores weights only
    _, pure = blobs["mni_pure"]
    pure_spec = inrfilter.info(pure)["spec"]
    assert "m" not in pure_spec and "b" not in pure_spec
    assert len(spec["m"]) < background.size / 8  # zstd squeezes the bit mask


def test_pure_paper_mode_decodes_the_network_everywhere(blobs, mni_crop):
    _, blob = blobs["mni_pure"]
    chunk = inrfilter.decoder.ParsedChunk(blob)
    spec, params = chunk.h.spec, chunk.params()
    points = np.stack(np.meshgrid(*[np.linspace(-1, 1, n) for n in mni_crop.shape], indexing="ij"), -1)
    expected = net.forward(params, spec, net.frequency_matrix(spec, mni_crop.shape), points.reshape(-1, 3))
    np.testing.assert_array_equal(METHOD.evaluate(params, spec, mni_crop.shape, None).ravel(), expected)


def test_stored_mask_improves_the_background(blobs, mni_crop):
    """Same training, same network size budget: the stored mask makes every background
    voxel exact, where the pure mode's network only approximates it."""
    masked = inrfilter.decode(blobs["mni"][1]).astype(np.float64)
    pure = inrfilter.decode(blobs["mni_pure"][1]).astype(np.float64)
    background = mni_crop == 0
    assert np.abs(masked[background]).max() == 0
    assert np.abs(pure[background]).max() > 0


@pytest.mark.parametrize("dilation", [0, 2, None])
def test_training_samples_the_dilated_active_voxels(mni_crop, monkeypatch, dilation):
    import inrfilter.nn

    seen = {}
    original = inrfilter.nn.fit_batched

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(inrfilter.nn, "fit_batched", spy)
    _encode(mni_crop, ratio=4, steps=2, dilation=dilation)
    active = mni_crop != 0
    if dilation is None:  # BBX: the whole chunk
        assert seen["active"] is None
    else:  # every voxel within L1 distance `dilation` of an active voxel, computed independently
        distance = ndimage.distance_transform_cdt(~active, metric="taxicab")
        np.testing.assert_array_equal(seen["active"][0], distance <= dilation)
    # what counts (best parameters, early stopping) is the decoded chunk: the active voxels
    np.testing.assert_array_equal(seen["score"][0] > 0, active)


def test_nan_land_is_never_trained_on(sst_crop, monkeypatch):
    import inrfilter.nn

    seen = {}
    original = inrfilter.nn.fit_batched
    monkeypatch.setattr(inrfilter.nn, "fit_batched", lambda *a, **k: seen.update(k) or original(*a, **k))
    blob = _encode(sst_crop, ratio=3, steps=2, dilation=0)
    np.testing.assert_array_equal(seen["active"][0], np.isfinite(sst_crop))
    assert "m" not in inrfilter.info(blob)["spec"]  # the core's NaN mask already restores the land


@pytest.mark.parametrize("background, masked", [("auto", True), (0, True), (17, False), (None, False)])
def test_background_is_configurable(mni_crop, background, masked):
    blob = _encode(mni_crop, ratio=4, steps=5, background=background)
    spec = inrfilter.info(blob)["spec"]
    assert ("m" in spec) == masked  # 17 is absent from the crop: nothing to mask
    if masked:
        np.testing.assert_array_equal(unpack_mask(spec["m"], mni_crop.shape), mni_crop == 0)


def test_numeric_background_in_user_units():
    a = smooth((20, 20)) * 10 + 100
    a[:, :8] = 42.5  # a plateau at a value that is neither the minimum nor the maximum
    a[0, 0] = 0.0
    blob = _encode(a, ratio=3, background=42.5)
    np.testing.assert_array_equal(unpack_mask(inrfilter.info(blob)["spec"]["m"], a.shape), a == 42.5)
    assert (inrfilter.decode(blob)[a == 42.5] == np.float32(42.5)).all()


def test_stored_mask_layout_is_fixed():
    """The layout old blobs rely on: C order, numpy's big-endian bit order, zstd."""
    import zstandard

    mask = np.arange(24).reshape(2, 3, 4) % 5 == 0  # voxels 0, 5, 10, 15, 20
    stored = zstandard.ZstdCompressor().compress(bytes([0b10000100, 0b00100001, 0b00001000]))
    np.testing.assert_array_equal(unpack_mask(stored, (2, 3, 4)), mask)


def test_mask_packing_round_trips_and_rejects_wrong_shapes():
    mask = np.random.default_rng(0).random((5, 7, 3)) < 0.3
    np.testing.assert_array_equal(unpack_mask(pack_mask(mask), mask.shape), mask)
    with pytest.raises(ValueError, match="expected"):
        unpack_mask(pack_mask(mask), (6, 7, 3))


# -- the frozen Fourier matrix -----------------------------------------------------------
def test_frequency_matrix_is_regenerated_from_the_stored_seed(mni_crop, monkeypatch):
    import inrfilter.methods.fourier.layers as layers

    used = []
    original = layers.fourier_relu_forward

    def spy(params, x, freqs, depth):
        used.append(freqs.detach().cpu().numpy().copy())
        return original(params, x, freqs, depth)

    monkeypatch.setattr(layers, "fourier_relu_forward", spy)
    blob = _encode(mni_crop, ratio=4, steps=3, seed=5)
    spec = inrfilter.info(blob)["spec"]
    assert spec["r"] == 5
    decoder_b = net.frequency_matrix(spec, mni_crop.shape)
    np.testing.assert_allclose(used[-1], decoder_b.astype(np.float32), rtol=0, atol=0)
    np.testing.assert_array_equal(net.frequency_matrix(spec, mni_crop.shape), decoder_b)
    assert not np.array_equal(net.frequency_matrix({**spec, "r": 6}, mni_crop.shape), decoder_b)


def test_frequency_scale_is_cycles_per_voxel_on_every_axis():
    spec = {"k": 20000, "w": 2, "d": 1, "s": 0.05, "r": 1}
    b = net.frequency_matrix(spec, (11, 101, 1))
    per_voxel = b[:, :2] * 2 / (np.array([11, 101]) - 1)  # cycles per unit -> cycles per voxel
    np.testing.assert_allclose(per_voxel.std(axis=0), 0.05, rtol=0.03)
    assert (b[:, 2] == 0).all()  # a length-1 axis has no frequencies


def test_torch_and_numpy_forward_agree(mni_crop):
    import torch

    from inrfilter.methods.fourier.layers import fourier_relu_forward

    spec = {**METHOD.specs(mni_crop.shape, METHOD.check_options({}))[100], "r": 3}
    params = METHOD.init_params(spec, mni_crop.shape, np.random.default_rng(0))
    points = np.random.default_rng(1).uniform(-1, 1, (500, 3))
    freqs = net.frequency_matrix(spec, mni_crop.shape)
    with torch.no_grad():
        ours = fourier_relu_forward({k: torch.as_tensor(v[None]) for k, v in params.items()},
                                    torch.as_tensor(points, dtype=torch.float32),
                                    torch.as_tensor(freqs, dtype=torch.float32), spec["d"])[0].numpy()
    np.testing.assert_allclose(ours, net.forward(params, spec, freqs, points), atol=2e-4)


# -- reading: regions, points, no torch ------------------------------------------------------
@pytest.mark.parametrize("name", ["mni", "mni_pure", "sst", "sst_bound"])
@pytest.mark.parametrize("selection", SELECTIONS)
def test_region_equals_full_decode(blobs, name, selection):
    assert_region_matches_full(*blobs[name], selection)


@pytest.mark.parametrize("name", ["mni", "sst", "sst_bound"])
def test_sample_at_integers_equals_decode(blobs, name):
    assert_sample_at_integers_matches_decode(blobs[name][1])


def test_sample_between_voxels_uses_the_nearest_voxels_mask(blobs, mni_crop):
    _, blob = blobs["mni"]
    background = np.argwhere(mni_crop == 0)[0].astype(float)
    coords = np.array([background + 0.2, [7.5, 8.25, 9.0]])
    coords[0] = np.clip(coords[0], 0, 15)
    values = inrfilter.sample(blob, coords)
    assert values[0] == 0  # nearest voxel is background
    assert values.dtype == mni_crop.dtype


def test_region_evaluates_only_active_selected_points(blobs, mni_crop, monkeypatch):
    counted = []
    original = net.forward
    monkeypatch.setattr(net, "forward", lambda *a: counted.append(len(a[3])) or original(*a))
    _, blob = blobs["mni"]
    region = (slice(0, 8), 3, slice(None, None, 2))
    inrfilter.decode_region(blob, region)
    assert counted == [int((mni_crop[region] != 0).sum())]


def test_decode_without_torch(blobs, tmp_path: Path):
    _, blob = blobs["mni"]
    (tmp_path / "b.inrf").write_bytes(blob)
    script = (
        "import sys; sys.modules['torch'] = None\n"
        "import numpy as np, inrfilter\n"
        "np.save(sys.argv[2], inrfilter.decode(open(sys.argv[1], 'rb').read()))\n"
        "assert 'torch' not in [m for m, v in sys.modules.items() if v is not None]\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path / "b.inrf"), str(tmp_path / "o.npy")],
                            capture_output=True, text=True, cwd=Path(__file__).parents[1])
    assert result.returncode == 0, result.stderr
    np.testing.assert_array_equal(np.load(tmp_path / "o.npy"), inrfilter.decode(blob))


# -- the size ladder and options -------------------------------------------------------------
def test_ladder_is_finely_spaced_and_follows_the_size_rule():
    options = METHOD.check_options({})
    specs = METHOD.specs((16, 16, 16), options)
    counts = np.array([METHOD.n_params(s, (16, 16, 16)) for s in specs])
    assert (np.diff(counts) > 0).all()
    assert (np.diff(counts[50:]) / counts[50:-1]).max() < 0.05  # finer than the ratio tolerance
    assert 4 * 16**3 < counts[-1] < 6 * 16**3  # sized up to what any chunk could use, no further
    for spec in specs:
        assert spec["k"] <= round(2.5 * spec["w"]) and spec["d"] == net.depth_rule(spec["w"])
    tops = {s["w"]: s["k"] for s in specs}  # each width's largest rung is the size rule's
    assert all(k == round(2.5 * w) for w, k in tops.items())
    assert net.depth_rule(512) == 8 and net.depth_rule(64) == 5 and net.depth_rule(2) == 1
    fixed = METHOD.specs((16, 16), METHOD.check_options({"layers": 3, "features": 1.0}))
    assert {s["d"] for s in fixed} == {3}


def test_init_params_match_param_shapes():
    spec = {"k": 7, "w": 5, "d": 3, "s": 0.1, "r": 0}
    params = METHOD.init_params(spec, (8, 8), np.random.default_rng(0))
    shapes = METHOD.param_shapes(spec, (8, 8))
    assert list(params) == list(shapes) and all(params[n].shape == s for n, s in shapes.items())
    assert sum(p.size for p in params.values()) == METHOD.n_params(spec, (8, 8)) == 14 * 5 + 5 + 2 * 30 + 6
    assert np.abs(params["W0"]).max() <= 1 / np.sqrt(14)


@pytest.mark.parametrize("bad", [{"dilation": -1}, {"dilation": 1.5}, {"store_mask": 1}, {"background": "zero"},
                                 {"background": float("nan")}, {"sigma": 0}, {"layers": 0}, {"lr": -1},
                                 {"features": "many"}])
def test_bad_options_are_refused(bad):
    with pytest.raises(ValueError, match="fourier"):
        METHOD.check_options(bad)


def test_batch_of_chunks_with_and_without_background(mni_crop):
    inside = datasets.crop(datasets.mni_t1(), (90, 100, 80), (16, 16, 8))  # brain tissue: no dominant value
    chunks = [mni_crop[:, :, :8].copy(), inside]
    blobs = inrfilter.encode_batch(chunks, "fourier", ratio=2, **FAST)
    assert [inrfilter.info(b)["method"] for b in blobs] == ["fourier", "fourier"]
    assert "m" in inrfilter.info(blobs[0])["spec"] and "m" not in inrfilter.info(blobs[1])["spec"]
    assert (inrfilter.decode(blobs[0])[chunks[0] == 0] == 0).all()
    assert inrfilter.info(blobs[1])["psnr"] > 10


# -- the core hook this method added: fit_batched(score=...) -------------------------------------
@pytest.mark.parametrize("with_active", [False, True])
def test_fit_batched_tracks_the_scored_voxels(with_active):
    """A constant predictor starting at 0 on a chunk half 0, half 1: training pulls it to
    0.5, but if only the zero half counts, its best parameters are the starting ones."""
    import torch

    from inrfilter.methods.base import Budget
    from inrfilter.nn import fit_batched

    chunk = np.zeros((1, 8, 8), np.float32)
    chunk[0, 4:] = 1.0
    forward = lambda p, x: p["c"].expand(-1, x.shape[-2]) if x.dim() == 2 else p["c"].expand(-1, x.shape[1])
    kwargs = {"active": np.ones((1, 8, 8), bool)} if with_active else {}
    run = lambda **kw: fit_batched(forward, [{"c": np.zeros(1, np.float32)}], chunk,
                                   Budget(steps=200, progress=False), torch.device("cpu"), 0.05, **kwargs, **kw)
    assert abs(float(run()[0]["c"][0]) - 0.5) < 0.1
    score = np.where(chunk == 0, 2.0, 0.0)
    assert float(run(score=score)[0]["c"][0]) == 0.0
