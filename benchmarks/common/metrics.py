"""Quality and machine measures shared by every benchmark.

PSNR uses the value range of the whole array (the SZ3/SPERR papers' convention),
not per chunk; non-finite values are left out of every measure.
"""

from __future__ import annotations

import math
import os
import platform

import numpy as np


def value_range(array: np.ndarray) -> float:
    finite = array[np.isfinite(array)].astype(np.float64)
    return float(finite.max() - finite.min()) if finite.size else 0.0


def psnr(original: np.ndarray, decoded: np.ndarray) -> float:
    a, b = original.astype(np.float64), decoded.astype(np.float64)
    finite = np.isfinite(a)
    with np.errstate(over="ignore", invalid="ignore"):  # a diverged codec gives -inf dB, not a warning
        mse = float(np.mean((a[finite] - b[finite]) ** 2))
    if not math.isfinite(mse):
        return -math.inf
    return float("inf") if mse == 0 else 10 * np.log10(value_range(original) ** 2 / mse)


def max_abs_error(original: np.ndarray, decoded: np.ndarray) -> float:
    a, b = original.astype(np.float64), decoded.astype(np.float64)
    finite = np.isfinite(a)
    return float(np.max(np.abs(a[finite] - b[finite])))


def ssim(original: np.ndarray, decoded: np.ndarray) -> float | None:
    """SSIM (scikit-image) for 2-D and 3-D arrays; None where it is not defined."""
    if original.ndim not in (2, 3) or min(original.shape) < 7:
        return None
    from skimage.metrics import structural_similarity

    finite = np.isfinite(original)
    a = np.where(finite, original, 0).astype(np.float64)
    b = np.where(finite, decoded, 0).astype(np.float64)
    if not np.isfinite(b).all():  # a codec that returned Inf/NaN where data is finite
        return float("nan")
    return float(structural_similarity(a, b, data_range=value_range(original)))


def machine() -> dict[str, str]:
    """CPU model, core count and GPU (if torch sees one) for the results' header."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    gpu = "none"
    try:
        import torch

        if torch.cuda.is_available():
            gpu = torch.cuda.get_device_name(0)
    except ImportError:
        pass
    return {"cpu": cpu, "cores": str(os.cpu_count()), "gpu": gpu}
