"""Which worker processes a pool starts: one per GPU, or N CPU workers.

A GPU worker sees one device (``CUDA_VISIBLE_DEVICES`` set before it imports torch),
so "cuda" inside it is its GPU and no two workers share one by accident.  A CPU
worker sees no GPU and gets ``threads`` torch threads.  By default there is one CPU
worker per core, with one thread each: the networks are small, and torch's intra-op
threads gain little on them and lose much when the cores are busy (benchmarks/results/pool:
on a shared 2-core machine one worker with 1 thread encoded 3x faster than with 2).
Each worker holds its own torch (a few hundred MB).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any, Sequence

_CUDA = re.compile(r"^cuda(:(\d+))?$")


@dataclass(frozen=True)
class WorkerSpec:
    """One worker process: the device it trains on, its environment and torch threads."""

    device: str  # "cpu" or "cuda:N" (N as the machine numbers it)
    threads: int

    @property
    def is_gpu(self) -> bool:
        return self.device != "cpu"

    def env(self) -> dict[str, str]:
        """Environment the worker starts with (set before torch is imported there)."""
        gpu = ""
        if self.is_gpu:  # torch's number N is the N-th of the GPUs this process may see
            index = int(self.device.split(":")[1])
            visible = [v for v in os.environ.get("CUDA_VISIBLE_DEVICES", "").split(",") if v.strip()]
            gpu = visible[index].strip() if "CUDA_VISIBLE_DEVICES" in os.environ and index < len(visible) \
                else str(index)
        return {"CUDA_VISIBLE_DEVICES": gpu, "OMP_NUM_THREADS": str(self.threads),
                "MKL_NUM_THREADS": str(self.threads)}

    def local_device(self) -> str:
        """The device name inside the worker (it sees its GPU as cuda:0)."""
        return "cuda" if self.is_gpu else "cpu"


def gpu_count() -> int:
    """GPUs torch sees here, without initialising CUDA in this process (NVML count)."""
    try:
        import torch
    except ImportError:  # pragma: no cover - encoding needs torch anyway
        return 0
    return int(torch.cuda.device_count()) if torch.cuda.is_available() else 0


def cpu_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def plan(devices: Any = "auto", workers: int | None = None, threads: int | None = None) -> list[WorkerSpec]:
    """Worker specs for ``devices``: "auto" (every GPU, else the CPU), "cpu", "cuda"
    (every GPU), or a list of GPU numbers / "cuda:N" names.  ``workers``: CPU workers
    (default: one per core), or workers per GPU (default 1).  ``threads``: torch
    threads per worker (default: the cores over the CPU workers; 2 per GPU worker)."""
    if workers is not None and (not isinstance(workers, int) or isinstance(workers, bool) or workers < 1):
        raise ValueError(f"workers must be a positive integer; got {workers!r}")
    if threads is not None and (not isinstance(threads, int) or isinstance(threads, bool) or threads < 1):
        raise ValueError(f"threads must be a positive integer; got {threads!r}")
    gpus = _gpus(devices)
    if gpus:
        per_gpu = workers or 1
        return [WorkerSpec(f"cuda:{g}", threads or 2) for g in gpus for _ in range(per_gpu)]
    cores = cpu_cores()
    n = workers or cores
    return [WorkerSpec("cpu", threads or max(1, cores // n)) for _ in range(n)]


def _gpus(devices: Any) -> list[int]:
    if devices == "cpu":
        return []
    if devices in ("auto", "cuda"):
        found = gpu_count()
        if devices == "cuda" and not found:
            raise ValueError("devices='cuda' asked for, but torch sees no CUDA device")
        return list(range(found))
    if isinstance(devices, (str, int)):
        devices = [devices]
    if not isinstance(devices, Sequence) or not devices:
        raise ValueError(f"devices must be 'auto', 'cpu', 'cuda' or a list of GPUs; got {devices!r}")
    out = []
    for d in devices:
        m = _CUDA.match(d) if isinstance(d, str) else None
        if isinstance(d, int) and not isinstance(d, bool) and d >= 0:
            out.append(d)
        elif m and m.group(2) is not None:
            out.append(int(m.group(2)))
        else:
            raise ValueError(f"a GPU is a number or 'cuda:N'; got {d!r}")
    found = gpu_count()
    missing = [g for g in out if g >= found]
    if missing:
        raise ValueError(f"GPU(s) {missing} asked for; torch sees {found}")
    return out
