"""The method contract: a family of models and how to fit them (docs/methods.md).

A method never touches bytes, dtypes or NaN: it sees float32 chunks normalised to
[-1, 1] and returns parameters as dicts of numpy arrays.  ``fit`` trains B chunks
at once (torch, batched); ``evaluate`` is the numpy reference decoder.  Modules of
methods import torch only inside ``fit`` so reading never needs it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from ..budget import Budget, Params
from ..grid import Where
from ..options import Option, OptionError, check_options

Spec = dict[str, Any]

__all__ = ["Budget", "Method", "Params", "Spec", "finite_voxels"]


class Method(ABC):
    """One INR family. Subclasses are stateless; options arrive as keyword arguments."""

    name: str = ""
    #: the options a user may pass: type, range and default of each (inrfilter.options)
    options: dict[str, Option] = {}

    @property
    def defaults(self) -> dict[str, Any]:
        """Each option's default value."""
        return {name: option.default for name, option in self.options.items()}

    def check_options(self, options: dict[str, Any]) -> dict[str, Any]:
        """Every option checked against its declaration, defaults filled in, then the
        relations between options (:meth:`check_relations`); OptionError otherwise."""
        checked = check_options(f"method {self.name!r}", self.options, options)
        problem = self.check_relations(checked)
        if problem:
            raise OptionError(f"method {self.name!r}: {problem}")
        return checked

    def check_relations(self, options: dict[str, Any]) -> str | None:
        """What is wrong with a combination of individually valid options (None: nothing)."""
        return None

    @abstractmethod
    def specs(self, shape: tuple[int, ...], options: dict[str, Any]) -> list[Spec]:
        """Architectures for chunks of ``shape`` in increasing parameter count, finely
        spaced: the size ladder the fidelity targets choose from."""

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

    # -- methods that code their own parameters and set their own rate (optional) -------
    #: True: the encoder hands ratio/psnr targets to :meth:`fit_rate` instead of sizing
    #: networks with the ladder of :meth:`specs` (a latent codec's size is set by its
    #: rate, not by its architecture).  Such a method also codes its own parameters.
    rate_targeted: bool = False

    def fit_rate(self, chunks: np.ndarray, budget: Budget, device: Any, options: dict[str, Any], *,
                 param_bytes: np.ndarray | None, target_mse: np.ndarray | None) -> list[tuple[Spec, Params]]:
        """Train B chunks to a target (rate-targeted methods only): ``param_bytes`` [B] is
        each chunk's budget for its :meth:`pack_params` bytes (blob size target minus
        header and other sections; the result must not exceed it and should stay within
        15 % below it); ``target_mse`` [B] is the quality target in normalised units
        (range 2).  Exactly one of them is given.  Returns each chunk's spec and
        parameters, already quantised (``pack_params`` must round-trip them)."""
        raise NotImplementedError(f"method {self.name!r} is sized by the encoder's ladder")

    def pack_params(self, params: Params, spec: Spec, shape: tuple[int, ...], quant: str) -> bytes:
        """The weights section of a blob.  Default: the core quantiser (``inrfilter.quant``)."""
        from ..quant import quantise

        return quantise(params, self.param_shapes(spec, shape), quant)

    def unpack_params(self, data: bytes, spec: Spec, shape: tuple[int, ...], quant: str) -> Params:
        """Inverse of :meth:`pack_params`; any ValueError becomes the reader's BlobError."""
        from ..quant import dequantise

        return dequantise(data, self.param_shapes(spec, shape), quant)

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
