"""Many nodes: encoding on a Dask cluster (CPU or GPU workers), the engine facilities run.

    from distributed import Client
    import inrfilter.dask
    client = Client(cluster)                              # LocalCluster, SLURMCluster, LocalCUDACluster
    inrfilter.dask.setup_workers(client)                  # each worker: its device and torch threads
    inrfilter.dask.to_zarr(x, "out.zarr", codec=inrfilter.zarr.INR(ratio=100))

- :func:`to_zarr` aligns the dask blocks with the zarr chunks (or shards), so no two
  tasks ever write one chunk, and sizes each task to hold ``chunks_per_task`` chunks,
  which it trains together in one batch.  Unsharded arrays are written chunk by chunk
  with each edge chunk's network trained and sized on its valid part (zarr's codec
  interface does not tell a codec where a chunk lies; this writer knows).
- :func:`setup_workers` registers a WorkerPlugin: each worker trains on one device (a
  GPU by its rank on its host, or the one dask-cuda pinned) with a fair share of the
  host's cores as torch threads.  Dask's worker processes are daemons and cannot start
  an :class:`inrfilter.pool.EncodePool`: on a cluster, each worker *is* one encoder.
- :func:`write_hdf5`: HDF5 files are not written by many processes (without MPI):
  workers return blobs, and this process writes them with direct chunk writes.
- Codecs travel by their configuration alone (see ``__reduce__`` of each codec):
  nothing of a pool, a lock or torch crosses the network.

Failures: a worker lost mid-write has its tasks rerun by Dask elsewhere.  A task
writes whole chunks (whole shards for sharded arrays), and a chunk's blob depends
only on its data, its settings and the task's blocking, so a rerun writes the same
bytes: the array ends complete and identical.  A sharded array's shard is one store
object, written at once by one task: a rerun replaces it whole, never half of it.
Docs: docs/dask.md.
"""

from __future__ import annotations

import itertools
import math
import os
import uuid
from typing import Any, Sequence

import numpy as np

from .zarr.writer import chunk_pieces, encode_pieces, write_region

#: chunks a task trains together by default
CHUNKS_PER_TASK = 16


# -- task layout ------------------------------------------------------------------------------
def task_shape(shape: Sequence[int], unit: Sequence[int], chunks: Sequence[int],
               chunks_per_task: int = CHUNKS_PER_TASK) -> tuple[int, ...]:
    """Dask block shape: whole ``unit``\\ s (shards, or chunks when unsharded), grown along
    the last axes first (contiguous slabs) until a block holds ``chunks_per_task``
    chunks or the array ends."""
    if chunks_per_task < 1:
        raise ValueError(f"chunks_per_task must be >= 1; got {chunks_per_task}")
    block = list(unit)
    for axis in reversed(range(len(shape))):
        while math.prod(-(-b // c) for b, c in zip(block, chunks)) < chunks_per_task and block[axis] < shape[axis]:
            block[axis] += unit[axis]
    return tuple(min(b, n) for b, n in zip(block, shape))


def _codec_parts(codec: Any) -> tuple[int, Any]:
    """(zarr format, the codec's EncodeSettings) of an inrfilter zarr or numcodecs codec."""
    from .numcodecs import INR as V2INR
    from .zarr import INR as V3INR

    if isinstance(codec, V3INR):
        return 3, codec.settings
    if isinstance(codec, V2INR):
        return 2, codec.settings
    raise TypeError(f"codec must be inrfilter.zarr.INR (zarr format 3) or inrfilter.numcodecs.INR (format 2); "
                    f"got {type(codec).__name__}")


def to_zarr(x: Any, store: Any, codec: Any = None, *, chunks: Sequence[int] | None = None,
            shards: Sequence[int] | None = None, chunks_per_task: int = CHUNKS_PER_TASK, name: str | None = None,
            fill_value: Any = None, attributes: dict | None = None, overwrite: bool = False,
            compute: bool = True) -> Any:
    """Write a dask array to a new zarr array encoded with inrfilter, one task per block.

    ``codec``: :class:`inrfilter.zarr.INR` (zarr format 3, the default with its default
    settings) or :class:`inrfilter.numcodecs.INR` (format 2).  ``chunks``: the zarr chunk
    shape (default: the dask array's chunk size); ``shards``: a shard shape (format 3),
    a multiple of ``chunks``.  ``store`` must be reachable from every worker (a path on a
    shared file system, an object store URL), not an in-memory store.
    ``compute=False`` returns a dask array whose computation writes (one True per task).
    Returns the zarr array otherwise.
    """
    import dask.array as da
    import zarr

    from .zarr import INR

    x = da.asarray(x)
    codec = INR() if codec is None else codec
    zarr_format, _ = _codec_parts(codec)
    chunks = tuple(int(c) for c in (chunks if chunks is not None else x.chunksize))
    if len(chunks) != x.ndim:
        raise ValueError(f"chunks {chunks} for a {x.ndim}-d array")
    if shards is not None:
        shards = tuple(int(s) for s in shards)
        if zarr_format == 2:
            raise ValueError("zarr format 2 has no shards; use inrfilter.zarr.INR (format 3)")
        if len(shards) != x.ndim or any(s % c for s, c in zip(shards, chunks)):
            raise ValueError(f"shards {shards} must be whole multiples of chunks {chunks}")
    codecs = ({"serializer": codec, "compressors": None} if zarr_format == 3
              else {"compressors": codec, "filters": None, "order": "C"})
    if fill_value is not None:
        codecs["fill_value"] = fill_value
    z = zarr.create_array(store, name=name, shape=x.shape, dtype=x.dtype, chunks=chunks, shards=shards,
                          zarr_format=zarr_format, attributes=attributes, overwrite=overwrite, **codecs)
    block = task_shape(x.shape, shards or chunks, chunks, chunks_per_task)
    x = x.rechunk(block)
    # a fresh name each call: equal keys would let the scheduler reuse another write's results
    done = x.map_blocks(_write_block, z, codec, shards is None, chunks=(1,) * x.ndim, dtype=bool,
                        name=f"inrfilter-to-zarr-{uuid.uuid4().hex}")
    if not compute:
        return done
    done.compute()
    return z


def _write_block(block: np.ndarray, z: Any, codec: Any, direct: bool, block_info: Any = None) -> np.ndarray:
    """One task: encode the chunks of one block (trained together) and store them."""
    import zarr

    region = tuple(slice(a, b) for a, b in block_info[0]["array-location"])
    if direct:
        write_region(z, np.asarray(block), region, _codec_parts(codec)[1])
    else:
        count = math.prod(-(-(s.stop - s.start) // c) for s, c in zip(region, z.chunks))
        with zarr.config.set({"codec_pipeline.batch_size": max(1, count)}):  # one batch per shard
            z[region] = block
    return np.ones((1,) * block.ndim, bool)


# -- HDF5: workers encode, one writer writes ---------------------------------------------------
def write_hdf5(x: Any, dataset: Any, *, chunks_per_task: int = CHUNKS_PER_TASK, client: Any = None) -> int:
    """Encode a dask array on the cluster into an HDF5 dataset made with
    ``**inrfilter.h5.INR(...)`` (same shape): tasks return blobs, this process writes
    them with ``write_direct_chunk`` as they arrive.  Returns the chunks written.
    ``client``: the distributed Client (default: the current one, if any); False, or
    no client: dask's configured scheduler, one task at a time."""
    import dask
    import dask.array as da

    from .h5.cdvalues import unpack
    from .h5.plugin import FILTER_ID
    from .h5.read import _check_dataset

    chunks = _check_dataset(dataset)
    settings, _ = unpack(dataset.id.get_create_plist().get_filter_by_id(FILTER_ID)[1])
    x = da.asarray(x)
    if tuple(x.shape) != dataset.shape:
        raise ValueError(f"array of shape {x.shape} for dataset {dataset.name} of shape {dataset.shape}")
    x = x.astype(dataset.dtype).rechunk(task_shape(x.shape, chunks, chunks, chunks_per_task))
    starts = [np.cumsum((0,) + c[:-1]) for c in x.chunks]
    tasks = []
    for index in itertools.product(*[range(len(c)) for c in x.chunks]):
        region = tuple(slice(int(s[i]), int(s[i]) + c[i]) for s, c, i in zip(starts, x.chunks, index))
        tasks.append(dask.delayed(_encode_block)(x.blocks[index], region, chunks, settings))
    if client is None:
        try:
            from distributed import default_client

            client = default_client()
        except (ImportError, ValueError):
            client = None
    written = 0
    if client:
        from distributed import as_completed

        for future in as_completed(client.compute(tasks)):
            written += _write_results(dataset, future.result())
            future.release()
    else:
        for task in tasks:
            written += _write_results(dataset, task.compute())
    return written


def _encode_block(block: np.ndarray, region: tuple[slice, ...], chunks: Sequence[int],
                  settings: Any) -> list[tuple[tuple[int, ...], bytes]]:
    pieces = list(chunk_pieces(np.asarray(block), region, chunks))
    return [(tuple(c * n for c, n in zip(coords, chunks)), blob)
            for (coords, _, _), blob in zip(pieces, encode_pieces(settings, pieces))]


def _write_results(dataset: Any, results: list[tuple[tuple[int, ...], bytes]]) -> int:
    for offset, blob in results:
        dataset.id.write_direct_chunk(offset, blob, filter_mask=0)
    return len(results)


# -- workers: device and threads ---------------------------------------------------------------
try:
    from distributed.diagnostics.plugin import WorkerPlugin as _WorkerPlugin
except ImportError:  # pragma: no cover - to_zarr and write_hdf5 need dask only
    _WorkerPlugin = object


class EncoderSetup(_WorkerPlugin):
    """WorkerPlugin: one device and a fair share of the host's cores per worker.

    ``ranks`` maps a worker's address to (its rank among the workers of its host, how
    many there are); a worker that joins later (adaptive scaling) takes rank 0 of 1
    unless its host is known.  GPU: the one dask-cuda pinned (a single visible device),
    else GPU ``rank % count``; torch's "cuda" is then that device.  CPU: ``threads``
    torch threads (default: the host's cores over its workers).
    """

    name = "inrfilter-encoder"

    def __init__(self, devices: str = "auto", threads: int | None = None,
                 ranks: dict[str, tuple[int, int]] | None = None):
        if devices not in ("auto", "cpu", "cuda"):
            raise ValueError(f"devices must be 'auto', 'cpu' or 'cuda'; got {devices!r}")
        self.devices, self.threads, self.ranks = devices, threads, dict(ranks or {})

    def setup(self, worker: Any) -> None:
        import torch

        from .pool.devices import cpu_cores

        rank, count = self.ranks.get(worker.address, (0, 1))
        gpus = torch.cuda.device_count() if self.devices != "cpu" and torch.cuda.is_available() else 0
        if self.devices == "cuda" and not gpus:
            raise RuntimeError(f"worker {worker.address}: devices='cuda' but torch sees no GPU")
        if gpus:
            index = rank % gpus
            torch.cuda.set_device(index)
            device, threads = f"cuda:{index}", self.threads or 2
        else:
            device, threads = "cpu", self.threads or max(1, cpu_cores() // count)
            os.environ["CUDA_VISIBLE_DEVICES"] = ""  # "auto" stays on the CPU (before CUDA starts)
        torch.set_num_threads(threads)
        worker.inrfilter_encoder = {"device": device, "threads": threads}


def setup_workers(client: Any, devices: str = "auto", threads: int | None = None) -> dict[str, dict]:
    """Give every worker of ``client``'s cluster its device and torch thread count
    (:class:`EncoderSetup`, registered as a WorkerPlugin, so workers that restart or
    join later get it too).  Returns {worker address: {"device", "threads"}}."""
    workers = client.scheduler_info(n_workers=-1)["workers"] if _takes_n_workers(client) \
        else client.scheduler_info()["workers"]
    by_host: dict[str, list[str]] = {}
    for address, info in workers.items():
        by_host.setdefault(info.get("host", address), []).append(address)
    ranks = {a: (i, len(addrs)) for addrs in by_host.values() for i, a in enumerate(sorted(addrs))}
    client.register_plugin(EncoderSetup(devices, threads, ranks), name=EncoderSetup.name)
    return client.run(lambda dask_worker: getattr(dask_worker, "inrfilter_encoder", None))


def _takes_n_workers(client: Any) -> bool:
    import inspect

    return "n_workers" in inspect.signature(client.scheduler_info).parameters
