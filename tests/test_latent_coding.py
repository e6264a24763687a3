"""latent's coding 1 (significance flags per block + lookup-table models, spec k=1) against
coding 0: same latents back, bit-exact models, both codings readable, hostile streams refused."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import inrfilter
from inrfilter import blob as blobfmt
from inrfilter import entropy
from inrfilter.methods.latent import codec
from inrfilter.methods.latent.layout import Layout, auto_levels
from tests.conftest import FAST, smooth


def _layout(shape: tuple[int, ...], coding: int) -> Layout:
    return Layout(shape, auto_levels(shape, 0), 0, 4, True, coding)


def _sparse_grids(layout: Layout, seed: int, density: float = 0.05, scale: float = 3.0) -> list[np.ndarray]:
    """Integer latents, mostly 0, with clusters (whole empty blocks, as trained fine grids have)."""
    rng = np.random.default_rng(seed)
    out = []
    for g in layout.grids:
        q = np.rint(rng.laplace(0, scale, g)) * (rng.random(g) < density)
        q[tuple(slice(0, max(n // 2, 1)) for n in g)] = 0  # an empty corner: blocks with no flag
        out.append(q.astype(np.float32))
    return out


@pytest.mark.parametrize("shape", [(3000,), (70, 45), (33, 20, 17), (9, 8, 7, 6)])
def test_coding_1_round_trips_and_is_smaller_on_sparse_latents(shape):
    new, old = _layout(shape, 1), _layout(shape, 0)
    grids = _sparse_grids(new, 1)
    data = codec.encode_latents_sig(new, grids)
    back = codec.decode_latents_sig(new, data)
    assert all(np.array_equal(a, b) for a, b in zip(grids, back))
    # flags cost at most a few bytes over coding 0 (real trained latents: 0-16 % fewer
    # bytes, benchmarks/results/latent_decode), also where whole regions are empty
    assert len(data) <= 1.02 * len(codec.encode_latents(old, grids)) + 4
    for g in grids:
        g[tuple(slice(0, (3 * n) // 4) for n in g.shape)] = 0
    assert len(codec.encode_latents_sig(new, grids)) <= 1.02 * len(codec.encode_latents(old, grids)) + 4


def test_coding_1_dense_and_wide_latents_round_trip():
    layout = _layout((40, 36), 1)
    rng = np.random.default_rng(2)
    dense = [np.rint(rng.laplace(0, 20, g)).astype(np.float32) for g in layout.grids]
    assert all(np.array_equal(a, b) for a, b in zip(dense, codec.decode_latents_sig(layout, codec.encode_latents_sig(
        layout, dense))))
    # a bound beyond the lookup tables: the float Laplace model takes over, same values back
    wide = [g.copy() for g in dense]
    wide[0].flat[5] = entropy.LOOKUP_MAX_BOUND + 7
    back = codec.decode_latents_sig(layout, codec.encode_latents_sig(layout, wide))
    assert all(np.array_equal(a, b) for a, b in zip(wide, back))
    zeros = [np.zeros(g, np.float32) for g in layout.grids]
    assert all(not b.any() for b in codec.decode_latents_sig(layout, codec.encode_latents_sig(layout, zeros)))


def test_new_blobs_use_coding_1_and_old_coding_still_writes_and_reads(monkeypatch):
    a = smooth((40, 36))
    blob = inrfilter.encode(a, "latent", ratio=6, **FAST)
    assert inrfilter.info(blob)["spec"]["k"] == 1
    monkeypatch.setattr(codec, "CODING", 0)
    old = inrfilter.encode(a, "latent", ratio=6, **FAST)
    assert "k" not in inrfilter.info(old)["spec"]  # coding 0 blobs look as before (golden latent-v2)
    assert np.isfinite(inrfilter.decode(old)).all()


def test_lookup_table_matches_the_laplace_pmf_and_needs_no_libm():
    for idx in (0, 17, 40, 90, 159):
        s = float(entropy.SCALES[idx])
        x = np.arange(-30, 31, dtype=np.float64)
        expected = entropy._laplace_pmf(x, np.full(x.shape, s))
        table = entropy.laplace_table(30, s)
        big = expected > 1e-6  # _laplace_pmf floors at 2**-24 (the leaky floor); the table does not
        np.testing.assert_allclose(table[big], expected[big], rtol=1e-10)
    for x in (0.0, 1e-6, 0.5, 1.0, 3.0, 32.0, 700.0):
        assert entropy._exp_neg(x) == pytest.approx(np.exp(-x), rel=1e-12)


def test_coded_symbols_round_trip_and_bad_models_are_refused():
    rng = np.random.default_rng(3)
    s = np.rint(rng.laplace(0, 2, 5000)).clip(-40, 40).astype(np.int32)
    bits = (rng.random(700) < 0.2).astype(np.int32)
    enc = entropy.LaplaceEncoder(40)
    enc.add_coded(s, entropy.lookup_model(40, 30), 40)
    enc.add_coded(bits, entropy.bit_model(entropy.best_bit_index(bits)))
    dec = entropy.LaplaceDecoder(enc.finish(), 40)
    assert np.array_equal(dec.take_coded(s.size, entropy.lookup_model(40, 30), 40), s)
    assert np.array_equal(dec.take_coded(bits.size, entropy.bit_model(entropy.best_bit_index(bits))), bits)
    dec.finish()
    for bad in ((entropy.LOOKUP_MAX_BOUND + 1, 0), (4, len(entropy.SCALES)), (-1, 0)):
        with pytest.raises(ValueError):
            entropy.lookup_model(*bad)
    for p in (0, 256):
        with pytest.raises(ValueError):
            entropy.bit_model(p)
    assert entropy.best_bit_index(np.zeros(10)) == 1 and entropy.best_bit_index(np.ones(10)) == 255


def _with_latents(blob: bytes, latents: bytes) -> bytes:
    _, header, sections = blobfmt.unpack(blob)
    w = sections["w"]
    n, pos = entropy._read_varint(w, 0)
    sections["w"] = entropy._varint(len(latents)) + latents + w[pos + n :]
    return blobfmt.pack(header, sections)  # a valid checksum: only the latent stream lies


def test_hostile_coding_1_streams_raise_blob_error_or_decode():
    a = smooth((40, 36), seed=4)
    blob = inrfilter.encode(a, "latent", ratio=8, **FAST)
    w = blobfmt.unpack(blob)[2]["w"]
    n, pos = entropy._read_varint(w, 0)
    latents = w[pos : pos + n]
    bound, p = entropy._read_varint(latents, 0)
    n_table, p = entropy._read_varint(latents, p)
    start = p
    mutants = [
        entropy._varint(entropy.MAX_BOUND + 1) + latents[1:],          # bound out of range
        latents[:start] + latents[start + n_table :],                   # no table
        latents[: start + n_table],                                     # no stream
        latents + b"\x00\x00\x00\x00" * 3,                              # trailing words
        latents[:-4],                                                   # stream cut short
    ]
    for i, value in itertools.product(range(n_table), (0, 1, 128, 159, 160, 254, 255)):
        mutants.append(latents[: start + i] + bytes([value]) + latents[start + i + 1 :])  # every table byte
    for m in mutants:
        try:
            out = inrfilter.decode(_with_latents(blob, m))
        except inrfilter.BlobError:
            continue
        assert out.shape == a.shape  # a lie the coder cannot see decodes to other values, never crashes


def test_spec_coding_key_is_validated():
    blob = inrfilter.encode(smooth((20, 16)), "latent", ratio=4, **FAST)
    _, header, sections = blobfmt.unpack(blob)
    for bad in (2, -1, "1", 1.0, True):
        header["p"] = {**header["p"], "k": bad}
        with pytest.raises(inrfilter.BlobError):
            inrfilter.decode(blobfmt.pack(header, sections))


def test_coding_1_factorised_round_trips():
    shape = (40, 36)
    layout = Layout(shape, auto_levels(shape, 0), 0, 4, False, 1)
    grids = _sparse_grids(layout, 5)
    data = codec.encode_latents_sig(layout, grids)
    assert all(np.array_equal(a, b) for a, b in zip(grids, codec.decode_latents_sig(layout, data)))
    ctx = Layout(shape, auto_levels(shape, 0), 0, 4, True, 1)
    assert codec.encode_latents_sig(ctx, grids) != data  # c=0 is one group per grid, no flags
