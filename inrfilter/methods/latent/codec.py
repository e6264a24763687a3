"""The latent method's weights section: entropy-coded latent grids + synthesis weights.

Layout (varints are LEB128)::

    varint latents length | latents | weights (inrfilter.entropy.encode_weights)
    latents = varint bound | varint table length | table | Laplace stream
    (params carry "wexp", the weights' power-of-two step exponents, for packing)

Latent symbols are coded coarsest grid first.  With the *context model* (spec c=1) each
grid is coded in two checkerboard passes (voxels whose index sum is even, then odd);
every symbol gets a context bin computed from data the decoder already has:

- pass A: ``|parent|``, the co-located symbol of the next coarser grid (0 for the
  coarsest grid), binned as 0, 1, 2-3, 4+;
- pass B: ``|parent|`` plus the sum of ``|q|`` over its 2*ndim axis neighbours (all in
  pass A; 0 past the edge), binned as 0, 1, 2-3, 4-7, 8+.

Each (grid, pass, bin) that occurs is a group; the table holds one byte per group in
coding order: an index into ``entropy.SCALES`` (the Laplace scale, location 0, that
the encoder found to code that group in the fewest bits) or 255 for a group of zeros,
which is not coded at all.  The decoder knows which bins occur before it decodes a
pass, so absent bins cost nothing.  All context arithmetic is on integers: encoder and
decoder agree bit for bit on any machine.  With the *factorised* model (c=0) each grid
is one group.  Every group decodes with one scalar model, constriction's fastest path.

That is *coding 0* (spec key ``k`` absent).  New blobs use *coding 1* (``k=1``, below:
significance flags per block of the fine grids, lookup-table models), which reads 3-12x
faster and writes 0-16 % fewer latent bytes; the reader keeps both (docs/format.md).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ... import entropy
from .layout import Layout

ZERO_GROUP = 255
_A_EDGES = (1, 2, 4)
_B_EDGES = (1, 2, 4, 8)


def _varint(n: int) -> bytes:
    return entropy._varint(n)


def _bin(c: np.ndarray, edges: tuple[int, ...]) -> np.ndarray:
    out = np.zeros(c.shape, np.int8)
    for e in edges:
        out += (c >= e).astype(np.int8)
    return out


def _parity(shape: tuple[int, ...]) -> np.ndarray:
    idx = np.indices(shape, dtype=np.int64).sum(axis=0)
    return (idx % 2).astype(bool)  # False: pass A, True: pass B


def _parent_abs(parent: np.ndarray | None, shape: tuple[int, ...]) -> np.ndarray:
    if parent is None:
        return np.zeros(shape, np.int64)
    index = np.ix_(*[np.minimum(np.arange(n) // 2, m - 1) for n, m in zip(shape, parent.shape)])
    return np.abs(parent.astype(np.int64))[index]


def _neighbour_sum(absq: np.ndarray, dtype: type = np.int64) -> np.ndarray:
    """Sum of the 2*ndim axis neighbours (0 past the edge), by shifted slices: the
    context of pass B in both codings (coding 0 in int64, coding 1 in int32)."""
    total = np.zeros(absq.shape, dtype)
    for axis in range(absq.ndim):
        n = absq.shape[axis]
        if n < 2:
            continue
        lo = [slice(None)] * absq.ndim
        hi = [slice(None)] * absq.ndim
        lo[axis], hi[axis] = slice(0, n - 1), slice(1, n)
        total[tuple(lo)] += absq[tuple(hi)]
        total[tuple(hi)] += absq[tuple(lo)]
    return total


def _groups(layout: Layout, level: int, grid: np.ndarray | None, parent: np.ndarray | None,
            shape: tuple[int, ...], pass_b: bool, known_a: np.ndarray | None):
    """(flat indices, bin) of each group of one pass, in coding order.  ``known_a`` is the
    grid with its pass-A symbols filled (pass B's context)."""
    if not layout.context:
        return [np.arange(int(np.prod(shape)))] if not pass_b else []
    parity = _parity(shape).ravel()
    members = np.flatnonzero(parity == pass_b)
    p = _parent_abs(parent, shape).ravel()[members]
    if not pass_b:
        bins = _bin(p, _A_EDGES)
    else:
        n = _neighbour_sum(np.abs(known_a.astype(np.int64))).ravel()[members]
        bins = _bin(p + n, _B_EDGES)
    return [members[bins == b] for b in range(len(_B_EDGES) + 1) if (bins == b).any()]


def _integers(grids: list[np.ndarray], dtype: type) -> tuple[list[np.ndarray], int]:
    """The grids rounded to integers and their largest magnitude (the coder's bound)."""
    ints = [np.rint(g).astype(dtype) for g in grids]
    bound = max(int(np.abs(q).max()) if q.size else 0 for q in ints)
    if bound > entropy.MAX_BOUND:
        raise ValueError("latent values too large to code")
    return ints, bound


def encode_latents(layout: Layout, grids: list[np.ndarray]) -> bytes:
    ints, bound = _integers(grids, np.int64)
    table = bytearray()
    enc = entropy.LaplaceEncoder(bound)
    for level in reversed(range(layout.levels)):
        q = ints[level]
        parent = ints[level + 1] if level + 1 < layout.levels else None
        known = np.where(_parity(q.shape), 0, q) if layout.context else None
        flat = q.ravel()
        for pass_b in (False, True):
            for members in _groups(layout, level, q, parent, q.shape, pass_b, known):
                symbols = flat[members]
                if not symbols.any():
                    table.append(ZERO_GROUP)
                    continue
                idx = entropy.best_scale_index(symbols)
                table.append(idx)
                enc.add(symbols, 0.0, float(entropy.SCALES[idx]))
    return _varint(bound) + _varint(len(table)) + bytes(table) + enc.finish()


def _open_stream(data: bytes) -> tuple[int, bytes, "entropy.LaplaceDecoder"]:
    """The latent section's bound, its table bytes and a decoder on the coded symbols
    (both codings start this way); ValueError when the lengths do not fit."""
    bound, pos = entropy._read_varint(data, 0)
    if bound > entropy.MAX_BOUND:
        raise ValueError("latent bound out of range")
    n_table, pos = entropy._read_varint(data, pos)
    if pos + n_table > len(data):
        raise ValueError("latent table runs past the end")
    return bound, data[pos : pos + n_table], entropy.LaplaceDecoder(data[pos + n_table :], bound)


def decode_latents(layout: Layout, data: bytes) -> list[np.ndarray]:
    bound, table, dec = _open_stream(data)
    grids: list[np.ndarray] = [np.zeros(0)] * layout.levels
    t = 0
    for level in reversed(range(layout.levels)):
        shape = layout.grids[level]
        parent = grids[level + 1] if level + 1 < layout.levels else None
        flat = np.zeros(int(np.prod(shape)), np.int64)
        for pass_b in (False, True):
            known = flat.reshape(shape) if pass_b else None
            for members in _groups(layout, level, None, parent, shape, pass_b, known):
                if t >= len(table):
                    raise ValueError("latent table too short")
                idx = table[t]
                t += 1
                if idx == ZERO_GROUP:
                    continue
                if idx >= len(entropy.SCALES):
                    raise ValueError(f"latent scale index {idx} out of range")
                flat[members] = dec.take(len(members), 0.0, float(entropy.SCALES[idx]))
        grids[level] = flat.reshape(shape)
    if t != len(table):
        raise ValueError("latent table longer than its groups")
    dec.finish()
    return grids


#: the coding new blobs get (spec key "k")
CODING = 1


def encode_grids(layout: Layout, grids: list[np.ndarray]) -> bytes:
    """The latent stream of integer-valued grids in ``layout``'s coding.

    Training (``train.coded_bits``) and the pyramid start (``pyramid.steps_for_bytes``)
    keep steering on :func:`encode_latents` (coding 0) bytes: measured with 5 jittered
    targets each (powder 30/100 at 60 and 150 steps, saxs 300), steering on coding 1's
    bytes lost 1.2-1.8 dB on average, while steering on coding 0 and packing with coding
    1 gave coding 0's PSNR (within -0.4..+0.1 dB) in 0.4-7 % fewer bytes."""
    return (encode_latents_sig if layout.coding == 1 else encode_latents)(layout, grids)


def pack(layout: Layout, params: dict[str, np.ndarray]) -> bytes:
    """Weights section of quantised params (integer-valued latents, weights on their steps)."""
    latents = encode_grids(layout, [params[f"z{i}"] for i in range(layout.levels)])
    weights = entropy.encode_weights([params[n] for n in layout.weight_names], params["wexp"])
    return _varint(len(latents)) + latents + weights


def unpack(layout: Layout, data: bytes) -> dict[str, np.ndarray]:
    n, pos = entropy._read_varint(data, 0)
    if pos + n > len(data):
        raise ValueError("latent stream runs past the end of the weights section")
    decode = decode_latents_sig if layout.coding == 1 else decode_latents
    grids = decode(layout, data[pos : pos + n])
    shapes = layout.param_shapes()
    weights = entropy.decode_weights(data[pos + n :], [shapes[k] for k in layout.weight_names])
    params = {f"z{i}": g.astype(np.float32) for i, g in enumerate(grids)}
    params.update(dict(zip(layout.weight_names, weights)))
    return params


# -- coding 1: significance flags per block + lookup-table models ----------------------
#
# Spec key "k" = 1 (absent: coding 0 above).  Measured on real blobs (docs/latent.md,
# benchmarks/latent_decode.py): coding 0 spends most of a whole-chunk read range-decoding
# the full-resolution grid, whose latents are mostly 0, symbol by symbol with a Laplace
# CDF evaluated per symbol.  Coding 1 changes three things, and nothing about the values:
#
# - grids of at least BLOCKED_MIN latents are cut into blocks of SIDE[ndim] per axis; one
#   flag per block says whether it holds any non-zero latent, and only flagged blocks'
#   latents are coded (fewer symbols to decode, and fewer bytes: a flag is cheaper than
#   the zeros it stands for).  A flag's context bin is the sum of |q| over the co-located
#   region of the next coarser grid (0, 1-2, 3+); each bin that occurs is one group with
#   a table byte: P(flag) = byte / 256, or 0 for "all flags 0" (nothing coded);
# - latents of a group are coded with a lookup-table model (entropy.lookup_model: the
#   same dyadic Laplace scales, tabulated once without libm) when the bound is at most
#   entropy.LOOKUP_MAX_BOUND, else with QuantizedLaplace as coding 0;
# - contexts are computed only for the latents of flagged blocks, from index maps built
#   once per grid shape (cached), with table look-ups for the bins.
#
# The symbol order per grid (coarsest first): flag groups (bin 0, 1, 2), then pass A
# groups, then pass B groups, as in coding 0 but restricted to flagged blocks.

#: block side per axis, by dimensionality (about 64 latents a block in 2-4 D)
SIDE = {1: 32, 2: 8, 3: 4, 4: 2}
#: grids with fewer latents are coded whole (no flags); the threshold barely matters for
#: bytes (256..4096: within 0.1 % on the benchmark blobs), 256 lets small chunks use flags too
BLOCKED_MIN = 256
_FLAG_EDGES = (1, 3)
_A_LUT = _bin(np.arange(8), _A_EDGES)  # bins of min(context, 7)
_B_LUT = _bin(np.arange(16), _B_EDGES)  # bins of min(context, 15)
_F_LUT = _bin(np.arange(8), _FLAG_EDGES)


class _Plan:
    """Index maps of one grid shape (and its parent's), shared by encoder and decoder:
    per checkerboard pass the members (flat, raster order), their parent's flat index,
    their block and (pass B) their 2*ndim neighbours (``size``: outside, a zero slot)."""

    def __init__(self, shape: tuple[int, ...], parent: tuple[int, ...] | None):
        self.shape, self.size = shape, int(np.prod(shape))
        ndim = len(shape)
        self.side = SIDE[ndim]
        self.blocked = self.size >= BLOCKED_MIN
        self.nblocks = tuple(-(-n // self.side) for n in shape)
        idx = np.indices(shape, dtype=np.int32)
        parity = (idx.sum(axis=0) % 2).astype(bool).ravel()
        block = np.ravel_multi_index(tuple(i // self.side for i in idx), self.nblocks).astype(np.int32).ravel()
        if parent is not None:
            up = tuple(np.minimum(i // 2, m - 1) for i, m in zip(idx, parent))
            pidx = np.ravel_multi_index(up, parent).astype(np.int32).ravel()
        else:
            pidx = None
        self.members, self.block, self.parent, self.nb = [], [], [], None
        for pass_b in (False, True):
            m = np.flatnonzero(parity == pass_b).astype(np.int32)
            self.members.append(m)
            self.block.append(block[m])
            self.parent.append(None if pidx is None else pidx[m])
        mb = self.members[1]
        coords = [i.ravel()[mb] for i in idx]
        strides = [int(np.prod(shape[a + 1 :])) for a in range(ndim)]
        nbs = []
        for a in range(ndim):
            for shift in (-1, 1):
                c = coords[a] + shift
                inside = (c >= 0) & (c < shape[a])
                nbs.append(np.where(inside, mb + shift * strides[a], self.size).astype(np.int32))
        self.nb = np.stack(nbs) if nbs else np.zeros((0, 0), np.int32)
        for arrays in (self.members, self.block, self.parent):
            for a in arrays:
                if a is not None:
                    a.setflags(write=False)
        self.nb.setflags(write=False)

    def flag_context(self, parent_abs: np.ndarray | None) -> np.ndarray:
        """Per block (flat), the bin of sum |q| over the parent grid's co-located region."""
        n = int(np.prod(self.nblocks))
        if parent_abs is None:
            return np.zeros(n, np.int8)
        half = max(self.side // 2, 1)
        p = np.zeros(tuple(nb * half for nb in self.nblocks), np.int32)
        p[tuple(slice(0, m) for m in parent_abs.shape)] = parent_abs
        split = [d for nb in self.nblocks for d in (nb, half)]
        sums = p.reshape(split).sum(axis=tuple(range(1, 2 * len(self.nblocks), 2)))
        return _F_LUT[np.minimum(sums, 7).ravel()]


#: plans of grids up to this many latents are cached (a plan holds ~10 int32 per latent:
#: 128^3 ~ 80 MB); larger grids (chunks beyond 128^3) build theirs per read
_CACHED_PLAN_MAX = 1 << 21


@lru_cache(maxsize=8)
def _cached_plan(shape: tuple[int, ...], parent: tuple[int, ...] | None) -> _Plan:
    return _Plan(shape, parent)


def _plan(shape: tuple[int, ...], parent: tuple[int, ...] | None) -> _Plan:
    """The index maps of a grid shape: built once per shape and reused by every chunk of
    that shape (a file's chunks share a few shapes)."""
    if int(np.prod(shape)) > _CACHED_PLAN_MAX:
        return _Plan(shape, parent)
    return _cached_plan(shape, parent)


def _split(members: np.ndarray, bins: np.ndarray, nbins: int) -> list[tuple[int, np.ndarray]]:
    """(bin, members of that bin in raster order) for every bin that occurs, in bin order."""
    order = np.argsort(bins, kind="stable")
    counts = np.bincount(bins, minlength=nbins)
    out, start = [], 0
    for b in range(nbins):
        if counts[b]:
            out.append((b, members[order[start : start + counts[b]]]))
            start += counts[b]
    return out


def _pass_groups(plan: _Plan, pass_b: bool, keep: np.ndarray | None, parent_abs: np.ndarray | None,
                 flat: np.ndarray) -> list[np.ndarray]:
    """Groups of one pass (members of flagged blocks only), in coding order.  ``flat`` is
    the grid with pass A filled and a trailing zero slot (pass B's neighbours)."""
    i = int(pass_b)
    members = plan.members[i]
    pidx = plan.parent[i]
    if keep is not None:
        members = members[keep]
        pidx = None if pidx is None else pidx[keep]
    if not members.size:
        return []
    ctx = np.zeros(members.size, np.int32) if pidx is None else parent_abs[pidx]
    if not pass_b:
        bins = _A_LUT[np.minimum(ctx, 7)]
        return [g for _, g in _split(members, bins, len(_A_EDGES) + 1)]
    if plan.nb.size:
        if members.size * 4 > plan.members[1].size:
            # many members: the neighbour sum over the whole grid by shifted slices, then a
            # gather, is faster than gathering 2*ndim neighbours per member (same integers)
            ctx = ctx + _neighbour_sum(np.abs(flat[:-1]).reshape(plan.shape), np.int32).ravel()[members]
        else:
            nb = plan.nb if keep is None else plan.nb[:, keep]
            ctx = ctx + np.abs(flat[nb]).sum(axis=0, dtype=np.int32)
    bins = _B_LUT[np.minimum(ctx, 15)]
    return [g for _, g in _split(members, bins, len(_B_EDGES) + 1)]


class _Models:
    """The group model of coding 1: a lookup table when the bound allows, else the float Laplace."""

    def __init__(self, bound: int):
        self.bound, self.lookup = bound, bound <= entropy.LOOKUP_MAX_BOUND

    def add(self, enc: "entropy.LaplaceEncoder", symbols: np.ndarray, idx: int) -> None:
        if self.lookup:
            enc.add_coded(symbols, entropy.lookup_model(self.bound, idx), self.bound)
        else:
            enc.add(symbols, 0.0, float(entropy.SCALES[idx]))

    def take(self, dec: "entropy.LaplaceDecoder", count: int, idx: int) -> np.ndarray:
        if self.lookup:
            return dec.take_coded(count, entropy.lookup_model(self.bound, idx), self.bound)
        return dec.take(count, 0.0, float(entropy.SCALES[idx]))


def _abs32(grid: np.ndarray | None) -> np.ndarray | None:
    return None if grid is None else np.abs(grid.astype(np.int32, copy=False))


def encode_latents_sig(layout: Layout, grids: list[np.ndarray]) -> bytes:
    ints, bound = _integers(grids, np.int32)
    table = bytearray()
    enc = entropy.LaplaceEncoder(bound)
    models = _Models(bound)
    for level in reversed(range(layout.levels)):
        q = ints[level]
        parent = ints[level + 1] if level + 1 < layout.levels else None
        plan = _plan(q.shape, None if parent is None else parent.shape)
        pabs = _abs32(parent)
        flat = np.append(q.ravel(), np.int32(0))
        keep = [None, None]
        if not layout.context:  # factorised: the grid is one group, no flags
            _add_group(enc, models, table, flat[:-1])
            continue
        if plan.blocked:
            nz = np.zeros(int(np.prod(plan.nblocks)), bool)
            nz[plan.block[0][flat[plan.members[0]] != 0]] = True
            nz[plan.block[1][flat[plan.members[1]] != 0]] = True
            ctx = plan.flag_context(None if pabs is None else pabs.reshape(parent.shape))
            for _, blocks in _split(np.arange(nz.size), ctx, len(_FLAG_EDGES) + 1):
                bits = nz[blocks]
                if not bits.any():
                    table.append(0)
                    continue
                p = entropy.best_bit_index(bits)
                table.append(p)
                enc.add_coded(bits.astype(np.int32), entropy.bit_model(p))
            keep = [nz[plan.block[0]], nz[plan.block[1]]]
        pflat = None if pabs is None else pabs.ravel()
        for pass_b in (False, True):
            for members in _pass_groups(plan, pass_b, keep[int(pass_b)], pflat, flat):
                _add_group(enc, models, table, flat[members])
    return _varint(bound) + _varint(len(table)) + bytes(table) + enc.finish()


def _add_group(enc: "entropy.LaplaceEncoder", models: _Models, table: bytearray, symbols: np.ndarray) -> None:
    if not symbols.any():
        table.append(ZERO_GROUP)
        return
    idx = entropy.best_scale_index(symbols)
    table.append(idx)
    models.add(enc, symbols, idx)


def _take_group(dec: "entropy.LaplaceDecoder", models: _Models, idx: int, flat: np.ndarray, members) -> None:
    if idx == ZERO_GROUP:
        return
    if idx >= len(entropy.SCALES):
        raise ValueError(f"latent scale index {idx} out of range")
    count = members.stop - members.start if isinstance(members, slice) else members.size
    flat[members] = models.take(dec, count, idx)


def decode_latents_sig(layout: Layout, data: bytes) -> list[np.ndarray]:
    bound, table, dec = _open_stream(data)
    models = _Models(bound)
    grids: list[np.ndarray] = [np.zeros(0, np.int32)] * layout.levels
    t = 0

    def next_byte() -> int:
        nonlocal t
        if t >= len(table):
            raise ValueError("latent table too short")
        t += 1
        return table[t - 1]

    for level in reversed(range(layout.levels)):
        shape = layout.grids[level]
        parent = grids[level + 1] if level + 1 < layout.levels else None
        plan = _plan(shape, None if parent is None else parent.shape)
        pabs = _abs32(parent)
        flat = np.zeros(plan.size + 1, np.int32)
        keep = [None, None]
        if not layout.context:  # factorised: the grid is one group, no flags
            _take_group(dec, models, next_byte(), flat, slice(0, plan.size))
            grids[level] = flat[:-1].reshape(shape)
            continue
        if plan.blocked:
            nz = np.zeros(int(np.prod(plan.nblocks)), bool)
            ctx = plan.flag_context(pabs)
            for _, blocks in _split(np.arange(nz.size), ctx, len(_FLAG_EDGES) + 1):
                p = next_byte()
                if p:
                    nz[blocks] = dec.take_coded(blocks.size, entropy.bit_model(p)) != 0
            keep = [nz[plan.block[0]], nz[plan.block[1]]]
        pflat = None if pabs is None else pabs.ravel()
        for pass_b in (False, True):
            for members in _pass_groups(plan, pass_b, keep[int(pass_b)], pflat, flat):
                _take_group(dec, models, next_byte(), flat, members)
        grids[level] = flat[:-1].reshape(shape)
    if t != len(table):
        raise ValueError("latent table longer than its groups")
    dec.finish()
    return grids
