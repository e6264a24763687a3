"""Training WIEN-INR: the per-scale SIRENs together, then the enhancement module.

Stage 1 fits a_J and the detail scales J..2 (..1 without enhancement) of all B
chunks with one optimiser (``fit_batched`` on rows of coefficient positions tagged
with their network).  Stage 2, as in the paper, runs after the scale-2 network is
trained: it precomputes that network's prediction on every scale-1 neighbourhood
and fits the kernel predictor.  Every network trains for ``steps`` optimiser steps
(the enhancement's after the scales'); a ``seconds`` budget is halved between the
stages.

Losses are sums of squared coefficient errors; with an orthogonal wavelet they equal
the chunk's squared error (Parseval), so the psnr target's MSE applies directly:
stage 1 aims at its share of it (by coefficient count), stage 2 at what is left.
torch is imported inside the functions: reading never needs it.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pywt

from ..base import Budget, Params
from .layout import Layout, Net
from .numpy_decoder import neighbourhood_positions
from .synthesis import MODE

#: networks narrower than this train at lr * LR_WIDTH / width (see _rates)
LR_WIDTH = 32


def grid_index(shape: tuple[int, ...]) -> np.ndarray:
    """All integer positions of a grid, C order: ``[prod(shape), ndim]``."""
    return np.stack(np.meshgrid(*[np.arange(n) for n in shape], indexing="ij"), axis=-1).reshape(-1, len(shape))


def decompose(chunk: np.ndarray, layout: Layout) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """a_J and the details ``{j: [*grid_j, C]}`` of one chunk (orientations in
    ``layout.bands`` order)."""
    if layout.levels == 0:
        return chunk.astype(np.float64), {}
    with warnings.catch_warnings():  # pywt warns of boundary effects, which periodization has none of
        warnings.simplefilter("ignore", UserWarning)
        coeffs = pywt.wavedecn(chunk.astype(np.float64), layout.wavelet, mode=MODE, level=layout.levels,
                               axes=layout.axes)
    details = {layout.levels - i: np.stack([band[key] for key in layout.bands], axis=-1)
               for i, band in enumerate(coeffs[1:])}
    return coeffs[0], details


def _stage(budget: Budget, stages: int) -> Budget:
    """One stage's budget: every network trains for ``steps`` optimiser steps; a time
    budget is shared equally between the stages."""
    seconds = None if budget.seconds is None else budget.seconds / stages
    return Budget(budget.steps, seconds, None, budget.progress, budget.seed, lr_scale=budget.lr_scale,
                  quant_step=budget.quant_step)


def fit(layout: Layout, chunks: np.ndarray, init: Params, budget: Budget, device: Any,
        options: dict[str, Any]) -> list[Params]:
    """Train every network of ``layout`` for each chunk of ``chunks [B, *shape]``."""
    from ...nn import fit_batched
    from .layers import ScalesForward

    n_voxels = int(np.prod(layout.shape))
    coefficients = [decompose(chunk, layout) for chunk in chunks]
    lr = float(options["lr"])

    # -- stage 1: approximation and detail scales, one optimiser ------------------
    nets = [layout.net("a"), *layout.detail_nets]
    points, target = _scale_rows(layout, nets, coefficients)
    budget1 = _stage(budget, 2 if layout.enhance else 1)
    if budget.target_mse is not None:  # stage 1's share of the chunk's squared error, by coefficient count
        ours = sum(_count(layout, n) for n in nets)
        share = ours / (ours + (_count(layout, layout.net("k")) if layout.enhance else 0))
        budget1.target_mse = _per_entry(np.asarray(budget.target_mse) * share, n_voxels, target)
    names = {net.name for net in nets}
    inits = [_stage_init({n: v for n, v in init.items() if n.split(".")[0] in names}, nets, c) for c in coefficients]
    forward = ScalesForward(nets, layout.ndim, target.shape[2])
    fitted = fit_batched(forward, inits, target, budget1, device, _rates(nets, inits[0], lr), points=points,
                         desc="wien scales")
    if not layout.enhance:
        return fitted

    # -- stage 2: the enhancement module, after the scale-2 network ----------------
    error1 = _squared_error(forward, fitted, points, target, device) / n_voxels
    remaining = None
    if budget.target_mse is not None:
        remaining = np.maximum(np.asarray(budget.target_mse) - error1, 1e-12)
    enhanced = _fit_enhancement(layout, coefficients, fitted, init, _stage(budget, 2), remaining, device, lr)
    return [{**a, **b} for a, b in zip(fitted, enhanced)]


def _scale_rows(layout: Layout, nets: list[Net], coefficients) -> tuple[np.ndarray, np.ndarray]:
    """Stage 1's training rows ``[coords..., network index]`` (every coefficient
    position of every network's grid) and targets ``[B, N, C]`` (zero in the channels
    a network does not have: the approximation has one)."""
    width = max(1, layout.channels)  # J = 0: the approximation alone
    rows, targets = [], []
    for i, net in enumerate(nets):
        positions = grid_index(layout.grid(net.level))
        rows.append(np.concatenate([layout.coords(net.level, positions), np.full((len(positions), 1), i)], axis=1))
        per_chunk = []
        for approx, details in coefficients:
            values = approx.reshape(-1, 1) if net.kind == "approx" else details[net.level].reshape(-1, layout.channels)
            per_chunk.append(np.pad(values, ((0, 0), (0, width - values.shape[1]))))
        targets.append(np.stack(per_chunk))
    return np.concatenate(rows).astype(np.float32), np.concatenate(targets, axis=1).astype(np.float32)


def _per_entry(chunk_mse: np.ndarray, n_voxels: int, target: np.ndarray) -> np.ndarray:
    """A per-voxel MSE of the chunk as fit_batched's MSE, which is per (row, channel)."""
    return chunk_mse * n_voxels / (target.shape[1] * target.shape[2])


def _rates(nets: list[Net], params: Params, lr: float) -> dict[str, float]:
    """Learning rate of each parameter: ``lr`` times max(1, LR_WIDTH / width) of its
    network.  Adam moves every weight by about the rate, so a layer's output moves
    with its width: a narrow coarse-scale network at the base rate would crawl."""
    width = {net.name: net.width for net in nets}
    return {name: lr * max(1.0, LR_WIDTH / width[name.split(".")[0]]) for name in params}


def _count(layout: Layout, net: Net) -> int:
    return int(np.prod(layout.grid(net.level))) * (1 if net.kind == "approx" else layout.channels)


def _stage_init(params: Params, nets: list[Net], coefficients) -> Params:
    """Per-chunk start: each network's output bias at its targets' mean (in output
    units), so Adam does not spend its first hundreds of steps finding it."""
    approx, details = coefficients
    out = dict(params)
    for net in nets:
        values = approx.reshape(-1, 1) if net.kind == "approx" else details[net.level].reshape(-1, net.n_out)
        out[f"{net.name}.b{net.layers}"] = (values.mean(axis=0) / net.gain).astype(np.float32)
    return out


def _squared_error(forward, fitted: list[Params], points: np.ndarray, target: np.ndarray, device) -> np.ndarray:
    """Each chunk's sum of squared coefficient errors with its trained parameters."""
    import torch

    params = {n: torch.as_tensor(np.stack([p[n] for p in fitted]), device=device) for n in fitted[0]}
    total = np.zeros(len(fitted))
    with torch.no_grad():
        for start in range(0, len(points), 1 << 16):
            x = torch.as_tensor(points[start : start + (1 << 16)], device=device)
            err = forward(params, x).double().cpu().numpy() - target[:, start : start + (1 << 16)]
            total += (err**2).reshape(len(fitted), -1).sum(axis=1)
    return total


def _constant_kernels(neighbours: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Per chunk, the best spatially constant kernel of each orientation (least
    squares of the targets ``[B, N, C]`` on ``neighbours [B, N, C, R]``), flattened
    orientation-major: where the kernel predictor's output bias starts, so training
    begins from the best plain filter rather than from zero."""
    out = np.zeros((target.shape[0], target.shape[2] * neighbours.shape[3]), np.float32)
    for b in range(target.shape[0]):
        kernels = []
        for c in range(target.shape[2]):
            a, y = neighbours[b, :, c, :].astype(np.float64), target[b, :, c].astype(np.float64)
            gram = a.T @ a
            ridge = 1e-6 * np.trace(gram) / len(gram) + 1e-12
            kernels.append(np.linalg.solve(gram + ridge * np.eye(len(gram)), a.T @ y))
        out[b] = np.concatenate(kernels)
    return out


def _fit_enhancement(layout: Layout, coefficients, fitted: list[Params], init: Params, budget: Budget,
                     target_mse: np.ndarray | None, device, lr: float) -> list[Params]:
    """Stage 2: the kernel predictor on the frozen scale-2 network's neighbourhoods."""
    import torch

    from ...nn import fit_batched
    from .layers import EnhanceForward, tag_rows, upsampled_neighbourhoods

    kernel, scale2 = layout.net("k"), layout.net("d2")
    positions = grid_index(layout.grid(1))
    around_rows, around = neighbourhood_positions(layout, positions)
    d2 = {n: torch.as_tensor(np.stack([p[n] for p in fitted]), device=device)
          for n in fitted[0] if n.startswith("d2.")}
    neighbours = upsampled_neighbourhoods(d2, scale2, layout.coords(1, around_rows), around)
    target = np.stack([details[1].reshape(-1, layout.channels) for _, details in coefficients]).astype(np.float32)
    points = np.concatenate([layout.coords(1, positions), tag_rows(np.arange(len(positions)))], axis=1)
    stage_mse = None if target_mse is None else _per_entry(target_mse, int(np.prod(layout.shape)), target)
    start = {n: v for n, v in init.items() if n.startswith("k.")}
    bias = f"k.b{kernel.layers}"
    starts = [{**start, bias: k / kernel.gain} for k in _constant_kernels(neighbours.cpu().numpy(), target)]
    return fit_batched(EnhanceForward(kernel, layout.ndim, neighbours), starts, target,
                       Budget(budget.steps, budget.seconds, stage_mse, budget.progress, budget.seed,
                              lr_scale=budget.lr_scale, quant_step=budget.quant_step), device,
                       _rates([kernel], starts[0], lr),
                       points=points.astype(np.float32), desc="wien enhance")
