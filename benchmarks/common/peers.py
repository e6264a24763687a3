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


#: error bounds (fractions of the value range) tried for SZ3 and SPERR beyond the
#: profile's: without them the best peer at ratio 100-300 is a fixed-rate mode only
REACH_BOUNDS = (0.03, 0.1)


def peer_settings(array: np.ndarray, relative_bounds: tuple[float, ...]) -> list[Setting]:
    import hdf5plugin

    span = float(np.nanmax(array) - np.nanmin(array))
    settings = [Setting("blosc-zstd (lossless)", "clevel=5", lambda a: dict(hdf5plugin.Blosc(cname="zstd", clevel=5)))]
    for rel in relative_bounds:
        settings.append(Setting("SZ3 abs", f"abs={rel:g}*range", lambda a, e=rel * span: dict(hdf5plugin.SZ3(absolute=e))))
        settings.append(Setting("SZ3 rel", f"rel={rel:g}", lambda a, r=rel: dict(hdf5plugin.SZ3(relative=r))))
        settings.append(Setting("ZFP accuracy", f"acc={rel:g}*range",
                                lambda a, e=rel * span: dict(hdf5plugin.Zfp(accuracy=e))))
        settings.append(Setting("SPERR abs", f"abs={rel:g}*range",
                                lambda a, e=rel * span: dict(hdf5plugin.Sperr(absolute=e))))
    for rel in REACH_BOUNDS:  # loose bounds, so error-bounded peers reach ratios 100-300 too
        settings.append(Setting("SZ3 abs", f"abs={rel:g}*range", lambda a, e=rel * span: dict(hdf5plugin.SZ3(absolute=e))))
        settings.append(Setting("SPERR abs", f"abs={rel:g}*range",
                                lambda a, e=rel * span: dict(hdf5plugin.Sperr(absolute=e))))
    for rate in (0.1, 0.25, 0.5, 1, 2, 4):
        settings.append(Setting("ZFP rate", f"rate={rate}", lambda a, r=rate: dict(hdf5plugin.Zfp(rate=r))))
        settings.append(Setting("SPERR rate", f"rate={rate}", lambda a, r=rate: dict(hdf5plugin.Sperr(rate=r))))
    for db in (30, 40, 60):
        settings.append(Setting("SPERR psnr", f"psnr={db}",
                                lambda a, p=db: dict(hdf5plugin.Sperr(peak_signal_to_noise_ratio=p))))
    return settings


def run_h5(array: np.ndarray, chunks: tuple[int, ...], setting: Setting) -> tuple[int, np.ndarray, float, float]:
    """(stored bytes, decoded array, encode seconds, decode seconds) through HDF5.

    SZ3, ZFP and SPERR take floating-point data only (SPERR crashes the process on
    uint8), so integer arrays are handed over as float32, as a user would; the ratio
    is still counted against the original array's bytes."""
    import h5py

    if array.dtype.kind not in "f":
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
