"""The codecs we are compared with, run through hdf5plugin in this process.

Each peer writes the array to an in-memory HDF5 file with the same chunking that
inrfilter uses, so stored bytes (chunk storage, as h5py reports it) and timings are
measured the same way for everyone.
"""

from __future__ import annotations

import io
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np


@dataclass
class Setting:
    """One codec configuration: ``family`` groups a curve, ``label`` names the point."""

    family: str
    label: str
    filter: Callable[[np.ndarray], dict[str, Any]]  # array -> create_dataset kwargs
    #: the codec takes integer arrays as they are (SZ3); others get float32
    native_int: bool = False


#: error bounds (fractions of the value range) tried for every error-bounded peer beyond
#: the profile's, up to the whole range: each family's curve must span ratios 30-300
#: (and beyond) on every dataset, or "no peer reaches it" is an artifact of the grid
REACH_BOUNDS = (0.03, 0.1, 0.3, 1.0)
#: bits per value of the fixed-rate modes: SPERR down to 0.01 (ratio 3200 on float32,
#: 800 on uint8); ZFP's smallest useful rate is about 0.05
SPERR_RATES = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4)
ZFP_RATES = (0.05, 0.1, 0.25, 0.5, 1, 2, 4)
SPERR_PSNRS = (20, 30, 40, 60)


def peer_settings(array: np.ndarray, relative_bounds: tuple[float, ...]) -> list[Setting]:
    import hdf5plugin

    span = float(np.nanmax(array) - np.nanmin(array))
    settings = [Setting("blosc-zstd (lossless)", "clevel=5", lambda a: dict(hdf5plugin.Blosc(cname="zstd", clevel=5)))]
    bounds = sorted(set(relative_bounds) | set(REACH_BOUNDS))
    for rel in bounds:
        settings.append(Setting("SZ3 abs", f"abs={rel:g}*range", lambda a, e=rel * span: dict(hdf5plugin.SZ3(absolute=e)),
                                native_int=True))
        settings.append(Setting("SZ3 rel", f"rel={rel:g}", lambda a, r=rel: dict(hdf5plugin.SZ3(relative=r)),
                                native_int=True))
        settings.append(Setting("ZFP accuracy", f"acc={rel:g}*range",
                                lambda a, e=rel * span: dict(hdf5plugin.Zfp(accuracy=e))))
        settings.append(Setting("SPERR abs", f"abs={rel:g}*range",
                                lambda a, e=rel * span: dict(hdf5plugin.Sperr(absolute=e))))
    for rate in ZFP_RATES:
        settings.append(Setting("ZFP rate", f"rate={rate}", lambda a, r=rate: dict(hdf5plugin.Zfp(rate=r))))
    for rate in SPERR_RATES:
        settings.append(Setting("SPERR rate", f"rate={rate}", lambda a, r=rate: dict(hdf5plugin.Sperr(rate=r))))
    for db in SPERR_PSNRS:
        settings.append(Setting("SPERR psnr", f"psnr={db}",
                                lambda a, p=db: dict(hdf5plugin.Sperr(peak_signal_to_noise_ratio=p))))
    return settings


def run_h5(array: np.ndarray, chunks: tuple[int, ...], setting: Setting) -> tuple[int, np.ndarray, float, float]:
    """(stored bytes, decoded array, encode seconds, decode seconds) through HDF5.

    Integer arrays: SZ3 takes them as they are (``Setting.native_int``); ZFP honours
    its accuracy bound on floats only and SPERR takes floats only (it crashes the
    process on uint8), so they get float32, and their output is rounded and clipped
    back to the integer type, as a user storing integers would get.  The ratio is
    counted against the original array's bytes either way."""
    import h5py

    original = array.dtype
    if array.dtype.kind not in "f" and not setting.native_int:
        array = array.astype(np.float32)

    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        t0 = time.perf_counter()
        ds = f.create_dataset("x", data=array, chunks=chunks, **setting.filter(array))
        f.flush()
        t1 = time.perf_counter()
        stored = ds.id.get_storage_size()
    # Reopen: reading through the same handle would return HDF5's cached raw chunks.
    with h5py.File(buffer, "r") as f:
        t2 = time.perf_counter()
        decoded = f["x"][()]
        t3 = time.perf_counter()
    if original.kind in "iu" and decoded.dtype != original:
        limits = np.iinfo(original)
        decoded = np.clip(np.rint(decoded), limits.min, limits.max).astype(original)
    return stored, decoded, t1 - t0, t3 - t2


_pending: tuple[np.ndarray, tuple[int, ...], Setting] | None = None


def _run_pending() -> tuple[int, np.ndarray, float, float]:
    assert _pending is not None
    return run_h5(*_pending)


def run_h5_isolated(array: np.ndarray, chunks: tuple[int, ...], setting: Setting) -> tuple[int, np.ndarray, float, float]:
    """:func:`run_h5` in a forked child, so a peer that crashes its process (SZ3 on NaN
    data: "double free or corruption") becomes a failed setting instead of ending the
    whole benchmark.  Forked, so the setting's lambda needs no pickling; timings are
    taken inside the child, as before."""
    global _pending
    _pending = (array, chunks, setting)
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as pool:
            return pool.submit(_run_pending).result()
    except BrokenProcessPool:
        raise RuntimeError("the codec crashed its process") from None
    finally:
        _pending = None


def run_fourier_network(array: np.ndarray, chunks: tuple[int, ...]) -> tuple[int, np.ndarray, float, float] | str:
    """The existing numcodecs INR codec (numcodecs-wasm-fourier-network), chunk by chunk;
    a string saying why when it is not installed or fails."""
    try:
        from numcodecs_wasm_fourier_network import FourierNetwork  # type: ignore
    except Exception as exc:  # noqa: BLE001 - any import failure means "skip with a note"
        return f"numcodecs-wasm-fourier-network unavailable: {type(exc).__name__}: {exc}"
    codec = FourierNetwork(fourier_features=16, fourier_scale=10.0, num_blocks=2, learning_rate=1e-3,
                           num_epochs=100, mini_batch_size=None, seed=0)
    data = array if array.dtype.kind == "f" else array.astype(np.float32)  # it takes floats only
    pieces = list(_split(data, chunks))
    try:
        t0 = time.perf_counter()
        blobs = [codec.encode(np.ascontiguousarray(p)) for _, p in pieces]
        t1 = time.perf_counter()
        out = np.empty_like(data)
        for (where, p), blob in zip(pieces, blobs):
            out[where] = np.asarray(codec.decode(blob, out=np.empty(p.shape, p.dtype))).reshape(p.shape)
        t2 = time.perf_counter()
    except Exception as exc:  # noqa: BLE001 - its failure is a result to report, not a crash
        return f"numcodecs-wasm-fourier-network failed: {exc} ({exc.__cause__})"
    return sum(np.asarray(b).nbytes for b in blobs), out, t1 - t0, t2 - t1


def _split(array: np.ndarray, chunks: tuple[int, ...]):
    import itertools

    ranges = [range(0, n, c) for n, c in zip(array.shape, chunks)]
    for corner in itertools.product(*ranges):
        where = tuple(slice(o, o + c) for o, c in zip(corner, chunks))
        yield where, array[where]
