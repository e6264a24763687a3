"""The plugin's HDF5 binary interface: the shipped headers (native/hdf5-include, HDF5
1.10.8) agree with the values HDF5 1.10 to 2.x use (docs/hdf5.md has the table), and
with the system's headers where they are installed; the build reads no other HDF5
header."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "native" / "hdf5-include"
SYSTEM = Path("/usr/include/hdf5/serial")

PROBE = r"""
#include <stddef.h>
#include <stdio.h>
#include "H5public.h"
#include "H5Epublic.h"
#include "H5PLpublic.h"
#include "H5Tpublic.h"
#include "H5Zpublic.h"
#define P(name, value) printf("%s %ld\n", name, (long)(value))
int main(void) {
    P("sizeof hid_t", sizeof(hid_t)); P("sizeof herr_t", sizeof(herr_t)); P("sizeof htri_t", sizeof(htri_t));
    P("sizeof hsize_t", sizeof(hsize_t)); P("hid_t signed", (hid_t)-1 < 0);
    P("sizeof H5Z_class2_t", sizeof(H5Z_class2_t));
    P("offset version", offsetof(H5Z_class2_t, version)); P("offset id", offsetof(H5Z_class2_t, id));
    P("offset encoder_present", offsetof(H5Z_class2_t, encoder_present));
    P("offset decoder_present", offsetof(H5Z_class2_t, decoder_present));
    P("offset name", offsetof(H5Z_class2_t, name)); P("offset can_apply", offsetof(H5Z_class2_t, can_apply));
    P("offset set_local", offsetof(H5Z_class2_t, set_local)); P("offset filter", offsetof(H5Z_class2_t, filter));
    P("H5Z_CLASS_T_VERS", H5Z_CLASS_T_VERS); P("H5Z_FLAG_OPTIONAL", H5Z_FLAG_OPTIONAL);
    P("H5Z_FLAG_REVERSE", H5Z_FLAG_REVERSE); P("H5PL_TYPE_FILTER", H5PL_TYPE_FILTER);
    P("sizeof H5PL_type_t", sizeof(H5PL_type_t));
    P("H5T_INTEGER", H5T_INTEGER); P("H5T_FLOAT", H5T_FLOAT); P("H5T_ORDER_LE", H5T_ORDER_LE);
    P("H5T_ORDER_BE", H5T_ORDER_BE); P("H5T_SGN_2", H5T_SGN_2); P("H5E_DEFAULT", H5E_DEFAULT);
    return 0;
}
"""

#: HDF5 1.10, 1.14 and 2.0 on 64-bit Linux (docs/hdf5.md, "The HDF5 headers")
EXPECTED = {
    "sizeof hid_t": 8, "sizeof herr_t": 4, "sizeof htri_t": 4, "sizeof hsize_t": 8, "hid_t signed": 1,
    "sizeof H5Z_class2_t": 48, "offset version": 0, "offset id": 4, "offset encoder_present": 8,
    "offset decoder_present": 12, "offset name": 16, "offset can_apply": 24, "offset set_local": 32,
    "offset filter": 40, "H5Z_CLASS_T_VERS": 1, "H5Z_FLAG_OPTIONAL": 1, "H5Z_FLAG_REVERSE": 0x100,
    "H5PL_TYPE_FILTER": 0, "sizeof H5PL_type_t": 4, "H5T_INTEGER": 0, "H5T_FLOAT": 1, "H5T_ORDER_LE": 0,
    "H5T_ORDER_BE": 1, "H5T_SGN_2": 1, "H5E_DEFAULT": 0,
}


def _probe(tmp_path: Path, include: Path) -> dict[str, int]:
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    (tmp_path / "probe.c").write_text(PROBE)
    exe = tmp_path / f"probe-{include.name}"
    subprocess.run([cc, f"-I{include}", str(tmp_path / "probe.c"), "-o", str(exe)], check=True,
                   capture_output=True, text=True)
    out = subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout
    return {line.rsplit(" ", 1)[0]: int(line.rsplit(" ", 1)[1]) for line in out.splitlines()}


def test_shipped_headers_give_the_interface_of_hdf5_1_10_to_2(tmp_path):
    assert _probe(tmp_path, SHIPPED) == EXPECTED


@pytest.mark.skipif(not (SYSTEM / "H5Zpublic.h").exists(), reason="no system HDF5 headers to compare with")
def test_system_headers_agree(tmp_path):
    assert _probe(tmp_path, SYSTEM) == _probe(tmp_path, SHIPPED)


def _native_build():
    spec = importlib.util.spec_from_file_location("native_build", ROOT / "native" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_build_refuses_hdf5_headers_from_elsewhere():
    native = _native_build()
    native.check_hdf5_headers([str(SHIPPED / "H5Zpublic.h"), "/usr/include/stdio.h"])
    with pytest.raises(native.PluginBuildError, match="outside"):
        native.check_hdf5_headers([str(SHIPPED / "H5Zpublic.h"), str(SYSTEM / "H5Zpublic.h")])


def test_the_compile_line_uses_the_shipped_headers_only(tmp_path):
    native = _native_build()
    cmd = native.compile_command(tmp_path / "x.c", tmp_path / "x.so", tmp_path / "x.d")
    includes = [arg for arg in cmd if arg.startswith("-I")]
    assert f"-I{SHIPPED}" in includes and not any("hdf5/serial" in arg for arg in cmd)
    assert len(includes) == 2  # Python's headers and the shipped HDF5 ones
    assert (ROOT / "native" / "hdf5-include" / "COPYING").read_text().count("HDF5") > 3


def test_a_failing_or_missing_compiler_is_a_clear_build_error(tmp_path, monkeypatch):
    native = _native_build()
    monkeypatch.setenv("CC", "false")  # a "compiler" that fails
    with pytest.raises(native.PluginBuildError, match="the compiler failed"):
        native.build(tmp_path / "out", tmp_path / "tmp")
    assert not (tmp_path / "out").exists()
    monkeypatch.setattr(native.shutil, "which", lambda name: None)
    with pytest.raises(native.PluginBuildError, match="no C compiler found"):
        native.compiler()
