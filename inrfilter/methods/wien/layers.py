"""Torch building blocks of WIEN-INR (Ni et al.), batched over chunks.

Weights are ``[B, in, out]`` as everywhere in ``inrfilter.nn``.  Training rows are
wavelet coefficients' positions with a tag after the coordinates (which network, or
which scale-1 coefficient), so one ``fit_batched`` optimiser trains every scale of
every chunk at once.  The numpy twin of each forward is in
``inrfilter.methods.wien.numpy_decoder``.
"""

from __future__ import annotations

from typing import Protocol, Sequence

import numpy as np
import torch

from ...nn.sine import batched_linear

#: scale-1 row ids ride in two float32 columns (exact below 2**24 each)
ROW_BASE = 4096


class NetLike(Protocol):
    name: str
    layers: int
    w0: float
    n_out: int
    gain: float


def mlp(params: dict[str, torch.Tensor], net: NetLike, x: torch.Tensor) -> torch.Tensor:
    """``layers`` sine layers sin(w0 (h W + b)) then a linear layer: ``[B, n, n_out]``."""
    h = x
    for i in range(net.layers):
        h = torch.sin(net.w0 * batched_linear(h, params[f"{net.name}.W{i}"], params[f"{net.name}.b{i}"]))
    return batched_linear(h, params[f"{net.name}.W{net.layers}"], params[f"{net.name}.b{net.layers}"])


class ScalesForward:
    """Every per-scale SIREN at once (the approximation and the detail scales).

    Rows are ``[coords (ndim), network index]``; predictions ``[B, n, C]`` are the
    network's outputs times its gain, zero in the channels it does not have (the
    approximation has one)."""

    def __init__(self, nets: Sequence[NetLike], ndim: int, channels: int):
        self.nets, self.ndim, self.channels = list(nets), ndim, channels

    def __call__(self, params: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        batch = params[f"{self.nets[0].name}.W0"].shape[0]
        coords, which = x[:, : self.ndim], x[:, self.ndim]
        pred = x.new_zeros(batch, x.shape[0], self.channels)
        for i, net in enumerate(self.nets):
            rows = torch.nonzero(which == i).squeeze(1)
            if rows.numel():
                pred[:, rows, : net.n_out] = mlp(params, net, coords[rows]) * net.gain
        return pred


def tag_rows(rows: np.ndarray) -> np.ndarray:
    """Row ids as two exact float32 columns (``ROW_BASE`` digits)."""
    return np.stack([rows // ROW_BASE, rows % ROW_BASE], axis=-1).astype(np.float32)


class EnhanceForward:
    """The enhancement module (the paper's Eq. 5) for scale 1.

    Rows are ``[coords (ndim), row id (two columns, tag_rows)]``.  ``neighbours
    [B, N, C, r**q]`` holds the frozen scale-2 network's prediction on each scale-1
    coefficient's neighbourhood; the kernel predictor maps the coordinate to one
    r**q kernel per orientation and the inner product is the coefficient."""

    def __init__(self, net: NetLike, ndim: int, neighbours: torch.Tensor):
        self.net, self.ndim, self.neighbours = net, ndim, neighbours

    def __call__(self, params: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        rows = (x[:, self.ndim] * ROW_BASE + x[:, self.ndim + 1]).long()
        around = self.neighbours[:, rows]  # [B, n, C, r**q]
        kernel = mlp(params, self.net, x[:, : self.ndim]).view(around.shape)
        return (kernel * around).sum(dim=-1) * self.net.gain


def upsampled_neighbourhoods(params: dict[str, torch.Tensor], net: NetLike, coords: np.ndarray,
                             around: np.ndarray) -> torch.Tensor:
    """The scale-2 network's raw outputs at ``coords [u, ndim]`` (scale-1 positions),
    gathered into neighbourhoods ``around [N, r**q]`` -> ``[B, N, C, r**q]``."""
    device = params[f"{net.name}.W0"].device
    with torch.no_grad():
        values = mlp(params, net, torch.as_tensor(coords, dtype=torch.float32, device=device))  # [B, u, C]
        return values[:, torch.as_tensor(around, device=device)].permute(0, 1, 3, 2).contiguous()
