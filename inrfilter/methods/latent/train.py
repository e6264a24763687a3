"""Torch training of ``latent``: B chunks in one model (every tensor has a leading batch
dimension), rate-distortion loss with a per-chunk lambda steered to the chunk's target.

Parametrisation: latents ``z`` in units of their chunk's step ``delta`` (what is stored
is ``rint(z)``), features ``F = delta * upsample(z)`` in data units, output
``F @ v + b3 + MLP(F)``.  Training starts from the quantised Laplacian pyramid
(``pyramid``), ``v = 1`` and the MLP's last layer at 0, i.e. from a working coder.

Loss per chunk: ``mse + lambda * bits / voxels``, bits being the factorised Laplace
rate of the latents (one learned scale per grid, started at the pyramid's).  Phase 1
(the first ``1 - ste`` of the steps) adds uniform noise U(-1/2, 1/2) to the latents
(Ballé et al.'s proxy); phase 2 rounds them with a straight-through gradient, so the
stored, rounded latents are what was optimised (Cool-chic's final phase; C3 anneals
soft rounding instead).  From 10 % to 95 % of the steps, every 5 steps, lambda
follows the target by dual ascent in log space on what would be stored: for a size
target ``log lambda += 0.3 * clip(log(bytes / target), -1, 1)`` with the bytes the
latent coder (``codec``) writes for the rounded latents; for a quality target
``-= 0.3 * clip(log(mse / target_mse), -1, 1)`` with the mse of the rounded latents.
Rounding prunes latents, so a size target can end well short; then up to two short
rounded refinements (a fifth of the steps each, lr * 0.3) run with lambda lowered by
the shortfall squared.  Learning rate: cosine from ``lr`` (latents: ``lr * 10``, in step units) to 0.
On return the step is folded into the stored weights (``W1``, ``v`` times delta).
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import torch

from ..base import Budget
from . import codec
from .layout import Layout, axis_matrix

_LOG2 = math.log(2.0)
#: lambda follows the target from _WARM to _FREEZE of the steps, every _EVERY steps, by _ETA_M
_WARM, _FREEZE, _EVERY, _ETA_M = 0.1, 0.95, 5, 0.3
#: refinement after training (size targets): rounds, the shortfall that triggers one, its learning rate share
_REFINE_ROUNDS, _REFINE_BELOW, _REFINE_LR = 2, 0.9, 0.3
#: latents' learning rate over the weights' (latents move in step units)
_Z_LR = 10.0


def _laplace_bits(v: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """-log2 P(bin of v) under Laplace(0, scale), stable in both tails."""
    lo, hi = v - 0.5, v + 0.5
    right = 0.5 * (torch.exp(-lo.clamp(min=0) / scale) - torch.exp(-hi.clamp(min=0) / scale))
    left = 0.5 * (torch.exp(hi.clamp(max=0) / scale) - torch.exp(lo.clamp(max=0) / scale))
    p = right + left  # each term is 0 on the side of 0 it does not cover
    return -torch.log(p.clamp(min=2.0**-24)) / _LOG2


class Model:
    """Batched latent grids + synthesis (linear path + MLP)."""

    def __init__(self, layout: Layout, init: list[dict[str, np.ndarray]], delta: np.ndarray,
                 device: torch.device):
        self.layout, self.device = layout, device
        self.mats: list[list[torch.Tensor | None]] = []
        for g in layout.grids:
            self.mats.append([None if m == n else torch.from_numpy(axis_matrix(np.arange(n), n, m)).to(device)
                              for n, m in zip(layout.shape, g)])
        def stack(name):
            return torch.from_numpy(np.stack([p[name] for p in init]).astype(np.float32)).to(device)
        self.z = [stack(f"z{k}").requires_grad_(True) for k in range(layout.levels)]
        self.w = {k: stack(k).requires_grad_(True) for k in layout.weight_names}
        scales = np.stack([[max(float(np.abs(p[f"z{k}"]).mean()), 1.0 / 32) for k in range(layout.levels)]
                           for p in init])
        self.log_scale = torch.from_numpy(np.log(scales).astype(np.float32)).to(device).requires_grad_(True)
        self.delta = torch.from_numpy(np.asarray(delta, np.float32)).to(device)

    def parameters(self) -> list[torch.Tensor]:
        return list(self.w.values()) + [self.log_scale]

    def upsample(self, k: int, z: torch.Tensor) -> torch.Tensor:
        out = z
        for axis, mat in enumerate(self.mats[k]):
            if mat is not None:
                out = torch.movedim(torch.movedim(out, axis + 1, -1) @ mat.T, -1, axis + 1)
        return out

    def forward(self, latents: list[torch.Tensor]) -> torch.Tensor:
        b = latents[0].shape[0]
        feats = torch.stack([self.upsample(k, z) for k, z in enumerate(latents)], dim=-1).reshape(b, -1, len(latents))
        feats = feats * self.delta[:, None, None]
        w = self.w
        h = torch.relu(torch.baddbmm(w["b1"][:, None, :], feats, w["W1"]))
        h = torch.relu(torch.baddbmm(w["b2"][:, None, :], h, w["W2"]))
        out = torch.baddbmm(w["b3"][:, None, :], h, w["W3"])[..., 0]
        return out + (feats * w["v"][:, None, :]).sum(-1)

    def bits(self, latents: list[torch.Tensor]) -> torch.Tensor:
        scale = torch.exp(self.log_scale).clamp(min=1.0 / 32)
        total = torch.zeros(latents[0].shape[0], device=self.device)
        for k, v in enumerate(latents):
            s = scale[:, k].reshape((-1,) + (1,) * (v.dim() - 1))
            total = total + _laplace_bits(v, s).flatten(1).sum(1)
        return total


def fit(layout: Layout, chunks: np.ndarray, init: list[dict[str, np.ndarray]], delta: np.ndarray, lam0: np.ndarray,
        budget: Budget, device: torch.device, options: dict[str, Any], target_bits: np.ndarray | None,
        target_mse: np.ndarray | None, active: np.ndarray | None) -> tuple[list[dict[str, np.ndarray]], np.ndarray]:
    """Train from ``init`` (per chunk, latents in step units); return each chunk's float
    latents (step units) and weights with the step folded in, and its final lambda."""
    torch.manual_seed(budget.seed)
    gen = torch.Generator(device=device)
    gen.manual_seed(budget.seed)
    batch = len(chunks)
    model = Model(layout, init, delta, device)
    x = torch.from_numpy(np.ascontiguousarray(chunks, np.float32)).to(device).reshape(batch, -1)
    mask = torch.ones_like(x) if active is None else \
        torch.from_numpy(active.reshape(batch, -1).astype(np.float32)).to(device)
    count = mask.sum(1)
    voxels = float(x.shape[1])
    lr = float(options["lr"])
    opt = torch.optim.Adam([{"params": model.z, "lr": lr * _Z_LR, "base": lr * _Z_LR},
                            {"params": model.parameters(), "lr": lr, "base": lr}])
    steps = int(budget.steps or 1000)
    ste_from = int(round(steps * (1.0 - float(options["ste"]))))
    log_lam = torch.log(torch.as_tensor(np.maximum(lam0, 1e-12), dtype=torch.float32, device=device))
    if target_mse is not None:
        goal = torch.as_tensor(target_mse, dtype=torch.float32, device=device)
    elif target_bits is not None:
        goal = torch.as_tensor(target_bits, dtype=torch.float32, device=device).clamp(min=1.0)
    start = time.monotonic()
    bar = None
    if budget.progress:
        from tqdm import tqdm

        bar = tqdm(total=steps, desc="latent", leave=False)

    def coded_bits() -> torch.Tensor:
        """The bits the latent coder writes for each chunk's rounded latents."""
        rounded = [torch.round(z).detach().cpu().numpy() for z in model.z]
        return torch.tensor([8.0 * len(codec.encode_latents(layout, [r[b] for r in rounded])) for b in range(batch)],
                            device=device).clamp(min=8.0)

    def one_step(step: int, total: int, noisy: bool, lr_scale: float, control: bool) -> None:
        nonlocal log_lam
        for group in opt.param_groups:
            group["lr"] = group["base"] * lr_scale * 0.5 * (1.0 + math.cos(math.pi * step / total))
        if noisy:  # one noise draw shared by the batch: a chunk's training does not depend on its batch mates
            latents = [z + (torch.rand((1,) + z.shape[1:], generator=gen, device=device) - 0.5) for z in model.z]
        else:
            latents = [z + (torch.round(z) - z).detach() for z in model.z]
        y = model.forward(latents)
        mse = ((y - x) ** 2 * mask).sum(1) / count
        loss = (mse + torch.exp(log_lam) * model.bits(latents) / voxels).sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if control and step % _EVERY == 0:
            with torch.no_grad():
                if target_mse is not None:  # the mse of the rounded latents, as stored
                    exact = ((model.forward([torch.round(z) for z in model.z]) - x) ** 2 * mask).sum(1) / count
                    log_lam = log_lam - _ETA_M * torch.clamp(torch.log(exact / goal), -1.0, 1.0)
                else:  # the bytes the latent coder writes for the rounded latents
                    log_lam = log_lam + _ETA_M * torch.clamp(torch.log(coded_bits() / goal), -1.0, 1.0)

    controlled = target_mse is not None or target_bits is not None
    for step in range(steps):
        if budget.seconds is not None and time.monotonic() - start > budget.seconds:
            break
        one_step(step, steps, step < ste_from, 1.0, controlled and _WARM * steps <= step < _FREEZE * steps)
        if bar is not None:
            bar.update()
    if bar is not None:
        bar.close()
    if target_bits is not None:
        # rounding (phase 2) prunes latents, so a chunk can end well below its size: up to
        # two short rounded refinements with lambda lowered by the shortfall squared
        extra = max(10, steps // 5)
        for _ in range(_REFINE_ROUNDS):
            ratio = coded_bits() / goal
            low = ratio < _REFINE_BELOW
            if not bool(low.any()) or (budget.seconds is not None and time.monotonic() - start > budget.seconds):
                break
            log_lam = log_lam + torch.where(low, 2.0 * torch.log(ratio), torch.zeros_like(ratio))
            tensors = model.z + list(model.w.values())
            kept = [t.detach().clone() for t in tensors]
            for step in range(extra):
                one_step(step, extra, False, _REFINE_LR, False)
            with torch.no_grad():  # chunks on target keep their parameters: no chunk depends on its batch mates
                for t, old in zip(tensors, kept):
                    t[~low] = old[~low]
    out = []
    for b in range(batch):
        d = float(delta[b])
        p = {f"z{k}": z[b].detach().cpu().numpy().astype(np.float32) for k, z in enumerate(model.z)}
        p.update({k: v[b].detach().cpu().numpy().astype(np.float32) for k, v in model.w.items()})
        p["W1"] = p["W1"] * np.float32(d)
        p["v"] = p["v"] * np.float32(d)
        out.append(p)
    return out, torch.exp(log_lam).detach().cpu().numpy().astype(np.float64)
