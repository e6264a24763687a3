"""What a golden blob must keep: its header, its sections and its dequantised weights
bit for bit (those bytes are ours), and its decoded values within float rounding
(numpy's float32 arithmetic differs by an ulp between CPUs)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from inrfilter import blob as blobfmt
from inrfilter.decoder import ParsedChunk
from inrfilter.header import CONSTANT, LOSSLESS

#: decoded values may differ from the stored ones by this many float32 ulps of the
#: chunk's largest magnitude: far inside the max_error margin (fidelity.DECODER_NOISE)
ULPS = 16


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"bytes": value.hex()}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def record(blob: bytes) -> dict[str, Any]:
    """The exact content of a blob: header fields, each section's SHA-256, and the
    SHA-256 of every dequantised weight array (network blobs)."""
    version, header, sections = blobfmt.unpack(blob)
    out: dict[str, Any] = {
        "version": version,
        "header": _jsonable(header),
        "sections": {name: hashlib.sha256(data).hexdigest() for name, data in sections.items()},
    }
    chunk = ParsedChunk(blob)
    if chunk.h.method not in (CONSTANT, LOSSLESS):
        out["weights"] = {name: hashlib.sha256(np.ascontiguousarray(a, np.float32).tobytes()).hexdigest()
                          for name, a in chunk.params().items()}
    return out


def differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """Every field of two records that differs, by path (empty: identical)."""
    found: list[str] = []

    def walk(a: Any, b: Any, path: str) -> None:
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(set(a) | set(b)):
                walk(a.get(key), b.get(key), f"{path}/{key}")
        elif a != b:
            found.append(f"{path}: {a!r} != {b!r}")

    walk(expected, actual, "")
    return found


def tolerance(expected: np.ndarray) -> float:
    """``ULPS`` float32 ulps of the largest finite magnitude (0 for integer chunks)."""
    if expected.dtype.kind != "f":
        return 0.0
    finite = expected[np.isfinite(expected)]
    peak = float(np.abs(finite).max()) if finite.size else 0.0
    return ULPS * float(np.spacing(np.float32(peak)))


def decoded_mismatch(expected: np.ndarray, decoded: np.ndarray) -> str | None:
    """Why ``decoded`` is not ``expected`` up to float rounding (None when it is)."""
    if decoded.dtype != expected.dtype or decoded.shape != expected.shape:
        return f"decoded {decoded.shape} {decoded.dtype}, expected {expected.shape} {expected.dtype}"
    same_holes = np.array_equal(np.isnan(expected), np.isnan(decoded)) and np.array_equal(
        np.where(np.isinf(expected), expected, 0), np.where(np.isinf(decoded), decoded, 0))
    if expected.dtype.kind == "f" and not same_holes:
        return "non-finite values moved"
    finite = np.isfinite(expected)
    worst = float(np.abs(decoded[finite].astype(np.float64) - expected[finite]).max()) if finite.any() else 0.0
    if worst > tolerance(expected):
        return f"decoded values differ by up to {worst:g} (tolerance {tolerance(expected):g})"
    return None


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def save(path: Path, content: dict[str, Any]) -> None:
    path.write_text(json.dumps(content, indent=1, sort_keys=True) + "\n")
