"""Encoding phase: train every lossy chunk, batch by batch, into the journal.

Batches are fixed groups of consecutive chunks of one dataset (``batch`` chunks, in
C order of their offsets), so a resumed run trains exactly the batches an
uninterrupted run would, and its blobs come out the same (for a ``steps`` budget on
one machine).  :func:`inrfilter.encode_batch` goes through an active encode pool
when there is one.
"""

from __future__ import annotations

import time
from typing import Any

from .. import encode_batch
from .journal import Journal
from .plan import Item, Plan, read_chunk, trains_on_valid_part


class Progress:
    """One bar for the whole conversion: bytes (so tqdm shows MB/s and ETA), with
    datasets and chunks done in its postfix."""

    def __init__(self, total_bytes: int, n_datasets: int, n_chunks: int, enabled: bool | None):
        from tqdm.auto import tqdm

        self.bar = tqdm(total=total_bytes, unit="B", unit_scale=True, unit_divisor=1024, desc="convert",
                        disable=(not enabled) if enabled is not None else None, leave=True)
        self.n_datasets, self.n_chunks = n_datasets, n_chunks
        self.datasets = self.chunks = 0

    def step(self, nbytes: int, chunks: int = 0, datasets: int = 0) -> None:
        self.chunks += chunks
        self.datasets += datasets
        self.bar.set_postfix_str(f"datasets {self.datasets}/{self.n_datasets}, chunks {self.chunks}/{self.n_chunks}",
                                 refresh=False)
        self.bar.update(nbytes)

    def close(self) -> None:
        self.bar.close()


def _valid_bytes(item: Item, offsets: list[tuple[int, ...]]) -> int:
    total = 0
    for o in offsets:
        n = item.node.dtype.itemsize
        for off, c, size in zip(o, item.chunks, item.node.shape):
            n *= min(off + c, size) - off
        total += n
    return total


def encode_item(item: Item, journal: Journal, progress: Progress) -> float:
    """Encode the batches of one dataset the journal does not have; seconds spent."""
    s = item.decision.settings
    kwargs: dict[str, Any] = s.encode_kwargs()
    with_valid = trains_on_valid_part()
    t0 = time.perf_counter()
    for b, offsets in enumerate(item.batches()):
        if not journal.has(item.key, b):
            read = [read_chunk(item.node, o, item.chunks) for o in offsets]
            chunks = [data for data, _ in read]
            if with_valid:
                kwargs["valid"] = [tuple(v.stop - v.start for v in valid) for _, valid in read]
            blobs = encode_batch(chunks, s.method, progress=False, **kwargs)
            journal.record(item.key, b, blobs)
        progress.step(_valid_bytes(item, offsets), chunks=len(offsets))
    return time.perf_counter() - t0


def encode_all(plan: Plan, journal: Journal, progress: Progress) -> None:
    """Encode every lossy dataset of the plan."""
    for item in plan.items:
        if item.lossy:
            item.seconds += encode_item(item, journal, progress)
