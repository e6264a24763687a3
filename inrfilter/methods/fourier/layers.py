"""Fourier-feature ReLU MLP (Tancik et al. 2020), batched: weights ``[B, in, out]``.

The Fourier matrix is frozen and shared by the chunks of a batch; it comes from numpy
(:func:`inrfilter.methods.fourier_net.frequency_matrix`) so that the decoder can draw
the same one without torch.
"""

from __future__ import annotations

import math

import torch

from ...nn.sine import batched_linear


def fourier_features(x: torch.Tensor, freqs: torch.Tensor) -> torch.Tensor:
    """gamma(x) = [sin(2 pi B x), cos(2 pi B x)]: ``[..., N, 2k]`` for ``x [..., N, ndim]``."""
    phase = (2 * math.pi) * torch.matmul(x, freqs.T)
    return torch.cat([torch.sin(phase), torch.cos(phase)], dim=-1)


def fourier_relu_forward(params: dict[str, torch.Tensor], x: torch.Tensor, freqs: torch.Tensor,
                         depth: int) -> torch.Tensor:
    """``depth`` ReLU layers on gamma(x), then a linear output: ``[B, N]``."""
    h = fourier_features(x, freqs)
    for i in range(depth):
        h = torch.relu(batched_linear(h, params[f"W{i}"], params[f"b{i}"]))
    return batched_linear(h, params[f"W{depth}"], params[f"b{depth}"]).squeeze(-1)
