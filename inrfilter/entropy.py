"""Entropy coding of integers: one coder for latents and quantised weights.

Every method that stores integers (``latent``'s latent grids, quantised network
weights) codes them here, with ``constriction``'s range coder
(``constriction.stream.queue``) and discretised Laplace models
(``QuantizedLaplace``: the Laplace density integrated over each unit bin, "leaky"
so every symbol of the model's range keeps a probability of at least 2**-24).
Decoding is vectorised: the caller hands one location and one scale per symbol, so
a probability model that predicts them in parallel (from coarser, already decoded
data) decodes at constriction's speed, a few million symbols per second, without a
Python loop.

Bit layouts (all little-endian):

*Laplace stream* (:func:`encode_laplace`): the range coder's 32-bit words, nothing
else.  The decoder must be told the symbol count, the per-symbol model parameters
and the symbol bound; a stream decoded with other parameters decodes garbage or
fails, and the blob's CRC is what detects corruption.  What the decoder does check:
the length is whole words, the parameters are finite, the stream is not exhausted
early (constriction reports that) and holds no more than a couple of words beyond its
symbols (constriction's ``maybe_exhausted``; a word or two of trailing bytes cannot
be told from the coder's look-ahead); any failure is a ``ValueError``.  Memory is
bounded by the caller's ``count``, never by the stream.

*Factorised tensors* (:func:`encode_tensors`): for a list of integer arrays (the
caller knows their sizes), a parameter header then one shared Laplace stream::

    header length varint
    per tensor:  scale index u8 | zigzag(loc) varint | bound varint
    then:        Laplace stream of every tensor's symbols, tensor after tensor

``loc`` is an integer centre (the rounded median), ``bound`` the largest
``|symbol - loc|`` (the model's range is ``loc +- bound``), and the scale is
``SCALES[scale index]``, chosen by the encoder as the table entry that gives the
fewest bits for this tensor.  The scale table holds dyadic rationals (a 3-bit
mantissa times a power of two), so encoder and decoder agree bit for bit on every
machine without any transcendental function.

*Float tensors* (:func:`encode_weights`): a u8 count of tensors, each tensor's step
exponent e as int8 (the step is 2**e: exact, one byte), then the factorised tensors
of ``rint(w / 2**e)``.  (Varints are unsigned LEB128.)

Rates: :func:`laplace_bits` is the code length the model predicts (the ideal
``-sum log2 p``); the bytes written exceed it by at most a few words (tested).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any, Sequence

import numpy as np

#: Laplace scales the factorised coder can choose: SCALES[i] = (8 + i % 8) / 8 * 2 ** (i // 8 - 5),
#: from 1/32 to ~30000, every value exactly representable (no libm in the model).
SCALES = np.array([(8 + i % 8) / 8 * 2.0 ** (i // 8 - 5) for i in range(160)], dtype=np.float64)
#: smallest scale any model uses (both sides clip to it)
MIN_SCALE = float(SCALES[0])
#: largest |symbol - loc| a model may cover
MAX_BOUND = 2**24
_EPS_P = 2.0 ** -24  # constriction's leaky floor, per symbol


def _check_params(loc, scale, count: int) -> tuple[np.ndarray, np.ndarray]:
    loc = np.broadcast_to(np.asarray(loc, dtype=np.float64), (count,))
    scale = np.broadcast_to(np.asarray(scale, dtype=np.float64), (count,))
    if not (np.isfinite(loc).all() and np.isfinite(scale).all()):
        raise ValueError("entropy model parameters must be finite")
    return np.ascontiguousarray(loc), np.ascontiguousarray(np.maximum(scale, MIN_SCALE))


def _model(bound: int):
    import constriction

    if not (isinstance(bound, (int, np.integer)) and 0 <= bound <= MAX_BOUND):
        raise ValueError(f"symbol bound must be an integer in 0..{MAX_BOUND}; got {bound!r}")
    return constriction.stream.model.QuantizedLaplace(-int(bound) - 1, int(bound) + 1)


#: largest symbol bound the lookup-table models cover (alphabet 2 * bound + 1); wider
#: streams fall back to QuantizedLaplace
LOOKUP_MAX_BOUND = 1023


def _exp_neg(x: float) -> float:
    """exp(-x) for x >= 0 from IEEE basic operations only (halving, a Taylor series,
    squaring), so every machine computes the same bits; libm's and numpy's SIMD exp are
    not guaranteed to.  Accurate to ~1e-12 relative, which is plenty for a model."""
    if x > 745.0:
        return 0.0
    halvings = 0
    while x > 2.0**-8:
        x *= 0.5
        halvings += 1
    term = total = 1.0
    for k in range(1, 10):
        term = term * -x / k
        total += term
    for _ in range(halvings):
        total *= total
    return total


def laplace_table(bound: int, scale: float) -> np.ndarray:
    """Probabilities of the integers ``-bound .. bound`` under Laplace(0, scale) integrated
    over unit bins, computed without libm (see :func:`_exp_neg`; powers by a sequential
    product), unnormalised beyond the truncation (constriction rescales)."""
    r, h = _exp_neg(1.0 / scale), _exp_neg(0.5 / scale)
    tail = np.empty(bound, np.float64)
    if bound:
        tail[0] = 0.5 * h * (1.0 - r)
        tail[1:] = r
        tail = np.multiply.accumulate(tail)  # left to right: the same bits everywhere
    return np.concatenate([tail[::-1], [1.0 - h], tail])


@lru_cache(maxsize=256)
def lookup_model(bound: int, scale_index: int):
    """constriction ``Categorical`` over ``-bound .. bound`` (symbol + bound) for
    ``SCALES[scale_index]``: decoding looks the symbol up in a table instead of
    evaluating the Laplace CDF per symbol (QuantizedLaplace), about 4x faster (measured
    in docs/latent.md).  Cached: models are immutable and shared by groups and chunks."""
    import constriction

    if not (0 <= bound <= LOOKUP_MAX_BOUND and 0 <= scale_index < len(SCALES)):
        raise ValueError(f"no lookup model for bound {bound}, scale index {scale_index}")
    return constriction.stream.model.Categorical(laplace_table(bound, float(SCALES[scale_index])), perfect=False)


@lru_cache(maxsize=256)
def bit_model(p_index: int):
    """constriction ``Categorical`` over {0, 1} with P(1) = p_index / 256 (exact dyadic)."""
    import constriction

    if not 1 <= p_index <= 255:
        raise ValueError(f"bit probability index {p_index} out of range 1..255")
    p = p_index / 256.0
    return constriction.stream.model.Categorical(np.array([1.0 - p, p]), perfect=False)


def best_bit_index(bits: np.ndarray) -> int:
    """The P(1) index (1..255, P = index / 256) nearest the frequency of ones."""
    return int(np.clip(np.rint(256.0 * float(np.mean(bits))), 1, 255))


@lru_cache(maxsize=256)
def _fixed_laplace(bound: int, loc: float, scale: float):
    """A scalar QuantizedLaplace model, shared by every stream with the same parameters
    (building one per group cost ~1 ms of a 64^3 read: the weights decode per tensor)."""
    import constriction

    return constriction.stream.model.QuantizedLaplace(-bound - 1, bound + 1, loc, scale)


class LaplaceEncoder:
    """One Laplace stream written in parts: each :meth:`add` codes a group of symbols
    with scalar parameters (constriction's fast path) or one pair per symbol."""

    def __init__(self, bound: int):
        import constriction

        self.bound = int(bound)
        self._model = _model(bound)
        self._enc = constriction.stream.queue.RangeEncoder()
        self.count = 0

    def add(self, symbols: np.ndarray, loc=0.0, scale=1.0) -> None:
        s = np.ascontiguousarray(np.asarray(symbols).ravel(), dtype=np.int32)
        if not s.size:
            return
        if int(np.abs(s).max()) > self.bound:
            raise ValueError(f"a symbol lies outside the model's range +-{self.bound}")
        if np.ndim(loc) == 0 and np.ndim(scale) == 0:
            self._enc.encode(s, self._scalar_model(float(loc), float(scale)))
        else:
            lo, sc = _check_params(loc, scale, s.size)
            self._enc.encode(s, self._model, lo, sc)
        self.count += s.size

    def add_coded(self, symbols: np.ndarray, model, offset: int = 0) -> None:
        """Code ``symbols + offset`` (the model's alphabet 0..n-1) with a ready
        constriction model (:func:`lookup_model`, :func:`bit_model`)."""
        s = np.ascontiguousarray(np.asarray(symbols).ravel(), dtype=np.int32)
        if s.size:
            self._enc.encode(s + np.int32(offset), model)
            self.count += s.size

    def _scalar_model(self, loc: float, scale: float):
        loc, scale = float(loc), float(scale)  # what _check_params does, without arrays (~1 ms a read)
        if not (math.isfinite(loc) and math.isfinite(scale)):
            raise ValueError("entropy model parameters must be finite")
        return _fixed_laplace(self.bound, loc, max(scale, MIN_SCALE))

    def finish(self) -> bytes:
        words = self._enc.get_compressed()
        if self.count and not words.size:  # a stream of symbols is never empty (the decoder checks)
            words = np.zeros(1, np.uint32)  # what the decoder reads past the end anyway
        return words.astype("<u4").tobytes()


class LaplaceDecoder:
    """Reads what :class:`LaplaceEncoder` wrote, group by group, with the same parameters."""

    def __init__(self, data: bytes, bound: int):
        import constriction

        if len(data) % 4:
            raise ValueError(f"a Laplace stream is whole 32-bit words; got {len(data)} bytes")
        self.bound = int(bound)
        self._model = _model(bound)
        self._words = np.frombuffer(data, dtype="<u4").astype(np.uint32)
        self._dec = constriction.stream.queue.RangeDecoder(self._words)
        self.count = 0

    _scalar_model = LaplaceEncoder._scalar_model

    def _decode(self, count: int, decode) -> np.ndarray:
        """``count`` symbols from ``decode()`` (int32), after checking the count and the
        stream; a model the stream does not fit raises ValueError."""
        if not (isinstance(count, (int, np.integer)) and 0 <= count <= 2**31 - 1):
            raise ValueError(f"bad symbol count {count!r}")
        if count == 0:
            return np.zeros(0, np.int32)
        if not self._words.size:
            raise ValueError(f"empty entropy-coded stream where {count} symbols were expected")
        try:
            out = decode()
        except (AssertionError, KeyError, RuntimeError) as exc:
            raise ValueError(f"entropy-coded stream is invalid for its model ({exc})") from exc
        self.count += int(count)
        return np.asarray(out, dtype=np.int32)

    def take(self, count: int, loc=0.0, scale=1.0) -> np.ndarray:
        def decode():
            if np.ndim(loc) == 0 and np.ndim(scale) == 0:
                return self._dec.decode(self._scalar_model(float(loc), float(scale)), int(count))
            lo, sc = _check_params(loc, scale, int(count))
            return self._dec.decode(self._model, lo, sc)

        return self._decode(count, decode)

    def take_coded(self, count: int, model, offset: int = 0) -> np.ndarray:
        """Inverse of :meth:`LaplaceEncoder.add_coded` (int32 symbols)."""
        out = self._decode(count, lambda: self._dec.decode(model, int(count)))
        if offset:
            out -= np.int32(offset)
        return out

    def finish(self) -> None:
        """Check that the stream ends where its symbols end (as far as the coder can tell)."""
        if self.count and not self._dec.maybe_exhausted():
            raise ValueError("entropy-coded stream has data beyond its symbols")
        if not self.count and self._words.size:
            raise ValueError("symbols stream holds data but no symbols were expected")


def encode_laplace(symbols: np.ndarray, loc, scale, bound: int) -> bytes:
    """Range-code integer ``symbols`` with one discretised Laplace(loc, scale) each.

    ``loc``/``scale`` are scalars or arrays with one entry per symbol; symbols must
    lie within ``[-bound, bound]`` (the model covers one more on each side, so a
    rounding slip in a caller's bound is not a crash)."""
    enc = LaplaceEncoder(bound)
    s = np.asarray(symbols).ravel()
    if np.ndim(loc) == 0 and np.ndim(scale) == 0:
        enc.add(s, loc, scale)
    else:
        enc.add(s, *_check_params(loc, scale, s.size))
    return enc.finish()


def decode_laplace(data: bytes, loc, scale, count: int, bound: int) -> np.ndarray:
    """Inverse of :func:`encode_laplace`: exactly ``count`` int32 symbols, or a ValueError."""
    dec = LaplaceDecoder(data, bound)
    if not (isinstance(count, (int, np.integer)) and 0 <= count <= 2**31 - 1):
        raise ValueError(f"bad symbol count {count!r}")
    if np.ndim(loc) == 0 and np.ndim(scale) == 0:
        out = dec.take(count, loc, scale)
    else:
        out = dec.take(count, *_check_params(loc, scale, int(count)))
    dec.finish()
    return out


def laplace_bits(symbols: np.ndarray, loc, scale) -> float:
    """Code length in bits the discretised Laplace model predicts (ideal, no leaky floor)."""
    s = np.asarray(symbols, dtype=np.float64).ravel()
    loc, scale = _check_params(loc, scale, s.size)
    return float(-np.log2(_laplace_pmf(s - loc, scale)).sum())


def _laplace_pmf(x: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """P(bin [x - 1/2, x + 1/2]) under Laplace(0, scale), computed from the nearer tail
    (stable far out)."""
    lo, hi = x - 0.5, x + 0.5
    right = 0.5 * (np.exp(-np.maximum(lo, 0.0) / scale) - np.exp(-np.maximum(hi, 0.0) / scale))
    left = 0.5 * (np.exp(np.minimum(hi, 0.0) / scale) - np.exp(np.minimum(lo, 0.0) / scale))
    # a bin across 0 gets both halves: right covers [0, hi], left covers [lo, 0]
    p = np.where(lo >= 0, right, np.where(hi <= 0, left, right + left))
    return np.maximum(p, _EPS_P)


# -- factorised tensors ---------------------------------------------------------------

def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    n = shift = 0
    while True:
        if pos >= len(data) or shift > 35:
            raise ValueError("truncated or overlong varint in an entropy-coded header")
        byte = data[pos]
        pos += 1
        n |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return n, pos


def _zigzag(n: int) -> int:
    return 2 * n if n >= 0 else -2 * n - 1


def _unzigzag(z: int) -> int:
    return z // 2 if z % 2 == 0 else -(z + 1) // 2


def best_scale_index(centred: np.ndarray) -> int:
    """Index into SCALES of the Laplace scale that codes ``centred`` integers in the fewest bits."""
    x = np.asarray(centred, dtype=np.float64).ravel()
    if x.size == 0:
        return 0
    values, counts = np.unique(np.abs(x), return_counts=True)  # bits depend on |x| only
    pmf = _laplace_pmf(values[None, :], SCALES[:, None])  # [scales, distinct values]
    bits = -(np.log2(pmf) @ counts.astype(np.float64))
    return int(np.argmin(bits))


def encode_tensors(tensors: Sequence[np.ndarray]) -> bytes:
    """Factorised code of integer tensors: per tensor a Laplace(loc, scale) fitted to it."""
    head = bytearray()
    pieces: list[np.ndarray] = []
    scales: list[float] = []
    bound = 0
    for t in tensors:
        x = np.asarray(t).ravel()
        if x.size and not np.issubdtype(x.dtype, np.integer):
            raise TypeError("encode_tensors codes integer arrays")
        x = x.astype(np.int64)
        loc = int(np.median(x)) if x.size else 0
        c = x - loc
        b = int(np.abs(c).max()) if x.size else 0
        if b > MAX_BOUND:
            raise ValueError(f"integer tensor spans more than +-{MAX_BOUND} around its median")
        idx = best_scale_index(c)
        head += bytes([idx]) + _varint(_zigzag(loc)) + _varint(b)
        pieces.append(c)
        scales.append(float(SCALES[idx]))
        bound = max(bound, b)
    # one stream, one model range (the widest tensor's); the cost of a wider leaky range
    # is < 0.01 bit per symbol
    enc = LaplaceEncoder(bound)
    for c, sc in zip(pieces, scales):
        enc.add(c, 0.0, sc)
    body = enc.finish()
    return _varint(len(head)) + bytes(head) + body


def decode_tensors(data: bytes, sizes: Sequence[int]) -> list[np.ndarray]:
    """Inverse of :func:`encode_tensors` for tensors of the given element counts (int64)."""
    head_len, start = _read_varint(data, 0)
    if head_len > len(data) - start:
        raise ValueError("factorised tensors: header runs past the end")
    head, body = data[start : start + head_len], data[start + head_len :]
    pos, params, bound = 0, [], 0
    for size in sizes:
        if pos >= len(head):
            raise ValueError("factorised tensors: header too short for the tensors expected")
        idx = head[pos]
        if idx >= len(SCALES):
            raise ValueError(f"factorised tensors: scale index {idx} out of range")
        z, pos = _read_varint(head, pos + 1)
        b, pos = _read_varint(head, pos)
        if b > MAX_BOUND:
            raise ValueError("factorised tensors: symbol bound out of range")
        params.append((_unzigzag(z), SCALES[idx], int(size)))
        bound = max(bound, b)
    if pos != len(head):
        raise ValueError("factorised tensors: header longer than the tensors expected")
    dec = LaplaceDecoder(body, bound)
    out = [dec.take(n, 0.0, s).astype(np.int64) + loc for loc, s, n in params]
    dec.finish()
    return out


def encode_ints_factorised(ints: np.ndarray) -> bytes:
    """One integer tensor, factorised (see :func:`encode_tensors`)."""
    return encode_tensors([ints])


def decode_ints_factorised(data: bytes, count: int) -> np.ndarray:
    return decode_tensors(data, [count])[0]


# -- float tensors (network weights) -------------------------------------------------

def power_of_two_step(x: float) -> int:
    """The exponent e of the power-of-two step 2**e nearest (in log) to ``x`` (clipped to int8)."""
    return int(np.clip(np.rint(np.log2(max(float(x), 2.0**-126))), -126, 127))


def encode_weights(arrays: Sequence[np.ndarray], exponents: Sequence[int]) -> bytes:
    """Float tensors quantised to ``rint(w / 2**e)`` (one power-of-two step per tensor,
    its exponent stored as int8) and coded factorised.  :func:`decode_weights` gives back
    exactly what :func:`quantise_weights` computes."""
    if len(arrays) != len(exponents) or len(arrays) > 255:
        raise ValueError("encode_weights needs one exponent per tensor (at most 255 tensors)")
    exps = np.asarray(exponents, dtype=np.int64)
    if (exps < -126).any() or (exps > 127).any():
        raise ValueError("weight step exponents must lie in -126..127")
    ints = [np.rint(np.asarray(a, np.float64) * 2.0 ** -int(e)).astype(np.int64) for a, e in zip(arrays, exps)]
    return bytes([len(arrays)]) + exps.astype(np.int8).tobytes() + encode_tensors(ints)


def quantise_weights(arrays: Sequence[np.ndarray], exponents: Sequence[int]) -> list[np.ndarray]:
    """What :func:`decode_weights` will return for these arrays (float32)."""
    return [(np.rint(np.asarray(a, np.float64) * 2.0 ** -int(e)) * 2.0 ** int(e)).astype(np.float32)
            for a, e in zip(arrays, exponents)]


def decode_weights(data: bytes, shapes: Sequence[tuple[int, ...]]) -> list[np.ndarray]:
    if len(data) < 1:
        raise ValueError("weights: truncated")
    n = data[0]
    if n != len(shapes) or len(data) < 1 + n:
        raise ValueError(f"weights: {n} tensors stored, {len(shapes)} expected")
    exps = np.frombuffer(data, np.int8, n, 1).astype(np.int64)
    ints = decode_tensors(data[1 + n :], [int(np.prod(s)) for s in shapes])
    return [(i * 2.0 ** int(e)).astype(np.float32).reshape(shape) for i, e, shape in zip(ints, exps, shapes)]
