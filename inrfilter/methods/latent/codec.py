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
"""

from __future__ import annotations

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


def _neighbour_sum(absq: np.ndarray) -> np.ndarray:
    padded = np.pad(absq, 1)
    total = np.zeros(absq.shape, np.int64)
    core = tuple(slice(1, -1) for _ in absq.shape)
    for axis in range(absq.ndim):
        for shift in (-1, 1):
            sl = list(core)
            sl[axis] = slice(1 + shift, padded.shape[axis] - 1 + shift)
            total += padded[tuple(sl)]
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


def encode_latents(layout: Layout, grids: list[np.ndarray]) -> bytes:
    ints = [np.rint(g).astype(np.int64) for g in grids]
    bound = max(int(np.abs(q).max()) if q.size else 0 for q in ints)
    if bound > entropy.MAX_BOUND:
        raise ValueError("latent values too large to code")
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


def decode_latents(layout: Layout, data: bytes) -> list[np.ndarray]:
    bound, pos = entropy._read_varint(data, 0)
    if bound > entropy.MAX_BOUND:
        raise ValueError("latent bound out of range")
    n_table, pos = entropy._read_varint(data, pos)
    if pos + n_table > len(data):
        raise ValueError("latent table runs past the end")
    table = data[pos : pos + n_table]
    dec = entropy.LaplaceDecoder(data[pos + n_table :], bound)
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


def pack(layout: Layout, params: dict[str, np.ndarray]) -> bytes:
    """Weights section of quantised params (integer-valued latents, weights on their steps)."""
    latents = encode_latents(layout, [params[f"z{i}"] for i in range(layout.levels)])
    weights = entropy.encode_weights([params[n] for n in layout.weight_names], params["wexp"])
    return _varint(len(latents)) + latents + weights


def unpack(layout: Layout, data: bytes) -> dict[str, np.ndarray]:
    n, pos = entropy._read_varint(data, 0)
    if pos + n > len(data):
        raise ValueError("latent stream runs past the end of the weights section")
    grids = decode_latents(layout, data[pos : pos + n])
    shapes = layout.param_shapes()
    weights = entropy.decode_weights(data[pos + n :], [shapes[k] for k in layout.weight_names])
    params = {f"z{i}": g.astype(np.float32) for i, g in enumerate(grids)}
    params.update(dict(zip(layout.weight_names, weights)))
    return params
