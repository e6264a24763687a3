"""Multi-resolution hash grid in plain torch, batched over chunks.

The same geometry and arithmetic as the numpy reference
(:class:`inrfilter.methods.hashgrid.HashGrid`): float32 positions computed in the
same order, the same floor and clamp, dense indexing for levels that fit in their
table, XOR-of-primes hashing otherwise, d-linear weights multiplied axis by axis.
Tables are ``[B, entries, features]``, one per chunk; the gather is an
``index_select`` (its backward, ``index_add``, is much faster on the CPU than the
scatter of advanced indexing).  All levels are computed at once.
"""

from __future__ import annotations

import warnings

import torch

from .hashgrid import HashGrid, level_constants


def hash_corners(grid: HashGrid, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Table rows ``[..., levels, 2^p]`` (int64) and weights (float32) of points ``x [..., p]``."""
    consts = {k: torch.as_tensor(v, device=x.device) for k, v in level_constants(grid).items()}
    pos = (x.to(torch.float32).unsqueeze(-2) + 1.0) * 0.5 * consts["res"]  # [..., L, p]
    cell = torch.minimum(torch.clamp(torch.floor(pos), min=0.0), consts["top"])
    frac = pos - cell
    vertex = cell.to(torch.int64).unsqueeze(-1) + torch.arange(2, device=x.device)  # [..., L, p, 2]
    bits = consts["bits"]  # [C, p]
    dense = hashed = weight = None
    for d in range(grid.ndim):
        pick = bits[:, d]
        term = vertex[..., d, :].index_select(-1, pick)  # [..., L, C]
        stride = consts["strides"][:, d].unsqueeze(-1)
        prime = int(consts["primes"][d])
        dense = term * stride if d == 0 else dense + term * stride
        hashed = term * prime if d == 0 else hashed ^ (term * prime)
        f = frac[..., d].unsqueeze(-1)
        w = torch.where(pick == 1, f, 1.0 - f)
        weight = w if d == 0 else weight * w
    hashed = hashed & ((1 << grid.log2_size) - 1)
    rows = torch.where(consts["dense"].unsqueeze(-1), dense, hashed) + consts["offsets"].unsqueeze(-1)
    return rows, weight


class Interpolation:
    """The lookup at points ``x [N, p]`` as a sparse CSR matrix ``[N * levels, entries]``
    (``2^p`` weights per row) and its transpose: the features of every chunk are then
    one sparse-dense product, and its backward the transposed one.  On the CPU this is
    several times faster than a gather (whose backward is a scatter-add) or than
    letting autograd transpose the matrix at every step."""

    def __init__(self, grid: HashGrid, x: torch.Tensor):
        rows, weight = hash_corners(grid, x)
        n, levels, corners = rows.shape
        crow = torch.arange(0, n * levels * corners + 1, corners, device=x.device)
        with warnings.catch_warnings():  # "sparse CSR support is in beta": the products used here are stable
            warnings.simplefilter("ignore", UserWarning)
            self.matrix = torch.sparse_csr_tensor(crow, rows.reshape(-1), weight.reshape(-1),
                                                  size=(n * levels, grid.entries), check_invariants=False)
            self.transposed = self.matrix.t().to_sparse_csr()

    def apply(self, dense: torch.Tensor) -> torch.Tensor:
        return _SparseProduct.apply(self.matrix, self.transposed, dense)


class _SparseProduct(torch.autograd.Function):
    """``S @ D`` with the gradient ``S^T @ G`` through a prebuilt transpose."""

    @staticmethod
    def forward(ctx, matrix, transposed, dense):  # type: ignore[override]
        ctx.transposed = transposed
        return torch.sparse.mm(matrix, dense)

    @staticmethod
    def backward(ctx, grad):  # type: ignore[override]
        return None, None, torch.sparse.mm(ctx.transposed, grad.contiguous())


def hash_lookup(grid: HashGrid, table: torch.Tensor, x: torch.Tensor,
                interpolation: Interpolation | None = None) -> torch.Tensor:
    """Features ``[B, N, levels * features]`` from tables ``[B, entries, F]`` at points
    ``x`` ``[N, p]`` (shared by the chunks; ``interpolation`` is their
    :class:`Interpolation` when already built) or ``[B, N, p]`` (one set per chunk)."""
    batch, entries, feat = table.shape
    if x.dim() == 2:
        n = x.shape[0]
        interpolation = Interpolation(grid, x) if interpolation is None else interpolation
        stacked = table.permute(1, 0, 2).reshape(entries, batch * feat)
        out = interpolation.apply(stacked).reshape(n, grid.levels, batch, feat)
        return out.permute(2, 0, 1, 3).reshape(batch, n, grid.out_features)
    rows, weight = hash_corners(grid, x)  # [B, N, L, C]: offset each chunk's rows into the flat tables
    n = rows.shape[1]
    shift = (torch.arange(batch, device=x.device) * entries).view(batch, 1, 1, 1)
    gathered = table.reshape(batch * entries, feat).index_select(0, (rows + shift).reshape(-1))
    gathered = gathered.reshape(batch, n, grid.levels, -1, feat)
    out = (gathered * weight.unsqueeze(-1)).sum(dim=-2)
    return out.reshape(batch, n, grid.out_features)
