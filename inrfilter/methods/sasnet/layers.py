"""SASNet's forward pass in batched torch (training only; numpy decodes).

``sin(x W + b0)`` with ``W`` the frozen frequency embedding (a constant tensor, never
a parameter), ``l - 1`` hidden layers ``sin(w0 (h W_i + b_i))``, a linear output.
With masks, a hash grid and a one-hidden-layer ReLU MLP with a sigmoid give, per
point, one mask per high band of the embedding and one per neuron group of each
hidden layer; the low-frequency group is multiplied by a constant 1.  The masks
multiply the neurons' outputs (Hadamard product) and their mean, times ``lam``, is
the chunk's penalty (the paper's L1 sparsity term: the masks are positive, so their
L1 norm is their sum; the mean keeps ``lam`` independent of the mask count).
"""

from __future__ import annotations

import torch

from ...nn.sine import batched_linear
from .arch import Arch
from .hashgrid_torch import Interpolation, hash_lookup


class SasnetForward:
    """``forward(params, x)`` for :func:`fit_batched`: ``(pred [B, N], penalty [B])``
    with masks, ``pred`` alone without."""

    def __init__(self, arch: Arch, device: torch.device, lam: float):
        self.arch, self.lam = arch, float(lam)
        self.frequencies = torch.as_tensor(arch.embedding.matrix, device=device)  # frozen, no grad
        # masks -> neurons as one-hot matrices: a matmul is far faster on the CPU than
        # index_select along the last axis (and so is its backward)
        if arch.masked:
            self.band_expand = _one_hot(arch.embedding.neuron_mask_index(), arch.bands + 1, device)
            self.group_expand = _one_hot(arch.hidden_group_index(), arch.groups, device)
        # fit_batched passes the same coordinate tensor every full-grid step: its
        # interpolation matrix is built once
        self._cached: tuple[torch.Tensor, Interpolation] | None = None

    def _interpolation(self, x: torch.Tensor) -> Interpolation | None:
        if x.dim() != 2:
            return None
        if self._cached is None or self._cached[0] is not x:
            self._cached = (x, Interpolation(self.arch.grid, x))
        return self._cached[1]

    def masks(self, params: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        """All masks ``[B, N, n_masks]`` in (0, 1)."""
        feats = hash_lookup(self.arch.grid, params["H"], x, self._interpolation(x))
        hidden = torch.relu(batched_linear(feats, params["D0"], params["d0"]))
        return torch.sigmoid(batched_linear(hidden, params["D1"], params["d1"]))

    def __call__(self, params: dict[str, torch.Tensor], x: torch.Tensor):
        arch = self.arch
        h = torch.sin(torch.matmul(x, self.frequencies) + params["b0"].unsqueeze(-2))
        masks = None
        if arch.masked:
            masks = self.masks(params, x)
            ones = torch.ones_like(masks[..., :1])
            h = h * torch.matmul(torch.cat([ones, masks[..., : arch.bands]], dim=-1), self.band_expand)
        for i in range(1, arch.layers):
            h = torch.sin(arch.w0 * batched_linear(h, params[f"W{i}"], params[f"b{i}"]))
            if masks is not None:
                start = arch.bands + (i - 1) * arch.groups
                h = h * torch.matmul(masks[..., start : start + arch.groups], self.group_expand)
        pred = batched_linear(h, params[f"W{arch.layers}"], params[f"b{arch.layers}"]).squeeze(-1)
        if masks is None:
            return pred
        return pred, self.lam * masks.mean(dim=(1, 2))


def _one_hot(index, columns: int, device: torch.device) -> torch.Tensor:
    """``[columns, len(index)]`` with a 1 at (index[j], j)."""
    matrix = torch.zeros(columns, len(index), dtype=torch.float32, device=device)
    matrix[torch.as_tensor(index, device=device), torch.arange(len(index), device=device)] = 1.0
    return matrix
