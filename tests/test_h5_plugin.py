"""The built plugin library and the Python side of its filter (what the C callback
calls), without HDF5: the library's constants agree with Python's, chunks encode and
decode through the cd_values, failures say why."""

from __future__ import annotations

import ctypes
import os

import numpy as np
import pytest

import inrfilter
from inrfilter.h5 import plugin
from inrfilter.h5.cdvalues import pack
from inrfilter.settings import EncodeSettings
from inrfilter.cli import main as cli
from inrfilter.h5.filter import decode_chunk, encode_chunk
from tests.conftest import smooth


def test_filter_encodes_and_decodes_a_chunk():
    a = smooth((12, 10))
    values = [*pack(EncodeSettings(max_error=0.01, steps=30, device="cpu")), 2, 4, 0, 2, 12, 10]
    blob = encode_chunk(values, memoryview(a.tobytes()))
    assert inrfilter.info(blob)["shape"] == (12, 10)
    back = np.frombuffer(decode_chunk(values, memoryview(blob)), np.float32).reshape(a.shape)
    assert np.abs(back - a).max() <= 0.01
    big = [*values[:-6], 2, 4, 1, 2, 12, 10]  # a big-endian dataset gets big-endian bytes
    np.testing.assert_array_equal(np.frombuffer(decode_chunk(big, memoryview(blob)), ">f4").reshape(a.shape), back)


def test_filter_errors():
    a = smooth((12, 10))
    no_layout = list(pack(EncodeSettings(steps=30, device="cpu")))
    with pytest.raises(ValueError, match="H5Zfilter_avail"):
        encode_chunk(no_layout, memoryview(a.tobytes()))
    with pytest.raises(ValueError, match="chunk of 480 bytes"):
        encode_chunk([*no_layout, 2, 4, 0, 2, 8, 8], memoryview(a.tobytes()))
    blob = encode_chunk([*no_layout, 2, 4, 0, 2, 12, 10], memoryview(a.tobytes()))
    with pytest.raises(inrfilter.BlobError, match=r"chunks are \(10, 12\)"):
        decode_chunk([*no_layout, 2, 4, 0, 2, 10, 12], memoryview(blob))
    with pytest.raises(inrfilter.BlobError, match="not an inrfilter blob"):
        decode_chunk(no_layout, memoryview(b"junk" * 10))


def test_library_agrees_with_python():
    lib = ctypes.CDLL(plugin.library_path())
    lib.H5PLget_plugin_type.restype = ctypes.c_int
    assert lib.H5PLget_plugin_type() == 0  # H5PL_TYPE_FILTER

    class H5ZClass2(ctypes.Structure):
        _fields_ = [("version", ctypes.c_int), ("id", ctypes.c_int), ("encoder_present", ctypes.c_uint),
                    ("decoder_present", ctypes.c_uint), ("name", ctypes.c_char_p)]

    lib.H5PLget_plugin_info.restype = ctypes.POINTER(H5ZClass2)
    info = lib.H5PLget_plugin_info().contents
    assert (info.version, info.id, info.encoder_present, info.decoder_present) == (1, plugin.FILTER_ID, 1, 1)
    assert info.name.decode() == plugin.FILTER_NAME
    # HDF5 dlopens every library in the folder while it searches for a filter
    assert sorted(os.listdir(inrfilter.PLUGIN_PATH)) == [plugin.LIBRARY_NAME]


def test_cli_plugin_path(capsys):
    assert cli(["plugin-path"]) == 0
    assert capsys.readouterr().out.strip() == inrfilter.PLUGIN_PATH
