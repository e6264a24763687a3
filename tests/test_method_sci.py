"""Method ``sci``: the partition program, spectrum concentration, allocation, the stored
layout, and codec round trips on real crops (mni-t1, turbulence; ascent and climate-a1b
where those optional datasets are missing)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import inrfilter
from benchmarks.common import datasets
from inrfilter.methods import get_method
from inrfilter.methods import sci as sci_module
from inrfilter.methods.sci import partition as sp
from inrfilter.methods.sci.alloc import RULES, allocate
from inrfilter.methods.sci.layout import Layout
from inrfilter.methods.sci.widths import first_width, funnel_params
from inrfilter.methods.sci.plan import plan_chunk
from tests.conftest import FAST
from tests.readers import (
    SELECTIONS,
    assert_region_matches_full,
    assert_sample_at_integers_matches_decode,
    decode_without_torch,
)

METHOD = get_method("sci")
#: small blocks (a_max = P // 30), so crops of a few thousand voxels get partitioned
SCI = {"block_params": 30, **FAST}


# -- real crops ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def mni3d() -> np.ndarray:
    pytest.importorskip("nilearn")
    pytest.importorskip("nibabel")
    return datasets.crop(datasets.mni_t1(), (60, 80, 60), (16, 16, 16))


@pytest.fixture(scope="module")
def mni2d() -> np.ndarray:
    pytest.importorskip("nilearn")
    pytest.importorskip("nibabel")
    return datasets.crop(datasets.mni_t1(), (40, 90, 90), (48, 48, 1))[..., 0]


def _turbulence() -> np.ndarray:
    try:
        return datasets.turbulence("vx")
    except ModuleNotFoundError as exc:  # not cached and fluidsim missing
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def turb3d() -> np.ndarray:
    return datasets.crop(_turbulence(), (0, 32, 64), (16, 16, 16))


@pytest.fixture(scope="module")
def turb2d() -> np.ndarray:
    return datasets.crop(_turbulence(), (64, 0, 0), (1, 48, 48))[0]


@pytest.fixture(scope="module")
def climate3d() -> np.ndarray:
    pytest.importorskip("iris_sample_data")
    return datasets.crop(datasets.climate_a1b(), (0, 10, 10), (16, 16, 16))


CROPS = ["mni3d", "turb3d", "mni2d", "turb2d", "climate3d", "ascent_crop"]


@pytest.fixture
def crop(request) -> np.ndarray:
    return request.getfixturevalue(request.param)


def _range(a: np.ndarray) -> float:
    return float(np.nanmax(a.astype(np.float64)) - np.nanmin(a.astype(np.float64)))


def _layout(blob: bytes) -> Layout:
    info = inrfilter.info(blob)
    return Layout.from_spec(info["spec"], info["shape"])


# -- the integer program ------------------------------------------------------------------

def _tree(children, values, flat=(), fixed=()) -> sp.Tree:
    n = len(children)
    return sp.Tree([list(c) for c in children], np.array(values, float),
                   np.isin(np.arange(n), list(flat)), ~np.isin(np.arange(n), list(fixed)))


def _covers(tree: sp.Tree, n: int = 0):
    """Every valid set of chosen nodes under n (brute force)."""
    if tree.flat[n]:
        return [()]
    out = [(n,)] if tree.choosable[n] else []
    if tree.children[n]:
        for combo in itertools.product(*[_covers(tree, c) for c in tree.children[n]]):
            out.append(tuple(itertools.chain(*combo)))
    return out


def _brute(tree: sp.Tree, a_max: int) -> float:
    return max(tree.value[list(c)].sum() for c in _covers(tree) if len(c) <= a_max)


def _greedy(tree: sp.Tree, a_max: int) -> float:
    """Split the leaf with the best immediate gain while that gain is positive."""
    chosen = {0}
    while True:
        options = [(tree.value[tree.children[n]].sum() - tree.value[n], n) for n in chosen
                   if tree.children[n] and len(chosen) - 1 + len(tree.children[n]) <= a_max]
        if not options or max(options)[0] <= 0:
            return float(tree.value[list(chosen)].sum())
        n = max(options)[1]
        chosen = (chosen - {n}) | set(tree.children[n])


def _quadtree(depth: int, values: list[float] | None = None, seed: int = 0, fanout: int = 4):
    children: list[list[int]] = []

    def add(d: int) -> int:
        n = len(children)
        children.append([])
        if d < depth:
            children[n] = [add(d + 1) for _ in range(fanout)]
        return n

    add(0)
    rng = np.random.default_rng(seed)
    return children, values if values is not None else rng.uniform(0, 1, len(children)).tolist()


@pytest.mark.parametrize("solve", [sp.solve_dp, sp.solve_milp], ids=["dp", "milp"])
def test_program_splits_only_when_the_budget_allows(solve):
    tree = _tree([[1, 2, 3, 4], [], [], [], []], [0.3, 0.2, 0.2, 0.2, 0.2])
    assert solve(tree, 1) == (pytest.approx(0.3), [0])
    assert solve(tree, 3) == (pytest.approx(0.3), [0])  # four children do not fit
    assert solve(tree, 4) == (pytest.approx(0.8), [1, 2, 3, 4])


@pytest.mark.parametrize("solve", [sp.solve_dp, sp.solve_milp], ids=["dp", "milp"])
def test_program_optimum_is_not_the_greedy_choice(solve):
    # Splitting the root loses at first (0.8 < 0.9), but splitting node 1 next wins big.
    children = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16], [17, 18, 19, 20]] + [[]] * 16
    values = [0.9, 0.2, 0.2, 0.2, 0.2] + [0.375] * 4 + [0.04] * 12
    tree = _tree(children, values)
    assert _greedy(tree, 7) == pytest.approx(0.9)
    best, chosen = solve(tree, 7)
    assert best == pytest.approx(2.1) == pytest.approx(_brute(tree, 7))
    assert chosen == [2, 3, 4, 5, 6, 7, 8]


@pytest.mark.parametrize("solve", [sp.solve_dp, sp.solve_milp], ids=["dp", "milp"])
def test_program_with_flat_nodes_and_minimum_level(solve):
    # node 2 is flat (stored as its mean); nodes 0 and 1 lie above the minimum level
    children = [[1, 2], [3, 4], [5, 6], [], [], [], []]
    tree = _tree(children, [5.0, 4.0, 0.0, 1.0, 1.5, 0.0, 0.0], flat=[2], fixed=[0, 1])
    best, chosen = solve(tree, 5)
    assert (best, chosen) == (pytest.approx(2.5), [3, 4])
    assert sp.mean_nodes(tree, chosen) == [2]
    flat_root = _tree([[1], []], [1.0, 1.0], flat=[0])
    assert solve(flat_root, 3)[1] == [] and sp.mean_nodes(flat_root, []) == [0]


@pytest.mark.parametrize("seed", range(6))
def test_dp_and_milp_agree_with_brute_force_on_random_trees(seed):
    rng = np.random.default_rng(seed)
    children, values = _quadtree(2, seed=seed, fanout=int(rng.choice([2, 4])))
    n = len(children)
    flat = [int(i) for i in rng.choice(np.arange(1, n), size=int(rng.integers(0, 3)), replace=False)]
    fixed = [0] if seed % 2 else []
    tree = _tree(children, values, flat=flat, fixed=fixed)
    for a_max in (1, 2, 4, 7, 12, n):
        try:
            expected = _brute(tree, a_max)
        except ValueError:  # no cover fits
            with pytest.raises(ValueError):
                sp.solve_dp(tree, a_max)
            continue
        dp, milp = sp.solve_dp(tree, a_max), sp.solve_milp(tree, a_max)
        assert dp[0] == pytest.approx(expected, abs=1e-9) and milp[0] == pytest.approx(expected, abs=1e-9)
        assert dp[1] == milp[1]  # distinct random values: one optimum


def test_dp_and_milp_agree_on_real_octrees(mni3d, turb3d):
    for chunk in (mni3d, turb3d):
        x = _normalised(chunk)
        for a_max in (8, 20, 50):
            level = sp.min_level(x.shape, a_max, 2)
            tree = sp.program_tree(x, sp.build_tree(x.shape, level + 2, 2), level, 1e-5, 1)
            dp, milp = sp.solve_dp(tree, a_max), sp.solve_milp(tree, a_max)
            assert dp[0] == pytest.approx(milp[0], rel=1e-9)
            assert dp[1] == milp[1] and len(dp[1]) <= a_max


def _normalised(a: np.ndarray) -> np.ndarray:
    a = a.astype(np.float64)
    return ((a - a.min()) / (a.max() - a.min()) * 2 - 1).astype(np.float32)


# -- spectrum concentration -----------------------------------------------------------------

def test_concentration_is_float_and_matches_the_reference_on_raw_intensities(mni3d):
    x = _normalised(mni3d)
    mags = np.abs(np.fft.fftn(mni3d.astype(np.float64) - mni3d.min()))
    assert sp.concentration(x) == pytest.approx(mags.max() / mags.sum(), rel=1e-6)  # x is float32
    assert 0 < sp.concentration(x[:4, :4, :4]) < 1
    top3 = np.sort(mags.ravel())[-3:].sum() / mags.sum()
    assert sp.concentration(x, top=3) == pytest.approx(top3, rel=1e-6)


def test_concentration_of_constant_and_impulse_blocks():
    assert sp.concentration(np.full((4, 4), 0.3, np.float32)) == pytest.approx(1.0)
    assert sp.concentration(np.full((4, 4), -1.0, np.float32)) == 1.0  # all zero after the shift
    impulse = np.full((4, 4, 4), -1.0, np.float32)
    impulse[1, 2, 3] = 1.0
    assert sp.concentration(impulse) == pytest.approx(1 / 64)  # white spectrum


# -- allocation -----------------------------------------------------------------------------

def test_allocation_follows_size_over_concentration():
    widths = allocate([1000, 1000], [0.5, 0.1], 4000, "size_over_d", 3, 5, 2.2, 2)
    p = [funnel_params(3, 5, *w) for w in widths]
    assert 4 < p[1] / p[0] < 6.5
    assert 4000 - (3 + 1 + min(w[1] for w in widths)) < sum(p) <= 4000  # the leftover is handed out


@pytest.mark.parametrize("rule", RULES)
def test_every_rule_uses_the_budget_and_drops_tiny_shares(rule):
    sizes, conc = [4096, 512, 64, 8], [0.05, 0.2, 0.4, 0.9]
    widths = allocate(sizes, conc, 3000, rule, 3, 5, 2.2, 4)
    used = sum(funnel_params(3, 5, *w) for w in widths if w) + sum(w is None for w in widths)
    assert used <= 3000
    assert any(w is not None for w in widths)
    if rule == "size":  # the 8-voxel block's share is below a width-4 funnel
        assert widths[3] is None
    with pytest.raises(ValueError, match="alloc"):
        allocate(sizes, conc, 3000, "by_magic", 3, 5, 2.2, 4)


def test_funnel_ratio_sets_first_layer_width():
    for fr in (1.0, 2.2):
        widths = allocate([100, 300, 900], [0.3, 0.2, 0.1], 5000, "size", 3, 5, fr, 2)
        for f1, h in widths:
            assert f1 >= first_width(h, fr)
            # leftover first-layer units only: fewer than one hidden unit's cost
            assert f1 - first_width(h, fr) <= fr + 2 * (5 - 3) + 2


# -- stored layout --------------------------------------------------------------------------

@pytest.mark.parametrize("partition", ["adaptive", "equidistant", "none"])
def test_plan_layout_round_trips_and_fills_the_rung(mni3d, partition):
    opts = METHOD.check_options({"block_params": 120, "partition": partition})
    rung = next(s for s in METHOD.specs(mni3d.shape, opts) if s["P"] >= 1500)
    plan = plan_chunk(_normalised(mni3d), rung["P"], opts)
    spec = plan.layout.to_spec()
    again = Layout.from_spec(spec, mni3d.shape)
    assert [(lf.box, lf.net, lf.f1, lf.h) for lf in again.leaves] == \
        [(lf.box, lf.net, lf.f1, lf.h) for lf in plan.layout.leaves]
    assert METHOD.n_params(spec, mni3d.shape) == METHOD.n_params(rung, mni3d.shape)
    assert again.used() <= rung["P"]
    assert (len(again.leaves) > 1) == (partition != "none")
    voxels = np.stack(np.meshgrid(*[np.arange(n) for n in mni3d.shape], indexing="ij"), -1).reshape(-1, 3)
    owner = again.locate(voxels)
    for i, leaf in enumerate(again.leaves):
        inside = np.all([(voxels[:, k] >= a) & (voxels[:, k] < b) for k, (a, b) in enumerate(leaf.box)], axis=0)
        assert np.array_equal(owner == i, inside)


def test_corrupted_layouts_are_rejected():
    good = Layout.from_tree((8, 8), 5, 20.0, 500, [2 + 3, 0, 1, 1, 0], [(4, 2), (4, 2)])
    assert len(good.leaves) == 4
    with pytest.raises(ValueError):
        Layout.from_tree((8, 8), 5, 20.0, 500, [2 + 3, 0, 1], [(4, 2)])  # codes end early
    with pytest.raises(ValueError):
        Layout.from_tree((8, 8), 5, 20.0, 500, [0, 0], [(4, 2)])  # codes left over
    with pytest.raises(ValueError):
        Layout.from_tree((8, 8), 5, 20.0, 500, [0], [])  # widths missing
    with pytest.raises(ValueError):
        Layout.from_tree((8, 8), 5, 20.0, 50, [0], [(40, 20)])  # more parameters than stored
    with pytest.raises(ValueError):
        Layout.from_tree((1, 8), 5, 20.0, 500, [2 + 1, 0, 0], [(4, 2), (4, 2)])  # splits a 1-long axis


# -- codec round trips ---------------------------------------------------------------------

@pytest.mark.parametrize("crop", CROPS, indirect=True)
def test_ratio_target_with_a_partition(crop):
    target = crop.nbytes / 6
    blob = inrfilter.encode(crop, "sci", ratio=6, **SCI)
    assert inrfilter.info(blob)["method"] == "sci"
    assert 0.85 * target <= len(blob) <= 1.15 * target
    assert len(_layout(blob).leaves) > 1
    # the partitioned networks decode to the crop's shape and dtype, closer than its mean is
    a = crop.astype(np.float64)
    out = inrfilter.decode(blob)
    assert out.shape == crop.shape and out.dtype == crop.dtype
    assert np.mean((out - a) ** 2) < np.mean((a - a.mean()) ** 2)


@pytest.mark.parametrize("crop", CROPS, indirect=True)
def test_max_error_is_guaranteed(crop):
    bound = 0.01 * _range(crop)
    if crop.dtype.kind in "iu":
        bound = max(bound, 1.0)
    blob = inrfilter.encode(crop, "sci", max_error=bound, **SCI)
    err = np.abs(inrfilter.decode(blob).astype(np.float64) - crop.astype(np.float64)).max()
    assert err <= bound


@pytest.mark.parametrize("name", ["turb2d", "mni3d"])
def test_psnr_target_reached_on_an_easy_case(request, name):
    crop = request.getfixturevalue(name)
    blob = inrfilter.encode(crop, "sci", psnr=20, steps=200, device="cpu", progress=False)
    info = inrfilter.info(blob)
    out = inrfilter.decode(blob).astype(np.float64)
    measured = 10 * np.log10(_range(crop) ** 2 / np.mean((out - crop) ** 2))
    assert info["method"] == "sci" and measured >= 20
    assert info["psnr"] == pytest.approx(measured, abs=1e-6)
    assert info["ratio"] > 3  # a rung below the largest was enough


@pytest.fixture(scope="module")
def blobs():
    """Partitioned blobs: adaptive trees and equidistant grids, 2-D and 3-D."""
    out = {}
    ascent = datasets.crop(datasets.ascent(), (200, 200), (40, 44))
    out["tree2d"] = (ascent, inrfilter.encode(ascent, "sci", ratio=4, **SCI))
    out["grid2d"] = (ascent, inrfilter.encode(ascent, "sci", ratio=4, partition="equidistant", **SCI))
    try:
        turb = datasets.crop(datasets.turbulence("vx"), (10, 20, 30), (12, 16, 14))
    except ModuleNotFoundError:
        turb = datasets.crop(datasets.climate_a1b(), (0, 10, 10), (12, 16, 14))
    out["tree3d"] = (turb, inrfilter.encode(turb, "sci", ratio=4, max_error=0.02 * _range(turb), **SCI))
    out["grid3d"] = (turb, inrfilter.encode(turb, "sci", ratio=4, partition="equidistant", **SCI))
    mni = datasets.crop(datasets.mni_t1(), (90, 100, 90), (12, 16, 14))  # uint8: values cast on decode
    out["mni3d"] = (mni, inrfilter.encode(mni, "sci", ratio=4, **SCI))
    return out


@pytest.mark.parametrize("name", ["tree2d", "grid2d", "tree3d", "grid3d", "mni3d"])
def test_region_equals_full_decode(blobs, name):
    array, blob = blobs[name]
    assert len(_layout(blob).leaves) > 1
    for selection in SELECTIONS:
        assert_region_matches_full(array, blob, selection)


@pytest.mark.parametrize("name", ["tree2d", "grid2d", "tree3d", "grid3d"])
def test_sample_at_integers_equals_decode(blobs, name):
    assert_sample_at_integers_matches_decode(blobs[name][1])


def test_sample_between_voxels_uses_the_nearest_voxels_block(blobs):
    array, blob = blobs["tree2d"]
    layout = _layout(blob)
    edge = next(lf.box for lf in layout.leaves if lf.box[0][1] < array.shape[0])  # a block with a lower neighbour
    b = edge[0][1]  # first row of the next block
    coords = np.array([[b - 0.75, edge[1][0]], [b - 0.25, edge[1][0]]])
    values = inrfilter.sample(blob, coords).astype(np.float64)
    near = inrfilter.sample(blob, np.rint(coords)).astype(np.float64)
    assert np.all(np.abs(values - near) < 0.5 * _range(array))  # continuous within a block's half voxel
    assert np.isfinite(values).all()


def test_region_evaluates_only_the_blocks_it_intersects(blobs, monkeypatch):
    array, blob = blobs["tree3d"]
    layout = _layout(blob)
    calls = []
    original = sci_module._run

    def spy(layout, theta, offset, i, points):
        calls.append((i, len(points)))
        return original(layout, theta, offset, i, points)

    monkeypatch.setattr(sci_module, "_run", spy)
    box = layout.leaves[-1].box
    inrfilter.decode_region(blob, tuple(slice(a, min(a + 2, b)) for a, b in box))
    expected = int(np.prod([min(2, b - a) for a, b in box]))
    assert calls == [(len(layout.leaves) - 1, expected)]


def _noisy_ascent(corner: int) -> np.ndarray:
    """A 48x48 float32 crop of the photograph with a little noise (so zstd cannot store it
    losslessly in fewer bytes than the network)."""
    a = datasets.crop(datasets.ascent(), (corner, corner), (48, 48)).astype(np.float32)
    return a + np.random.default_rng(corner).normal(0, 0.5, a.shape).astype(np.float32)


def test_near_constant_blocks_are_stored_as_their_mean():
    a = _noisy_ascent(200)
    a[:24, :24] = 77.0  # one quadrant constant
    blob = inrfilter.encode(a, "sci", ratio=4, **SCI)
    layout = _layout(blob)
    quadrant = [lf for lf in layout.leaves if lf.box[0][1] <= 24 and lf.box[1][1] <= 24]
    assert [(lf.box, lf.net) for lf in quadrant] == [(((0, 24), (0, 24)), False)]  # one mean block
    out = inrfilter.decode(blob)
    np.testing.assert_allclose(out[:24, :24], 77.0, atol=0.1)


def test_blocks_train_in_a_few_batched_runs(monkeypatch):
    import inrfilter.methods.sci.block_fit as block_fit

    runs = []
    original = block_fit.fit_batched

    def spy(forward, init, chunks, *args, **kwargs):
        runs.append(len(init))
        return original(forward, init, chunks, *args, **kwargs)

    monkeypatch.setattr(block_fit, "fit_batched", spy)
    crops = [_noisy_ascent(c) for c in (100, 200, 300)]
    blobs = inrfilter.encode_batch(crops, "sci", ratio=4, steps=5, device="cpu", progress=False, block_params=40)
    blocks = sum(sum(lf.net for lf in _layout(b).leaves) for b in blobs)
    assert blocks >= 20
    assert sum(runs) == blocks and len(runs) <= 4  # every block trained, in a few runs


def test_solver_and_options(mni2d):
    kw = dict(ratio=4, **SCI)
    assert inrfilter.encode(mni2d, "sci", solver="milp", **kw) == inrfilter.encode(mni2d, "sci", **kw)
    for bad in ({"partition": "quadrants"}, {"alloc": "by_magic"}, {"solver": "gurobi"}, {"layers": 2},
                {"fr": 0}, {"levels": 0}, {"flat_var": -1}, {"bucket_ratio": 0.5}):
        with pytest.raises(ValueError):
            inrfilter.encode(mni2d, "sci", **kw, **bad)
    with pytest.raises(TypeError):
        inrfilter.encode(mni2d, "sci", depth=3, **kw)


def test_ladder_is_fine_and_init_params_match_its_counts():
    opts = METHOD.check_options({})
    specs = METHOD.specs((16, 16, 16), opts)
    counts = [s["P"] for s in specs]
    assert counts == sorted(set(counts)) and max(b / a for a, b in zip(counts, counts[1:])) < 1.05
    for spec in specs[::50]:
        params = METHOD.init_params(spec, (16, 16, 16), np.random.default_rng(0))
        assert params["theta"].shape == (spec["P"],) and np.abs(params["theta"]).max() > 0


@pytest.mark.parametrize("shape", [(300,), (6, 8, 8, 8)], ids=["1d", "4d"])
def test_binary_and_sixteen_way_trees(shape):
    rng = np.random.default_rng(0)
    a = np.cumsum(rng.normal(size=shape), axis=0).astype(np.float32)
    blob = inrfilter.encode(a, "sci", ratio=3, steps=10, device="cpu", progress=False, block_params=20)
    assert len(_layout(blob).leaves) > 1
    full = inrfilter.decode(blob)
    grid = np.stack(np.meshgrid(*[np.arange(n) for n in shape], indexing="ij"), axis=-1).astype(float)
    np.testing.assert_array_equal(inrfilter.sample(blob, grid), full)
    every_other = tuple(slice(1, None, 2) for _ in shape)
    np.testing.assert_array_equal(inrfilter.decode_region(blob, every_other), full[every_other])


def test_corrupted_partition_is_a_blob_error(blobs):
    from inrfilter import blob as blobfmt

    _, blob = blobs["tree2d"]
    _, header, sections = blobfmt.unpack(blob)
    for bad in (b"\x07", b"\x28\xb5\x2f\xfd garbage", header["p"]["t"][:-1]):
        broken = blobfmt.pack({**header, "p": {**header["p"], "t": bad}}, sections)
        with pytest.raises(inrfilter.BlobError):
            inrfilter.decode(broken)


def test_decode_without_torch(tmp_path, blobs):
    _, blob = blobs["tree3d"]
    reads = ("full = inrfilter.decode(blob)\n"
             "assert np.allclose(inrfilter.decode_region(blob, (slice(1, 4), 2)), full[1:4, 2], atol=1e-5)\n"
             "inrfilter.sample(blob, [[0.5, 1.5, 2.5]])")
    np.testing.assert_array_equal(decode_without_torch(tmp_path, blob, reads), inrfilter.decode(blob))
