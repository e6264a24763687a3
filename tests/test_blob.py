"""The container: every unreadable blob is a BlobError that says what is wrong."""

import struct
import zlib

import numpy as np
import pytest

import inrfilter
from inrfilter import BlobError, blob
from tests.conftest import FAST, smooth


@pytest.fixture(scope="module")
def good() -> bytes:
    a = smooth((12, 10))
    a[3, 4] = np.nan
    return inrfilter.encode(a, max_error=0.05, ratio=2, **FAST)


def test_pack_unpack_round_trip():
    data = blob.pack({"m": "x", "k": [1, 2.5]}, {"w": b"abc", "r": b"", "n": b"12"})
    version, header, sections = blob.unpack(data)
    assert version == blob.FORMAT_VERSION
    assert header == {"m": "x", "k": [1, 2.5]}
    assert sections == {"w": b"abc", "r": b"", "n": b"12"}


@pytest.mark.parametrize("cut", [0, 1, 5, 16, -1, -4, -30])
def test_truncated(good, cut):
    data = good[:cut] if cut > 0 else good[: len(good) + cut] if cut else b""
    with pytest.raises(BlobError, match="truncated"):
        inrfilter.decode(data)


def test_every_flipped_byte_is_caught(good):
    for pos in range(len(good)):
        bad = bytearray(good)
        bad[pos] ^= 0x5A
        with pytest.raises(BlobError, match="corrupted|truncated|magic"):
            inrfilter.decode(bytes(bad))


def test_wrong_magic(good):
    with pytest.raises(BlobError, match="not an inrfilter blob"):
        inrfilter.decode(b"\x89HDF" + good[4:])
    with pytest.raises(BlobError, match="not an inrfilter blob"):
        inrfilter.info(b"PK\x03")


def test_future_version(good):
    bad = bytearray(good[:-4])
    bad[4] = blob.FORMAT_VERSION + 1
    bad += struct.pack("<I", zlib.crc32(bytes(bad)))
    with pytest.raises(BlobError, match="newer"):
        inrfilter.decode(bytes(bad))


def test_trailing_bytes(good):
    with pytest.raises(BlobError, match="beyond the declared length"):
        inrfilter.decode(good + b"\0")


def test_not_bytes():
    with pytest.raises(BlobError, match="bytes-like"):
        inrfilter.decode(12345)


def test_valid_checksum_but_nonsense_header():
    data = blob.pack({"m": "siren", "t": "<f4", "s": [4, 4]}, {"w": b"zz"})
    with pytest.raises(BlobError, match="header"):
        inrfilter.decode(data)
    data = blob.pack({"m": "nosuch", "t": "<f4", "s": [4], "f": [1, 1], "n": [0, 1, None], "q": "fp16"}, {"w": b""})
    with pytest.raises(BlobError, match="does not know"):
        inrfilter.decode(data)


def test_valid_checksum_but_garbage_weights(good):
    version, header, sections = blob.unpack(good)
    sections["w"] = b"\x28\xb5\x2f\xfd garbage"
    with pytest.raises(BlobError, match="weights"):
        inrfilter.decode(blob.pack(header, sections))


def test_numpy_buffer_accepted(good):
    as_array = np.frombuffer(good, np.uint8)
    np.testing.assert_array_equal(inrfilter.decode(as_array), inrfilter.decode(good))
