"""h5py's ``File.close`` raises when inrfilter could not encode a chunk.

HDF5 encodes cached chunks when a dataset or file closes, and a filter that fails
there corrupts HDF5's state (HDF5 issue #6601: a segfault follows, in HDF5 2.x as
bundled by h5py).  So during a close the filter stores such a chunk losslessly and
records the failure (:data:`inrfilter.h5.filter.CLOSE_FAILURES`), and this wrapper
of ``h5py.File.close``, installed when :mod:`inrfilter.h5` loads h5py:

1. flushes a writable file first, where a failing filter is a clean error (the
   chunk stays cached, and at close the filter keeps it losslessly);
2. closes it;
3. raises ``OSError`` when the flush failed or a chunk failed during a close since
   the last file close (datasets closed earlier, as ``f["x"][...] = a`` does).

The data is never lost and the process never crashes; the error names the cause.
"""

from __future__ import annotations

import h5py

from . import filter as h5filter

_original_close = None


def install() -> None:
    """Wrap ``h5py.File.close`` once (again is harmless)."""
    global _original_close
    if _original_close is not None:
        return
    _original_close = h5py.File.close

    def close(self: h5py.File) -> None:
        error = None
        count = h5filter.WRITE_FAILURE_COUNT
        try:
            if self.id.valid and self.mode == "r+":
                self.flush()
        except Exception as exc:  # reported below, after closing
            error = exc
        _original_close(self)
        failures = list(h5filter.CLOSE_FAILURES)  # since the last close that reported them
        del h5filter.CLOSE_FAILURES[: len(failures)]
        if error is not None and h5filter.WRITE_FAILURE_COUNT == count and not failures:
            raise error  # not inrfilter's: the flush failed for another reason
        if error is not None or failures:
            reasons = "; ".join(failures) or "; ".join([str(error), *h5filter.WRITE_FAILURES[-1:]])
            raise OSError(f"inrfilter could not encode chunk(s) with the dataset's settings; they were stored "
                          f"losslessly instead ({reasons})") from error

    close.__doc__ = _original_close.__doc__
    h5py.File.close = close
