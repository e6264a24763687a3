"""Planning one SCI chunk before training: partition, drop flat blocks, allocate widths.

The result is a :class:`~.sci_layout.Layout` (what the blob stores) plus each network
block's spectrum concentration.  numpy and scipy only.

The budget: ``a_max = max(1, P // block_params)`` blocks (the reference code's rule,
1361 parameters per block: a 5-layer width-20 SIREN in 3-D).  The side information (the
zstd'd partition codes and widths) is charged to the parameter budget at two bytes per
parameter (fp16), so a chunk's blob stays at the size its ladder rung promised.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .alloc import allocate
from .layout import MEAN, NET, SPLIT, Layout
from .partition import (
    SOLVERS, box_slices, build_tree, concentration, equidistant_counts, grid_boxes, mean_nodes, min_level,
    program_tree,
)

PARTITIONS = ("adaptive", "equidistant", "none")


@dataclass
class Plan:
    layout: Layout
    objective: float  # size-weighted concentration of the network blocks chosen


def plan_chunk(chunk: np.ndarray, total: int, options: dict[str, Any]) -> Plan:
    """Partition ``chunk`` (values in [-1, 1]) and size each block's network within ``total``."""
    shape = chunk.shape
    a_max = max(1, total // int(options["block_params"]))
    kind = options["partition"]
    if kind == "adaptive":
        blocks, make = _adaptive(chunk, a_max, total, options)
    elif kind in ("equidistant", "none"):
        counts = equidistant_counts(shape, a_max, int(options["min_side"])) if kind == "equidistant" else (1,) * len(shape)
        blocks, make = _grid(chunk, counts, total, options)
    else:
        raise ValueError(f"sci: partition must be one of {PARTITIONS}; got {kind!r}")

    candidates = [i for i, (_, flat) in enumerate(blocks) if not flat]
    sizes = np.array([chunk[box_slices(blocks[i][0])].size for i in candidates], float)
    conc = np.array([concentration(chunk[box_slices(blocks[i][0])], int(options["top"])) for i in candidates])
    fixed_means = len(blocks) - len(candidates)
    ndim, layers, fr = len(shape), int(options["layers"]), float(options["fr"])

    def build(side: int) -> tuple[Layout, list]:
        widths = allocate(sizes, conc, total - fixed_means - side, options["alloc"], ndim, layers, fr,
                          int(options["min_width"]))
        per_block: list[tuple[int, int] | None] = [None] * len(blocks)
        for i, w in zip(candidates, widths):
            per_block[i] = w
        return make(per_block), widths

    layout, widths = build(0)
    layout.w0_hidden = float(options["w0_hidden"])
    side = (len(layout.to_spec()["t"]) + 1) // 2  # bytes of side information, in fp16 parameters
    if side < total - fixed_means:
        layout, widths = build(side)
        layout.w0_hidden = float(options["w0_hidden"])
    objective = sum(s / chunk.size * d for s, d, w in zip(sizes, conc, widths) if w is not None)
    return Plan(layout, float(objective))


def _adaptive(chunk: np.ndarray, a_max: int, total: int, options: dict[str, Any]):
    """Blocks chosen by the integer program, and a maker of the tree layout."""
    shape, min_side = chunk.shape, int(options["min_side"])
    level = min_level(shape, a_max, min_side)
    geo = build_tree(shape, level + int(options["levels"]) - 1, min_side)
    tree = program_tree(chunk, geo, level, float(options["flat_var"]), int(options["top"]))
    _, chosen = SOLVERS[options["solver"]](tree, a_max)
    means = mean_nodes(tree, chosen)
    order = _preorder_blocks(geo.children, set(chosen) | set(means))
    blocks = [(geo.boxes[n], n in means) for n in order]

    def make(widths: list[tuple[int, int] | None]) -> Layout:
        slot = {n: w for n, w in zip(order, widths)}
        codes: list[int] = []
        net_widths: list[tuple[int, int]] = []

        def emit(n: int) -> None:
            if n in slot:
                codes.append(MEAN if slot[n] is None else NET)
                if slot[n] is not None:
                    net_widths.append(slot[n])
                return
            codes.append(SPLIT + geo.masks[n])
            for c in geo.children[n]:
                emit(c)

        emit(0)
        return Layout.from_tree(shape, int(options["layers"]), float(options["w0"]), total, codes,
                                net_widths)

    return blocks, make


def _grid(chunk: np.ndarray, counts: tuple[int, ...], total: int, options: dict[str, Any]):
    """Equidistant (or single) blocks, flat ones stored as means, and a maker of the grid layout."""
    boxes = grid_boxes(chunk.shape, counts)
    flat_var = float(options["flat_var"])
    blocks = [(box, float(chunk[box_slices(box)].var()) <= flat_var) for box in boxes]

    def make(widths: list[tuple[int, int] | None]) -> Layout:
        kinds = [MEAN if w is None else NET for w in widths]
        nets = [w for w in widths if w is not None]
        if all(c == 1 for c in counts):  # no partition: a one-node tree
            return Layout.from_tree(chunk.shape, int(options["layers"]), float(options["w0"]), total,
                                    kinds, nets)
        return Layout.from_grid(chunk.shape, int(options["layers"]), float(options["w0"]), total, counts,
                                kinds, nets)

    return blocks, make


def _preorder_blocks(children: list[list[int]], blocks: set[int]) -> list[int]:
    out: list[int] = []

    def walk(n: int) -> None:
        if n in blocks:
            out.append(n)
            return
        for c in children[n]:
            walk(c)

    walk(0)
    return out
