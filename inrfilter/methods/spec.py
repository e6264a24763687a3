"""Typed reads of a stored spec, for ``Method.check_spec``.

A spec comes out of a blob's msgpack header, so it may hold anything msgpack can:
``SpecReader`` takes each field with its type and range and raises
:class:`~inrfilter.blob.BlobError` naming the method and the field, so that method
code only ever sees specs whose every field it understands.  bools are not ints,
strings are not numbers, floats are finite.
"""

from __future__ import annotations

import math
from typing import Any

from ..blob import BlobError

_MISSING = object()


class SpecReader:
    """Reads fields of one stored spec; :meth:`done` refuses fields nobody read."""

    def __init__(self, spec: Any, method: str):
        if not isinstance(spec, dict) or not all(isinstance(k, str) for k in spec):
            raise BlobError(f"corrupted blob header: {method} spec is not a map of names")
        self.spec, self.method, self._seen = spec, method, set()

    def error(self, key: str, what: str) -> BlobError:
        return BlobError(f"corrupted blob header: {self.method} spec field {key!r} {what}; "
                         f"got {self.spec.get(key)!r:.80}")

    def has(self, key: str) -> bool:
        return key in self.spec

    def _get(self, key: str, default: Any) -> Any:
        self._seen.add(key)
        if key not in self.spec:
            if default is _MISSING:
                raise BlobError(f"corrupted blob header: {self.method} spec lacks field {key!r}")
            return default
        return self.spec[key]

    def int(self, key: str, lo: int, hi: int, default: Any = _MISSING) -> int:
        v = self._get(key, default)
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise self.error(key, f"must be an integer in {lo}..{hi}")
        return v

    def float(self, key: str, lo: float, hi: float, default: Any = _MISSING, *, open_low: bool = False) -> float:
        v = self._get(key, default)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise self.error(key, "must be a number")
        v = float(v)
        if not math.isfinite(v) or not lo <= v <= hi or (open_low and v == lo):
            raise self.error(key, f"must be a finite number in {'(' if open_low else '['}{lo}, {hi}]")
        return v

    def bytes(self, key: str, max_len: int, default: Any = _MISSING) -> bytes:
        v = self._get(key, default)
        if not isinstance(v, (bytes, bytearray)) or len(v) > max_len:
            raise self.error(key, f"must be at most {max_len} bytes")
        return bytes(v)

    def str(self, key: str, allowed: tuple[str, ...], default: Any = _MISSING) -> str:
        v = self._get(key, default)
        if not isinstance(v, str) or v not in allowed:
            raise self.error(key, "is not one of the allowed names")
        return v

    def ints(self, key: str, min_count: int, max_count: int, lo: int, hi: int) -> list[int]:
        v = self._get(key, _MISSING)
        if (not isinstance(v, (list, tuple)) or not min_count <= len(v) <= max_count
                or not all(isinstance(x, int) and not isinstance(x, bool) and lo <= x <= hi for x in v)):
            raise self.error(key, f"must be {min_count}..{max_count} integers in {lo}..{hi}")
        return list(v)

    def list(self, key: str, count: int) -> list:
        v = self._get(key, _MISSING)
        if not isinstance(v, (list, tuple)) or len(v) != count:
            raise self.error(key, f"must be a list of {count}")
        return list(v)

    def done(self) -> None:
        unknown = set(self.spec) - self._seen
        if unknown:
            raise BlobError(f"corrupted blob header: {self.method} spec has unknown fields {sorted(unknown)}")


def element(reader: SpecReader, key: str, index: int, value: Any, kind: type, lo: float, hi: float) -> Any:
    """One element of a list field, typed and bounded like :meth:`SpecReader.int`/``float``."""
    ok = not isinstance(value, bool) and (isinstance(value, int) if kind is int else isinstance(value, (int, float)))
    if ok:
        ok = math.isfinite(float(value)) and lo <= value <= hi
    if not ok:
        raise reader.error(key, f"element {index} must be {'an integer' if kind is int else 'a number'} "
                                f"in [{lo}, {hi}]")
    return kind(value)
