"""Build the HDF5 filter plugin: a cffi embedding module named ``libh5inrfilter.so``.

``setup.py`` runs :func:`build` at install time; ``python native/build.py`` builds
it in place for development.  The library holds the pure-C part
(``h5inrfilter.c``: the H5PL entry points, can_apply, set_local, the filter
callback) and, through ``ffibuilder.embedding_api``, one function implemented in
Python, which hands a chunk to :mod:`inrfilter.h5.filter`.

It compiles against the HDF5 headers (Debian: libhdf5-dev) but does not link
libhdf5: the C part finds the HDF5 API of whichever library calls it.  It links
the shared libpython of the interpreter running this build, and remembers that
interpreter, so programs without Python (h5dump) start it with inrfilter's
site-packages.
"""

from __future__ import annotations

import ast
import json
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULE_NAME = "_inrfilter_h5plugin"

EMBEDDING_API = """
int inrfilter_py_check(size_t cd_nelmts, const unsigned int *cd_values, char *error, size_t error_len);
int inrfilter_py_filter(int reverse, int closing, size_t cd_nelmts, const unsigned int *cd_values, const void *data,
                        size_t nbytes, void **out, size_t *out_nbytes, char *error, size_t error_len);
"""

# Runs once per process, when the filter is first called.  Imports only inrfilter's
# core: nothing here may call HDF5 or h5py (HDF5 holds its lock during the filter).
INIT_CODE = """
from _inrfilter_h5plugin import ffi, lib
import inrfilter

inrfilter._loading_for_native_plugin = True  # inrfilter.h5 then leaves h5py alone
from inrfilter.h5 import exit_flush
from inrfilter.h5 import filter as h5filter

inrfilter._loading_for_native_plugin = False

exit_flush.register()  # registering touches nothing of HDF5


@ffi.def_extern(error=0)
def inrfilter_py_check(cd_nelmts, cd_values, error, error_len):
    try:
        h5filter.check_settings(ffi.unpack(cd_values, cd_nelmts) if cd_nelmts else [])
        return 1
    except BaseException as exc:  # nothing may propagate into C
        message = f"inrfilter: {type(exc).__name__}: {exc}".encode("utf-8", "replace")[: error_len - 1]
        ffi.memmove(error, message + b"\\0", len(message) + 1)
        return 0


@ffi.def_extern(error=0)
def inrfilter_py_filter(reverse, closing, cd_nelmts, cd_values, data, nbytes, out, out_nbytes, error, error_len):
    try:
        cd = ffi.unpack(cd_values, cd_nelmts) if cd_nelmts else []
        chunk = memoryview(ffi.buffer(data, nbytes))
        result = h5filter.decode_chunk(cd, chunk) if reverse else h5filter.encode_chunk(cd, chunk, bool(closing))
        buf = lib.malloc(len(result))  # HDF5 frees it with free()
        if buf == ffi.NULL:
            raise MemoryError(f"cannot allocate {len(result)} bytes")
        ffi.memmove(buf, result, len(result))
        out[0] = buf
        out_nbytes[0] = len(result)
        return 1
    except BaseException as exc:  # nothing may propagate into C
        message = h5filter.failure(exc, bool(reverse)).encode("utf-8", "replace")[: error_len - 1]
        ffi.memmove(error, message + b"\\0", len(message) + 1)
        return 0
"""


class PluginBuildError(RuntimeError):
    """A prerequisite of the plugin is missing (HDF5 headers, a shared libpython, cffi)."""


def constants(root: Path = ROOT) -> dict[str, object]:
    """The values the C part shares with Python, read from the sources (no import:
    the build environment has no numpy)."""
    wanted = {"h5/plugin.py": ("FILTER_ID", "FILTER_NAME", "CD_VERSION", "CD_FIXED", "CD_MAX", "LIBRARY_NAME"),
              "chunk.py": ("MAX_NDIM",)}
    found: dict[str, object] = {}
    for name, keys in wanted.items():
        for node in ast.parse((root / "inrfilter" / name).read_text()).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                if node.targets[0].id in keys:
                    found[node.targets[0].id] = ast.literal_eval(node.value)
    missing = {k for keys in wanted.values() for k in keys} - set(found)
    if missing:
        raise RuntimeError(f"native/build.py: constants {sorted(missing)} not found in inrfilter/")
    return found


def hdf5_include_dirs() -> list[str]:
    """Folders holding hdf5.h and H5PLextern.h: $HDF5_INCLUDE_DIR, pkg-config, usual places."""
    candidates = [d for d in os.environ.get("HDF5_INCLUDE_DIR", "").split(os.pathsep) if d]
    if shutil.which("pkg-config"):
        for pkg in ("hdf5", "hdf5-serial"):
            result = subprocess.run(["pkg-config", "--cflags-only-I", pkg], capture_output=True, text=True)
            if result.returncode == 0:
                candidates += [flag[2:] for flag in shlex.split(result.stdout) if flag.startswith("-I")]
    candidates += ["/usr/include/hdf5/serial", "/usr/include", "/usr/local/include", "/opt/homebrew/include"]
    for d in candidates:
        if (Path(d) / "hdf5.h").is_file() and (Path(d) / "H5PLextern.h").is_file():
            return [d]
    raise PluginBuildError("HDF5 headers (hdf5.h, H5PLextern.h) not found: install them (Debian: apt-get install "
                           "libhdf5-dev) or set HDF5_INCLUDE_DIR")


def libpython() -> tuple[str, str]:
    """(folder, soname) of this interpreter's shared libpython."""
    libdir, soname = sysconfig.get_config_var("LIBDIR"), sysconfig.get_config_var("INSTSONAME")
    if not sysconfig.get_config_var("Py_ENABLE_SHARED") or not libdir or not soname:
        raise PluginBuildError(f"{sys.executable} has no shared libpython (built without --enable-shared): "
                               "the plugin needs one to start Python inside HDF5 programs")
    return libdir, soname


def _c_string(text: str) -> str:
    return json.dumps(text)  # a JSON string of a path or a name is a valid C string literal


def make_ffibuilder(root: Path = ROOT, python: str = sys.executable):
    """The cffi builder of the plugin, for the interpreter ``python``."""
    try:
        import cffi
    except ImportError as exc:
        raise PluginBuildError("cffi is not installed") from exc
    c = constants(root)
    libdir, soname = libpython()
    ffibuilder = cffi.FFI()
    ffibuilder.embedding_api(EMBEDDING_API)
    ffibuilder.cdef("void *malloc(size_t size);")
    ffibuilder.set_source(
        MODULE_NAME,
        (Path(__file__).resolve().parent / "h5inrfilter.c").read_text(),
        include_dirs=hdf5_include_dirs(),
        define_macros=[
            ("INRFILTER_FILTER_ID", str(c["FILTER_ID"])),
            ("INRFILTER_FILTER_NAME", _c_string(str(c["FILTER_NAME"]))),
            ("INRFILTER_CD_VERSION", str(c["CD_VERSION"])),
            ("INRFILTER_CD_FIXED", str(c["CD_FIXED"])),
            ("INRFILTER_CD_MAX", str(c["CD_MAX"])),
            ("INRFILTER_MAX_NDIM", str(c["MAX_NDIM"])),
            ("INRFILTER_PYTHON", _c_string(python)),
            ("INRFILTER_LIBPYTHON", _c_string(os.path.join(libdir, soname))),
            ("INRFILTER_LIBPYTHON_SONAME", _c_string(soname)),
        ],
        libraries=["dl", "pthread"],
        library_dirs=[libdir],
        runtime_library_dirs=[libdir],  # h5dump and C programs find libpython without LD_LIBRARY_PATH
        extra_compile_args=["-fvisibility=hidden"],
    )
    ffibuilder.embedding_init_code(INIT_CODE)
    return ffibuilder


def build(outdir: str | os.PathLike, tmpdir: str | os.PathLike, root: Path = ROOT, verbose: bool = False) -> Path:
    """Compile the plugin into ``outdir``; returns the library's path."""
    name = str(constants(root)["LIBRARY_NAME"])
    Path(tmpdir).mkdir(parents=True, exist_ok=True)
    built = make_ffibuilder(root).compile(tmpdir=str(tmpdir), target=name, verbose=verbose)
    target = Path(outdir) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".so.tmp")
    shutil.copyfile(built, tmp)
    os.replace(tmp, target)  # a process that has the old library mapped keeps it intact
    return target


if __name__ == "__main__":
    print(build(ROOT / "inrfilter" / "plugins", ROOT / "build" / "plugin", verbose=True))
