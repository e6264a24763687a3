"""The header validator: the lies the reliability audit found (issue 18) are
BlobErrors before any method code runs, zstd sections are never decompressed past
their expected size, and an exception inside a method's code is a bug, not
"corrupted"."""

from __future__ import annotations

from pathlib import Path

import pytest
import zstandard

import inrfilter
from inrfilter import blob as blobfmt
from inrfilter.methods.siren import Siren

CORPUS = Path(__file__).parent / "fuzz_corpus"


def _parts(name: str):
    _, header, sections = blobfmt.unpack((CORPUS / f"{name}.inrf").read_bytes())
    return header, sections


def _lie(name: str, **fields):
    header, sections = _parts(name)
    return blobfmt.pack({**header, **fields}, sections)


def _spec_lie(name: str, **fields):
    header, sections = _parts(name)
    return blobfmt.pack({**header, "p": {**header["p"], **fields}}, sections)


LIES = {
    "method switched to sci": lambda: _lie("siren", m="sci"),
    "spec width 1e308": lambda: _spec_lie("siren", w=1e308),
    "spec width as a float": lambda: _spec_lie("siren", w=12.0),
    "layer count 10**9": lambda: _spec_lie("siren", l=10**9),
    "w0 NaN": lambda: _spec_lie("siren", w0=float("nan")),
    "unknown spec field": lambda: _spec_lie("siren", x=1),
    "dtype ',i2'": lambda: _lie("siren", t=",i2"),
    "dtype complex": lambda: _lie("siren", t="<c8"),
    "shape [10**12, 16]": lambda: _lie("siren", s=[10**12, 16]),
    "shape [20000, 20000]": lambda: _lie("constant", s=[20000, 20000]),
    "shape [True, 8]": lambda: _lie("constant", s=[True, 8]),
    "normalisation [0, inf]": lambda: _lie("siren", n=[0.0, float("inf"), None]),
    "normalisation [1, 1]": lambda: _lie("siren", n=[1.0, 1.0, None]),
    "normalisation lo NaN": lambda: _lie("siren", n=[float("nan"), 1.0, None]),
    "residual step inf": lambda: _lie("siren-residual", r=[float("inf"), "b"]),
    "residual step 0": lambda: _lie("siren-residual", r=[0.0, "b"]),
    "residual code list": lambda: _lie("siren-residual", r=[0.1, ["b"]]),
    "constant inf": lambda: _lie("constant", v=float("inf")),
    "wien r 201": lambda: _spec_lie("wien", r=201),
    "sci P 10**9": lambda: _spec_lie("sci", P=10**9),
    "sasnet bands 10**6": lambda: _spec_lie("sasnet", f=[30, 6, 10**6, 0.5, 2.1, 128]),
    "fourier k huge": lambda: _spec_lie("fourier", k=10**8),
}


@pytest.mark.parametrize("name", list(LIES))
def test_header_lies_are_blob_errors(name):
    with pytest.raises(inrfilter.BlobError, match="corrupted|cannot be encoded|does not know"):
        inrfilter.decode(LIES[name]())


def _bomb(nbytes: int, declared: bool) -> bytes:
    obj = zstandard.ZstdCompressor(level=1, write_content_size=declared).compressobj(size=nbytes if declared else -1)
    return b"".join(obj.compress(b"\0" * (1 << 20)) for _ in range(nbytes >> 20)) + obj.flush()


@pytest.mark.parametrize("declared", [True, False])
@pytest.mark.parametrize("name, section", [("siren", "w"), ("siren-residual", "r"), ("lossless", "l"),
                                           ("siren-holes", "n")])
def test_zstd_bombs_are_refused_without_allocating_them(name, section, declared):
    header, sections = _parts(name)
    sections[section] = _bomb(256 << 20, declared)
    with pytest.raises(inrfilter.BlobError, match=r"declares|holds|unreadable|not match"):
        inrfilter.decode(blobfmt.pack(header, sections))


def test_a_bug_in_method_code_is_not_reported_as_corruption(monkeypatch):
    def broken(self, params, spec, shape, where):
        return {}["no such key"]

    monkeypatch.setattr(Siren, "evaluate", broken)
    with pytest.raises(KeyError):
        inrfilter.decode((CORPUS / "siren.inrf").read_bytes())
