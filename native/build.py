"""Build the HDF5 filter plugin: a cffi embedding module named ``libh5inrfilter.so``.

``setup.py`` runs :func:`build` at install time (and so ``python -m build`` puts the
library in the wheel); ``python native/build.py`` builds it in place for development.
The library holds the pure-C part (``h5inrfilter.c``: the H5PL entry points,
can_apply, set_local, the filter callback) and, through ``ffibuilder.embedding_api``,
one function implemented in Python, which hands a chunk to :mod:`inrfilter.h5.filter`.

It compiles against the HDF5 headers shipped in ``native/hdf5-include`` and nothing
else: the build checks the compiler's dependency list and fails if any HDF5 header came
from elsewhere, so no HDF5 installation is needed.  It does not link libhdf5 either:
the C part finds the HDF5 API of whichever library calls it.  It links the shared
libpython of the interpreter running this build.  In a program without Python
(h5dump) it starts Python as the venv the library is installed in (found from the
library's own path), else as the interpreter that built it, and makes sure the
site-packages holding it is on ``sys.path``; ``$INRFILTER_PYTHON`` overrides.

The compile command and the headers it read are printed and written to ``BUILD_LOG``
beside the plugins folder (so a wheel says how its plugin was built).
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
#: the HDF5 headers the plugin compiles against (see its README.md and COPYING)
HDF5_INCLUDE = Path(__file__).resolve().parent / "hdf5-include"
#: written beside the plugins folder (not in it: HDF5 dlopens every lib*.so* file
#: there): the compile command and the HDF5 headers it read
BUILD_LOG = "h5plugin-build-log.txt"

EMBEDDING_API = """
int inrfilter_py_check(size_t cd_nelmts, const unsigned int *cd_values, char *error, size_t error_len);
int inrfilter_py_filter(int reverse, int closing, size_t cd_nelmts, const unsigned int *cd_values, const void *data,
                        size_t nbytes, void **out, size_t *out_nbytes, char *error, size_t error_len);
"""

# Runs once per process, when the filter is first called.  Imports only inrfilter's
# core: nothing here may call HDF5 or h5py (HDF5 holds its lock during the filter).
# If the started interpreter cannot import inrfilter (a wheel installed into a
# site-packages that is not the started interpreter's own), the folder holding the
# plugin's package is added as a site directory.
INIT_CODE = """
import importlib.util
from _inrfilter_h5plugin import ffi, lib

if importlib.util.find_spec("inrfilter") is None:
    import site
    site.addsitedir(ffi.string(lib.inrfilter_plugin_site()).decode("utf-8", "surrogateescape"))

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
    """The plugin cannot be built here (no C compiler, no shared libpython, no cffi, a
    compile error, or an HDF5 header read from outside ``native/hdf5-include``)."""


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
    """The cffi builder of the plugin (its C source and embedding code), for ``python``."""
    try:
        import cffi
    except ImportError as exc:
        raise PluginBuildError("cffi is not installed") from exc
    ffibuilder = cffi.FFI()
    ffibuilder.embedding_api(EMBEDDING_API)
    ffibuilder.cdef("void *malloc(size_t size);\nconst char *inrfilter_plugin_site(void);")
    ffibuilder.set_source(MODULE_NAME, (Path(__file__).resolve().parent / "h5inrfilter.c").read_text())
    ffibuilder.embedding_init_code(INIT_CODE)
    return ffibuilder


def _macros(root: Path, python: str) -> list[tuple[str, str]]:
    c = constants(root)
    libdir, soname = libpython()
    base = getattr(sys, "_base_executable", "") or python
    return [
        ("INRFILTER_FILTER_ID", str(c["FILTER_ID"])),
        ("INRFILTER_FILTER_NAME", _c_string(str(c["FILTER_NAME"]))),
        ("INRFILTER_CD_VERSION", str(c["CD_VERSION"])),
        ("INRFILTER_CD_FIXED", str(c["CD_FIXED"])),
        ("INRFILTER_CD_MAX", str(c["CD_MAX"])),
        ("INRFILTER_MAX_NDIM", str(c["MAX_NDIM"])),
        ("INRFILTER_PYTHON", _c_string(python)),
        ("INRFILTER_BASE_PYTHON", _c_string(base)),
        ("INRFILTER_LIBPYTHON", _c_string(os.path.join(libdir, soname))),
        ("INRFILTER_LIBPYTHON_SONAME", _c_string(soname)),
    ]


def compiler() -> list[str]:
    """The C compiler command: $CC, else the one Python was built with, if it exists."""
    for candidate in (os.environ.get("CC"), sysconfig.get_config_var("CC"), "cc", "gcc"):
        words = shlex.split(candidate or "")
        if words and shutil.which(words[0]):
            return words
    raise PluginBuildError("no C compiler found (set CC, or install one: Debian `apt-get install gcc`)")


def compile_command(source: Path, target: Path, deps: Path, root: Path = ROOT,
                    python: str = sys.executable) -> list[str]:
    """The one command that compiles and links the plugin."""
    libdir, _ = libpython()
    ldversion = sysconfig.get_config_var("LDVERSION") or sysconfig.get_python_version()
    return [
        *compiler(), "-shared", "-fPIC", "-O2", "-Wall", "-fvisibility=hidden", "-std=gnu11",
        f"-I{sysconfig.get_paths()['include']}", f"-I{HDF5_INCLUDE}",
        *[f"-D{k}={v}" for k, v in _macros(root, python)],
        "-MMD", "-MF", str(deps),
        str(source), "-o", str(target),
        f"-L{libdir}", f"-Wl,-rpath,{libdir}",  # h5dump and C programs find libpython without LD_LIBRARY_PATH
        f"-lpython{ldversion}", "-ldl", "-lpthread",
    ]


def headers_read(deps: Path) -> list[str]:
    """The header files a compile read, from its ``-MMD`` dependency file."""
    text = deps.read_text().replace("\\\n", " ")
    return [w for w in shlex.split(text.partition(":")[2]) if w.endswith(".h")]


def check_hdf5_headers(headers: list[str]) -> None:
    """Fail if any HDF5 header came from outside the shipped folder (a system HDF5)."""
    foreign = [h for h in headers if (Path(h).name.startswith(("H5", "hdf5")))
               and Path(h).resolve().parent != HDF5_INCLUDE]
    if foreign:
        raise PluginBuildError(f"HDF5 headers read from outside {HDF5_INCLUDE}: {foreign}")


def build(outdir: str | os.PathLike, tmpdir: str | os.PathLike, root: Path = ROOT, verbose: bool = False) -> Path:
    """Compile the plugin into ``outdir``; returns the library's path.  Writes the
    compile command and the headers it read to ``BUILD_LOG`` in ``outdir``'s parent."""
    name = str(constants(root)["LIBRARY_NAME"])
    tmpdir = Path(tmpdir)
    tmpdir.mkdir(parents=True, exist_ok=True)
    source = tmpdir / f"{MODULE_NAME}.c"
    make_ffibuilder(root).emit_c_code(str(source))
    built, deps = tmpdir / name, tmpdir / f"{MODULE_NAME}.d"
    cmd = compile_command(source, built, deps, root)
    line = shlex.join(cmd)
    print(f"inrfilter: compiling the HDF5 plugin: {line}", flush=True)
    result = subprocess.run(cmd, capture_output=True, text=True)
    log = [f"# {name}: built by native/build.py with {sys.executable}", line, result.stdout, result.stderr]
    if result.returncode != 0:
        (tmpdir / BUILD_LOG).write_text("\n".join(log))
        raise PluginBuildError(f"the compiler failed (exit {result.returncode}):\n{line}\n{result.stderr.strip()}")
    headers = headers_read(deps)
    check_hdf5_headers(headers)
    hdf5 = sorted({h for h in headers if Path(h).name.startswith(("H5", "hdf5"))})
    log += ["# HDF5 headers read (all from native/hdf5-include):", *hdf5]
    target = Path(outdir) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".so.tmp")
    shutil.copyfile(built, tmp)
    os.replace(tmp, target)  # a process that has the old library mapped keeps it intact
    (target.parent.parent / BUILD_LOG).write_text("\n".join(s for s in log if s).rstrip() + "\n")
    if verbose:
        print("\n".join(log[3:]))
    print(f"inrfilter: built {target} (HDF5 headers from {HDF5_INCLUDE} only; log: "
          f"{target.parent.parent / BUILD_LOG})", flush=True)
    return target


if __name__ == "__main__":
    build(ROOT / "inrfilter" / "plugins", ROOT / "build" / "plugin", verbose=True)
