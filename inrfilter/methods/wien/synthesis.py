"""Local inverse DWT on any set of coefficients (numpy, torch-free).

Decoding never inverts a whole pyramid unless the whole chunk is asked for: it
walks from the samples wanted down to the coefficients they depend on (level by
level, axis by axis), so only those are evaluated, then synthesises back up.  The
filter taps are read off PyWavelets' own periodized inverse (its impulse
responses), so decoding inverts exactly what ``pywt.wavedecn(mode="periodization")``
computed for training.  With Haar every sample depends on one coefficient per band
and level (a region needs exactly the matching coefficient indices); longer
wavelets bring a halo of their filter length.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pywt

MODE = "periodization"


@lru_cache(maxsize=None)
def taps(wavelet: str) -> tuple[np.ndarray, np.ndarray]:
    """``shift[band, parity, t]`` and ``weight[band, parity, t]`` of the periodized
    inverse along one axis: output sample ``i = 2u + parity`` is the sum over t and
    band (0 low, 1 high) of ``weight * coefficient[(u - shift) mod m]``.  Rows are
    padded with zero weights (repeating a real shift) to a common length T."""
    w = pywt.Wavelet(wavelet)
    m = 2 * max(w.rec_len, 2) + 4
    k0 = m // 2
    found: list[list[tuple[list[int], list[float]]]] = []
    for band in (0, 1):
        impulse, zero = np.zeros(m), np.zeros(m)
        impulse[k0] = 1.0
        y = pywt.idwt(impulse, zero, w, mode=MODE) if band == 0 else pywt.idwt(zero, impulse, w, mode=MODE)
        offsets = np.flatnonzero(y) - 2 * k0
        found.append([([(o - p) // 2 for o in offsets if (o - p) % 2 == 0],
                       [float(y[o + 2 * k0]) for o in offsets if (o - p) % 2 == 0]) for p in (0, 1)])
    width = max(len(s) for band in found for s, _ in band)
    shift = np.zeros((2, 2, width), np.int64)
    weight = np.zeros((2, 2, width), np.float64)
    for band in (0, 1):
        for parity in (0, 1):
            s, h = found[band][parity]
            shift[band, parity, :] = s[0] if s else 0
            shift[band, parity, : len(s)] = s
            weight[band, parity, : len(h)] = h
    return shift, weight


@dataclass
class LevelPlan:
    """How the level-(j-1) approximation at ``outputs`` follows from level j.

    ``approx_positions`` (rows of the level-j grid) need a_j, ``detail_positions``
    need all detail orientations of scale j; ``synthesise`` combines them."""

    level: int
    approx_positions: np.ndarray  # [na, ndim]
    detail_positions: np.ndarray  # [nd, ndim]
    _approx_rows: np.ndarray
    _approx_lookup: np.ndarray
    _detail_rows: np.ndarray
    _detail_lookup: np.ndarray
    _detail_channel: np.ndarray
    _steps: list[tuple[np.ndarray, np.ndarray]]  # per axis: (row ids [n, 2T], weights [n, 2T])
    _n_rows: int

    def synthesise(self, approx: np.ndarray, details: np.ndarray) -> np.ndarray:
        """Level-(j-1) approximation at the plan's outputs from a_j at ``approx_positions``
        ``[na]`` and the details at ``detail_positions`` ``[nd, channels]``."""
        values = np.empty(self._n_rows, np.float64)
        values[self._approx_rows] = approx[self._approx_lookup]
        values[self._detail_rows] = details[self._detail_lookup, self._detail_channel]
        for ids, weights in reversed(self._steps):
            values = (weights * values[ids]).sum(axis=1)
        return values


def _unique_rows(rows: np.ndarray, dims: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Unique integer rows (each column within its dim) and each row's id among them."""
    keys = np.ravel_multi_index(tuple(rows.T), dims) if len(rows) else np.zeros(0, np.int64)
    unique, inverse = np.unique(keys, return_inverse=True)
    return np.stack(np.unravel_index(unique, dims), axis=-1).reshape(-1, len(dims)), inverse.ravel()


def plan_level(outputs: np.ndarray, level: int, axes: tuple[int, ...], fine: tuple[int, ...],
               coarse: tuple[int, ...], wavelet: str) -> LevelPlan:
    """Plan the synthesis of level ``level - 1`` (grid ``fine``) at ``outputs [n, ndim]``
    from level ``level`` (grid ``coarse``) along the DWT ``axes``."""
    shift, weight = taps(wavelet)
    ndim, q = len(fine), len(axes)
    rows = np.asarray(outputs, np.int64).reshape(-1, ndim)
    dims = list(fine)
    steps = []
    for t, a in enumerate(axes):
        m = coarse[a]
        u, parity = rows[:, a] // 2, rows[:, a] % 2
        k = (u[:, None, None] - shift[:, parity, :].transpose(1, 0, 2)) % m  # [n, band, T]
        w = weight[:, parity, :].transpose(1, 0, 2)
        n, per = len(rows), k.shape[1] * k.shape[2]
        grown = np.repeat(rows, per, axis=0)
        grown[:, a] = k.reshape(-1)
        band = np.repeat(np.arange(2), k.shape[2])[None, :].repeat(n, axis=0).reshape(-1, 1)
        dims[a] = m
        dims.append(2)  # the band along this axis becomes a column of the rows
        rows, ids = _unique_rows(np.concatenate([grown, band], axis=1), dims)
        steps.append((ids.reshape(n, per), w.reshape(n, per)))
    positions, bits = rows[:, :ndim], rows[:, ndim:]
    code = (bits * (2 ** np.arange(q - 1, -1, -1))).sum(axis=1) if q else np.zeros(len(rows), np.int64)
    is_approx = code == 0
    approx_rows, detail_rows = np.flatnonzero(is_approx), np.flatnonzero(~is_approx)
    approx_positions, approx_lookup = _unique_rows(positions[approx_rows], list(coarse))
    detail_positions, detail_lookup = _unique_rows(positions[detail_rows], list(coarse))
    # pywt's band keys sorted ('ad' < 'da' < 'dd') are the band bits in binary order
    return LevelPlan(level, approx_positions, detail_positions, approx_rows, approx_lookup, detail_rows,
                     detail_lookup, code[detail_rows] - 1, steps, len(rows))
