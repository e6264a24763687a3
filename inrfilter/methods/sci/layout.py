"""How an SCI chunk is stored: the partition, each block's funnel widths, and the flat
parameter vector ``theta`` they index.  numpy only (the decoder's side).

Spec keys (msgpack, short because the header counts in the ratio):
``P`` total stored parameters, ``l`` linear layers per block network, ``w0`` the
first layer's frequency factor, ``wh`` the hidden layers' (absent: SIREN's 30),
``g`` blocks per axis (equidistant grid; absent for a tree), ``t`` the bytes
``codes || widths``, zstd-compressed when that is shorter (told apart by zstd's magic
number, which no code byte can start).  For a tree, ``codes`` is one byte per node in preorder:
0 a network block, 1 a mean block, 2 + m a node split along the axes of bit mask m
(children: lower half first, last split axis fastest).  For a grid, one byte per block
(C order), 0 or 1.  ``widths`` is (first width, hidden width) as little-endian uint16
for each network block, in block order.  A spec without ``t`` (a size-ladder rung) is
one network block over the whole chunk, sized to P with the funnel ratio ``fr``.

``theta`` holds the network blocks' parameters in block order (per block W0 b0 W1 b1 ...
as :func:`.widths.funnel_shapes` lists them), then one value per mean block, then zeros up to P
(padding that zstd squeezes away: it stands for the bytes the side information takes).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import zstandard

from .alloc import allocate
from .partition import Box, child_boxes, grid_boxes, grid_edges
from .widths import funnel_params, funnel_shapes

NET, MEAN, SPLIT = 0, 1, 2
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
DEFAULT_FR = 2.2
#: the hidden layers' w0 when a spec does not say (SIREN's, and the reference code's)
HIDDEN_W0 = 30.0


@dataclass
class Leaf:
    box: Box
    net: bool
    f1: int = 0
    h: int = 0

    @property
    def size(self) -> int:
        return int(np.prod([b - a for a, b in self.box]))


@dataclass
class _Node:
    box: Box
    code: int
    children: list[int] = field(default_factory=list)
    leaf: int = -1


@dataclass
class Layout:
    """A chunk's blocks, their architectures, and where their parameters sit in theta."""

    shape: tuple[int, ...]
    layers: int
    w0: float
    total: int
    leaves: list[Leaf]
    grid: tuple[int, ...] | None = None
    nodes: list[_Node] = field(default_factory=list)  # tree only: the stored tree in preorder
    w0_hidden: float = HIDDEN_W0

    @property
    def wh(self) -> float:
        """The hidden sine layers' frequency factor."""
        return self.w0_hidden

    # -- construction -------------------------------------------------------------------
    @classmethod
    def from_tree(cls, shape, layers, w0, total, codes: list[int], widths: list[tuple[int, int]]) -> "Layout":
        """Rebuild a tree layout from its preorder codes (and network widths in order)."""
        nodes: list[_Node] = []
        leaves: list[Leaf] = []
        pos = 0

        def visit(box: Box) -> int:
            nonlocal pos
            if pos >= len(codes):
                raise ValueError("partition codes end early")
            code = int(codes[pos])
            pos += 1
            n = len(nodes)
            nodes.append(_Node(box, code))
            if code >= SPLIT:
                mask = code - SPLIT
                if mask <= 0 or mask >= 1 << len(box):
                    raise ValueError(f"bad split code {code}")
                kids = child_boxes(box, mask)
                if any(b - a < 1 for kid in kids for a, b in kid):
                    raise ValueError(f"split code {code} empties a block")
                nodes[n].children = [visit(c) for c in kids]
            elif code in (NET, MEAN):
                nodes[n].leaf = len(leaves)
                leaves.append(Leaf(box, code == NET))
            return n

        visit(tuple((0, s) for s in shape))
        if pos != len(codes):
            raise ValueError("partition codes do not parse to one tree")
        layout = cls(tuple(shape), layers, w0, total, leaves, None, nodes)
        layout._set_widths(widths)
        return layout

    @classmethod
    def from_grid(cls, shape, layers, w0, total, counts, kinds: list[int], widths) -> "Layout":
        boxes = grid_boxes(tuple(shape), tuple(counts))
        if len(kinds) != len(boxes) or any(k not in (NET, MEAN) for k in kinds):
            raise ValueError("grid block codes do not match the grid")
        layout = cls(tuple(shape), layers, w0, total, [Leaf(b, k == NET) for b, k in zip(boxes, kinds)],
                     tuple(int(c) for c in counts))
        layout._set_widths(widths)
        return layout

    @classmethod
    def single(cls, shape, layers, w0, total, fr: float = DEFAULT_FR) -> "Layout":
        """One network over the whole chunk using ``total`` as fully as the fit would (a
        ladder rung: its packed size estimates the fitted blob's)."""
        widths = allocate([1], [1.0], total, "equal", len(shape), layers, fr, 1)[0]
        if widths is None:
            return cls.from_tree(shape, layers, w0, total, [MEAN], [])
        return cls.from_tree(shape, layers, w0, total, [NET], [widths])

    def _set_widths(self, widths) -> None:
        nets = [leaf for leaf in self.leaves if leaf.net]
        if len(widths) != len(nets):
            raise ValueError(f"{len(widths)} widths for {len(nets)} network blocks")
        for leaf, (f1, h) in zip(nets, widths):
            if f1 < 1 or h < 1:
                raise ValueError("block widths must be positive")
            leaf.f1, leaf.h = int(f1), int(h)
        if self.used() > self.total:
            raise ValueError(f"blocks need {self.used()} parameters, the spec stores {self.total}")

    # -- storage ------------------------------------------------------------------------
    def codes(self) -> list[int]:
        if self.grid is not None:
            return [NET if leaf.net else MEAN for leaf in self.leaves]
        return [n.code for n in self.nodes]

    def to_spec(self) -> dict:
        widths = np.array([(leaf.f1, leaf.h) for leaf in self.leaves if leaf.net], "<u2").reshape(-1, 2)
        raw = np.array(self.codes(), np.uint8).tobytes() + widths.tobytes()
        packed = zstandard.ZstdCompressor(level=19).compress(raw)
        spec = {"P": int(self.total), "l": int(self.layers), "w0": float(self.w0),
                "t": packed if len(packed) < len(raw) else raw}
        if self.wh != HIDDEN_W0:
            spec["wh"] = float(self.wh)
        if self.grid is not None:
            spec["g"] = list(self.grid)
        return spec

    @classmethod
    def from_spec(cls, spec: dict, shape: tuple[int, ...], max_bytes: int = 1 << 26) -> "Layout":
        """The layout a stored spec describes; ValueError when its partition does not
        parse (``max_bytes`` bounds the decompressed partition)."""
        layout = cls._from_spec(spec, shape, max_bytes)
        layout.w0_hidden = float(spec.get("wh", HIDDEN_W0))
        return layout

    @classmethod
    def _from_spec(cls, spec: dict, shape: tuple[int, ...], max_bytes: int) -> "Layout":
        total, layers, w0 = int(spec["P"]), int(spec["l"]), float(spec["w0"])
        if layers < 3:
            raise ValueError("a funnel network has at least 3 layers")
        if "t" not in spec:
            return cls.single(shape, layers, w0, total, float(spec.get("fr", DEFAULT_FR)))
        raw = bytes(spec["t"])
        if raw.startswith(ZSTD_MAGIC):  # a code byte is at most 17, so raw codes never start so
            try:
                raw = zstandard.ZstdDecompressor().decompress(raw, max_output_size=max_bytes,
                                                         allow_extra_data=False)
                if len(raw) > max_bytes:
                    raise ValueError(f"partition holds more than {max_bytes} bytes")
            except zstandard.ZstdError as exc:
                raise ValueError(f"partition bytes unreadable ({exc})") from exc
        if "g" in spec:
            counts = [int(c) for c in spec["g"]]
            if len(counts) != len(shape) or min(counts) < 1:
                raise ValueError("bad grid counts")
            n = int(np.prod(counts))
            kinds = list(raw[:n])
            widths = np.frombuffer(raw[n:], "<u2").reshape(-1, 2).tolist()
            return cls.from_grid(shape, layers, w0, total, counts, kinds, widths)
        codes = _tree_codes(raw, len(shape))
        widths = np.frombuffer(raw[len(codes):], "<u2").reshape(-1, 2).tolist()
        return cls.from_tree(shape, layers, w0, total, codes, widths)

    # -- parameters ---------------------------------------------------------------------
    def block_shapes(self, leaf: Leaf) -> list[tuple[str, tuple[int, ...]]]:
        return funnel_shapes(len(self.shape), self.layers, leaf.f1, leaf.h)

    def used(self) -> int:
        """Parameters the blocks use (networks plus one per mean block)."""
        ndim = len(self.shape)
        return sum(funnel_params(ndim, self.layers, lf.f1, lf.h) if lf.net else 1 for lf in self.leaves)

    def offsets(self) -> list[int]:
        """Where each block's parameters start in theta (networks first, then means)."""
        ndim, pos, out = len(self.shape), 0, [0] * len(self.leaves)
        for i, leaf in enumerate(self.leaves):
            if leaf.net:
                out[i] = pos
                pos += funnel_params(ndim, self.layers, leaf.f1, leaf.h)
        for i, leaf in enumerate(self.leaves):
            if not leaf.net:
                out[i] = pos
                pos += 1
        return out

    def unpack(self, theta: np.ndarray, i: int, offset: int) -> dict[str, np.ndarray]:
        """Block i's network parameters (views into theta)."""
        out, pos = {}, offset
        for name, shape in self.block_shapes(self.leaves[i]):
            size = int(np.prod(shape))
            out[name] = theta[pos : pos + size].reshape(shape)
            pos += size
        return out

    # -- lookup -------------------------------------------------------------------------
    def locate(self, voxels: np.ndarray) -> np.ndarray:
        """Block index of each integer voxel position ``[N, ndim]``."""
        if self.grid is not None:
            flat = np.zeros(len(voxels), np.int64)
            for k, (n, c) in enumerate(zip(self.shape, self.grid)):
                idx = np.searchsorted(grid_edges(n, c)[1:-1], voxels[:, k], side="right")
                flat = flat * c + idx
            return flat
        out = np.empty(len(voxels), np.int64)
        stack = [(0, np.arange(len(voxels)))]
        while stack:
            n, members = stack.pop()
            node = self.nodes[n]
            if not node.children:
                out[members] = node.leaf
                continue
            for c in node.children:
                box = self.nodes[c].box
                inside = np.ones(len(members), bool)
                for k, (a, b) in enumerate(box):
                    inside &= (voxels[members, k] >= a) & (voxels[members, k] < b)
                stack.append((c, members[inside]))
        return out


def _tree_codes(raw: bytes, ndim: int) -> list[int]:
    """The preorder codes at the start of ``raw`` (they end where the tree closes)."""
    codes, open_slots, pos = [], 1, 0
    while open_slots:
        if pos >= len(raw):
            raise ValueError("partition codes end early")
        code = raw[pos]
        pos += 1
        codes.append(code)
        open_slots -= 1
        if code >= SPLIT:
            mask = code - SPLIT
            if mask <= 0 or mask >= 1 << ndim:
                raise ValueError(f"bad split code {code}")
            open_slots += 1 << bin(mask).count("1")
    return codes
