"""Verification and the report.

Every lossy chunk is read back through the output's normal read path (HDF5's filter
pipeline, or zarr's codec) and compared with the source chunk on its valid part: the
achieved PSNR (over the chunk's finite range, as the encoder measures it) and max
error are checked against the rule's ``psnr`` / ``max_error`` target, and NaN/Inf
must come back where they were.  Lossless datasets must come back bit-identical
(chunks copied as stored bytes are compared as stored bytes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ..fidelity import max_abs_error, psnr
from .plan import Item, _size

#: a PSNR target counts as met within this many dB (float differences between the
#: encoder's measurement and the reader's)
PSNR_SLACK_DB = 0.01


@dataclass
class Row:
    """One dataset in the report."""

    label: str
    action: str
    shape: tuple[int, ...]
    dtype: str
    before: int
    after: int
    seconds: float = 0.0
    psnr: float | None = None
    max_error: float | None = None
    chunks: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.before / self.after if self.after else math.inf

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {"dataset": self.label, "action": self.action, "shape": list(self.shape), "dtype": self.dtype,
                "bytes_before": self.before, "bytes_after": self.after, "ratio": round(self.ratio, 3),
                "psnr_db": self.psnr, "max_abs_error": self.max_error, "seconds": round(self.seconds, 3),
                "chunks": self.chunks, "ok": self.ok, "problems": self.problems}


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    if a.dtype.kind in "OUST" or b.dtype.kind in "OUST":  # strings: compare the values
        text = lambda x: x.decode() if isinstance(x, bytes) else x  # noqa: E731
        return [text(x) for x in a.ravel().tolist()] == [text(x) for x in b.ravel().tolist()]
    if a.dtype != b.dtype:
        # zarr stores in its own byte order: same values, same type otherwise
        native = a.dtype.newbyteorder("=")
        if native != b.dtype.newbyteorder("="):
            return False
        a, b = a.astype(native), b.astype(native)
    return np.ascontiguousarray(a).tobytes() == np.ascontiguousarray(b).tobytes()


def lossy_row(item: Item, after: int, read_out: Callable[[tuple], np.ndarray]) -> Row:
    """The report row of a lossy dataset (its rule's settings as the action), checked
    chunk by chunk against the source through ``read_out``."""
    s, node = item.decision.settings, item.node
    action = s.method + "".join(f",{k}={getattr(s, k)}" for k in ("psnr", "max_error", "ratio")
                                if getattr(s, k) is not None)
    row = Row(item.label, action, node.shape, str(node.dtype), node.stored_bytes, after, item.seconds)
    check_lossy(item, read_out, row)
    return row


def check_lossy(item: Item, read_out: Callable[[tuple], np.ndarray], row: Row) -> None:
    """Compare every chunk of a lossy dataset with its source; fill ``row``."""
    s = item.decision.settings
    worst_psnr, worst_err = math.inf, 0.0
    for offset in item.chunk_offsets():
        valid = tuple(slice(o, min(o + c, n)) for o, c, n in zip(offset, item.chunks, item.node.shape))
        where = f"chunk at {offset}"
        try:
            got = np.asarray(read_out(valid))
        except Exception as exc:  # any reader failure is a chunk that did not verify
            row.problems.append(f"{where}: cannot be read back ({type(exc).__name__}: {exc})")
            continue
        want = item.node.read(valid)
        a, b = want.astype(np.float64), got.astype(np.float64)
        finite = np.isfinite(a)
        if not np.array_equal(np.isnan(a), np.isnan(b)) or not np.array_equal(a[~finite & ~np.isnan(a)],
                                                                               b[~finite & ~np.isnan(a)]):
            row.problems.append(f"{where}: NaN/Inf not restored where they were")
        p, e = psnr(a, b, finite), max_abs_error(a, b, finite)
        worst_psnr, worst_err = min(worst_psnr, p), max(worst_err, e)
        row.chunks += 1
        if s.psnr is not None and p < s.psnr - PSNR_SLACK_DB:
            row.problems.append(f"{where}: PSNR {p:.2f} dB < target {s.psnr}")
        if s.max_error is not None and e > s.max_error * (1 + 1e-9):
            row.problems.append(f"{where}: max error {e:.4g} > target {s.max_error}")
    row.psnr = round(worst_psnr, 2) if math.isfinite(worst_psnr) else worst_psnr
    row.max_error = float(f"{worst_err:.4g}")


def check_lossless(item: Item, read_out: Callable[[tuple], np.ndarray], row: Row, raw_equal: Callable[[], bool] | None) -> None:
    """Lossless data must come back bit-identical."""
    node = item.node
    if raw_equal is not None:
        if not raw_equal():
            row.problems.append("stored chunks differ from the source's")
        return
    if not node.shape:
        if not _same(node.read(()), read_out(())):
            row.problems.append("value differs from the source's")
        return
    if 0 in node.shape:
        return
    step = max(1, (64 * 1024**2) // max(1, node.nbytes // node.shape[0]))
    for start in range(0, node.shape[0], step):
        sel = (slice(start, min(start + step, node.shape[0])),)
        if not _same(node.read(sel), read_out(sel)):
            row.problems.append(f"rows {start}-{sel[0].stop - 1} differ from the source's")
            return


def format_report(rows: list[Row], total_before: int, total_after: int, seconds: float) -> list[str]:
    """The table ``inrfilter convert`` prints."""
    head = ["dataset", "action", "shape", "before", "after", "ratio", "psnr_db", "max_err", "time_s", "status"]
    body = []
    for r in rows:
        body.append([r.label, r.action, "x".join(map(str, r.shape)) or "scalar", _size(r.before), _size(r.after),
                     f"{r.ratio:.1f}" if math.isfinite(r.ratio) else "-",
                     "-" if r.psnr is None else (f"{r.psnr:.2f}" if math.isfinite(r.psnr) else str(r.psnr)),
                     "-" if r.max_error is None else f"{r.max_error:.4g}", f"{r.seconds:.1f}",
                     "ok" if r.ok else "FAILED"])
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body)]
    lines = ["  ".join(str(x).ljust(w) for x, w in zip(line, widths)).rstrip() for line in [head, *body]]
    ratio = total_before / total_after if total_after else math.inf
    lines.append(f"total: {_size(total_before)} -> {_size(total_after)} on disk, ratio {ratio:.1f}, "
                 f"{seconds:.1f} s; {sum(not r.ok for r in rows)} dataset(s) failed verification")
    for r in rows:
        for p in r.problems[:5]:
            lines.append(f"FAILED {r.label}: {p}")
        if len(r.problems) > 5:
            lines.append(f"FAILED {r.label}: ... and {len(r.problems) - 5} more")
    return lines
