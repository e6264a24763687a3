"""Blob mutations for tests/test_fuzz.py, and the child process that reads them.

Every mutation re-packs the blob so its CRC is valid again (the checksum would
otherwise catch it): header fields replaced by lies (wrong types, huge or negative
numbers, NaN/Inf, other methods or dtypes, spec fields of other methods), header
bytes flipped under a recomputed CRC, sections swapped, dropped, truncated, taken
from other blobs, or replaced by zstd bombs.  The child reads each mutant with every
read function under an address-space limit and a per-call alarm, and reports any
exception that is not a BlobError (a ValueError raised for the read's own
arguments would also show up: the reads below use arguments valid for any shape).

Shapes are never mutated into large but legal values (say 4096 x 4096 under a tiny
network): those are real chunks that take real time to decode, which the cap
``inrfilter.limits.MAX_CHUNK_VOXELS`` bounds, not the validator.
"""

from __future__ import annotations

import json
import pickle
import random
import signal
import struct
import sys
import time
import traceback
import zlib
from typing import Any

import msgpack
import zstandard

from inrfilter import blob as blobfmt

HOSTILE_VALUES: list[Any] = [
    None, True, False, -1, 0, 1, 2, 3, 7, 10**9, 10**12, 2**63 - 1, 2**64 - 1, -(2**63), 1e308, -1e308,
    float("nan"), float("inf"), float("-inf"), 1e-308, -0.0, 0.5, "x", "", ",i2", "<f4", "const", "raw",
    "siren", "sci", "wien", "fourier", "sasnet", b"", b"\x28\xb5\x2f\xfd", b"\x00" * 7, [], [1], [0, 0],
    [1e308, 1e308], [-1, 2], ["a"], {}, {"w": 1}, [[1, 2], 3], [2**40, 16], [16, 2**40], [10**12, 16],
    [20000, 20000], [0, 16], [-16, 16],
]
HOSTILE_DTYPES = ["<i8", ">u8", "|u1", "<f2", "<c8", "|b1", "O", ",i2", "(2,)f4", "V8", "<M8", "S3", "<f16"]


def _bomb(declared: bool, nbytes: int) -> bytes:
    """A zstd frame of ``nbytes`` zeros (a few KB), with or without its content size."""
    cctx = zstandard.ZstdCompressor(level=1, write_content_size=declared)
    if declared:
        obj = cctx.compressobj(size=nbytes)
    else:
        obj = cctx.compressobj()
    block = b"\0" * (1 << 20)
    parts = [obj.compress(block) for _ in range(nbytes >> 20)]
    return b"".join(parts) + obj.flush()


def _lying_frame(size: int) -> bytes:
    """A tiny zstd frame whose header declares ``size`` bytes (its body holds 1)."""
    real = zstandard.ZstdCompressor(write_content_size=True).compress(b"\0")
    # frame header descriptor: FCS flag 3 (8-byte content size), single segment
    return b"\x28\xb5\x2f\xfd" + bytes([0xE0]) + struct.pack("<Q", size) + real[6:]


def bombs() -> list[bytes]:
    return [_bomb(False, 1 << 30), _bomb(True, 1 << 28), _lying_frame(1 << 40), _lying_frame(3)]


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path into nested dicts and lists."""
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, prefix + (i,))
    return out


def _set(tree: Any, path: tuple, value: Any) -> None:
    for key in path[:-1]:
        tree = tree[key]
    tree[path[-1]] = value


def _get(tree: Any, path: tuple) -> Any:
    for key in path:
        tree = tree[key]
    return tree


def _near(value: Any, rng: random.Random) -> Any:
    """A plausible lie next to a real value."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return rng.choice([value + 1, value - 1, value * 2, value // 2, -value, value + 1000])
    if isinstance(value, float):
        return rng.choice([value * 2, -value, value + 1, value * 1e10, value / 1e10])
    if isinstance(value, (bytes, bytearray)):
        b = bytearray(value)
        if b:
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
        return bytes(b) if rng.random() < 0.7 else bytes(value[: len(value) // 2])
    if isinstance(value, list):
        return rng.choice([value[:-1], value + value[-1:], value[::-1]]) if value else [0]
    return rng.choice(HOSTILE_VALUES)


def raw_blob(head: bytes, sections: dict[str, bytes]) -> bytes:
    """A blob from raw header bytes (which may not be valid msgpack), with a valid CRC."""
    body = b"".join(sections.values())
    total = 13 + len(head) + len(body) + 4
    out = struct.pack("<4sBII", b"INRF", 1, total, len(head)) + head + body
    return out + struct.pack("<I", zlib.crc32(out))


def mutate(corpus: list[bytes], rng: random.Random, bomb_frames: list[bytes]) -> tuple[str, bytes]:
    """One mutant of a random corpus blob, with a description of what was done."""
    source = rng.choice(corpus)
    _, header, sections = blobfmt.unpack(source)
    header = pickle.loads(pickle.dumps(header))
    kind = rng.choice(["field", "field", "field", "near", "near", "spec-from", "method", "dtype", "add",
                       "delete", "bytes", "swap", "drop", "foreign", "truncate", "bomb", "garbage"])
    if kind in ("field", "near"):
        paths = _paths(header)
        path = rng.choice(paths)
        new = rng.choice(HOSTILE_VALUES) if kind == "field" else _near(_get(header, path), rng)
        _set(header, path, new)
        return f"{kind} {path}={new!r:.60}", blobfmt.pack(header, sections)
    if kind == "spec-from":  # a spec of another blob (other method, other shape)
        _, other, _ = blobfmt.unpack(rng.choice(corpus))
        if "p" in other:
            header["p"] = other["p"]
        return "spec from another blob", blobfmt.pack(header, sections)
    if kind == "method":
        header["m"] = rng.choice(["siren", "fourier", "sasnet", "sci", "wien", "const", "raw", "nosuch", 3])
        return f"method {header['m']}", blobfmt.pack(header, sections)
    if kind == "dtype":
        header["t"] = rng.choice(HOSTILE_DTYPES)
        return f"dtype {header['t']}", blobfmt.pack(header, sections)
    if kind == "add":
        key = rng.choice(list("mtsfpnqvrxz"))
        header[key] = rng.choice(HOSTILE_VALUES)
        return f"add {key}", blobfmt.pack(header, sections)
    if kind == "delete":
        paths = [p for p in _paths(header) if isinstance(_get(header, p[:-1]) if len(p) > 1 else header, dict)]
        path = rng.choice(paths)
        parent = _get(header, path[:-1]) if len(path) > 1 else header
        del parent[path[-1]]
        return f"delete {path}", blobfmt.pack(header, sections)
    if kind == "bytes":  # flip bytes of the msgpack header itself
        head = bytearray(msgpack.packb(dict(header, sec=[[k, len(v)] for k, v in sections.items()]),
                                       use_bin_type=True))
        for _ in range(rng.randint(1, 3)):
            head[rng.randrange(len(head))] = rng.randrange(256)
        return "header bytes", raw_blob(bytes(head), sections)
    names = list(sections)
    if kind == "swap" and len(names) >= 2:
        a, b = rng.sample(names, 2)
        sections[a], sections[b] = sections[b], sections[a]
        return f"swap {a} {b}", blobfmt.pack(header, sections)
    if kind == "drop" and names:
        name = rng.choice(names)
        del sections[name]
        return f"drop {name}", blobfmt.pack(header, sections)
    if kind == "foreign":  # a section of the same name (or any) from another blob
        _, _, other = blobfmt.unpack(rng.choice(corpus))
        name = rng.choice(names + ["w", "r", "n", "l"])
        sections[name] = rng.choice(list(other.values()) or [b""])
        return f"foreign {name}", blobfmt.pack(header, sections)
    if kind == "truncate" and names:
        name = rng.choice(names)
        data = sections[name]
        sections[name] = data[: rng.randrange(len(data) + 1)] + (b"\0" if rng.random() < 0.3 else b"")
        return f"truncate {name}", blobfmt.pack(header, sections)
    if kind == "bomb":
        name = rng.choice(names + ["w", "r", "n", "l"])
        sections[name] = rng.choice(bomb_frames)
        return f"bomb {name}", blobfmt.pack(header, sections)
    name = rng.choice(names + ["w"])
    sections[name] = bytes(rng.randrange(256) for _ in range(rng.randint(0, 64)))
    return f"garbage {name}", blobfmt.pack(header, sections)


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def _reads(blob: bytes):
    """Every read function, with arguments valid for a chunk of any shape."""
    import inrfilter

    def region():
        ndim = len(inrfilter.info(blob)["shape"])
        return inrfilter.decode_region(blob, (slice(0, 2),) * ndim)

    def sample():
        ndim = len(inrfilter.info(blob)["shape"])
        return inrfilter.sample(blob, [[0.0] * ndim])

    return {"decode": lambda: inrfilter.decode(blob), "region": region, "sample": sample,
            "info": lambda: inrfilter.info(blob)}


def run(corpus: list[bytes], count: int, seed: int, call_limit: float) -> dict[str, Any]:
    """Read ``count`` mutants with every read function; tally outcomes and list failures."""
    from inrfilter import BlobError

    rng = random.Random(seed)
    bomb_frames = bombs()
    signal.signal(signal.SIGALRM, _alarm)
    tally = {"ok": 0, "BlobError": 0, "failures": [], "slowest": 0.0}
    for i in range(count):
        what, mutant = mutate(corpus, rng, bomb_frames)
        for name, call in _reads(mutant).items():
            start = time.perf_counter()
            signal.setitimer(signal.ITIMER_REAL, call_limit)
            try:
                call()
                tally["ok"] += 1
            except BlobError:
                tally["BlobError"] += 1
            except _Timeout:
                tally["failures"].append(f"#{i} {what}: {name} ran over {call_limit} s")
            except Exception as exc:  # noqa: BLE001 - the point is to catch everything else
                tb = traceback.extract_tb(exc.__traceback__)[-1]
                tally["failures"].append(f"#{i} {what}: {name} raised {type(exc).__name__}: {exc!s:.150} "
                                         f"({tb.filename.rsplit('/', 1)[-1]}:{tb.lineno})")
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            tally["slowest"] = max(tally["slowest"], time.perf_counter() - start)
    return tally


if __name__ == "__main__":  # the child: corpus file, count, seed, per-call limit in seconds
    with open(sys.argv[1], "rb") as fh:
        blobs = pickle.load(fh)
    result = run(blobs, int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]))
    print(json.dumps(result))
    sys.stdout.flush()
