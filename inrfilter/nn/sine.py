"""Sine layers (SIREN, Sitzmann et al. 2020), batched: weights ``[B, in, out]``.

Initialisation is drawn in numpy so that it is the same on every device:
first layer U(-1/in, 1/in), later layers U(-sqrt(6/in)/w0, sqrt(6/in)/w0), biases
U(-1/sqrt(in), 1/sqrt(in)) (torch's Linear default, as in the SIREN reference code).
"""

from __future__ import annotations

import numpy as np
import torch


def sine_layer_init(rng: np.random.Generator, fan_in: int, fan_out: int, w0: float, first: bool):
    bound = 1.0 / fan_in if first else np.sqrt(6.0 / fan_in) / w0
    weight = rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32)
    bias = rng.uniform(-1 / np.sqrt(fan_in), 1 / np.sqrt(fan_in), fan_out).astype(np.float32)
    return weight, bias


def batched_linear(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """x ``[N, in]`` (shared by all chunks) or ``[B, N, in]``; weight ``[B, in, out]``."""
    return torch.matmul(x, weight) + bias.unsqueeze(-2)


def siren_forward(params: dict[str, torch.Tensor], x: torch.Tensor, layers: int, w0: float) -> torch.Tensor:
    """``layers`` sine layers then a linear output: ``[B, N]`` for coordinates ``x [N, ndim]``."""
    h = x
    for i in range(layers):
        h = torch.sin(w0 * batched_linear(h, params[f"W{i}"], params[f"b{i}"]))
    return batched_linear(h, params[f"W{layers}"], params[f"b{layers}"]).squeeze(-1)
