"""quant="entropy": exact round trips, rate accounting that matches the bytes written,
format version 2 (and version 1 refusing it), option validation."""

import numpy as np
import pytest

import inrfilter
from inrfilter import blob as blobfmt
from inrfilter.decoder import ParsedChunk
from inrfilter.entropy import quantise_weights
from inrfilter.methods import Method, get_method
from inrfilter.options import OptionError
from inrfilter.quant import ENTROPY_ALPHA, dequantise, quantise, weight_exponents
from inrfilter.settings import EncodeSettings

from benchmarks.common import datasets


CORE_PACKED = sorted(m for m in inrfilter.METHODS if type(get_method(m)).pack_params is Method.pack_params)


@pytest.mark.parametrize("method", CORE_PACKED)
def test_round_trip_is_exact(method):
    """Dequantised weights are exactly rint(w / 2**e) * 2**e with the exponents the
    encoder chose, for every parameter layout the core quantiser packs (latent packs
    its own)."""
    m = get_method(method)
    shape = (24, 20)
    spec = m.specs(shape, m.check_options({}))[2]
    shapes = m.param_shapes(spec, shape)
    params = m.init_params(spec, shape, np.random.default_rng(3))
    arrays = [np.asarray(params[n], np.float32).reshape(s) for n, s in shapes.items()]
    expected = quantise_weights(arrays, weight_exponents(arrays, ENTROPY_ALPHA))
    got = dequantise(quantise(params, shapes, "entropy"), shapes, "entropy")
    assert list(got) == list(shapes)
    for name, want in zip(shapes, expected):
        assert got[name].dtype == np.float32 and got[name].shape == shapes[name]
        assert np.array_equal(got[name], want)
        assert np.abs(got[name] - params[name]).max() <= 2.0 ** max(weight_exponents([params[name]], ENTROPY_ALPHA))


def test_step_follows_each_tensors_rms():
    a, b, zero = np.full(100, 1.0), np.full(100, 1 / 64), np.zeros(5)
    assert weight_exponents([a, b, zero], 1 / 256) == [-8, -14, 0]


def test_rate_accounting_matches_the_bytes_written():
    """The weights section is exactly what quantise() returns (what the size ladder
    packs), and a ratio-targeted blob stays within its byte budget."""
    a = datasets.crop(datasets.powder_pilatus(), (400, 300), (48, 48))
    blob = inrfilter.encode(a, ratio=8, quant="entropy", steps=40, device="cpu", progress=False)
    assert len(blob) <= a.nbytes / 8
    chunk = ParsedChunk(blob)
    assert chunk.version == 2 and chunk.h.quant == "entropy"
    info = inrfilter.info(blob)
    assert sum(info["sections"].values()) == len(blob)  # "header" counts preamble and checksum too
    assert info["sections"]["weights"] == len(chunk.sections["w"])
    m = get_method("siren")
    shapes = m.param_shapes(chunk.h.spec, a.shape)
    params = chunk.params()
    # re-packing the decoded weights gives back the stored section byte for byte
    recoded = [quantise(params, shapes, "entropy", ENTROPY_ALPHA * 2.0**k) for k in range(-2, 4)]
    assert chunk.sections["w"] in recoded
    # and the header's psnr is what the reference decoder gives
    decoded = inrfilter.decode(blob).astype(np.float64)
    mse = np.mean(((decoded - a) / np.ptp(a)) ** 2)
    assert info["psnr"] == pytest.approx(-10 * np.log10(mse), abs=1e-6)


@pytest.mark.parametrize("method", ["siren", "fourier"])
def test_a_chunks_bytes_do_not_depend_on_its_batch_mates(method):
    """The quantisation noise of the training's last phase is drawn per chunk, so a chunk
    encodes to the same bytes alone or batched with others (the encode pool relies on it)."""
    a = datasets.crop(datasets.powder_pilatus(), (400, 300), (48, 48))
    b = datasets.crop(datasets.powder_pilatus(), (200, 500), (48, 48))
    kwargs = dict(ratio=8, steps=40, device="cpu", progress=False)
    alone = inrfilter.encode(a, method, **kwargs)
    assert inrfilter.info(alone)["quant"] == "entropy"  # the default
    assert inrfilter.encode_batch([b, a, b], method, **kwargs)[1] == alone


def test_entropy_in_a_version_1_blob_is_refused():
    x = np.linspace(-1, 1, 24, dtype=np.float32)
    a = np.sin(3 * x)[:, None] * np.cos(2 * x)[None, :]
    blob = inrfilter.encode(a, ratio=4, quant="entropy", steps=5, device="cpu", progress=False)
    _, header, sections = blobfmt.unpack(blob)
    assert header["q"] == "entropy"
    old = bytearray(blobfmt.pack(header, sections))
    old[4] = 1  # version byte, then fix the checksum
    import struct
    import zlib

    old[-4:] = struct.pack("<I", zlib.crc32(bytes(old[:-4])))
    with pytest.raises(inrfilter.BlobError, match="version-1"):
        inrfilter.decode(bytes(old))


def test_quant_option_is_validated():
    assert EncodeSettings.create(quant="entropy").quant == "entropy"
    with pytest.raises(OptionError, match="quant"):
        EncodeSettings.create(quant="entropy8")
    with pytest.raises(OptionError, match="quant"):
        inrfilter.encode(np.ones((4, 4), np.float32), quant="ans")
