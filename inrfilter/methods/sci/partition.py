"""SCI's adaptive partitioning: the 2^d-tree, spectrum concentration, and the integer program.

A chunk is the root of a 2^d-tree (quadtree in 2-D, octree in 3-D): a node splits every
axis at ``start + len // 2`` whose length is at least ``2 * min_side`` (so short axes of
odd chunks stop splitting early, and a node may have fewer than 2^d children).  Each node
has a spectrum concentration

    D = (sum of the ``top`` largest |FFT| magnitudes) / (sum of all |FFT| magnitudes),

computed in floating point on the block shifted to [0, 1] (``(x + 1) / 2`` of the
normalised chunk).  D is scale-invariant, so for non-negative data whose chunk minimum is
0 (MRI, CT) it equals the reference code's value on the raw intensities; the reference
truncates both sums to int, which gives 0 on float data.  An all-zero block has D = 1.

The leaves are chosen by the paper's integer program: maximise the size-weighted
concentration sum(|V_n| / |V| * D_n * x_n) over binary x, with exactly one chosen node on
every root-to-leaf path and at most ``a_max`` chosen nodes.  As in the reference code,
nodes above the level ``min_level`` (the deepest level whose cover still fits a_max) may
not be chosen, and the tree reaches ``levels`` levels from there.  A node whose variance
is at most ``flat_var`` is *flat*: it and its subtree leave the program (the path
constraint through it becomes "at most one"), and the part of it that no chosen ancestor
covers is stored as its mean, without a network.

Two exact solvers: :func:`solve_dp`, a dynamic program over the tree (max-plus knapsack
of the children), and :func:`solve_milp`, the integer program given to HiGHS through
``scipy.optimize.milp`` (the reference used Gurobi).  Both return an optimal set of
chosen nodes; tests hold them to the same objective.

The equidistant partition of the ablation is :func:`equidistant_counts`: the reference
code's grid (per-axis counts dividing each axis, whose product is at most a_max, the
most even block sizes on ties).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

Box = tuple[tuple[int, int], ...]


@dataclass
class Tree:
    """A rooted tree in preorder (node 0 is the root) and what the program needs of it.

    ``value[n]`` is the objective coefficient of choosing n (|V_n|/|V| * D_n);
    ``flat[n]`` removes n and its subtree from the program; ``choosable[n]`` is False for
    nodes above the minimum level.
    """

    children: list[list[int]]
    value: np.ndarray
    flat: np.ndarray
    choosable: np.ndarray

    def __len__(self) -> int:
        return len(self.children)

    def parents(self) -> np.ndarray:
        parent = np.full(len(self), -1)
        for n, kids in enumerate(self.children):
            parent[kids] = n
        return parent


@dataclass
class GeoTree:
    """The geometric tree of a chunk: boxes, depths and split masks, in preorder."""

    boxes: list[Box] = field(default_factory=list)
    depth: list[int] = field(default_factory=list)
    masks: list[int] = field(default_factory=list)  # bit k set: axis k is split (0: leaf)
    children: list[list[int]] = field(default_factory=list)


def split_mask(box: Box, min_side: int) -> int:
    """Axes a node splits: those at least twice ``min_side`` long."""
    return sum(1 << k for k, (a, b) in enumerate(box) if b - a >= 2 * min_side)


def child_boxes(box: Box, mask: int) -> list[Box]:
    """Children of ``box`` split along the axes in ``mask``: lower half first, last axis fastest."""
    per_axis = []
    for k, (a, b) in enumerate(box):
        if mask >> k & 1:
            mid = a + (b - a) // 2
            per_axis.append([(a, mid), (mid, b)])
        else:
            per_axis.append([(a, b)])
    return [tuple(c) for c in itertools.product(*per_axis)]


def min_level(shape: tuple[int, ...], a_max: int, min_side: int) -> int:
    """Deepest level whose cover (its nodes plus shallower leaves) has at most a_max blocks."""
    level, frontier, leaves = 0, [tuple((0, n) for n in shape)], 0
    while True:
        nxt = []
        for box in frontier:
            mask = split_mask(box, min_side)
            if mask:
                nxt.extend(child_boxes(box, mask))
            else:
                leaves += 1
        if not nxt or len(nxt) + leaves > a_max:
            return level
        frontier, level = nxt, level + 1


def build_tree(shape: tuple[int, ...], max_depth: int, min_side: int) -> GeoTree:
    """All nodes down to ``max_depth``, in preorder."""
    tree = GeoTree()

    def visit(box: Box, depth: int) -> int:
        n = len(tree.boxes)
        mask = split_mask(box, min_side) if depth < max_depth else 0
        tree.boxes.append(box)
        tree.depth.append(depth)
        tree.masks.append(mask)
        tree.children.append([])
        if mask:
            tree.children[n] = [visit(c, depth + 1) for c in child_boxes(box, mask)]
        return n

    visit(tuple((0, n) for n in shape), 0)
    return tree


def box_slices(box: Box) -> tuple[slice, ...]:
    return tuple(slice(a, b) for a, b in box)


def concentration(block: np.ndarray, top: int = 1) -> float:
    """Spectrum concentration D of a block of values in [-1, 1] (see the module docstring)."""
    mags = np.abs(np.fft.fftn((block.astype(np.float64) + 1.0) / 2.0)).ravel()
    total = mags.sum()
    if total <= 0:
        return 1.0
    k = min(top, mags.size)
    return float(np.partition(mags, mags.size - k)[mags.size - k :].sum() / total)


def program_tree(chunk: np.ndarray, geo: GeoTree, level: int, flat_var: float, top: int) -> Tree:
    """The integer program's tree for one chunk: D-weighted sizes, flat nodes, levels."""
    total = chunk.size
    value, flat = np.zeros(len(geo.boxes)), np.zeros(len(geo.boxes), bool)
    for n, box in enumerate(geo.boxes):
        block = chunk[box_slices(box)]
        flat[n] = float(block.var()) <= flat_var
        if not flat[n]:
            value[n] = block.size / total * concentration(block, top)
    choosable = np.array([d >= level or not kids for d, kids in zip(geo.depth, geo.children)])
    return Tree(geo.children, value, flat, choosable)


# -- solvers ------------------------------------------------------------------------------

def _maxplus(a: np.ndarray, b: np.ndarray, k_max: int) -> np.ndarray:
    """c[k] = max_{i+j=k} a[i] + b[j], for k <= k_max."""
    a = a[: int(np.flatnonzero(np.isfinite(a))[-1]) + 1] if np.isfinite(a).any() else a[:1]
    b = b[: int(np.flatnonzero(np.isfinite(b))[-1]) + 1] if np.isfinite(b).any() else b[:1]
    i = np.arange(len(a))[:, None]
    j = np.arange(k_max + 1)[None, :] - i  # index into b for each (i, k)
    valid = (j >= 0) & (j < len(b))
    with np.errstate(invalid="ignore"):
        sums = np.where(valid, a[:, None] + b[np.clip(j, 0, len(b) - 1)], -np.inf)
    return sums.max(axis=0)


def solve_dp(tree: Tree, a_max: int) -> tuple[float, list[int]]:
    """Exact tree dynamic program: best objective and chosen nodes (ascending).

    best[n][k] is the best objective of n's subtree with exactly k chosen nodes covering
    every non-flat path.  Ties go to fewer blocks, then to choosing a node over splitting it.
    """
    size = len(tree)
    best: list[np.ndarray] = [np.empty(0)] * size
    prefix: list[list[np.ndarray]] = [[] for _ in range(size)]
    choose_here = np.zeros(size, bool)
    for n in reversed(range(size)):  # preorder reversed: children before parents
        table = np.full(a_max + 1, -np.inf)
        if tree.flat[n]:
            table[0] = 0.0
            best[n] = table
            continue
        kids = tree.children[n]
        if kids:
            acc = np.full(a_max + 1, -np.inf)
            acc[0] = 0.0
            for c in kids:
                acc = _maxplus(acc, best[c], a_max)
                prefix[n].append(acc)
            table = acc.copy()
        if tree.choosable[n] and a_max >= 1 and tree.value[n] >= table[1]:
            table[1] = tree.value[n]
            choose_here[n] = True
        best[n] = table
    root = best[0]
    if not np.isfinite(root).any():
        raise ValueError(f"no partition with at most {a_max} blocks covers the chunk")
    k = int(np.flatnonzero(root == root.max())[0])
    chosen: list[int] = []

    def take(n: int, k: int) -> None:
        if tree.flat[n]:
            return
        if k == 1 and choose_here[n]:
            chosen.append(n)
            return
        kids = tree.children[n]
        for j in reversed(range(len(kids))):
            before = prefix[n][j - 1] if j else np.r_[0.0, np.full(a_max, -np.inf)]
            target = prefix[n][j][k]
            for kj in range(k + 1):
                if before[k - kj] + best[kids[j]][kj] == target:
                    take(kids[j], kj)
                    k -= kj
                    break

    take(0, k)
    return float(root[k]), sorted(chosen)


def solve_milp(tree: Tree, a_max: int) -> tuple[float, list[int]]:
    """The paper's integer program, solved by HiGHS (``scipy.optimize.milp``)."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import lil_matrix

    size = len(tree)
    parent = tree.parents()
    under_flat = np.zeros(size, bool)  # flat or below a flat node
    for n in range(size):
        under_flat[n] = tree.flat[n] or (parent[n] >= 0 and under_flat[parent[n]])
    rows, kinds = [], []
    for n in range(size):
        topmost_flat = tree.flat[n] and (parent[n] < 0 or not under_flat[parent[n]])
        leaf_path = not under_flat[n] and not tree.children[n]
        if not (topmost_flat or leaf_path):
            continue
        path, m = [], (parent[n] if topmost_flat else n)
        while m >= 0:
            path.append(m)
            m = parent[m]
        if path or leaf_path:
            rows.append(path)
            kinds.append(leaf_path)
    matrix = lil_matrix((len(rows) + 1, size))
    for r, path in enumerate(rows):
        matrix[r, path] = 1.0
    matrix[len(rows), :] = 1.0
    lower = np.array([1.0 if exact else 0.0 for exact in kinds] + [0.0])
    upper = np.array([1.0] * len(rows) + [float(a_max)])
    free = ~under_flat & tree.choosable
    result = milp(
        -tree.value,
        integrality=np.ones(size),
        bounds=Bounds(np.zeros(size), free.astype(float)),
        constraints=LinearConstraint(matrix.tocsr(), lower, upper),
    )
    if result.status != 0 or result.x is None:
        raise ValueError(f"no partition with at most {a_max} blocks covers the chunk ({result.message})")
    chosen = sorted(int(n) for n in np.flatnonzero(result.x > 0.5))
    return float(tree.value[chosen].sum()), chosen


SOLVERS = {"dp": solve_dp, "milp": solve_milp}


def mean_nodes(tree: Tree, chosen: list[int]) -> list[int]:
    """Topmost flat nodes that no chosen node covers: they are stored as their mean."""
    chosen_set, out = set(chosen), []

    def walk(n: int) -> None:
        if n in chosen_set:
            return
        if tree.flat[n]:
            out.append(n)
            return
        for c in tree.children[n]:
            walk(c)

    walk(0)
    return out


# -- equidistant partition (ablation) ------------------------------------------------------

def equidistant_counts(shape: tuple[int, ...], a_max: int, min_side: int) -> tuple[int, ...]:
    """Blocks per axis, each count dividing its axis (equal blocks, as in the reference
    code) into sides of at least ``min_side``: the largest product <= a_max, the most
    even block sides on ties."""
    divisors = [[c for c in range(1, n // min_side + 1) if n % c == 0] or [1] for n in shape]
    best, best_key = tuple(1 for _ in shape), (1, 0.0)

    def search(axis: int, counts: tuple[int, ...], product: int) -> None:
        nonlocal best, best_key
        if axis == len(shape):
            sides = np.array(shape) / np.array(counts)
            key = (product, -float(sides.var()))
            if key > best_key:
                best, best_key = counts, key
            return
        for c in divisors[axis]:
            if product * c <= a_max:
                search(axis + 1, counts + (c,), product * c)

    search(0, (), 1)
    return best


def grid_edges(n: int, count: int) -> np.ndarray:
    """Block starts of ``count`` near-equal blocks along an axis of length n (plus n)."""
    return np.array([i * n // count for i in range(count + 1)])


def grid_boxes(shape: tuple[int, ...], counts: tuple[int, ...]) -> list[Box]:
    edges = [grid_edges(n, c) for n, c in zip(shape, counts)]
    per_axis = [[(int(e[i]), int(e[i + 1])) for i in range(len(e) - 1)] for e in edges]
    return [tuple(b) for b in itertools.product(*per_axis)]
