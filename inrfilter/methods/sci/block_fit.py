"""Training many blocks of different sizes, each with its own funnel widths, in a few runs.

Blocks are grouped by size (the tree's levels), then cut into buckets whose widest
network is at most ``bucket_ratio`` times the narrowest, so padding wastes little
compute and every block draws about its own voxel count of points per step.  Each bucket is
one :func:`fit_batched` run: one optimiser over every block of the bucket (from every
chunk of the batch), the blocks zero-padded to the bucket's largest block shape with an
``active`` mask over their own voxels, their networks padded to the bucket's widest
and masked (see :mod:`.sci_layers`).  The step budget applies to every run, so each
block trains for ``steps`` steps; a ``seconds`` budget is split evenly over the runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ...nn.train import FULL_GRID_POINTS, fit_batched
from ..base import Budget, Params
from .layers import funnel_forward
from .widths import funnel_shapes


@dataclass
class BlockJob:
    """One block to fit: its values, its network's widths, its initial parameters."""

    values: np.ndarray
    f1: int
    h: int
    init: Params
    target_mse: float | None = None


def _runs(values: list[int], members: list[int], ratio: float) -> list[list[int]]:
    """``members`` cut into runs whose largest value is <= ratio * their smallest."""
    groups: list[list[int]] = []
    for i in sorted(members, key=lambda i: (values[i], i)):
        if groups and values[i] <= ratio * values[groups[-1][0]]:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def buckets(widths: list[int], sizes: list[int], width_ratio: float, size_ratio: float = 2.0) -> list[list[int]]:
    """Indices grouped by block size (voxels within ``size_ratio``: every block of a run
    draws about its own voxel count per step and pads little), then by hidden width
    (within ``width_ratio``: little padded compute)."""
    return [run for by_size in _runs(sizes, list(range(len(sizes))), size_ratio)
            for run in _runs(widths, by_size, width_ratio)]


def fit_blocks(
    jobs: list[BlockJob],
    layers: int,
    w0: tuple[float, float],
    budget: Budget,
    device: torch.device,
    lr: float,
    optimiser: str = "adamax",
    points_per_step: int = FULL_GRID_POINTS,
    bucket_ratio: float = 1.5,
    desc: str = "blocks",
) -> list[Params]:
    """Train every job's network on its block; return each block's best parameters.

    ``w0`` is (first layer's, hidden layers') frequency factor."""
    results: list[Params | None] = [None] * len(jobs)
    groups = buckets([j.h for j in jobs], [j.values.size for j in jobs], bucket_ratio)
    for k, members in enumerate(groups):
        group = [jobs[i] for i in members]
        trained = _fit_bucket(group, layers, w0, budget, len(groups), k, device, lr, optimiser, points_per_step,
                              f"{desc} {k + 1}/{len(groups)}")
        for i, params in zip(members, trained):
            results[i] = params
    return results  # type: ignore[return-value]


def _fit_bucket(group: list[BlockJob], layers: int, w0: tuple[float, float], budget: Budget, runs: int, run: int,
                device: torch.device, lr: float, optimiser: str, points_per_step: int, desc: str) -> list[Params]:
    ndim = group[0].values.ndim
    f1_max, h_max = max(j.f1 for j in group), max(j.h for j in group)
    padded_shape = tuple(max(j.values.shape[k] for j in group) for k in range(ndim))
    count = len(group)
    targets = np.zeros((count, *padded_shape), np.float32)
    active = np.zeros((count, *padded_shape), bool)
    scale = np.zeros((count, ndim), np.float32)
    for b, job in enumerate(group):
        region = tuple(slice(0, n) for n in job.values.shape)
        targets[(b, *region)] = job.values
        active[(b, *region)] = True
        for k, (n, s) in enumerate(zip(job.values.shape, padded_shape)):
            scale[b, k] = (s - 1) / (n - 1) if n > 1 else 0.0
    offset = np.where(scale > 0, scale - 1.0, 0.0).astype(np.float32)
    first_mask = np.stack([np.arange(f1_max) < j.f1 for j in group]).astype(np.float32)
    hidden_mask = np.stack([np.arange(h_max) < j.h for j in group]).astype(np.float32)
    tensors = [torch.as_tensor(a, device=device) for a in (first_mask, hidden_mask, scale, offset)]

    def forward(params, x):
        return funnel_forward(params, x, layers, w0, *tensors)

    init = [pad_params(job.init, ndim, layers, f1_max, h_max) for job in group]
    target_mse = None
    if any(j.target_mse is not None for j in group):
        target_mse = np.array([np.inf if j.target_mse is None else j.target_mse for j in group])
    seconds = None if budget.seconds is None else budget.seconds / runs
    run_budget = Budget(budget.steps, seconds, target_mse, budget.progress, budget.seed + run,
                        lr_scale=budget.lr_scale, quant_step=budget.quant_step)
    everywhere = bool(active.all())
    fitted = fit_batched(forward, init, targets, run_budget, device, lr, points_per_step, desc,
                         active=None if everywhere else active, optimiser=optimiser)
    return [unpad_params(p, job.f1, job.h, layers) for p, job in zip(fitted, group)]


def pad_params(params: Params, ndim: int, layers: int, f1: int, h: int) -> Params:
    """A block's parameters inside the run's widest shapes (zeros in the padding)."""
    shapes = dict(funnel_shapes(ndim, layers, f1, h))
    out = {}
    for name, value in params.items():
        padded = np.zeros(shapes[name], np.float32)
        padded[tuple(slice(0, n) for n in value.shape)] = value
        out[name] = padded
    return out


def unpad_params(params: Params, f1: int, h: int, layers: int) -> Params:
    """Cut a trained block's own network out of the padded tensors."""
    own = funnel_shapes(params["W0"].shape[0], layers, f1, h)
    return {name: np.ascontiguousarray(params[name][tuple(slice(0, n) for n in shape)])
            for name, shape in own}
