"""Where the native HDF5 filter plugin lives, and the constants it shares with Python.

The plugin (``native/``, built at install time) is a shared library in
``PLUGIN_PATH``; any HDF5 program finds it there through ``HDF5_PLUGIN_PATH``.
The constants below are compiled into the library too: ``native/build.py`` reads
them from this file's source (no import, so the build needs no numpy), and a test
checks that the built library agrees.  This module imports nothing heavy.
"""

from __future__ import annotations

import os

#: HDF5 filter id, in the range 32768-65535 that The HDF Group leaves unregistered
#: for testing and private use ("IN" = 0x49 0x4E, with the top bit set).  Not
#: registered with The HDF Group: another unregistered filter may use the same number.
FILTER_ID = 0xC94E  # 51534
#: the filter's name in HDF5 (h5dump, H5Pget_filter)
FILTER_NAME = "inrfilter"

#: layout version of the cd_values (see inrfilter/h5/cdvalues.py and docs/hdf5.md)
CD_VERSION = 1
#: fixed user fields before the method section; the last of them is its byte length
CD_FIXED = 15
#: at most this many cd_values in all (user fields, method section, set_local's fields)
CD_MAX = 256

#: the folder to put in HDF5_PLUGIN_PATH
#: (inrfilter/plugins: setup.py builds it there, outside this package's folder)
PLUGIN_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "plugins")
#: the plugin library's file name (HDF5 1.10 only opens files named lib*.so* there)
LIBRARY_NAME = "libh5inrfilter.so"


def library_path() -> str:
    """Path of the built plugin library; ImportError saying how to build it if absent."""
    path = os.path.join(PLUGIN_PATH, LIBRARY_NAME)
    if not os.path.exists(path):
        raise ImportError(
            f"the inrfilter HDF5 plugin is not built ({path} is missing): the wheel carries it, and an install "
            "from source compiles it (a C compiler is all it needs; INRFILTER_SKIP_PLUGIN=1 skips it); "
            "reinstall with `pip install inrfilter` (or `pip install -e .` in a checkout) and read the build output"
        )
    return path
