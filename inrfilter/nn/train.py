"""The batched training loop shared by every method.

One Adam optimiser updates the parameters of B networks at once (each tensor has a
leading batch dimension).  The loss is the sum of the chunks' own MSEs, so every
chunk's gradient is independent of the others.  Each chunk keeps its best parameters
(by full-grid MSE); training stops when every chunk is at its target MSE, or when
the step or time budget runs out.  Random minibatches come from numpy's generator,
so the same seed gives the same training on any device.
"""

from __future__ import annotations

import math
import time
from typing import Callable

import numpy as np
import torch
from tqdm.auto import tqdm

from ..budget import Budget, Params
from ..effort import hopeless
from ..grid import unit_points

#: forward(params, x) -> predictions [B, N], or (predictions, penalty [B]) where the
#: penalty (a regulariser) is added to the training loss but not to the tracked MSE.
#: x is [N, ndim] (shared by the chunks) or [B, N, ndim] (one set per chunk).  With
#: explicit ``points`` and targets ``[B, N, C]``, predictions are ``[B, N, C]``.
Forward = Callable[[dict[str, torch.Tensor], torch.Tensor], "torch.Tensor | tuple[torch.Tensor, torch.Tensor]"]

#: share of a step budget trained with the weights' quantiser in the loop (Budget.quant_step)
QAT_SHARE = 0.3
#: in that phase a full-grid chunk's rounded network is evaluated every this many steps
QAT_EVAL_EVERY = 5
#: chunks with at most this many voxels train on the full grid every step
FULL_GRID_POINTS = 1 << 14
EVAL_BLOCK = 1 << 16


def _predict(forward: Forward, params, x) -> tuple[torch.Tensor, torch.Tensor | None]:
    out = forward(params, x)
    return out if isinstance(out, tuple) else (out, None)


def _per_row(weights: torch.Tensor, err2: torch.Tensor) -> torch.Tensor:
    """``weights [B, N]`` shaped to multiply ``err2 [B, N, ...]``: one weight per input
    row, shared by that row's outputs."""
    return weights.view(*weights.shape, *[1] * (err2.dim() - 2))


def _steps(p: torch.Tensor, alpha: float) -> torch.Tensor:
    """Each chunk's quantisation step for tensor ``p [B, ...]``, as
    :func:`inrfilter.quant.weight_exponents` sets it when packing (the power of two
    nearest alpha * RMS, 1 for zeros, no finer than peak / 2**20)."""
    flat = p.detach().flatten(1).double()
    rms = flat.pow(2).mean(dim=1).sqrt()
    peak = flat.abs().amax(dim=1)
    e = torch.where(rms > 0, torch.round(torch.log2(alpha * rms.clamp(min=1e-300))), torch.zeros_like(rms))
    floor = torch.where(peak > 0, torch.ceil(torch.log2(peak.clamp(min=1e-300) / 2.0**20)), torch.full_like(peak, -126))
    e = torch.maximum(e, floor).clamp(-126, 127)
    return torch.pow(2.0, e).float().view(-1, *[1] * (p.dim() - 1))


def _quantisation_noise(params: dict[str, torch.Tensor], alpha: float,
                        generators: list[torch.Generator]) -> dict[str, torch.Tensor]:
    """``params`` plus uniform noise of one quantisation step: the differentiable
    stand-in for rounding (Balle et al. 2017), so the weights learn to sit where any
    rounding within half a step costs little (the encoder may then pick a finer step).
    Each chunk (row of the batch) draws its noise from its own generator, so its training,
    and its bytes, do not depend on which chunks share its batch (the encode pool merges
    callers' chunks into batches of any size)."""
    out = {}
    for name, p in params.items():
        noise = torch.stack([torch.rand(p.shape[1:], generator=g, device=p.device) for g in generators])
        out[name] = p + (noise - 0.5) * _steps(p, alpha)
    return out


def _rounded(params: dict[str, torch.Tensor], alpha: float | None) -> dict[str, torch.Tensor]:
    """The weights as the decoder will see them (rounded to their steps); unchanged for None."""
    if alpha is None:
        return params
    out = {}
    for name, p in params.items():
        step = _steps(p, alpha)
        out[name] = torch.round(p.detach() / step) * step
    return out


def _full_mse(forward: Forward, params, coords, targets, weights, count) -> torch.Tensor:
    """Each chunk's tracked MSE: sum of ``weights * err**2`` (weights 1 when None) over
    ``coords`` (the whole grid or the voxels that count), divided by ``count`` times
    the outputs per row (so a multi-output MSE is per value, as in training)."""
    total = torch.zeros(targets.shape[0], device=targets.device, dtype=torch.float64)
    with torch.no_grad():
        for start in range(0, coords.shape[0], EVAL_BLOCK):
            pred, _ = _predict(forward, params, coords[start : start + EVAL_BLOCK])
            err2 = (pred - targets[:, start : start + EVAL_BLOCK]).double() ** 2
            if weights is not None:
                err2 = err2 * _per_row(weights[:, start : start + EVAL_BLOCK], err2)
            total += err2.flatten(1).sum(dim=1)
    return total / (count * targets[0, 0].numel())


def fit_batched(
    forward: Forward,
    init: list[Params],
    chunks: np.ndarray,
    budget: Budget,
    device: torch.device,
    lr: float | dict[str, float],
    points_per_step: int = FULL_GRID_POINTS,
    desc: str = "fit",
    active: np.ndarray | None = None,
    points: np.ndarray | None = None,
    score: np.ndarray | None = None,
    optimiser: str = "adam",
) -> list[Params]:
    """Train ``len(init)`` networks on ``chunks [B, *shape]``; return each chunk's best params.

    ``active`` (bool ``[B, *shape]``), when given, restricts training samples and the
    tracked MSE to each chunk's active voxels (each chunk needs at least one).
    ``points`` (``[N, k]``), when given, are the training inputs instead of the chunk's
    voxel grid (e.g. wavelet coefficients' positions tagged with their scale); the
    targets are then ``chunks [B, N]``, or ``[B, N, C]`` for C outputs per input
    (the tracked MSE averages over them too); ``active`` and ``score`` are then ``[B, N]``.
    ``score`` (float ``[B, *shape]``), when given, makes the tracked MSE (which picks
    each chunk's best parameters and decides early stopping) the grid mean of
    ``score * err**2`` instead: a method whose decoder restores some voxels without the
    network gives them weight 0, so the tracked value is that of the decoded chunk.
    Only voxels with a nonzero weight in some chunk are evaluated.
    ``optimiser`` is "adam" or "adamax" (the optimiser some papers prescribe).
    """
    batch = chunks.shape[0]
    if points is None:
        coords_np, _ = unit_points(chunks.shape[1:], None)
        flat = chunks.reshape(batch, -1)
    else:
        coords_np, flat = np.asarray(points), chunks
        if coords_np.ndim != 2 or chunks.ndim not in (2, 3) or chunks.shape[1] != coords_np.shape[0]:
            raise ValueError(f"points [N, k] need chunks [B, N] or [B, N, C]; got {coords_np.shape}, {chunks.shape}")
    coords = torch.as_tensor(coords_np, dtype=torch.float32, device=device)
    targets = torch.as_tensor(flat, dtype=torch.float32, device=device)
    n_points = coords.shape[0]

    params = {
        name: torch.nn.Parameter(torch.as_tensor(np.stack([p[name] for p in init]), device=device))
        for name in init[0]
    }
    scale = float(budget.lr_scale)
    groups = (
        [{"params": [params[n] for n in params], "lr": lr * scale}]
        if isinstance(lr, (int, float))
        else [{"params": [params[n]], "lr": lr[n] * scale} for n in params]
    )
    optimisers = {"adam": torch.optim.Adam, "adamax": torch.optim.Adamax}
    if optimiser not in optimisers:
        raise ValueError(f"optimiser must be one of {sorted(optimisers)}; got {optimiser!r}")
    optimiser = optimisers[optimiser](groups)
    if budget.steps is None and budget.seconds is None:
        raise ValueError("a training budget needs steps, seconds or both")
    unbounded = budget.steps is None  # only a time budget
    steps = 2**62 if unbounded else budget.steps
    scheduler = None
    if not unbounded:  # cosine decay to a tenth of the starting rate over the step budget
        scheduler = torch.optim.lr_scheduler.LambdaLR(
            optimiser, lambda s: 0.1 + 0.45 * (1 + math.cos(math.pi * min(s, steps) / steps))
        )

    weights, count, eval_coords, eval_targets = None, float(n_points), coords, targets
    if active is not None:
        flat_active = active.reshape(batch, n_points)
        if not flat_active.any(axis=1).all():
            raise ValueError("every chunk needs at least one active voxel")
        active_idx = [np.flatnonzero(m) for m in flat_active]
        weights = torch.as_tensor(flat_active, dtype=torch.float64, device=device)
        count = weights.sum(dim=1).clamp(min=1)
    # A chunk that fits in one step trains on its whole grid, its mask (if any) as loss
    # weights; larger masked chunks draw a fixed number of their own voxels from their
    # own seeded stream.  Either way a chunk's training does not depend on its batch mates.
    full_grid = n_points <= points_per_step
    active_weight = None
    if active is not None and full_grid:
        active_weight = torch.as_tensor(flat_active, dtype=torch.bool, device=device)
        active_count = count.to(torch.float32) * targets[0, 0].numel()
    grid_score = None
    if score is not None:
        flat_score = np.asarray(score, dtype=np.float64).reshape(batch, n_points)
        if full_grid:
            grid_score = torch.as_tensor(flat_score, dtype=torch.float32, device=device)
        keep = torch.as_tensor(np.flatnonzero((flat_score != 0).any(axis=0)), device=device)
        eval_coords, eval_targets = coords[keep], targets[:, keep]
        weights = torch.as_tensor(flat_score, dtype=torch.float64, device=device)[:, keep]
        count = float(n_points)
    eval_every = 1 if full_grid else 50
    rng = np.random.default_rng(budget.seed)
    chunk_rngs = [np.random.default_rng(budget.seed) for _ in range(batch)] if active is not None and not full_grid else []
    target = None if budget.target_mse is None else torch.as_tensor(budget.target_mse, device=device)
    best_mse = torch.full((batch,), float("inf"), device=device, dtype=torch.float64)
    best = {n: p.detach().clone() for n, p in params.items()}

    def keep_best(mse: torch.Tensor) -> None:
        nonlocal best_mse
        better = mse < best_mse
        for n, p in params.items():
            mask = better.view(-1, *([1] * (p.dim() - 1)))
            best[n] = torch.where(mask, p.detach(), best[n])
        best_mse = torch.where(better, mse, best_mse)

    history: list[tuple[int, np.ndarray]] = []  # (step, best_mse) for the hopeless-target test
    record_every = eval_every * max(1, steps // 200 // eval_every) if not unbounded else eval_every
    given_up = np.zeros(batch, dtype=bool)
    start = time.monotonic()
    # tqdm's disable=None hides the bar when stderr is not a terminal
    show = {True: False, False: True, None: None}[budget.progress]
    bar = tqdm(total=None if unbounded else steps, desc=desc, disable=show, leave=False, unit="step")
    step = 0
    qat_start = None if budget.quant_step is None or unbounded else int(steps * (1 - QAT_SHARE))
    noise_rngs = [torch.Generator(device=device).manual_seed(budget.seed) for _ in range(batch)]
    in_qat = False
    quant_step = None if budget.quant_step is None else float(budget.quant_step)
    while step < steps:
        live = params
        if qat_start is not None and step >= qat_start:
            if not in_qat:  # from here on the best is judged on rounded weights
                best_mse = torch.full_like(best_mse, float("inf"))
                in_qat = True
            live = _quantisation_noise(params, quant_step, noise_rngs)
        if full_grid:
            pred, penalty = _predict(forward, live, coords)
            err = pred - targets
            if active_weight is not None:  # inactive voxels (padding, NaN holes) do not count
                err = torch.where(_per_row(active_weight, err), err, torch.zeros((), device=device))
        elif active is None:
            idx = torch.as_tensor(rng.integers(0, n_points, points_per_step), device=device)
            pred, penalty = _predict(forward, live, coords[idx])
            err = pred - targets[:, idx]
        else:  # each chunk draws its own points among its active voxels, from its own stream
            idx = torch.as_tensor(np.stack([i[r.integers(0, len(i), points_per_step)]
                                            for i, r in zip(active_idx, chunk_rngs)]), device=device)
            pred, penalty = _predict(forward, live, coords[idx])
            err = pred - targets[torch.arange(batch, device=device)[:, None], idx]
        per_chunk = ((err**2).flatten(1).mean(dim=1) if active_weight is None
                     else (err**2).flatten(1).sum(dim=1) / active_count)
        if full_grid and not in_qat:
            tracked = per_chunk if grid_score is None else (err**2 * _per_row(grid_score, err)).flatten(1).mean(dim=1)
            keep_best(tracked.detach().double())
        elif in_qat and step == qat_start or step % (QAT_EVAL_EVERY if full_grid else eval_every) == 0:
            keep_best(_full_mse(forward, _rounded(params, quant_step if in_qat else None), eval_coords,
                                eval_targets, weights, count))
        if target is not None:
            met = (best_mse <= target).cpu().numpy()
            if met.all():
                if qat_start is None or in_qat:
                    break
                # met in float: train the quantised phase now (its share of the budget) instead of stopping
                qat_start = step + 1
                steps = min(steps, qat_start + max(1, int(QAT_SHARE * steps)))
            if not unbounded and not in_qat and step % record_every == 0:
                history.append((step, best_mse.cpu().numpy()))
                given_up |= hopeless(history, step, steps, budget.target_mse) & ~met
                if (met | given_up).all():
                    break
        if budget.seconds is not None and time.monotonic() - start > budget.seconds:
            break
        optimiser.zero_grad(set_to_none=True)
        (per_chunk.sum() if penalty is None else (per_chunk + penalty).sum()).backward()
        optimiser.step()
        if scheduler is not None:
            scheduler.step()
        step += 1
        if step % 25 == 0:
            worst = float(best_mse.max())
            bar.set_postfix(worst_psnr=f"{10 * math.log10(4 / worst):.1f}" if 0 < worst < float("inf") else "-")
        bar.update(1)
    bar.close()
    keep_best(_full_mse(forward, _rounded(params, quant_step if in_qat else None), eval_coords, eval_targets,
                        weights, count))
    budget.report = {"steps": step, "hopeless": given_up & (best_mse > target).cpu().numpy()
                     if target is not None else given_up}
    return [{n: best[n][b].cpu().numpy().astype(np.float32) for n in best} for b in range(batch)]
