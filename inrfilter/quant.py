"""Weight quantisation and entropy coding: params dict <-> the weights section
(docs/format.md).

Layout of the weights section: the parameters in the order the method's
``param_shapes`` gives, each flattened, concatenated, then

- ``fp16`` (the default before issue 21): float16, byte-shuffled (all low bytes, then
  all high bytes, so the sign/exponent bytes sit together and zstd can squeeze them), zstd;
- ``int8``: every array of 2 or more dimensions gets one float16 scale per last-axis
  index (per output neuron, "per row" of W^T) and int8 values; 1-d arrays (biases)
  stay float16; zstd;
- ``fp32``: float32, byte-shuffled, zstd (for tests and ablations);
- ``entropy`` (format version 2; the default, :data:`DEFAULT_QUANT`): every tensor gets
  one power-of-two step, the one nearest ``alpha`` times its RMS (:func:`weight_exponents`); its integers
  ``rint(w / step)`` are range-coded with a discretised Laplace fitted to the tensor
  (:func:`inrfilter.entropy.encode_weights`: one int8 exponent per tensor, then the
  factorised code).  The training loop runs its last phase
  with this quantiser in the loop (``Budget.quant_step``), and the encoder picks
  ``alpha`` per chunk by rate and distortion (:data:`ALPHAS`).
"""

from __future__ import annotations

import numpy as np
import zstandard

from .limits import decompress

QUANTS = ("fp16", "int8", "fp32", "entropy")
#: the coding a chunk's weights get when ``quant`` is not given.  "entropy" since issue 21
#: (fp16 before): at equal size, each coding sizing its own network, it was ahead of fp16
#: in 41 of 52 method/crop/ratio cells at ratios 30, 100 and 300, median +0.9 dB, and
#: ahead on balance for every method (benchmarks/results/methods/before-after.md).  Blobs
#: name their coding in their header, and HDF5 cd_values and zarr configs store ``quant``,
#: so the default never changes how stored data reads or how an existing dataset writes.
DEFAULT_QUANT = "entropy"
_LEVEL = 19
#: relative step (step / tensor RMS) the ``entropy`` coding trains with and sizes for
ENTROPY_ALPHA = 1 / 256
#: relative steps the encoder may pick from after training (finest first; steps are
#: powers of two, so these are too): finer than the trained one costs bytes only,
#: coarser costs error too
ALPHAS = tuple(ENTROPY_ALPHA * 2.0**k for k in range(-2, 4))
#: no tensor gets more than this many steps across its largest value (the coder's bound)
_MAX_LEVELS = 2.0**20


def weight_exponents(arrays: list[np.ndarray], alpha: float) -> list[int]:
    """Each tensor's step exponent e (step 2**e): the power of two nearest ``alpha``
    times its RMS (2**0 for an all-zero tensor), never so fine that its largest value
    needs more than 2**20 steps, within the int8 range the format stores."""
    exps = []
    for a in arrays:
        a = np.asarray(a, np.float64)
        peak = float(np.abs(a).max()) if a.size else 0.0
        rms = float(np.sqrt(np.mean(a**2))) if a.size else 0.0
        e = int(np.rint(np.log2(alpha * rms))) if rms > 0 else 0
        if peak > 0:
            e = max(e, int(np.ceil(np.log2(peak / _MAX_LEVELS))))
        exps.append(min(max(e, -126), 127))
    return exps


def shuffle(raw: np.ndarray) -> bytes:
    """Byte planes of a numeric array, most compressible (high) bytes grouped together."""
    width = raw.dtype.itemsize
    return raw.view(np.uint8).reshape(-1, width).T.tobytes()


def unshuffle(data: bytes, dtype: np.dtype, count: int) -> np.ndarray:
    width = np.dtype(dtype).itemsize
    planes = np.frombuffer(data, np.uint8, count * width).reshape(width, count)
    return np.ascontiguousarray(planes.T).view(dtype).ravel()


def quantise(params: dict[str, np.ndarray], shapes: dict[str, tuple[int, ...]], quant: str,
             alpha: float = ENTROPY_ALPHA) -> bytes:
    """Pack ``params`` (ordered as ``shapes``) into the weights section (``alpha``: the
    relative step of the ``entropy`` coding)."""
    arrays = [np.asarray(params[name], np.float32).reshape(shape) for name, shape in shapes.items()]
    if quant == "entropy":
        from .entropy import encode_weights

        return encode_weights(arrays, weight_exponents(arrays, alpha))
    if quant in ("fp16", "fp32"):
        dtype = np.float16 if quant == "fp16" else np.float32
        flat = np.concatenate([a.ravel() for a in arrays]).astype(dtype)
        return zstandard.ZstdCompressor(level=_LEVEL).compress(shuffle(flat))
    scales, values, biases = [], [], []
    for a in arrays:
        if a.ndim < 2:
            biases.append(a.ravel())
            continue
        rows = a.reshape(-1, a.shape[-1])
        scale = (np.abs(rows).max(axis=0) / 127.0).astype(np.float16).astype(np.float32)
        safe = np.where(scale > 0, scale, 1.0)
        values.append(np.clip(np.rint(rows / safe), -127, 127).astype(np.int8).ravel())
        scales.append(scale)
    halves = np.concatenate(scales + biases).astype(np.float16) if scales or biases else np.zeros(0, np.float16)
    ints = np.concatenate(values) if values else np.zeros(0, np.int8)
    return zstandard.ZstdCompressor(level=_LEVEL).compress(shuffle(halves) + ints.tobytes())


def packed_nbytes(shapes: dict[str, tuple[int, ...]], quant: str) -> int:
    """Bytes of the weights section once decompressed, for parameters of ``shapes``."""
    sizes = [int(np.prod(s)) for s in shapes.values()]
    if quant in ("fp16", "fp32"):
        return sum(sizes) * (2 if quant == "fp16" else 4)
    columns = sum(s[-1] for s in shapes.values() if len(s) >= 2)
    vectors = sum(n for n, s in zip(sizes, shapes.values()) if len(s) < 2)
    matrices = sum(n for n, s in zip(sizes, shapes.values()) if len(s) >= 2)
    return 2 * (columns + vectors) + matrices


def dequantise(data: bytes, shapes: dict[str, tuple[int, ...]], quant: str) -> dict[str, np.ndarray]:
    """Inverse of :func:`quantise`; BlobError when a zstd section does not hold exactly
    what ``shapes`` need (it is never decompressed beyond that); the entropy coder
    raises ValueError on a stream that does not decode to ``shapes`` (the reader's
    BlobError)."""
    if quant == "entropy":
        from .entropy import decode_weights

        return dict(zip(shapes, decode_weights(data, list(shapes.values()))))
    raw = decompress(data, packed_nbytes(shapes, quant), "weights")
    sizes = {name: int(np.prod(shape)) for name, shape in shapes.items()}
    if quant in ("fp16", "fp32"):
        dtype = np.dtype(np.float16 if quant == "fp16" else np.float32)
        count = sum(sizes.values())
        if len(raw) != count * dtype.itemsize:
            raise ValueError(f"weights section holds {len(raw)} bytes, expected {count * dtype.itemsize}")
        flat = unshuffle(raw, dtype, count).astype(np.float32)
        out, pos = {}, 0
        for name, shape in shapes.items():
            out[name] = flat[pos : pos + sizes[name]].reshape(shape)
            pos += sizes[name]
        return out
    matrices = [n for n, s in shapes.items() if len(s) >= 2]
    vectors = [n for n, s in shapes.items() if len(s) < 2]
    n_half = sum(shapes[n][-1] for n in matrices) + sum(sizes[n] for n in vectors)
    n_int = sum(sizes[n] for n in matrices)
    if len(raw) != 2 * n_half + n_int:
        raise ValueError(f"weights section holds {len(raw)} bytes, expected {2 * n_half + n_int}")
    halves = unshuffle(raw[: 2 * n_half], np.float16, n_half).astype(np.float32)
    ints = np.frombuffer(raw[2 * n_half :], np.int8).astype(np.float32)
    out, hpos, ipos = {}, 0, 0
    for name in matrices:
        cols = shapes[name][-1]
        scale = halves[hpos : hpos + cols]
        hpos += cols
        out[name] = (ints[ipos : ipos + sizes[name]].reshape(-1, cols) * scale).reshape(shapes[name])
        ipos += sizes[name]
    for name in vectors:
        out[name] = halves[hpos : hpos + sizes[name]].reshape(shapes[name])
        hpos += sizes[name]
    return {name: out[name] for name in shapes}
