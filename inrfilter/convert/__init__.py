"""Archival conversion of existing files: ``inrfilter convert SRC DST`` and :func:`convert`.

The pieces, one job each:

- :mod:`.rules`: which datasets are compressed lossily, with which settings;
- :mod:`.sources`: HDF5/NeXus/netCDF4, zarr, .npy and TIFF read as one tree;
- :mod:`.plan`: every output file and every dataset's decision, checked before writing;
- :mod:`.journal`: encoded batches kept durably, so ``resume`` skips them;
- :mod:`.encode`: training, batch by batch, through :func:`inrfilter.encode_batch`;
- :mod:`.h5write` / :mod:`.zarrwrite`: assembling the output under a temporary name;
- :mod:`.verify`: reading every chunk back and the report.

See docs/convert.md.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from .encode import Progress, encode_all
from .journal import Journal, JournalError
from .plan import ConvertError, FilePlan, Plan, describe, make_plan
from .rules import RuleError, RuleSet
from .verify import Row, format_report

__all__ = ["ConvertError", "Report", "convert"]


@dataclass
class Report:
    """What a conversion did: one row per dataset, notes, totals."""

    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)
    total_before: int = 0
    total_after: int = 0
    seconds: float = 0.0
    dry_run: list[str] | None = None
    #: seconds spent training (this run), writing the outputs, verifying them
    stages: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.rows)

    def lines(self) -> list[str]:
        if self.dry_run is not None:
            return self.dry_run + [f"note: {n}" for n in self.notes]
        return format_report(self.rows, self.total_before, self.total_after, self.seconds) + \
            [f"note: {n}" for n in self.notes]

    def to_json(self) -> dict:
        return {"ok": self.ok, "outputs": [str(p) for p in self.outputs], "bytes_before": self.total_before,
                "bytes_after": self.total_after, "seconds": round(self.seconds, 3),
                "stages": {k: round(v, 3) for k, v in self.stages.items()},
                "datasets": [r.to_json() for r in self.rows], "notes": self.notes}


def output_format(dst: Path, fmt: str | None) -> str:
    if fmt:
        if fmt not in ("hdf5", "zarr"):
            raise ConvertError(f"format {fmt!r}: expected hdf5 or zarr")
        return fmt
    return "zarr" if dst.suffix.lower() == ".zarr" else "hdf5"


def journal_path(dst: Path) -> Path:
    return dst.with_name(dst.name + ".inrfilter-journal")


def convert(src: str | os.PathLike, dst: str | os.PathLike, rules: Sequence[str] = (), *,
            default: str | None = None, min_lossy: str | int = "1MiB", chunks: str | None = None,
            external: str = "convert", batch: int = 16, resume: bool = False, overwrite: bool = False,
            dry_run: bool = False, format: str | None = None, progress: bool | None = None,
            pool: str | list[int] | None = None, workers: int | None = None) -> Report:
    """Convert ``src`` into ``dst``; see docs/convert.md.

    ``rules`` are ``PATTERN:settings`` strings, ``default`` the settings of the default
    rule, ``min_lossy`` the size below which datasets stay lossless.  Raises
    :class:`ConvertError` (one-line message) when the conversion cannot start or
    cannot finish; then nothing exists under ``dst``'s name.  A target missed in
    verification does not raise: the output is written and ``report.ok`` is False.

    ``pool``: train in an :class:`inrfilter.pool.EncodePool` started for this
    conversion (``"auto"``, ``"cpu"``, ``"cuda"`` or GPU numbers; ``workers`` per its
    docstring).  Without it, training runs in this process, or in the pool already
    active in it.  A caller that starts a pool needs the ``if __name__ == "__main__":``
    guard (workers start with spawn).
    """
    t0 = time.perf_counter()
    src, dst = Path(src), Path(dst)
    rules = [rules] if isinstance(rules, str) else list(rules)
    fmt = output_format(dst, format)
    if external not in ("convert", "keep"):
        raise ConvertError(f"external {external!r}: expected convert or keep")
    if batch < 1:
        raise ConvertError("batch must be at least 1")
    try:
        ruleset = RuleSet.parse(list(rules), default, min_lossy, chunks)
    except RuleError as exc:
        raise ConvertError(str(exc)) from None
    if not src.exists():
        raise ConvertError(f"source {src} does not exist")
    if not dst.parent.is_dir():
        raise ConvertError(f"destination folder {dst.parent} does not exist")
    plan = make_plan(src, dst, ruleset, external=external if fmt == "hdf5" else "keep", batch=batch)
    report = Report(notes=list(plan.notes))
    try:
        if dry_run:
            report.dry_run = describe(plan)
            return report
        for fp in plan.files:
            if fp.out.exists() and not overwrite:
                raise ConvertError(f"{fp.out} exists; pass --overwrite to replace it")
        _check_devices(plan)
        with _encode_pool(pool, workers):
            _run(plan, dst, fmt, resume, progress, report)
    finally:
        plan.close()
    report.seconds = time.perf_counter() - t0
    return report


def _encode_pool(devices: str | list[int] | None, workers: int | None) -> contextlib.AbstractContextManager:
    """The pool to train in for this conversion, or nothing to start."""
    if devices is None:
        if workers is not None:
            raise ConvertError("workers needs a pool: pass pool='auto' (--pool auto)")
        return contextlib.nullcontext()
    from ..pool import EncodePool

    if isinstance(devices, str) and devices not in ("auto", "cpu", "cuda"):
        try:
            devices = [int(d) for d in devices.split(",")]
        except ValueError:
            raise ConvertError(f"pool {devices!r}: expected auto, cpu, cuda or GPU numbers like 0,1") from None
    try:
        return EncodePool(devices, workers, progress=False)
    except (ValueError, ImportError) as exc:
        raise ConvertError(f"encode pool: {exc}") from None


def _check_devices(plan: Plan) -> None:
    """Lossy rules train networks: torch and each rule's device must be there before
    anything is written (a conversion with lossless copies only needs neither)."""
    from ..encoder import torch_device

    for device in sorted({i.decision.settings.device for i in plan.items if i.lossy}):
        try:
            torch_device(device)
        except (ImportError, ValueError) as exc:
            raise ConvertError(f"lossy rules need to train networks: {exc}") from None


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        path.unlink()


def _run(plan: Plan, dst: Path, fmt: str, resume: bool, progress: bool | None, report: Report) -> None:
    run_key = json.dumps([str(plan.files[0].source.path.resolve()), str(dst.resolve()), fmt])
    try:
        journal = Journal(journal_path(dst), resume, run_key)
    except (JournalError, OSError) as exc:
        raise ConvertError(str(exc)) from None
    items = plan.items
    total = sum(i.node.nbytes for i in items if i.node.virtual is None)
    bar = Progress(total, len(items), sum(i.n_chunks() for i in items if i.lossy), progress)
    renamed = False
    try:
        t0 = time.perf_counter()
        encode_all(plan, journal, bar)
        t1 = time.perf_counter()
        for fp in plan.files:
            _remove(fp.tmp)
            if fmt == "hdf5":
                from .h5write import write_hdf5

                write_hdf5(fp, journal, bar, report.notes)
            else:
                from .zarrwrite import write_zarr

                write_zarr(fp, journal, bar, report.notes)
        bar.close()
        t2 = time.perf_counter()
        for fp in plan.files:
            report.rows.extend(_verify(fp, fmt))
        report.stages = {"encode_s": t1 - t0, "write_s": t2 - t1, "verify_s": time.perf_counter() - t2}
        for fp in plan.files:
            report.total_before += _disk_size(fp.source.path)
            report.total_after += _disk_size(fp.tmp)
        for fp in reversed(plan.files):  # DST itself last: its name appears when all is in place
            if fp.out.is_dir():
                _remove(fp.out)
            os.replace(fp.tmp, fp.out)
            report.outputs.insert(0, fp.out)
        renamed = True
        journal.remove()
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise ConvertError(f"no space left on device while writing {dst.name}; nothing was left under its "
                               f"name; the journal keeps the encoded chunks: free space and rerun with --resume") from None
        raise ConvertError(f"writing {dst.name} failed: {exc}") from None
    except ValueError as exc:
        raise ConvertError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    finally:
        bar.close()
        if not renamed:
            journal.close()
            for fp in plan.files:
                _remove(fp.tmp)


def _disk_size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def _verify(fp: FilePlan, fmt: str) -> list[Row]:
    if fmt == "hdf5":
        from .h5verify import verify_hdf5

        return verify_hdf5(fp)
    from .zarrwrite import verify_zarr

    return verify_zarr(fp)
