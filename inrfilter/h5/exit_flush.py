"""Flush the HDF5 files h5py holds open before the interpreter shuts down.

HDF5 encodes a chunk when it leaves the chunk cache.  A file nobody closed is
flushed by HDF5's own exit handler, which runs after Python has finalised, when the
filter's Python side can no longer run: those chunks would be lost.  An ``atexit``
handler runs while Python still works.  Registered by ``inrfilter.h5`` on import and
by ``INR(...)`` (after torch is imported), and by the plugin when its Python side
starts; it touches h5py only at exit, and only if the program imported it.
"""

from __future__ import annotations

import atexit
import logging
import sys

_log = logging.getLogger(__name__)


def register() -> None:
    """Flush h5py's open files at interpreter exit, before the exit handlers registered
    so far (torch's among them: encoding needs torch intact).  Calling it again moves
    the flush ahead of handlers registered since."""
    try:
        atexit.unregister(flush_open_files)
        atexit.register(flush_open_files)
    except RuntimeError:  # the interpreter is already shutting down
        pass


def flush_open_files() -> None:
    h5py = sys.modules.get("h5py")
    if h5py is None:
        return
    for fid in h5py.h5f.get_obj_ids(types=h5py.h5f.OBJ_FILE):
        try:
            h5py.h5f.flush(fid)
        except Exception as exc:  # at exit there is nobody left to raise to
            _log.error("inrfilter: flushing %s at exit failed: %s", fid.name, exc)
