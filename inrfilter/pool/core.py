"""EncodePool: worker processes, dynamic batching, futures, failures.

One manager thread owns everything that changes (the queue of waiting chunks, the
workers, the progress bar), so no lock guards the pool's state: callers hand it
requests through a queue and wake it through a pipe, and it waits on that pipe, on
its workers' pipes and on their process sentinels at once (so a dead worker is seen
at once, not at a timeout).

Batching (as Triton's dynamic batcher): waiting chunks are grouped by (shape, dtype,
settings); a group goes to an idle worker when it holds ``max_batch`` chunks or its
oldest chunk has waited ``max_delay`` seconds.  While every worker is busy, groups
keep filling, so a busy pool trains large batches and an idle one answers fast.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import queue
import signal
import threading
import time
import multiprocessing as mp
from concurrent.futures import CancelledError, Future
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from typing import Any, Iterator, Sequence

import numpy as np

from ..chunk import check_array
from ..encoder import _check_valid, check_arguments, torch_device, warn_outcomes
from . import active
from .devices import WorkerSpec, plan
from .worker import main as worker_main

#: a worker slot that dies this many times in a row without finishing a batch is retired
MAX_STRIKES = 3
#: spawn copies the parent's environment at exec: set a worker's variables around start()
_ENV_LOCK = threading.Lock()


class WorkerLost(RuntimeError):
    """The worker process encoding a chunk died (killed, out of memory, CUDA error)."""


class PoolClosed(RuntimeError):
    """The pool closed (or could keep no worker alive) before a chunk was encoded."""


class ChunkFuture(Future):
    """A Future of one chunk's blob; once done, ``outcome`` says what became of the
    chunk (:class:`~inrfilter.encoder.Outcome`: lossless fallback, psnr reached), the
    facts :meth:`EncodePool.encode_batch` warns from in the caller's process."""

    outcome: Any = None


@dataclass
class _Request:
    array: np.ndarray
    valid: tuple[int, ...] | None
    name: str
    origin: int
    future: ChunkFuture
    submitted: float = field(default_factory=time.monotonic)


@dataclass
class _Group:
    method: str
    kwargs: dict[str, Any]
    requests: list[_Request] = field(default_factory=list)


@dataclass
class PoolStats:
    """What a pool did: for benchmarks, tests and the curious."""

    batches: int = 0
    batch_sizes: list[int] = field(default_factory=list)
    chunks: int = 0
    nbytes: int = 0
    worker_deaths: int = 0
    #: chunks encoded by each worker process, by pid
    chunks_by_pid: dict[int, int] = field(default_factory=dict)


class _Worker:
    def __init__(self, ctx: Any, spec: WorkerSpec, slot: int):
        self.spec, self.slot = spec, slot
        self.conn, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(target=worker_main, args=(child, spec.threads, spec.local_device()),
                                   name=f"inrfilter-pool-{slot}", daemon=True)
        with _ENV_LOCK:
            saved = {k: os.environ.get(k) for k in spec.env()}
            os.environ.update(spec.env())
            try:
                self.process.start()
            finally:
                for k, v in saved.items():
                    if v is None:
                        os.environ.pop(k, None)
                    else:
                        os.environ[k] = v
        child.close()
        self.ready = False
        self.batch: list[_Request] | None = None
        self.batch_id = -1
        self.dead = False

    def describe(self) -> str:
        return f"encode worker {self.slot} ({self.spec.device}, pid {self.process.pid})"


class EncodePool:
    """Encode chunks in worker processes: one per GPU, or N CPU workers, batched.

    ::

        with inrfilter.pool.EncodePool(devices="auto", max_batch=64):
            inrfilter.encode_batch(chunks, ratio=100)      # every door routes here
            zarr_array[...] = data                         # numcodecs and zarr v3 codecs too
            inrfilter.h5.write(h5_dataset, data)           # direct chunk writes

    ``devices``: "auto" (every GPU torch sees, else CPU workers), "cpu", "cuda", or a
    list of GPU numbers.  ``workers``: CPU workers (default: one per core), or
    workers per GPU (default 1).  ``threads``: torch threads per worker (default:
    cores split between CPU workers; 2 per GPU worker).  ``max_batch`` chunks at most
    train together; a smaller group leaves after ``max_delay`` seconds.  ``progress``:
    one bar for the pool (chunks, MB/s, ETA); None shows it on a terminal only.

    Blobs are those :func:`inrfilter.encode_batch` gives in-process with the same
    settings (batching never changes a blob, except through psnr early stopping and a
    ``seconds`` budget).  A worker that dies fails the chunks it held with
    :class:`WorkerLost` naming them, and is replaced.  Workers start with ``spawn``:
    a script that makes a pool needs the ``if __name__ == "__main__":`` guard.
    """

    def __init__(self, devices: Any = "auto", workers: int | None = None, *, max_batch: int = 64,
                 max_delay: float = 0.05, threads: int | None = None, progress: bool | None = None):
        if not isinstance(max_batch, int) or isinstance(max_batch, bool) or max_batch < 1:
            raise ValueError(f"max_batch must be a positive integer; got {max_batch!r}")
        if not isinstance(max_delay, (int, float)) or not math.isfinite(max_delay) or max_delay < 0:
            raise ValueError(f"max_delay must be a number of seconds >= 0; got {max_delay!r}")
        torch_device("cpu")  # workers train with torch: say how to install it here, not from a dead worker
        self.specs = plan(devices, workers, threads)
        self.max_batch, self.max_delay, self.progress = max_batch, float(max_delay), progress
        self.stats = PoolStats()
        self._ctx = mp.get_context("spawn")
        self._inbox: queue.SimpleQueue = queue.SimpleQueue()
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self._origins = itertools.count()
        self._closed = False
        self._strikes = [0] * len(self.specs)
        self._workers = [_Worker(self._ctx, spec, i) for i, spec in enumerate(self.specs)]
        self._groups: dict[tuple, _Group] = {}
        self._batch_ids = itertools.count()
        self._bar: Any = None
        self._started = time.monotonic()
        self._stopping: str | None = None  # "drain" or "cancel"
        self._thread = threading.Thread(target=self._run, name="inrfilter-pool", daemon=True)
        self._thread.start()

    # -- what callers use ---------------------------------------------------------------
    @property
    def has_gpu(self) -> bool:
        return any(s.is_gpu for s in self.specs)

    def worker_pids(self) -> list[int]:
        return [w.process.pid for w in self._workers if not w.dead]

    def submit(self, array: Any, method: str = "siren", *, valid: Sequence[int] | None = None,
               name: str | None = None, **kwargs: Any) -> ChunkFuture:
        """Queue one chunk; a Future of its blob.  Arguments as :func:`inrfilter.encode`;
        ``name`` says which chunk it is in error messages."""
        return self.submit_many([array], method, valid=[valid], names=None if name is None else [name],
                                **kwargs)[0]

    def submit_many(self, arrays: Sequence[Any], method: str = "siren", *,
                    valid: Sequence[Sequence[int] | None] | None = None, names: Sequence[str] | None = None,
                    **kwargs: Any) -> list[ChunkFuture]:
        """Queue chunks (checked here, so bad input fails in the caller as without a
        pool); one Future per chunk.  Chunks of one call share an origin: if one of
        them makes its batch fail, only the chunks of its call fail with it."""
        kwargs.pop("progress", None)  # the pool has one bar of its own
        device = kwargs.get("device", "auto")
        device = "auto" if device is None else str(device)
        check_arguments(method, **{k: v for k, v in kwargs.items() if k != "device"})
        if device.startswith("cuda") and not self.has_gpu:
            raise ValueError(f"device {device!r} asked for, but this pool has CPU workers only")
        checked = [check_array(a) for a in arrays]
        valid = _check_valid(valid, checked)
        if names is not None and len(names) != len(checked):
            raise ValueError(f"{len(names)} names for {len(checked)} chunks")
        if self._closed:
            raise PoolClosed("this encode pool is closed")
        kwargs["device"] = device
        origin = next(self._origins)
        futures = []
        settings_key = (method, repr(sorted(kwargs.items())))
        for i, (a, v) in enumerate(zip(checked, valid)):
            label = names[i] if names is not None else f"chunk {i} of {len(checked)} (call {origin})"
            request = _Request(np.array(a, order="C", copy=True), v, label, origin, ChunkFuture())
            self._inbox.put(("submit", (a.shape, a.dtype.str, *settings_key), method, kwargs, request))
            futures.append(request.future)
        self._wake()
        return futures

    def encode_batch(self, arrays: Sequence[Any], method: str = "siren", *,
                     valid: Sequence[Sequence[int] | None] | None = None, **kwargs: Any) -> list[bytes]:
        """:func:`inrfilter.encode_batch` through the pool (what the encoder calls while
        this pool is active)."""
        futures = self.submit_many(arrays, method, valid=valid, **kwargs)
        blobs = [f.result() for f in futures]
        outcomes = [f.outcome for f in futures if f.outcome is not None]
        warn_outcomes(outcomes, method, kwargs.get("psnr"), kwargs.get("max_error") is not None)
        return blobs

    def __reduce__(self) -> tuple:
        raise TypeError("an EncodePool belongs to the process that started it: send codecs or settings, "
                        "and give each process (Dask worker) its own pool")

    # -- lifetime -------------------------------------------------------------------------
    def __enter__(self) -> "EncodePool":
        return self.activate()

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self.close(cancel=exc_type is not None)

    def activate(self) -> "EncodePool":
        """Route every door's encoding through this pool until :meth:`close`."""
        if self._closed:
            raise PoolClosed("this encode pool is closed")
        active.push(self)
        return self

    @contextlib.contextmanager
    def routing(self) -> Iterator["EncodePool"]:
        """Route every door through this pool inside the block, and keep the pool open
        after it (a long-lived pool used by several sections of a program)."""
        self.activate()
        try:
            yield self
        finally:
            active.remove(self, every=False)

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Wait until every worker has started (imported torch, set its device); False
        if ``timeout`` passed first.  Not needed before submitting: benchmarks use it
        to leave start-up out of their timings."""
        end = None if timeout is None else time.monotonic() + timeout
        while not all(w.ready or w.dead for w in self._workers):
            if end is not None and time.monotonic() > end:
                return False
            time.sleep(0.02)
        return True

    def busy(self) -> dict[int, list[str]]:
        """The chunks each worker process (by pid) is encoding now."""
        return {w.process.pid: [r.name for r in w.batch] for w in list(self._workers) if w.batch and not w.dead}

    def close(self, cancel: bool = False, timeout: float | None = None) -> None:
        """Stop the pool.  By default waits for the queued chunks; ``cancel=True``
        (what leaving the ``with`` block on an exception or Ctrl-C does) fails them
        with CancelledError and terminates the workers at once."""
        active.remove(self)
        if self._closed and not self._thread.is_alive():
            return
        self._closed = True
        self._inbox.put(("close", "cancel" if cancel else "drain"))
        self._wake()
        try:
            self._thread.join(timeout)
        except KeyboardInterrupt:  # a second Ctrl-C while draining: stop now
            self._inbox.put(("close", "cancel"))
            self._wake()
            self._thread.join(10)
            raise
        finally:
            if not self._thread.is_alive():
                for fd in (self._wake_r, self._wake_w):
                    try:
                        os.close(fd)
                    except OSError:
                        pass

    def _wake(self) -> None:
        try:
            os.write(self._wake_w, b"x")
        except (BlockingIOError, OSError):
            pass  # the pipe is full (the manager will wake anyway) or closed

    # -- the manager thread -----------------------------------------------------------
    def _run(self) -> None:
        try:
            while True:
                self._take_inbox()
                if self._stopping == "cancel":
                    break
                self._dispatch()
                if self._stopping == "drain" and not self._groups and all(w.batch is None for w in self._workers):
                    break
                alive = [w for w in self._workers if not w.dead]
                if not alive:
                    self._fail_waiting(PoolClosed("no encode worker could be kept alive (each died "
                                                  f"{MAX_STRIKES} times in a row without finishing a batch)"))
                    if self._stopping:
                        break
                handles: list[Any] = [self._wake_r]
                for w in alive:
                    handles += [w.conn, w.process.sentinel]
                for h in wait(handles, self._timeout()):
                    if h == self._wake_r:
                        try:
                            os.read(self._wake_r, 4096)
                        except BlockingIOError:
                            pass
                for w in alive:
                    self._poll(w)
        finally:
            self._shutdown()

    def _timeout(self) -> float | None:
        if not self._groups or not any(w.ready and w.batch is None and not w.dead for w in self._workers):
            return None
        oldest = min(g.requests[0].submitted for g in self._groups.values())
        return max(0.0, oldest + self.max_delay - time.monotonic())

    def _take_inbox(self) -> None:
        while True:
            try:
                message = self._inbox.get_nowait()
            except queue.Empty:
                return
            if message[0] == "close":
                if self._stopping != "cancel":
                    self._stopping = message[1]
                continue
            _, key, method, kwargs, request = message
            if self._stopping == "cancel":
                request.future.cancel()
                continue
            self._groups.setdefault(key, _Group(method, kwargs)).requests.append(request)
            self._progress(total=1)

    def _dispatch(self) -> None:
        """Send due groups to idle workers, oldest first; a due group is shared among
        the idle workers (at most ``max_batch`` each) rather than left to one."""
        now = time.monotonic()
        idle = [w for w in self._workers if not w.dead and w.ready and w.batch is None]
        shares: dict[tuple, int] = {}  # a due group stays due until it is spread out
        while idle:
            due = [(k, g) for k, g in self._groups.items() if k in shares or len(g.requests) >= self.max_batch
                   or now - g.requests[0].submitted >= self.max_delay or self._stopping == "drain"]
            if not due:
                return
            key, group = min(due, key=lambda kg: kg[1].requests[0].submitted)
            if key not in shares:
                shares[key] = min(self.max_batch, -(-len(group.requests) // len(idle)))
            share = shares[key]
            w = idle.pop(0)
            batch, group.requests = group.requests[:share], group.requests[share:]
            if not group.requests:
                del self._groups[key]
            batch = [r for r in batch if r.future.set_running_or_notify_cancel()]
            if batch:
                self._send(w, group, batch)
            else:  # all cancelled meanwhile: the worker is still free
                idle.insert(0, w)

    def _send(self, w: _Worker, group: _Group, batch: list[_Request]) -> None:
        w.batch, w.batch_id = batch, next(self._batch_ids)
        self.stats.batches += 1
        self.stats.batch_sizes.append(len(batch))
        try:
            w.conn.send((w.batch_id, group.method, group.kwargs, [r.array for r in batch],
                         [r.valid for r in batch], [r.origin for r in batch]))
        except (BrokenPipeError, EOFError, OSError):
            self._lost(w)

    def _poll(self, w: _Worker) -> None:
        try:
            while not w.dead and w.conn.poll():
                batch_id, results = w.conn.recv()
                if batch_id is None:  # "ready": torch imported, device set
                    w.ready = True
                    continue
                self._finish(w, batch_id, results)
        except (EOFError, OSError):
            pass  # the worker is gone; its sentinel says so below
        if not w.dead and not w.process.is_alive():
            self._lost(w)

    def _finish(self, w: _Worker, batch_id: int, results: list) -> None:
        if batch_id != w.batch_id or w.batch is None:
            return
        batch, w.batch = w.batch, None
        self._strikes[w.slot] = 0
        done = 0
        for request, result in zip(batch, results):
            if isinstance(result, BaseException):
                request.future.set_exception(result)
            else:
                blob, request.future.outcome = result
                request.future.set_result(blob)
                done += request.array.nbytes
        self.stats.chunks += len(batch)
        self.stats.nbytes += done
        self.stats.chunks_by_pid[w.process.pid] = self.stats.chunks_by_pid.get(w.process.pid, 0) + len(batch)
        self._progress(n=len(batch), nbytes=done)

    def _lost(self, w: _Worker) -> None:
        """A worker died: fail what it held (naming the chunks) and start another."""
        w.dead = True
        w.process.join(1)
        code = w.process.exitcode
        how = (f"killed by {signal.Signals(-code).name}" if code is not None and code < 0 and
               -code in signal.Signals._value2member_map_ else f"exit code {code}")
        self.stats.worker_deaths += 1
        w.conn.close()
        if not w.batch:
            self._strikes[w.slot] += 1
        if self._stopping != "cancel" and self._strikes[w.slot] < MAX_STRIKES:
            self._workers[w.slot] = _Worker(self._ctx, w.spec, w.slot)  # before callers hear of it
        if w.batch:
            names = ", ".join(r.name for r in w.batch)
            error = WorkerLost(f"{w.describe()} died ({how}) while encoding {len(w.batch)} chunk(s): {names}; "
                               "the pool started a new worker (out of memory? try a smaller max_batch)")
            for r in w.batch:
                r.future.set_exception(error)
            self._progress(n=len(w.batch))
            w.batch = None

    def _fail_waiting(self, error: BaseException) -> None:
        for group in self._groups.values():
            for r in group.requests:
                if r.future.set_running_or_notify_cancel():
                    r.future.set_exception(error)
        self._groups.clear()

    def _shutdown(self) -> None:
        self._closed = True
        active.remove(self)
        for group in self._groups.values():
            for r in group.requests:
                r.future.cancel()
        self._groups.clear()
        for w in self._workers:
            if w.batch:
                for r in w.batch:
                    if not r.future.done():
                        r.future.set_exception(CancelledError(f"the encode pool closed while encoding {r.name}"))
                w.batch = None
            if not w.dead:
                try:
                    if self._stopping == "drain":
                        w.conn.send(None)  # finish and leave
                    else:
                        w.process.terminate()
                except (BrokenPipeError, OSError):
                    pass
        for w in self._workers:
            w.process.join(5)
            if w.process.is_alive():
                w.process.kill()
                w.process.join(5)
            w.conn.close()
        if self._bar is not None:
            self._bar.close()

    # -- progress ----------------------------------------------------------------------
    def _progress(self, total: int = 0, n: int = 0, nbytes: int = 0) -> None:
        if self.progress is False:
            return
        if self._bar is None:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=0, desc="inrfilter pool", unit="chunk", 
                              disable=None if self.progress is None else not self.progress)
        if total:
            self._bar.total += total
            self._bar.refresh()
        if n:
            self._bar.update(n)
            rate = self.stats.nbytes / max(time.monotonic() - self._started, 1e-9)
            self._bar.set_postfix_str(self._bar.format_sizeof(rate, "B/s"), refresh=False)
