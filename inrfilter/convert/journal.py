"""The journal: what a conversion has already encoded, so ``--resume`` skips it.

Training is the expensive part of a conversion, so the journal keeps its results:
each encoded batch's blobs are appended to ``<journal>.blobs`` and then one JSON line
(dataset key, batch number, byte offset, blob sizes, SHA-256) is appended to the
journal; both are fsynced before the next batch starts.  A dataset's key is a
fingerprint of its source file, its path, shape, dtype, chunk shape, settings and
batch size, so work done for another source or other settings is never reused.

The output file itself is assembled after encoding from the journal (plus lossless
copies), under a temporary name, and renamed at the end: a process killed while
writing it leaves nothing a resume must trust, since a killed HDF5 writer can leave a
file that does not open.  On resume, a torn last line and blobs past the last
complete record are dropped, and their batches are encoded again.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from pathlib import Path
from typing import Any

JOURNAL_VERSION = 1
#: test hook: exit the process (status 75) after this many journal records
EXIT_AFTER_ENV = "INRFILTER_CONVERT_EXIT_AFTER"


class JournalError(ValueError):
    pass


class Journal:
    """Append-only record of encoded batches, with their blobs beside it."""

    def __init__(self, path: Path, resume: bool, run_key: str):
        self.path = Path(path)
        self.blob_path = self.path.with_name(self.path.name + ".blobs")
        # one conversion per destination: a second would delete or interleave this one's records
        self._lock = open(self.path.with_name(self.path.name + ".lock"), "a")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._lock.close()
            raise JournalError(f"another conversion is writing {self.path.name[:-len('.inrfilter-journal')]} "
                               f"(it holds {self.path.name}.lock)") from None
        self.done: dict[tuple[str, int], dict[str, Any]] = {}
        self.written = 0
        end = 0
        if resume and self.path.exists():
            try:
                end = self._load(run_key)
            except JournalError:
                self._unlock()
                raise
        else:
            for p in (self.path, self.blob_path):
                p.unlink(missing_ok=True)
        self._blobs = open(self.blob_path, "ab")
        self._blobs.truncate(end)
        self._blobs.seek(end)
        new = not self.path.exists() or self.path.stat().st_size == 0
        self._lines = open(self.path, "ab")
        if new:
            self._append({"journal": JOURNAL_VERSION, "run": run_key})
        self.exit_after = int(os.environ.get(EXIT_AFTER_ENV, "0") or 0)

    def _load(self, run_key: str) -> int:
        """Read complete records whose blobs are intact; return where the blob file ends."""
        raw = self.path.read_bytes().split(b"\n")
        try:
            head = json.loads(raw[0])
        except ValueError:
            raise JournalError(f"{self.path} is not an inrfilter convert journal") from None
        if head.get("journal") != JOURNAL_VERSION:
            raise JournalError(f"{self.path} is not an inrfilter convert journal (version {head.get('journal')})")
        if head.get("run") != run_key:
            raise JournalError(f"{self.path} was written for another source, destination or settings; "
                               "remove it, or run without --resume to start over")
        size = self.blob_path.stat().st_size if self.blob_path.exists() else 0
        good_lines, end = [raw[0]], 0
        with open(self.blob_path, "rb") if size else open(os.devnull, "rb") as f:
            for line in raw[1:]:
                try:
                    rec = json.loads(line)
                except ValueError:
                    break  # torn last line
                stop = rec["offset"] + sum(rec["sizes"])
                if rec["offset"] != end or stop > size:
                    break
                f.seek(rec["offset"])
                if hashlib.sha256(f.read(stop - rec["offset"])).hexdigest() != rec["sha256"]:
                    break
                self.done[(rec["dataset"], rec["batch"])] = rec
                good_lines.append(line)
                end = stop
        self.path.write_bytes(b"\n".join(good_lines) + b"\n")
        return end

    def _append(self, record: dict[str, Any]) -> None:
        self._lines.write(json.dumps(record, separators=(",", ":")).encode() + b"\n")
        self._lines.flush()
        os.fsync(self._lines.fileno())

    def has(self, dataset: str, batch: int) -> bool:
        return (dataset, batch) in self.done

    def record(self, dataset: str, batch: int, blobs: list[bytes]) -> None:
        """Store one batch's blobs durably, then say so in the journal."""
        offset = self._blobs.tell()
        data = b"".join(blobs)
        self._blobs.write(data)
        self._blobs.flush()
        os.fsync(self._blobs.fileno())
        rec = {"dataset": dataset, "batch": batch, "offset": offset, "sizes": [len(b) for b in blobs],
               "sha256": hashlib.sha256(data).hexdigest()}
        self._append(rec)
        self.done[(dataset, batch)] = rec
        self.written += 1
        if self.exit_after and self.written >= self.exit_after:
            os._exit(75)

    def blobs(self, dataset: str, batch: int) -> list[bytes]:
        rec = self.done[(dataset, batch)]
        with open(self.blob_path, "rb") as f:
            f.seek(rec["offset"])
            data = f.read(sum(rec["sizes"]))
        out, pos = [], 0
        for n in rec["sizes"]:
            out.append(data[pos:pos + n])
            pos += n
        return out

    def _unlock(self) -> None:
        if not self._lock.closed:
            Path(self._lock.name).unlink(missing_ok=True)
            self._lock.close()  # releases the lock

    def close(self) -> None:
        self._blobs.close()
        self._lines.close()
        self._unlock()

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)
        self.blob_path.unlink(missing_ok=True)
        self.close()


def dataset_key(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:24]
