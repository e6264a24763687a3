"""The method contract: a family of models and how to fit them (docs/methods.md).

A method never touches bytes, dtypes or NaN: it sees float32 chunks normalised to
[-1, 1] and returns parameters as dicts of numpy arrays.  ``fit`` trains B chunks
at once (torch, batched); ``evaluate`` is the numpy reference decoder.  Modules of
methods import torch only inside ``fit`` so reading never needs it.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from ..budget import Budget, Params
from ..grid import Where

Spec = dict[str, Any]

__all__ = ["Budget", "Method", "Params", "Spec", "finite_voxels"]


class Method(ABC):
    """One INR family. Subclasses are stateless; options arrive as keyword arguments."""

    name: str = ""
    #: method options a user may pass, with their defaults
    defaults: dict[str, Any] = {}

    def check_options(self, options: dict[str, Any]) -> dict[str, Any]:
        """Reject unknown options; fill defaults."""
        unknown = set(options) - set(self.defaults)
        if unknown:
            raise TypeError(
                f"method {self.name!r} has no option(s) {sorted(unknown)}; it takes {sorted(self.defaults)}"
            )
        return {**self.defaults, **options}

    @abstractmethod
    def specs(self, shape: tuple[int, ...], options: dict[str, Any]) -> list[Spec]:
        """Architectures for chunks of ``shape`` in increasing parameter count, finely
        spaced: the size ladder the fidelity targets choose from."""

    def check_spec(self, spec: Any, shape: tuple[int, ...]) -> None:
        """Validate a spec read from a blob (any msgpack value) for chunks of ``shape``;
        raise :class:`~inrfilter.blob.BlobError` naming the field when it is not one
        this method writes.  The decoder calls it before any other method code, so
        ``param_shapes``/``evaluate`` may assume a well-formed spec, and an exception
        from them is a bug, not corruption.  Methods override it with every field's
        type and range (:class:`~inrfilter.methods.spec.SpecReader`); this default
        only requires a map of names to numbers, strings, bytes or lists of them."""
        from .spec import SpecReader

        reader = SpecReader(spec, self.name)

        def plain(v: Any, depth: int = 0) -> bool:
            if isinstance(v, float):
                return math.isfinite(v)
            if isinstance(v, (list, tuple)):
                return depth < 2 and all(plain(x, depth + 1) for x in v)
            return isinstance(v, (bool, int, str, bytes))

        for key, value in spec.items():
            if not plain(value):
                raise reader.error(key, "must be a finite number, a string, bytes or a short list of them")

    @abstractmethod
    def param_shapes(self, spec: Spec, shape: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
        """Names and shapes of the stored float parameters, in storage order."""

    @abstractmethod
    def init_params(self, spec: Spec, shape: tuple[int, ...], rng: np.random.Generator) -> Params:
        """Initial parameters drawn from numpy's RNG (device independent).

        The encoder also packs these to size a ladder spec, so their count (and value
        spread) must be those of the trained parameters for that spec."""

    def side_info(self, values: np.ndarray, holes: np.ndarray | None, norm: Any,
                  options: dict[str, Any]) -> Spec:
        """Spec entries one chunk needs besides its ladder spec (a stored mask, a
        background value), known before the network is sized so that their bytes
        count against the size target.  ``values`` is the normalised chunk, ``holes``
        its non-finite voxels (or None), ``norm`` the :class:`~inrfilter.chunk.Normalisation`
        from the user's units to ``values``.  The encoder hands them to ``fit`` in
        ``Budget.side``; ``fit`` stores them in the spec it returns.  Default: none."""
        return {}

    @abstractmethod
    def fit(
        self, chunks: np.ndarray, spec: Spec, budget: Budget, device: Any, options: dict[str, Any]
    ) -> list[tuple[Spec, Params]]:
        """Train one network per chunk of ``chunks`` ``[B, *shape]``, all in one optimiser.

        Returns each chunk's stored spec and parameters.  The spec may be refined per
        chunk from the data (a partition, a mask), as long as its parameter count stays
        that of the ladder spec it was given.  Small data-dependent side information
        may ride in the spec as zstd-compressed ``bytes`` (msgpack stores them; they
        count in the blob).  ``options`` are the checked method options (training
        settings such as the learning rate live there, not in the stored spec)."""

    @abstractmethod
    def evaluate(self, params: Params, spec: Spec, shape: tuple[int, ...], where: Where) -> np.ndarray:
        """Numpy reference decoder: normalised values on the grid, a region or points."""

    # -- reduced-resolution reads (optional) ---------------------------------------
    def levels(self, spec: Spec, shape: tuple[int, ...]) -> int:
        """How many reduced-resolution levels ``evaluate_level`` offers (0: none).
        Level k has the shape ``inrfilter.levels.level_shape(shape, k)``."""
        return 0

    def evaluate_level(
        self, params: Params, spec: Spec, shape: tuple[int, ...], region: Where, level: int
    ) -> np.ndarray:
        """Normalised values of the level-``level`` approximation on a region of that
        level's grid (None: all of it), in the units of ``evaluate``."""
        if level == 0:
            return self.evaluate(params, spec, shape, region)
        raise ValueError(f"method {self.name!r} has no reduced-resolution levels; read level 0")

    def lowpass(self, values: np.ndarray, spec: Spec, shape: tuple[int, ...], level: int) -> np.ndarray:
        """The level-``level`` approximation of a full-resolution array (the max_error
        residual), scaled as ``evaluate_level`` scales its values."""
        if level == 0:
            return values
        raise ValueError(f"method {self.name!r} has no reduced-resolution levels; read level 0")

    def n_params(self, spec: Spec, shape: tuple[int, ...]) -> int:
        return int(sum(np.prod(s) for s in self.param_shapes(spec, shape).values()))


def finite_voxels(holes: np.ndarray | None) -> np.ndarray | None:
    """``fit_batched``'s ``active`` mask for chunks with non-finite holes: the core
    restores holes itself, and their fill-ins (nearest finite values, sharp-edged
    where land meets sea) would otherwise take network capacity and count in the
    tracked error.  None when there are no holes; a chunk that is all holes keeps
    every voxel, since training needs at least one."""
    if holes is None:
        return None
    active = ~holes
    empty = ~active.reshape(len(active), -1).any(axis=1)
    active[empty] = True
    return active
