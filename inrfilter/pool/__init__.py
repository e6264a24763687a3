"""Encode worker pool: many writers, many processes, every GPU, batched.

    with inrfilter.pool.EncodePool(devices="auto", workers=None, max_batch=64):
        ...   # every door (encode_batch, numcodecs, zarr v3, inrfilter.h5.write) encodes here

- :mod:`.core`: :class:`EncodePool` (dispatcher, futures, failures, progress bar);
- :mod:`.worker`: the worker process (spawned, device pinned before torch loads);
- :mod:`.devices`: which workers to start (one per GPU, or N CPU workers and their threads);
- :mod:`.active`: which pool is active (the encoder asks it on every call).

With no pool active, encoding stays in the calling process, byte for byte as before.
"""

from .active import active_pool
from .core import EncodePool, PoolClosed, PoolStats, WorkerLost

__all__ = ["EncodePool", "PoolClosed", "PoolStats", "WorkerLost", "active_pool"]
