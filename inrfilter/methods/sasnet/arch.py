"""SASNet's architecture: spec <-> shapes, groups and the size ladder (numpy only).

A stored spec (msgpack, counted in the blob) holds:

- ``w`` width of every sine layer, ``l`` sine layers (the frozen frequency
  embedding plus ``l - 1`` hidden layers), ``w0`` of the hidden layers, ``s`` the
  seed the frozen frequencies are regenerated from, ``f`` = [band limit, low range,
  high bands, low fraction, period, reference size] of the embedding;
- with masks: ``g`` neuron groups per hidden layer, ``t`` log2 of the hash-table
  size, ``r`` the levels' resolutions, ``d`` the mask decoder's hidden width.

Sizing the masks from the budget (the paper's 12 levels x 2^11 entries x 2 features
= 49k parameters would be the whole blob of a 1 MB chunk at ratio 20): the hash
tables and mask decoder get about ``mask_share`` (default 30%; the reference code's
image configuration gives them 12%) of the parameter count of the rung.  A third
of that goes to the decoder (hidden width up to the paper's 48, at least 2), two
thirds to the tables (the largest ``T <= 11``, the paper's value, that fits).  Level
resolutions grow geometrically by at most 1.5 per level (at most 12 levels, the
paper's count) from 1/8 of the finest to the finest, half the chunk's longest axis
(the paper's 16..256 spans 16x on volumes of 100-200 voxels; a mask needs no finer
detail than the band it gates).  Levels with at most 2^T vertices are stored dense,
so coarse levels cost only what they hold.  The smallest rungs (tiny chunks at high
ratios) keep only the coarsest levels and fewer neuron groups.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from ..common import MAX_LAYERS, MAX_W0, MAX_WIDTH, sine_layer_init
from ..base import SpecReader, element
from .frequencies import DEFAULT_PERIOD, Embedding, frequency_embedding
from .hashgrid import HashGrid, geometric_resolutions

FEATURES = 2  # hash-grid feature dimension (the paper's)
MAX_LOG2_TABLE = 11  # the paper's 2^11 entries per level
MIN_LOG2_TABLE = 2
MAX_LEVELS = 12  # the paper's level count
LEVEL_GROWTH = 1.5
MAX_DECODER_WIDTH = 48  # the paper's mask decoder width
DECODER_SHARE = 1.0 / 3.0


@dataclass(frozen=True)
class Arch:
    """Everything the forward pass needs, derived from a spec and a chunk shape."""

    shape: tuple[int, ...]
    width: int
    layers: int
    w0: float
    embedding: Embedding
    grid: HashGrid | None
    groups: int
    decoder_width: int
    bands: int

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def masked(self) -> bool:
        return self.grid is not None

    @property
    def n_masks(self) -> int:
        return self.bands + (self.layers - 1) * self.groups

    def hidden_group_index(self) -> np.ndarray:
        """Group of each hidden neuron (equal-sized groups, as in the paper; sizes
        differ by at most one when ``groups`` does not divide the width)."""
        return (np.arange(self.width) * self.groups) // self.width

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        w = self.width
        shapes: dict[str, tuple[int, ...]] = {"b0": (w,)}  # the embedding's weights are frozen: not stored
        for i in range(1, self.layers):
            shapes[f"W{i}"], shapes[f"b{i}"] = (w, w), (w,)
        shapes[f"W{self.layers}"], shapes[f"b{self.layers}"] = (w, 1), (1,)
        if self.grid is not None:
            shapes["H"] = (self.grid.entries, self.grid.features)
            shapes["D0"], shapes["d0"] = (self.grid.out_features, self.decoder_width), (self.decoder_width,)
            shapes["D1"], shapes["d1"] = (self.decoder_width, self.n_masks), (self.n_masks,)
        return shapes

    def init_params(self, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """SIREN initialisation for the sine layers, torch-Linear defaults for the mask
        decoder and the embedding bias, N(0, 0.01) hash features (the reference code's)."""
        p, w = self.ndim, self.width
        params = {"b0": rng.uniform(-1 / math.sqrt(p), 1 / math.sqrt(p), w).astype(np.float32)}
        for i in range(1, self.layers + 1):
            fan_out = 1 if i == self.layers else w
            params[f"W{i}"], params[f"b{i}"] = sine_layer_init(rng, w, fan_out, self.w0, first=False)
        if self.grid is not None:
            params["H"] = self.grid.init_table(rng)
            for name, (fan_in, fan_out) in (("0", (self.grid.out_features, self.decoder_width)),
                                            ("1", (self.decoder_width, self.n_masks))):
                bound = 1 / math.sqrt(fan_in)
                params[f"D{name}"] = rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32)
                params[f"d{name}"] = rng.uniform(-bound, bound, fan_out).astype(np.float32)
        return params


def arch_of(spec: dict[str, Any], shape: tuple[int, ...]) -> Arch:
    """The architecture a (stored) spec describes for chunks of ``shape``."""
    return _arch(_freeze(spec), tuple(int(n) for n in shape))


#: bounds of the embedding's settings in a stored spec (the options allow any positive
#: band limit; the effective one never passes the chunk's Nyquist frequency anyway)
MAX_BAND_SETTING = 1 << 20
MAX_BANDS = 1024


def check_spec(spec: Any, shape: tuple[int, ...]) -> None:
    """Every field of a stored spec typed and within what :func:`ladder` and ``fit``
    write (BlobError otherwise), so :func:`arch_of` can trust it."""
    r = SpecReader(spec, "sasnet")
    width = r.int("w", min_width(len(shape)) - 1, MAX_WIDTH)
    r.int("l", 1, MAX_LAYERS)
    r.float("w0", 0.0, MAX_W0, open_low=True), r.int("s", 0, 2**64 - 1, 0)
    f = r.list("f", 6)
    band_limit = element(r, "f", 0, f[0], int, 1, MAX_BAND_SETTING)
    element(r, "f", 1, f[1], int, 1, band_limit)
    element(r, "f", 2, f[2], int, 1, MAX_BANDS)
    element(r, "f", 3, f[3], float, 1e-300, 1 - 1e-16)  # (0, 1), as the option
    element(r, "f", 4, f[4], float, 1e-3, 1e3)
    element(r, "f", 5, f[5], int, 0, MAX_BAND_SETTING)
    if any(r.has(k) for k in "gtrd"):
        r.int("g", 1, width), r.int("t", MIN_LOG2_TABLE, MAX_LOG2_TABLE), r.int("d", 1, MAX_DECODER_WIDTH)
        r.ints("r", 1, MAX_LEVELS, 1, 2 * max(shape) + 2)
    r.done()


def _freeze(spec: dict[str, Any]) -> tuple:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in spec.items()))


@lru_cache(maxsize=64)
def _arch(frozen: tuple, shape: tuple[int, ...]) -> Arch:
    spec = dict(frozen)
    band_limit, low_range, bands, low_fraction, period, reference_size = spec["f"]
    width, layers = int(spec["w"]), int(spec["l"])
    if not (1 <= layers <= 16 and len(shape) < width <= MAX_WIDTH):
        raise ValueError(f"sasnet spec out of range: width {width}, layers {layers}")
    embedding = frequency_embedding(shape, width, int(spec.get("s", 0)), int(band_limit), int(low_range),
                                    int(bands), float(low_fraction), float(period), int(reference_size))
    grid = None
    if "r" in spec:
        grid = HashGrid(len(shape), tuple(int(r) for r in spec["r"]), int(spec["t"]), FEATURES)
    return Arch(shape, width, layers, float(spec["w0"]), embedding, grid, int(spec.get("g", 0)),
                int(spec.get("d", 0)), int(bands))


def level_resolutions(shape: tuple[int, ...]) -> tuple[int, ...]:
    """Geometric levels from 1/8 of the finest to the finest, half the longest axis."""
    finest = max(2, math.ceil(max(shape) / 2))
    coarsest = max(2, finest // 8)
    count = 1 if finest == coarsest else 1 + math.ceil(math.log(finest / coarsest) / math.log(LEVEL_GROWTH))
    return geometric_resolutions(coarsest, finest, min(MAX_LEVELS, count))


def backbone_params(width: int, layers: int) -> int:
    return width + (layers - 1) * (width * width + width) + width + 1


def mask_config(shape: tuple[int, ...], width: int, layers: int, options: dict[str, Any]) -> dict[str, Any]:
    """Spec entries of the mask network of a rung: about ``mask_share`` of its parameters.

    Two thirds go to the tables: the largest ``T <= 11`` whose levels fit, and at the
    smallest rungs (where even 4 entries a level do not fit) only the coarsest levels.
    One third goes to the decoder: its hidden width, between 2 and 48.  Tiny rungs
    also have fewer neuron groups (at least 2 neurons a group)."""
    share = float(options["mask_share"])
    groups = min(int(options["groups"]), max(1, width // 2))
    n_masks = int(options["bands"]) + (layers - 1) * groups
    budget = share / (1 - share) * backbone_params(width, layers)
    tables = (1 - DECODER_SHARE) * budget
    resolutions = level_resolutions(shape)
    log2 = MIN_LOG2_TABLE
    for t in range(MAX_LOG2_TABLE, MIN_LOG2_TABLE - 1, -1):
        if HashGrid(len(shape), resolutions, t, FEATURES).n_params <= tables:
            log2 = t
            break
    while len(resolutions) > 1 and HashGrid(len(shape), resolutions, log2, FEATURES).n_params > tables:
        resolutions = resolutions[:-1]
    per_width = FEATURES * len(resolutions) + 1 + n_masks
    decoder = int(np.clip((DECODER_SHARE * budget - n_masks) // per_width, 2, MAX_DECODER_WIDTH))
    return {"g": groups, "t": log2, "r": list(resolutions), "d": decoder}


def min_width(ndim: int) -> int:
    """At least one neuron beyond the axis unit vectors."""
    return ndim + 2


def ladder(shape: tuple[int, ...], options: dict[str, Any]) -> list[dict[str, Any]]:
    """Specs of increasing size: every width from the smallest useful one to MAX_WIDTH."""
    layers = int(options["layers"])
    embedding = [int(options["band_limit"]), int(options["low_range"]), int(options["bands"]),
                 float(options["low_fraction"]), DEFAULT_PERIOD, int(options["reference_size"])]
    specs = []
    for width in range(min_width(len(shape)), MAX_WIDTH + 1):
        spec: dict[str, Any] = {"w": width, "l": layers, "w0": float(options["w0"]), "f": embedding}
        if options["masks"]:
            spec.update(mask_config(shape, width, layers, options))
        specs.append(spec)
    return specs
