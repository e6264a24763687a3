"""The starting point of training: a closed-loop Laplacian pyramid of the chunk on the
latent grids, quantised on a step chosen for the target.

Coarsest grid first, each grid holds the least-squares fit (separable, through the
same upsampling ``layout.axis_matrix`` the decoder uses) of what the coarser,
already quantised grids leave unexplained, divided by the step ``delta`` and rounded.
With the synthesis's linear path at ``delta`` per grid and its MLP branch silent, the
model starts as this quantised pyramid: a working transform coder at about the right
rate, which a few hundred optimiser steps then improve (a zero start needs tens of
thousands, as in Cool-chic, before its latents grow past the rounding).
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import solve_banded

from . import codec
from .layout import Layout, axis_matrix, axis_weights


def _apply(grid: np.ndarray, mats: list[np.ndarray]) -> np.ndarray:
    out = grid
    for axis, mat in enumerate(mats):
        out = np.moveaxis(np.tensordot(mat, out, axes=([1], [axis])), 0, axis)
    return out


def _least_squares(u: np.ndarray, lo: np.ndarray, hi: np.ndarray, frac: np.ndarray) -> np.ndarray:
    """The least-squares restriction ``(U^T U)^-1 U^T`` of a 2-tap interpolation matrix U:
    U^T U is tridiagonal, so a banded solve (O(n m)) replaces a pseudo-inverse (O(n m^2))."""
    m = u.shape[1]
    diag, upper = np.zeros(m), np.zeros(max(m - 1, 0))
    np.add.at(diag, lo, (1 - frac) ** 2)
    np.add.at(diag, hi, np.where(hi != lo, frac**2, 0.0))
    both = hi != lo
    np.add.at(upper, lo[both], (1 - frac[both]) * frac[both])
    bands = np.zeros((3, m))
    bands[0, 1:], bands[1], bands[2, :-1] = upper, diag, upper
    return solve_banded((1, 1), bands, u.T)


def _operators(layout: Layout) -> list[tuple[list[np.ndarray], list[np.ndarray]]]:
    """Per grid: (upsampling matrices, least-squares restriction matrices), per axis."""
    ops = []
    for g in layout.grids:
        ups, res = [], []
        for n, m in zip(layout.shape, g):
            u = axis_matrix(np.arange(n), n, m).astype(np.float64)
            ups.append(u)
            res.append(_least_squares(u, *axis_weights(np.arange(n), n, m)))
        ops.append((ups, res))
    return ops


def pyramid(layout: Layout, chunk: np.ndarray, delta: float, ops=None) -> tuple[list[np.ndarray], np.ndarray]:
    """(integer grids, reconstruction) of ``chunk`` on step ``delta``."""
    ops = ops if ops is not None else _operators(layout)
    residual = np.asarray(chunk, np.float64).copy()
    grids: list[np.ndarray] = [np.zeros(0)] * layout.levels
    recon = np.zeros_like(residual)
    for k in reversed(range(layout.levels)):
        ups, res = ops[k]
        q = np.rint(_apply(residual, res) / delta)
        grids[k] = q
        part = _apply(q * delta, ups)
        recon += part
        residual -= part
    return grids, recon


def step_for_bytes(layout: Layout, chunk: np.ndarray, target: float) -> float:
    """The step whose quantised pyramid codes to about ``target`` latent bytes (bisection
    in log step on the exact coded size)."""
    ops = _operators(layout)
    lo, hi = np.log(1e-5), np.log(4.0)  # normalised data spans 2
    for _ in range(14):
        mid = (lo + hi) / 2
        grids, _ = pyramid(layout, chunk, float(np.exp(mid)), ops)
        if len(codec.encode_latents(layout, grids)) > target:
            lo = mid
        else:
            hi = mid
    return float(np.exp(hi))


def step_for_mse(target_mse: float) -> float:
    """Uniform quantisation of the finest grid leaves about delta**2 / 12."""
    return float(np.sqrt(12.0 * target_mse))
