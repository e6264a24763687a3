"""Writing blobs: prepare -> size the network -> fit (batched) -> pack -> verify.

Every fidelity figure written into a header is measured on what the numpy
reference decoder returns for that very blob.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import zstandard

from . import blob as blobfmt
from .chunk import Normalisation, PreparedChunk, cast, check_array, encode_nonfinite, max_int_difference, prepare, valid_mask
from .decoder import ParsedChunk
from .effort import TargetWarning, preset, stop_climbing
from .fidelity import Target, encode_residual, max_abs_error, psnr, residual_step
from .header import CONSTANT, LOSSLESS, ChunkHeader
from .methods import Budget, Method, get_method
from .options import ENCODE_OPTIONS, check_options
from .quant import ALPHAS, DEFAULT_QUANT, ENTROPY_ALPHA, quantise

#: training stops early a little above the psnr target, so fp16 rounding keeps it met
PSNR_TRAINING_MARGIN_DB = 0.3
#: the psnr size ladder: blob sizes raw/R for these R, smallest network first
LADDER_RATIOS = (1024, 512, 256, 128, 64, 32, 16, 8, 4, 2)


@dataclass
class _Job:
    """One chunk on its way to a blob."""

    array: np.ndarray
    prepared: PreparedChunk
    nonfinite: bytes | None
    blob: bytes | None = None
    #: the method's per-chunk side information (Method.side_info), set before sizing
    side: dict = field(default_factory=dict)
    psnr: float = -math.inf
    #: training gave up on this chunk's psnr target (the curve could not reach it)
    gave_up: bool = False
    #: the blob is the lossless copy because no network was smaller / met the bound
    fell_back: bool = False
    #: the byte budget of the network being fitted (ratio target or psnr ladder rung)
    target_bytes: float = math.inf
    _lossless: bytes | None = field(default=None, repr=False)

    @property
    def raw_nbytes(self) -> int:
        """Bytes of the chunk's valid part (an edge chunk's padding is not data)."""
        return self.prepared.valid_count * self.array.dtype.itemsize

    def base_header(self, method: str, **kw: Any) -> ChunkHeader:
        return ChunkHeader(method, self.array.dtype, self.array.shape, **kw)

    def sections(self, **extra: bytes) -> dict[str, bytes]:
        sections = dict(extra)
        if self.nonfinite is not None:
            sections["n"] = self.nonfinite
        return sections

    def lossless(self) -> bytes:
        if self._lossless is None:
            data = zstandard.ZstdCompressor(level=9).compress(np.ascontiguousarray(self.array).tobytes())
            self._lossless = blobfmt.pack(self.base_header(LOSSLESS).to_dict(), {"l": data})
        return self._lossless

    def constant(self) -> bytes:
        header = self.base_header(CONSTANT, constant=self.prepared.constant)
        return blobfmt.pack(header.to_dict(), self.sections())


def check_arguments(
    method: str, *, ratio: Any = None, psnr: Any = None, max_error: Any = None, steps: Any = None,
    seconds: Any = None, seed: Any = 0, transform: Any = None, quant: Any = DEFAULT_QUANT, effort: Any = None,
    **method_options: Any,
) -> tuple[Method, dict[str, Any], Target]:
    """Validate encoder arguments without torch: (method, its checked options, target).

    The store codecs call this when they are made, so a bad setting fails when an
    array is created rather than at its first write."""
    m = get_method(method)
    options = m.check_options(method_options)
    given = {"ratio": ratio, "psnr": psnr, "max_error": max_error, "steps": steps, "seconds": seconds, "seed": seed,
             "transform": transform, "quant": quant, "effort": effort}
    checked = check_options(f"encode (method {m.name!r})", ENCODE_OPTIONS, given)
    target = Target.from_args(checked["ratio"], checked["psnr"], checked["max_error"])
    return m, options, target


def check_chunk_target(method: str, shape: tuple[int, ...], dtype: Any, *, ratio: Any = None, quant: str = DEFAULT_QUANT,
                       **method_options: Any) -> None:
    """ValueError when an explicit ``ratio`` cannot be met by any network for chunks of
    ``shape`` and ``dtype`` (the smallest network's blob, before any data-dependent
    side information, is larger than raw/ratio): the HDF5 filter checks this when a
    dataset is created, so the setting fails there and not at a flush.  No torch."""
    if ratio is None:
        return
    m = get_method(method)
    options = m.check_options(method_options)
    if m.rate_targeted:  # its size follows its rate, not a ladder: no smallest network to compare
        return
    dtype, shape = np.dtype(dtype), tuple(int(n) for n in shape)
    raw = int(np.prod(shape)) * dtype.itemsize
    spec = m.specs(shape, options)[0]
    header = ChunkHeader(m.name, dtype, shape, spec=spec, norm=Normalisation(-1.0, 1.0), quant=quant)
    weights = quantise(m.init_params(spec, shape, np.random.default_rng(0)), m.param_shapes(spec, shape), quant)
    smallest = len(blobfmt.pack(header.to_dict(), {"w": weights}))
    if smallest > raw / float(ratio):
        raise ValueError(
            f"ratio={float(ratio):g} is impossible for {shape} {dtype} chunks ({raw} bytes): the smallest "
            f"{m.name} network and header take {smallest} bytes; use larger chunks or a ratio of at most "
            f"{raw / smallest:.3g}")


def torch_device(device: Any):
    """The torch device for ``device`` ("auto": CUDA when torch sees one); imports torch."""
    try:
        from .nn import resolve_device
    except ImportError as exc:  # pragma: no cover - exercised only without torch
        raise ImportError("encoding trains networks and needs torch: pip install 'inrfilter[encode]' "
                          "(no GPU: pip install torch --index-url https://download.pytorch.org/whl/cpu first)") from exc
    return resolve_device(device)


class _Encoder:
    """Encodes a batch of same-shape chunks with one method and one target."""

    def __init__(self, method: Method, options: dict[str, Any], target: Target, quant: str,
                 budget: Budget, device: Any):
        self.method, self.options, self.target, self.quant = method, options, target, quant
        self.budget, self.device = budget, device
        self._packed_sizes: dict[tuple[str, tuple[int, ...]], int] = {}

    # -- sizing -----------------------------------------------------------------
    def _weights_bytes(self, spec: dict, shape: tuple[int, ...]) -> int:
        """Packed size of the initial weights (a close estimate of the trained ones'),
        remembered: every chunk of a batch asks about the same architectures."""
        key = (repr(spec), shape)
        if key not in self._packed_sizes:
            init = self.method.init_params(spec, shape, np.random.default_rng(self.budget.seed))
            self._packed_sizes[key] = len(quantise(init, self.method.param_shapes(spec, shape), self.quant))
        return self._packed_sizes[key]

    def size_spec(self, job: _Job, target_bytes: float) -> dict | None:
        """Largest architecture whose blob fits ``target_bytes``; None if none does."""
        shape = job.array.shape
        specs = self.method.specs(shape, self.options)
        header = job.base_header(self.method.name, spec={**specs[0], **job.side}, norm=job.prepared.norm,
                                 quant=self.quant)
        overhead = len(blobfmt.pack(header.to_dict(), job.sections(w=b"")))
        budget = target_bytes - overhead
        if self._weights_bytes(specs[0], shape) > budget:
            return None
        lo, hi = 0, len(specs) - 1
        while lo < hi:  # largest index whose weights fit
            mid = (lo + hi + 1) // 2
            if self._weights_bytes(specs[mid], shape) <= budget:
                lo = mid
            else:
                hi = mid - 1
        return specs[lo]

    # -- one finished network -> blob -----------------------------------------
    def _pack(self, job: _Job, spec: dict, params: dict[str, np.ndarray], alpha: float) -> tuple[bytes, ChunkHeader] | None:
        """A trained network (+ residual) packed and measured with the reference
        decoder; None when the max_error bound cannot be met at all."""
        p = job.prepared
        weights = self._weights(params, spec, job.array.shape, alpha)
        header = job.base_header(self.method.name, spec=spec, norm=p.norm, quant=self.quant)
        sections = job.sections(w=weights)
        reference = ParsedChunk(blobfmt.pack(header.to_dict(), sections))
        full = tuple(slice(0, n, 1) for n in job.array.shape)
        approx = reference.network(full)
        if self.target.max_error is not None:
            max_abs = float(np.abs(p.original[p.measured]).max())
            step = residual_step(self.target.max_error, p.norm, job.array.dtype, max_abs)
            if step <= 0:
                return None
            sections["r"], code, approx = encode_residual(p.original, approx, p.measured, step)
            header.residual = (step, code)
        decoded = cast(approx, job.array.dtype)
        restored = decoded.astype(np.float64)
        header.psnr = psnr(p.original, restored, p.measured)
        header.max_abs_error = max_abs_error(p.original, restored, p.measured)
        if self.target.max_error is not None and job.array.dtype.kind in "iu":
            # the bound proved on the integers themselves (float64 cannot hold them beyond 2**53)
            if max_int_difference(np.asarray(job.array)[p.measured], decoded[p.measured]) > self.target.max_error:
                return None
        return blobfmt.pack(header.to_dict(), sections), header

    def _choose(self, job: _Job, candidates: list[tuple[bytes, ChunkHeader]]) -> tuple[bytes, ChunkHeader]:
        """Rate-distortion choice among one network's codings (entropy steps): under a
        max_error bound the smallest blob that meets it; for a psnr goal the smallest
        blob that reaches it (else the best psnr); for a size the best psnr within the
        chunk's byte budget (else the smallest blob)."""
        if self.target.max_error is not None:
            met = [c for c in candidates if c[1].max_abs_error <= self.target.max_error]
            return min(met or candidates, key=lambda c: len(c[0]))
        if self.target.psnr is not None:
            met = [c for c in candidates if c[1].psnr >= self.target.psnr]
            return min(met, key=lambda c: len(c[0])) if met else max(candidates, key=lambda c: c[1].psnr)
        fits = [c for c in candidates if len(c[0]) <= job.target_bytes]
        return max(fits, key=lambda c: c[1].psnr) if fits else min(candidates, key=lambda c: len(c[0]))

    def finish(self, job: _Job, spec: dict, params: dict[str, np.ndarray]) -> None:
        """Pack a trained network (+ residual), measure it with the reference decoder,
        and keep it unless the lossless copy is smaller or the bound cannot be met.
        Entropy-coded weights are packed at every step of ``ALPHAS`` and chosen by
        :meth:`_choose`."""
        alphas = ALPHAS if self.quant == "entropy" and self._core_packing else (ENTROPY_ALPHA,)
        candidates = [c for c in (self._pack(job, spec, params, a) for a in alphas) if c is not None]
        if not candidates:
            self._keep_lossless(job)
            return
        candidate, header = self._choose(job, candidates)
        bound_met = self.target.max_error is None or header.max_abs_error <= self.target.max_error
        if not bound_met or len(candidate) >= len(job.lossless()):
            self._keep_lossless(job)
        else:
            self._keep(job, candidate, header.psnr)
            job.fell_back = False

    @staticmethod
    def _keep(job: _Job, blob: bytes, achieved: float) -> None:
        job.blob, job.psnr = blob, achieved

    def _keep_lossless(self, job: _Job) -> None:
        """Store the chunk's lossless copy (the encoder warns about every such chunk)."""
        self._keep(job, job.lossless(), math.inf)
        job.fell_back = True

    def _lossless_or_impossible(self, job: _Job, target_bytes: float, why: str) -> None:
        """No model fits ``target_bytes``: the lossless copy when it is within 15% of the
        target, else the error saying ``why`` the ratio is impossible."""
        if len(job.lossless()) > target_bytes * 1.15:
            raise ValueError(
                f"ratio={self.target.ratio:g} is impossible for a {job.array.shape} {job.array.dtype} chunk "
                f"({job.raw_nbytes} bytes): {why}; use larger chunks or a lower ratio")
        self._keep_lossless(job)

    def _budget(self, jobs: list[_Job], target_mse: float | None) -> Budget:
        holes = [~j.prepared.measured for j in jobs]
        return Budget(self.budget.steps, self.budget.seconds,
                      None if target_mse is None else np.full(len(jobs), target_mse),
                      self.budget.progress, self.budget.seed,
                      holes=np.stack(holes) if any(h.any() for h in holes) else None,
                      side=[j.side for j in jobs], lr_scale=self.budget.lr_scale,
                      quant_step=ENTROPY_ALPHA if self.quant == "entropy" and self._core_packing else None)

    @property
    def _core_packing(self) -> bool:
        """Whether the method's weights go through the core quantiser (inrfilter.quant),
        whose entropy step the encoder may choose; a method with its own packing
        (``Method.pack_params``, e.g. latent) codes them itself."""
        return type(self.method).pack_params is Method.pack_params

    def _weights(self, params: dict[str, np.ndarray], spec: dict, shape: tuple[int, ...], alpha: float) -> bytes:
        if self._core_packing:
            return quantise(params, self.method.param_shapes(spec, shape), self.quant, alpha)
        return self.method.pack_params(params, spec, shape, self.quant)

    def fit(self, jobs: list[_Job], spec: dict, target_mse: float | None = None) -> None:
        padded = [j for j in jobs if j.prepared.valid is not None]
        if padded and len(padded) < len(jobs):
            # edge chunks train apart: a masked batch computes its loss differently, and
            # whole chunks should get the blobs they get without edge chunks beside them
            self.fit([j for j in jobs if j.prepared.valid is None], spec, target_mse)
            self.fit(padded, spec, target_mse)
            return
        chunks = np.stack([j.prepared.values for j in jobs])
        budget = self._budget(jobs, target_mse)
        fitted = self.method.fit(chunks, spec, budget, self.device, self.options)
        gave_up = (budget.report or {}).get("hopeless")
        for i, (job, (fitted_spec, params)) in enumerate(zip(jobs, fitted)):
            self.finish(job, fitted_spec, params)
            job.gave_up = bool(gave_up[i]) if gave_up is not None and len(gave_up) == len(jobs) else False

    # -- targets ----------------------------------------------------------------
    def by_ratio(self, jobs: list[_Job]) -> None:
        groups: dict[str, tuple[dict, list[_Job]]] = {}
        for job in jobs:
            target_bytes = job.target_bytes = job.raw_nbytes / self.target.ratio
            spec = self.size_spec(job, target_bytes)
            if spec is None and job.prepared.valid is not None:
                # an edge chunk too small for the ratio: the budget of the whole padded
                # chunk, no worse than what HDF5's filter or zarr would store for it
                target_bytes = job.array.nbytes / self.target.ratio
                spec = self.size_spec(job, target_bytes)
            if spec is None and not self.target.ratio_given:
                spec = self.method.specs(job.array.shape, self.options)[0]
            if spec is None:
                smallest = self.method.specs(job.array.shape, self.options)[0]
                self._lossless_or_impossible(job, target_bytes, (
                    f"the smallest {self.method.name} network ({self.method.n_params(smallest, job.array.shape)} "
                    f"parameters) and header do not fit in {target_bytes:.0f} bytes"))
                continue
            groups.setdefault(repr(spec), (spec, []))[1].append(job)
        for spec, members in groups.values():
            self.fit(members, spec)

    # -- methods that set their own rate (Method.rate_targeted) ------------------
    def by_rate(self, jobs: list[_Job]) -> None:
        """One fit for the batch: the method meets the ratio (packed-size budget per chunk:
        target minus header and other sections) or psnr target itself."""
        budget = self._budget(jobs, None)
        if self.target.psnr is not None:
            goal = 4.0 / 10 ** ((self.target.psnr + PSNR_TRAINING_MARGIN_DB) / 10)  # normalised range is 2
            fitted = self.method.fit_rate(np.stack([j.prepared.values for j in jobs]), budget, self.device,
                                          self.options, param_bytes=None, target_mse=np.full(len(jobs), goal))
            for job, (spec, params) in zip(jobs, fitted):
                self.finish(job, spec, params)
            return
        spec = self.method.specs(jobs[0].array.shape, self.options)[0]
        room, kept = [], []
        for job in jobs:
            header = job.base_header(self.method.name, spec={**spec, **job.side}, norm=job.prepared.norm,
                                     quant=self.quant)
            if self.target.max_error is not None:  # the residual's header entry counts; its section comes on top
                header.residual = (1.0, "q")
            overhead = len(blobfmt.pack(header.to_dict(), job.sections(w=b""))) + 8  # spec values may grow
            target_bytes = job.raw_nbytes / self.target.ratio
            if target_bytes - overhead < 16:  # not even an empty model fits
                if not self.target.ratio_given:
                    self._keep_lossless(job)
                else:
                    self._lossless_or_impossible(
                        job, target_bytes, f"the {self.method.name} header alone takes {overhead} bytes")
                continue
            room.append(target_bytes - overhead)
            kept.append(job)
        if not kept:
            return
        fitted = self.method.fit_rate(np.stack([j.prepared.values for j in kept]), self._budget(kept, None),
                                      self.device, self.options, param_bytes=np.asarray(room), target_mse=None)
        for job, (spec, params) in zip(kept, fitted):
            self.finish(job, spec, params)
            if job.blob is job.lossless():  # finish chose the lossless copy (smaller, or the bound)
                continue
            target_bytes = job.raw_nbytes / self.target.ratio
            residual = len(blobfmt.unpack(job.blob)[2].get("r", b""))  # max_error's residual comes on top
            if self.target.ratio_given and len(job.blob) - residual > target_bytes:
                self._lossless_or_impossible(
                    job, target_bytes, f"the smallest {self.method.name} model takes {len(job.blob) - residual} bytes")

    def by_psnr(self, jobs: list[_Job]) -> None:
        goal = self.target.psnr
        target_mse = 4.0 / 10 ** ((goal + PSNR_TRAINING_MARGIN_DB) / 10)  # normalised range is 2
        pending = list(jobs)
        tried: dict[int, set[str]] = {id(job): set() for job in jobs}  # specs each chunk already trained
        for rung, ratio in enumerate(LADDER_RATIOS):
            if not pending:
                return
            before = {id(j): j.psnr for j in pending}
            rungs_left = len(LADDER_RATIOS) - rung - 1
            rung: dict[str, tuple[dict, list[_Job]]] = {}
            for job in pending:
                spec = self.size_spec(job, job.raw_nbytes / ratio)
                if spec is None and ratio == LADDER_RATIOS[-1]:
                    spec = self.method.specs(job.array.shape, self.options)[0]
                if spec is not None and repr(spec) not in tried[id(job)]:
                    tried[id(job)].add(repr(spec))
                    job.target_bytes = job.raw_nbytes / ratio
                    rung.setdefault(repr(spec), (spec, []))[1].append(job)
            trained = set()
            for spec, members in rung.values():
                self.fit(members, spec, target_mse)
                trained.update(id(j) for j in members)
            # A chunk stops climbing when it met the goal, fell back to its lossless copy
            # (a bigger network is bigger still), or its last bigger rung bought too little.
            pending = [j for j in pending if j.blob is None or (
                j.psnr < goal and not j.fell_back
                and not (id(j) in trained and stop_climbing(before[id(j)], j.psnr, goal, rungs_left, j.gave_up)))]
        # No rung reached the goal: the last blob stays, with its psnr recorded.


@dataclass(frozen=True)
class Outcome:
    """What became of one trained chunk: the facts its warnings are made of.  Small and
    picklable, so a pool worker can send it back with the blob and the caller warns."""

    fell_back: bool
    psnr: float
    gave_up: bool
    raw_nbytes: int
    nbytes: int


def warn_outcomes(outcomes: Sequence[Outcome], method: str, psnr_goal: float | None, bounded: bool,
                  stacklevel: int = 4) -> None:
    """One TargetWarning per kind of miss, counting the chunks it hit (``bounded``: a
    max_error was asked for)."""
    n = len(outcomes)
    lossless = [o for o in outcomes if o.fell_back]
    if lossless:
        ratio = sum(o.raw_nbytes for o in lossless) / sum(o.nbytes for o in lossless)
        warnings.warn(f"{len(lossless)} of {n} chunk(s) stored as a lossless copy (ratio {ratio:.2f}): "
                      f"no {method} network was smaller" + (" within max_error" if bounded else ""),
                      TargetWarning, stacklevel=stacklevel)
    if psnr_goal is None:
        return
    missed = [o for o in outcomes if o.psnr < psnr_goal]
    if missed:
        worst = min(o.psnr for o in missed)
        early = sum(o.gave_up for o in missed)
        warnings.warn(f"{len(missed)} of {n} chunk(s) missed psnr={psnr_goal:g}: worst {worst:.1f} dB (recorded in "
                      f"each header)" + (f"; {early} stopped early, the training curve could not reach the "
                                         f"target" if early else ""), TargetWarning, stacklevel=stacklevel)


def encode_batch(
    arrays: Sequence[Any],
    method: str = "siren",
    *,
    ratio: float | None = None,
    psnr: float | None = None,
    max_error: float | None = None,
    steps: int | None = None,
    seconds: float | None = None,
    device: Any = "auto",
    seed: int = 0,
    transform: str | None = None,
    quant: str = DEFAULT_QUANT,
    effort: str | None = None,
    progress: bool | None = None,
    valid: Sequence[Sequence[int] | None] | None = None,
    **method_options: Any,
) -> list[bytes]:
    """Encode chunks of one shape and dtype together: their networks train in one batch.

    Same arguments as :func:`encode`.  A chunk's blob does not depend on which other
    chunks share its batch, except through early stopping and the time budget.
    ``valid`` (one entry per chunk, or None) gives each edge chunk's valid shape, the
    leading corner that lies inside the array; the padding beyond it is left out of
    training and measures, and the ratio counts only the valid bytes.  While an
    :class:`inrfilter.pool.EncodePool` is active, the batch is encoded by its workers.
    """
    m, options, target = check_arguments(method, ratio=ratio, psnr=psnr, max_error=max_error, steps=steps,
                                         seconds=seconds, seed=seed, transform=transform, quant=quant,
                                         effort=effort, **method_options)
    checked, valid = _check_chunks(arrays, valid)
    if not checked:
        return []
    # -- pool routing (inrfilter.pool): the caller validated; a worker encodes, and the
    # pool warns here from the outcomes the workers send back --
    from .pool.active import active_pool

    pool = active_pool()
    if pool is not None:
        return pool.encode_batch(checked, method, valid=valid, ratio=ratio, psnr=psnr, max_error=max_error,
                                 steps=steps, seconds=seconds, device=device, seed=seed, transform=transform,
                                 quant=quant, effort=effort, **method_options)
    blobs, outcomes = _encode_here(m, options, target, checked, valid, steps=steps, seconds=seconds,
                                   device=device, seed=seed, transform=transform, quant=quant, effort=effort,
                                   progress=progress)
    warn_outcomes([o for o in outcomes if o is not None], m.name, target.psnr, target.max_error is not None)
    return blobs


def encode_batch_outcomes(arrays: Sequence[Any], method: str = "siren", *, device: Any = "auto",
                          progress: bool | None = None, valid: Sequence[Sequence[int] | None] | None = None,
                          **kwargs: Any) -> tuple[list[bytes], list[Outcome | None]]:
    """:func:`encode_batch` in this process, without warning: the blobs and, per chunk,
    what became of it (None for chunks that were not trained: constant, lossless-only).
    Pool workers call this and send both back, so the caller's process warns."""
    m, options, target = check_arguments(method, **kwargs)
    checked, valid = _check_chunks(arrays, valid)
    settings = {k: kwargs.get(k) for k in ("steps", "seconds", "transform", "effort")}
    return _encode_here(m, options, target, checked, valid, device=device, seed=kwargs.get("seed", 0),
                        quant=kwargs.get("quant", DEFAULT_QUANT), progress=progress, **settings)


def _check_chunks(arrays: Sequence[Any], valid: Any) -> tuple[list[np.ndarray], list[tuple[int, ...] | None]]:
    """The chunks as arrays of one shape and dtype, and each one's valid shape."""
    checked = [check_array(a) for a in arrays]
    if len({(a.shape, a.dtype.str) for a in checked}) > 1:
        raise ValueError("encode_batch needs chunks of one shape and dtype")
    return checked, _check_valid(valid, checked) if checked else []


def _encode_here(m: Method, options: dict, target: Target, checked: list[np.ndarray],
                 valid: list[tuple[int, ...] | None], *, steps: int | None, seconds: float | None, device: Any,
                 seed: int, transform: str | None, quant: str, effort: str | None,
                 progress: bool | None) -> tuple[list[bytes], list[Outcome | None]]:
    """Prepare, size, train and pack checked chunks in this process."""
    jobs = []
    for a, v in zip(checked, valid):
        p = prepare(a, transform, v)
        all_nan = not p.finite.any() and np.isnan(p.original).all()  # the constant NaN says it all
        jobs.append(_Job(a, p, None if p.finite.all() or all_nan else encode_nonfinite(p.original, p.finite)))
    trainable = []
    for job in jobs:
        if job.prepared.lossless_only:
            job.blob = job.lossless()
        elif job.prepared.norm is None:
            job.blob = job.constant()
        elif target.max_error == 0:
            job.blob = job.lossless()
        else:
            trainable.append(job)
    outcomes: dict[int, Outcome] = {}
    if trainable:
        dev = torch_device(device)
        lr_scale = 1.0
        if steps is None and (seconds is None or effort is not None):
            steps, lr_scale = preset(effort, dev.type)
        budget = Budget(steps=steps, seconds=seconds, progress=progress, seed=int(seed), lr_scale=lr_scale)
        for job in trainable:
            p = job.prepared
            job.side = m.side_info(p.values, None if p.measured.all() else ~p.measured, p.norm, options)
        encoder = _Encoder(m, options, target, quant, budget, dev)
        if m.rate_targeted:
            encoder.by_rate(trainable)
        elif target.psnr is not None:
            encoder.by_psnr(trainable)
        else:
            encoder.by_ratio(trainable)
        outcomes = {id(j): Outcome(j.fell_back, j.psnr, j.gave_up, j.raw_nbytes, len(j.blob or b""))
                    for j in trainable}
    return [job.blob for job in jobs], [outcomes.get(id(job)) for job in jobs]


def _check_valid(valid: Any, arrays: list[np.ndarray]) -> list[tuple[int, ...] | None]:
    """One valid shape (or None) per chunk, each fitting its chunk; ValueError otherwise."""
    if valid is None:
        return [None] * len(arrays)
    valid = list(valid)
    if len(valid) != len(arrays):
        raise ValueError(f"valid has {len(valid)} entries for {len(arrays)} chunks")
    out = []
    for v, a in zip(valid, arrays):
        if v is not None:
            valid_mask(a.shape, v)  # raises when it does not fit
            v = tuple(int(n) for n in v)
        out.append(None if v == a.shape else v)
    return out


def encode(array: Any, method: str = "siren", **kwargs: Any) -> bytes:
    """Compress one chunk into a self-describing blob.

    Targets: ``ratio`` (blob about raw/ratio bytes; default 32 when neither ratio nor
    psnr is given), ``psnr`` (dB over the chunk's finite range: smallest network of a
    size ladder that reaches it), ``max_error`` (every finite value within it after
    decode; combines with either).  ``steps``/``seconds`` bound the training of a
    batch; ``effort`` ("fast", "normal", "best"; default "fast" on a CPU, "normal" on
    a GPU) picks a step budget by name (docs/effort.md) when ``steps`` is not given.  A psnr target the
    training curve cannot reach stops early; a chunk that misses its psnr target or is
    stored lossless raises a :class:`~inrfilter.effort.TargetWarning`.  ``device`` "auto" uses CUDA when torch sees one.
    ``transform="log"`` fits log1p of the shifted data (high dynamic range);
    ``quant`` is "entropy" (default: quantisation-aware training, range-coded
    integers), "fp16", "int8" or "fp32".  Other keyword arguments are the
    method's options.  Same input, seed and device give the same bytes (unless a
    ``seconds`` budget cuts training short).
    """
    if kwargs.get("valid") is not None:  # one chunk: its valid shape
        kwargs["valid"] = [kwargs["valid"]]
    return encode_batch([array], method, **kwargs)[0]
