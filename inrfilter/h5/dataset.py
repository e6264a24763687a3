"""Writing through h5py: ``INR(...)`` for ``create_dataset``, and in-process registration.

Registering loads the plugin library with ctypes and hands its
``H5PLget_plugin_info()`` to ``h5py.h5z.register_filter`` (as hdf5plugin does), so
no HDF5_PLUGIN_PATH is needed inside Python.
"""

from __future__ import annotations

import ctypes
import os
from typing import Any

import h5py

from ..encoder import torch_device
from ..quant import DEFAULT_QUANT
from ..settings import EncodeSettings
from . import exit_flush
from .cdvalues import pack
from .plugin import FILTER_ID, FILTER_NAME, LIBRARY_NAME, PLUGIN_PATH, library_path

_library: ctypes.CDLL | None = None


def plugin_built() -> bool:
    """Whether the native plugin library exists (reading a blob directly does not need it)."""
    return os.path.exists(os.path.join(PLUGIN_PATH, LIBRARY_NAME))


def register() -> None:
    """Register the filter with h5py's HDF5 (done on import when the plugin is built;
    again is harmless).  ImportError saying how to build the plugin when it is not."""
    global _library
    if _library is None:
        lib = ctypes.CDLL(library_path())
        # The callbacks find the HDF5 that calls them; h5py's is the fallback.
        lib.inrfilter_h5_init.argtypes = [ctypes.c_char_p]
        lib.inrfilter_h5_init.restype = ctypes.c_int
        lib.inrfilter_h5_init(h5py.h5z.__file__.encode())
        lib.H5PLget_plugin_info.restype = ctypes.c_void_p
        _library = lib
    h5py.h5z.register_filter(_library.H5PLget_plugin_info())


class INR(h5py.filters.FilterRefBase):
    """The inrfilter HDF5 filter with its encoder settings, for ``create_dataset(**INR(...))``.

    Same arguments as :func:`inrfilter.encode` (``method``, ``ratio``/``psnr``,
    ``max_error``, ``steps``/``seconds``, ``seed``, ``transform``, ``quant``,
    ``device``, method options), checked now rather than at the first write (torch
    is imported now, too).  Every chunk is trained on its own as HDF5 hands it over;
    progress bars are off.

    ``write_through`` (default True) also passes ``rdcc_nbytes=1``: the dataset
    handle ``create_dataset`` returns keeps no chunk cache, so each chunk is encoded
    by the write that fills it and an encoder failure (say, a ratio the chunk size
    cannot reach) raises from that write.  With False, HDF5's chunk cache defers
    encoding to eviction, flush or close, which is where a failure then shows (and
    h5py with HDF5 2.0 can crash when it closes such a dataset again).
    """

    filter_name = FILTER_NAME
    filter_id = FILTER_ID

    def __init__(self, method: str = "siren", *, ratio: float | None = None, psnr: float | None = None,
                 max_error: float | None = None, steps: int | None = None, seconds: float | None = None,
                 seed: int = 0, transform: str | None = None, quant: str = DEFAULT_QUANT, device: str = "auto",
                 write_through: bool = True, **method_options: Any):
        register()  # the filter must be in HDF5 before a dataset names it
        self.settings = EncodeSettings.create(method, ratio=ratio, psnr=psnr, max_error=max_error, steps=steps,
                                              seconds=seconds, seed=seed, transform=transform, quant=quant,
                                              device=device, **method_options)
        self.filter_options = pack(self.settings)
        self.write_through = bool(write_through)
        # Writing trains networks: import torch and check the device now.  Also, torch
        # cannot be imported once the interpreter shuts down, which is when HDF5
        # encodes the chunks of a file nobody closed.
        torch_device(device)
        exit_flush.register()  # flush unclosed files before torch's exit handlers run

    @property
    def _kwargs(self) -> dict[str, Any]:
        kwargs = dict(super()._kwargs)
        if self.write_through:
            kwargs["rdcc_nbytes"] = 1  # h5py ignores 0; no chunk fits in one byte
        return kwargs

    def __reduce__(self) -> tuple:
        """Pickled (Dask, multiprocessing) as its settings alone; unpickling registers
        the filter where it lands."""
        return _from_config, (type(self), self.settings.to_json(), self.write_through)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.settings!r})"


def _from_config(cls: type, config: dict[str, Any], write_through: bool) -> INR:
    return cls(**config, write_through=write_through)
