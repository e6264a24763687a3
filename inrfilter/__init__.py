"""inrfilter: lossy compression of scientific arrays as implicit neural representations.

Each chunk is stored as the weights of a small network fitted to it; reading
evaluates the network (numpy only).  See README.md for the tour.
"""

from .blob import FORMAT_VERSION, BlobError
from .decoder import decode, decode_region, info, sample
from .effort import TargetWarning
from .encoder import encode, encode_batch
from .methods import METHODS

__version__ = "0.1.0"



#: the doors, imported on first use (``inrfilter.numcodecs.INR`` after a plain
#: ``import inrfilter``) so that ``import inrfilter`` loads neither h5py nor zarr
_DOORS = ("h5", "numcodecs", "zarr")


def __getattr__(name: str):
    """``PLUGIN_PATH`` (the folder for HDF5_PLUGIN_PATH) and the doors (``h5``,
    ``numcodecs``, ``zarr``), imported when first asked for."""
    if name == "PLUGIN_PATH":
        from .h5.plugin import PLUGIN_PATH

        return PLUGIN_PATH
    if name in _DOORS:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'inrfilter' has no attribute {name!r}")


__all__ = [
    "BlobError", "FORMAT_VERSION", "METHODS", "PLUGIN_PATH", "decode", "decode_region", "encode", "encode_batch",
    "info", "sample", "TargetWarning", "__version__",
]
