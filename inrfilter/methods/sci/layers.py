"""Funnel SIRENs (SCI, Yang et al. 2023), batched over blocks of different widths.

A funnel SIREN has ``layers`` linear layers: a first sine layer ``f1`` wide (fr times the
others), sine layers ``h`` wide, and a linear output; every sine is sin(w0 * (W x + b)),
with one w0 for the first layer and one for the hidden layers.
Blocks of one training run share padded weight tensors ``[B, in, out]`` of the run's
largest widths.  Each block's unused units get zeroed weight columns and biases, so
they output sin(0) = 0, receive no gradient, and feed nothing forward: a block trains
exactly the network of its own widths.  Coordinates arrive in the frame of the run's
padded grid; the affine map to each block's own [-1, 1] is folded into its first layer.
All masking, scaling and folding is done on the (small) weights, never on activations.
"""

from __future__ import annotations

import torch


def _layer(h: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """h ``[B, N, in]`` @ weight ``[B, in, out]`` + bias ``[B, out]``, fused."""
    return torch.baddbmm(bias.unsqueeze(1), h, weight)


def funnel_forward(
    params: dict[str, torch.Tensor],
    x: torch.Tensor,
    layers: int,
    w0: tuple[float, float],
    first_mask: torch.Tensor,
    hidden_mask: torch.Tensor,
    scale: torch.Tensor,
    offset: torch.Tensor,
) -> torch.Tensor:
    """Predictions ``[B, N]`` at padded-grid coordinates ``x`` (``[N, ndim]`` or ``[B, N, ndim]``).

    ``w0`` is (first layer's, hidden layers') frequency factor.
    ``first_mask [B, F1]`` and ``hidden_mask [B, H]`` are 1 on each block's own units;
    ``scale``/``offset [B, ndim]`` map padded-grid coordinates to block coordinates
    (block = x * scale + offset, per axis).
    """
    batch = scale.shape[0]
    if x.dim() == 2:
        x = x.unsqueeze(0).expand(batch, *x.shape)
    # first layer on block coordinates: (x * s + o) @ W + b = x @ (s W) + (o @ W + b)
    w_first = params["W0"] * scale.unsqueeze(-1)
    b_first = torch.bmm(offset.unsqueeze(1), params["W0"]).squeeze(1) + params["b0"]
    first, hidden = w0
    h = torch.sin(_layer(x, first * w_first * first_mask.unsqueeze(1), first * b_first * first_mask))
    for i in range(1, layers - 1):
        mask = hidden_mask.unsqueeze(1)
        h = torch.sin(_layer(h, hidden * params[f"W{i}"] * mask, hidden * params[f"b{i}"] * hidden_mask))
    return _layer(h, params[f"W{layers - 1}"], params[f"b{layers - 1}"]).squeeze(-1)
