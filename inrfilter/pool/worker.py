"""The worker process of an encode pool: receives batches, returns blobs.

Started with ``spawn`` (a forked child of a process that touched CUDA cannot use it),
with its device pinned through the environment before torch is imported.  It ignores
SIGINT: Ctrl-C reaches the whole process group, and the pool in the parent decides
what stops (it terminates its workers when it closes).  When the parent goes away,
the pipe closes and the worker ends.

Messages from the parent: ``(batch_id, method, kwargs, arrays, valid, origins)``;
``None`` asks it to stop.  Replies: ``(batch_id, results)`` with, per chunk, either
``(blob, outcome)`` (the encoder's :class:`~inrfilter.encoder.Outcome`, from which the
caller's process warns) or one exception.  A batch that fails is retried per origin (the caller that
submitted its chunks), so one caller's bad chunk (say, a ratio its chunk size
cannot reach) fails that caller's chunks only, as it would without a pool.  After a
device failure (CUDA error, out of memory) the worker reports it and exits, and the
pool starts a fresh one in its place.
"""

from __future__ import annotations

import pickle
import signal
from typing import Any


def main(conn: Any, threads: int, device: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import torch  # after the parent set CUDA_VISIBLE_DEVICES / OMP_NUM_THREADS for this process

    torch.set_num_threads(threads)
    from ..encoder import encode_batch_outcomes

    conn.send((None, "ready"))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        batch_id, method, kwargs, arrays, valid, origins = message
        results = _encode(encode_batch_outcomes, method, {**kwargs, "device": _device(kwargs, device)}, arrays, valid, origins)
        conn.send((batch_id, results))
        if any(_device_broken(r) for r in results):
            return  # a CUDA error can leave the context unusable: the pool starts a fresh worker


def _device_broken(result: object) -> bool:
    """Whether a failure came from the device (CUDA error, out of memory), after which
    this process's CUDA context cannot be trusted."""
    if not isinstance(result, BaseException):
        return False
    return type(result).__name__ == "OutOfMemoryError" or "CUDA error" in str(result)


def _device(kwargs: dict, worker_device: str) -> str:
    """The settings' device inside this worker: "cpu" stays; anything else is this
    worker's device (a GPU worker sees its GPU as "cuda")."""
    return "cpu" if kwargs.get("device") == "cpu" else worker_device


def _encode(encode: Any, method: str, kwargs: dict, arrays: list, valid: list, origins: list) -> list:
    try:
        return list(zip(*encode(arrays, method, valid=valid, progress=False, **kwargs)))
    except Exception as exc:  # noqa: BLE001 - every failure goes back to its callers
        if len(set(origins)) == 1:
            return [_picklable(exc)] * len(arrays)
    results: list = [None] * len(arrays)
    for origin in dict.fromkeys(origins):
        members = [i for i, o in enumerate(origins) if o == origin]
        try:
            blobs = list(zip(*encode([arrays[i] for i in members], method, valid=[valid[i] for i in members],
                                     progress=False, **kwargs)))
        except Exception as exc:  # noqa: BLE001
            blobs = [_picklable(exc)] * len(members)
        for i, blob in zip(members, blobs):
            results[i] = blob
    return results


def _picklable(exc: BaseException) -> BaseException:
    """The exception itself when it survives pickling (the caller then sees the same
    type and message as without a pool), else a RuntimeError with its text."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001
        return RuntimeError(f"{type(exc).__name__}: {exc}")
