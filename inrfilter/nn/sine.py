"""Sine layers (SIREN, Sitzmann et al. 2020), batched: weights ``[B, in, out]``.

Their initialisation is numpy (``inrfilter.methods.common.sine_layer_init``), so that
it is the same on every device and needs no torch.
"""

from __future__ import annotations

import torch


def batched_linear(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """x ``[N, in]`` (shared by all chunks) or ``[B, N, in]``; weight ``[B, in, out]``."""
    return torch.matmul(x, weight) + bias.unsqueeze(-2)


def siren_forward(params: dict[str, torch.Tensor], x: torch.Tensor, layers: int, w0: float) -> torch.Tensor:
    """``layers`` sine layers then a linear output: ``[B, N]`` for coordinates ``x [N, ndim]``."""
    h = x
    for i in range(layers):
        h = torch.sin(w0 * batched_linear(h, params[f"W{i}"], params[f"b{i}"]))
    return batched_linear(h, params[f"W{layers}"], params[f"b{layers}"]).squeeze(-1)
