"""Helpers shared by the HDF5 filter tests."""

from __future__ import annotations

import itertools
import os

import h5py
import numpy as np

import inrfilter

#: fast encoder settings for the filter (every chunk trains on its own)
FAST_H5 = {"steps": 30, "device": "cpu"}


def decode_chunks(dataset: h5py.Dataset) -> np.ndarray:
    """The dataset assembled from ``inrfilter.decode`` of each stored chunk's bytes:
    the reference the filter's reads must equal, bypassing HDF5's pipeline."""
    out = np.empty(dataset.shape, dataset.dtype)
    grid = [range(0, n, c) for n, c in zip(dataset.shape, dataset.chunks)]
    for offset in itertools.product(*grid):
        mask, blob = dataset.id.read_direct_chunk(offset)
        assert mask == 0, f"chunk {offset} was stored without the filter"
        chunk = inrfilter.decode(blob)
        assert chunk.shape == dataset.chunks
        inside = tuple(slice(o, min(o + c, n)) for o, c, n in zip(offset, dataset.chunks, dataset.shape))
        out[inside] = chunk[tuple(slice(0, s.stop - s.start) for s in inside)]
    return out


def plugin_env(**extra: str) -> dict[str, str]:
    """Environment of a subprocess that finds the plugin only through HDF5_PLUGIN_PATH."""
    env = {k: v for k, v in os.environ.items() if k != "HDF5_PLUGIN_PATH"}
    # the plugin's Python imports the inrfilter under test (a worktree's, not the installed one)
    tree = os.path.dirname(os.path.dirname(os.path.abspath(inrfilter.__file__)))
    path = os.pathsep.join(p for p in (tree, env.get("PYTHONPATH", "")) if p)
    return {**env, "HDF5_PLUGIN_PATH": inrfilter.PLUGIN_PATH, "OMP_NUM_THREADS": "1", "PYTHONPATH": path, **extra}
