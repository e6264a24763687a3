"""Quality measures for the SASNet benchmark: global, edge-region and smooth-region.

Regions come from the ground truth: the gradient magnitude of the truth smoothed by a
Gaussian (sigma 1 voxel, so Poisson noise does not count as an edge) splits the
voxels; the top 10% are the *edge region*, the bottom 50% the *smooth region*.

- ``psnr`` / ``edge_psnr``: dB with the value range of the (whole) array as peak.
- ``ssim``: scikit-image's structural similarity (2-d or 3-d), same data range.
- ``smooth_noise``: the paper's "noisiness in smooth regions" (frequency leakage:
  spurious high-frequency ripples where the data is flat), measured as the RMS of
  the discrete Laplacian of the reconstruction over the smooth region, relative to
  the value range.  The paper shows it as images, not as a number; this is our
  number for it.  Lower is cleaner; the truth's own value is reported beside it (for
  noisy data, such as Poisson counts, a reconstruction below the truth is smoother
  than the data).
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

EDGE_QUANTILE = 0.90
SMOOTH_QUANTILE = 0.50


def regions(truth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Boolean (edge, smooth) masks of the truth's voxels."""
    smoothed = ndimage.gaussian_filter(truth.astype(np.float64), 1.0)
    grad = np.sqrt(sum(g**2 for g in np.gradient(smoothed)))
    return grad >= np.quantile(grad, EDGE_QUANTILE), grad <= np.quantile(grad, SMOOTH_QUANTILE)


def psnr(truth: np.ndarray, approx: np.ndarray, value_range: float, where: np.ndarray | None = None) -> float:
    err = (approx.astype(np.float64) - truth.astype(np.float64)) ** 2
    mse = float(err.mean() if where is None else err[where].mean())
    return float("inf") if mse == 0 else 10 * np.log10(value_range**2 / mse)


def laplacian_rms(values: np.ndarray, where: np.ndarray, value_range: float) -> float:
    lap = ndimage.laplace(values.astype(np.float64), mode="nearest")
    return float(np.sqrt(np.mean(lap[where] ** 2)) / value_range)


def ssim(truth: np.ndarray, approx: np.ndarray, value_range: float) -> float:
    from skimage.metrics import structural_similarity

    return float(structural_similarity(truth.astype(np.float64), approx.astype(np.float64), data_range=value_range))


def measure(truth: np.ndarray, approx: np.ndarray) -> dict[str, float]:
    """Every measure of one reconstruction."""
    value_range = float(truth.max() - truth.min())
    edge, smooth = regions(truth)
    return {
        "psnr": psnr(truth, approx, value_range),
        "ssim": ssim(truth, approx, value_range),
        "edge_psnr": psnr(truth, approx, value_range, edge),
        "smooth_psnr": psnr(truth, approx, value_range, smooth),
        "smooth_noise": laplacian_rms(approx, smooth, value_range),
        "truth_smooth_noise": laplacian_rms(truth, smooth, value_range),
        "max_abs_error": float(np.abs(approx.astype(np.float64) - truth).max()),
    }
