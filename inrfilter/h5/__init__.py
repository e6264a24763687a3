"""The HDF5 door: everything inrfilter does with HDF5, in one package.

- :mod:`.dataset`: ``INR(...)`` for h5py's ``create_dataset`` and in-process registration
  of the filter (importing this package registers it when the plugin is built);
- :mod:`.read`: ``read_region``, ``sample`` and ``verify`` read chunks directly (no plugin
  needed);
- :mod:`.writer`: ``write`` fills a dataset with direct chunk writes, encoding in an
  encode pool (:mod:`inrfilter.pool`) or in batches, edge chunks sized on their valid part;
- :mod:`.filter`: what the native plugin calls for one chunk (never touches HDF5 or h5py);
- :mod:`.cdvalues`: encoder settings <-> the filter's cd_values;
- :mod:`.plugin`: the filter id and where the plugin library lives (``native/`` builds it);
- :mod:`.exit_flush`: flushes open files before the interpreter's exit handlers;
- :mod:`.close_check`: h5py's ``File.close`` raises when a chunk could not be encoded.

::

    import h5py, inrfilter.h5
    with h5py.File("out.h5", "w") as f:
        f.create_dataset("x", data=a, chunks=(64, 64), **inrfilter.h5.INR(psnr=40))
    with h5py.File("out.h5") as f:
        roi = inrfilter.h5.read_region(f["x"], (slice(10, 90), 7))   # == f["x"][10:90, 7]

When the native plugin imports this package (inside HDF5's filter callback, perhaps in
a C program such as h5dump), only the h5py-free modules load: h5py would call HDF5
while it holds its lock, or load a second libhdf5 into a process that runs one.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import inrfilter

from .plugin import FILTER_ID, FILTER_NAME, PLUGIN_PATH

_H5PY_API = ("INR", "is_inrfilter_dataset", "plugin_built", "read_region", "register", "sample", "verify", "write")
__all__ = ["FILTER_ID", "FILTER_NAME", "PLUGIN_PATH", *_H5PY_API]


def _load_h5py_api() -> None:
    """Import the h5py side, register the filter with h5py's HDF5 (when the plugin is
    built) and flush open files at exit."""
    from . import close_check, dataset, exit_flush, read, writer

    for name in _H5PY_API:
        globals()[name] = getattr(next(m for m in (dataset, read, writer) if hasattr(m, name)), name)
    if dataset.plugin_built():
        dataset.register()
    exit_flush.register()
    close_check.install()


def __getattr__(name: str) -> Any:
    if name in _H5PY_API:
        if importlib.util.find_spec("h5py") is None:
            raise ImportError(f"inrfilter.h5.{name} needs h5py: pip install h5py")
        _load_h5py_api()
        return globals()[name]
    raise AttributeError(f"module 'inrfilter.h5' has no attribute {name!r}")


# The native plugin imports this package from inside HDF5's filter callback (HDF5's
# lock held, maybe in a C program with no h5py): it sets this flag, and then nothing
# of h5py loads until asked for.
if not getattr(inrfilter, "_loading_for_native_plugin", False) and importlib.util.find_spec("h5py") is not None:
    _load_h5py_api()
