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

from ..blob import BlobError
from ..budget import Budget, Params
from ..grid import Where
from ..options import Option, OptionError, check_options

Spec = dict[str, Any]

__all__ = ["Budget", "Method", "Params", "Spec", "SpecReader", "finite_voxels"]


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

    def check_spec(self, spec: Any, shape: tuple[int, ...]) -> None:
        """Validate a spec read from a blob (any msgpack value) for chunks of ``shape``;
        raise :class:`~inrfilter.blob.BlobError` naming the field when it is not one
        this method writes.  The decoder calls it before any other method code, so
        ``param_shapes``/``evaluate`` may assume a well-formed spec, and an exception
        from them is a bug, not corruption.  Methods override it with every field's
        type and range (:class:`SpecReader`); this default
        only requires a map of names to numbers, strings, bytes or lists of them."""
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


# -- typed reads of a stored spec, for Method.check_spec ----------------------------------
# A spec comes out of a blob's msgpack header, so it may hold anything msgpack can:
# SpecReader takes each field with its type and range and raises BlobError naming the
# method and the field.  bools are not ints, strings are not numbers, floats are finite.

_MISSING = object()


class SpecReader:
    """Reads fields of one stored spec; :meth:`done` refuses fields nobody read."""

    def __init__(self, spec: Any, method: str):
        if not isinstance(spec, dict) or not all(isinstance(k, str) for k in spec):
            raise BlobError(f"corrupted blob header: {method} spec is not a map of names")
        self.spec, self.method, self._seen = spec, method, set()

    def error(self, key: str, what: str) -> BlobError:
        return BlobError(f"corrupted blob header: {self.method} spec field {key!r} {what}; "
                         f"got {self.spec.get(key)!r:.80}")

    def has(self, key: str) -> bool:
        return key in self.spec

    def _get(self, key: str, default: Any) -> Any:
        self._seen.add(key)
        if key not in self.spec:
            if default is _MISSING:
                raise BlobError(f"corrupted blob header: {self.method} spec lacks field {key!r}")
            return default
        return self.spec[key]

    def int(self, key: str, lo: int, hi: int, default: Any = _MISSING) -> int:
        v = self._get(key, default)
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise self.error(key, f"must be an integer in {lo}..{hi}")
        return v

    def float(self, key: str, lo: float, hi: float, default: Any = _MISSING, *, open_low: bool = False) -> float:
        v = self._get(key, default)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise self.error(key, "must be a number")
        v = float(v)
        if not math.isfinite(v) or not lo <= v <= hi or (open_low and v == lo):
            raise self.error(key, f"must be a finite number in {'(' if open_low else '['}{lo}, {hi}]")
        return v

    def bytes(self, key: str, max_len: int, default: Any = _MISSING) -> bytes:
        v = self._get(key, default)
        if not isinstance(v, (bytes, bytearray)) or len(v) > max_len:
            raise self.error(key, f"must be at most {max_len} bytes")
        return bytes(v)

    def str(self, key: str, allowed: tuple[str, ...], default: Any = _MISSING) -> str:
        v = self._get(key, default)
        if not isinstance(v, str) or v not in allowed:
            raise self.error(key, "is not one of the allowed names")
        return v

    def ints(self, key: str, min_count: int, max_count: int, lo: int, hi: int) -> list[int]:
        v = self._get(key, _MISSING)
        if (not isinstance(v, (list, tuple)) or not min_count <= len(v) <= max_count
                or not all(isinstance(x, int) and not isinstance(x, bool) and lo <= x <= hi for x in v)):
            raise self.error(key, f"must be {min_count}..{max_count} integers in {lo}..{hi}")
        return list(v)

    def list(self, key: str, count: int) -> list:
        v = self._get(key, _MISSING)
        if not isinstance(v, (list, tuple)) or len(v) != count:
            raise self.error(key, f"must be a list of {count}")
        return list(v)

    def done(self) -> None:
        unknown = set(self.spec) - self._seen
        if unknown:
            raise BlobError(f"corrupted blob header: {self.method} spec has unknown fields {sorted(unknown)}")


def element(reader: SpecReader, key: str, index: int, value: Any, kind: type, lo: float, hi: float) -> Any:
    """One element of a list field, typed and bounded like :meth:`SpecReader.int`/``float``."""
    ok = not isinstance(value, bool) and (isinstance(value, int) if kind is int else isinstance(value, (int, float)))
    if ok:
        ok = math.isfinite(float(value)) and lo <= value <= hi
    if not ok:
        raise reader.error(key, f"element {index} must be {'an integer' if kind is int else 'a number'} "
                                f"in [{lo}, {hi}]")
    return kind(value)
