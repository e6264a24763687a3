"""The plan: every file to write, every dataset in it and what happens to it.

Planning opens the source and every file its external links (and virtual datasets)
point to, applies the rules, and checks what can be checked before anything is
written: missing sources, unavailable filters, rules that match nothing, outputs
that would land on a source.
"""

from __future__ import annotations

import errno
import inspect
import itertools
import math
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np

from .. import encode_batch
from ..blob import FORMAT_VERSION
from .journal import dataset_key
from .rules import Decision, RuleError, RuleSet
from .sources import DatasetNode, LinkNode, Node, Source, SourceError, default_chunks, fingerprint, open_source


class ConvertError(ValueError):
    """A conversion that cannot start or cannot finish; the message is one line."""


@dataclass
class Item:
    """One dataset of one file and its decision."""

    node: DatasetNode
    decision: Decision
    label: str  # how the report names it: "file.h5:/path" for linked files, "/path" for the main one
    chunks: tuple[int, ...] | None = None  # output chunk shape (lossy)
    key: str = ""  # journal key (lossy)
    batch: int = 16
    seconds: float = 0.0  # encoding and writing, this run

    @property
    def lossy(self) -> bool:
        return self.decision.lossy

    def chunk_offsets(self) -> list[tuple[int, ...]]:
        return list(itertools.product(*[range(0, n, c) for n, c in zip(self.node.shape, self.chunks)]))

    def batches(self) -> list[list[tuple[int, ...]]]:
        offsets = self.chunk_offsets()
        return [offsets[i:i + self.batch] for i in range(0, len(offsets), self.batch)]

    def n_chunks(self) -> int:
        return math.prod(-(-n // c) for n, c in zip(self.node.shape, self.chunks))


@dataclass
class FilePlan:
    """One output file and the source it comes from."""

    source: Source
    out: Path
    nodes: list[Node]
    items: list[Item] = field(default_factory=list)
    #: external/VDS file names in this source -> names to write in the output (None: keep)
    renames: dict[str, str] = field(default_factory=dict)
    _fingerprint: str | None = None

    @property
    def fingerprint(self) -> str:
        """The source's identity (computed once: a zarr store's means a stat of every file)."""
        if self._fingerprint is None:
            self._fingerprint = fingerprint(self.source.path)
        return self._fingerprint

    @property
    def tmp(self) -> Path:
        return self.out.with_name(f".{self.out.name}.inrfilter-tmp")


def _aliases(path: str, links: list[tuple[str, str]]) -> list[str]:
    """``path`` and the paths under which the main file links to it."""
    out = [path]
    for target, link in links:
        t = target.rstrip("/") or "/"
        if path == t:
            out.append(link)
        elif path.startswith(t.rstrip("/") + "/"):
            out.append(link + path[len(t.rstrip("/")):])
    return out


@dataclass
class Plan:
    files: list[FilePlan]
    rules: RuleSet
    notes: list[str]

    @property
    def items(self) -> list[Item]:
        return [i for f in self.files for i in f.items]

    def close(self) -> None:
        for f in self.files:
            f.source.close()


def make_plan(src: Path, dst: Path, rules: RuleSet, *, external: str = "convert", batch: int = 16) -> Plan:
    """Open everything, decide everything; raise ConvertError for what cannot work."""
    src, dst = Path(src), Path(dst)
    if not src.exists():
        raise ConvertError(f"source {src} does not exist")
    if dst.resolve() == src.resolve():
        raise ConvertError(f"destination {dst} is the source; convert never writes over its source")
    files: list[FilePlan] = []
    notes: list[str] = []
    by_source: dict[Path, FilePlan] = {}
    sources: set[Path] = set()
    queue: list[tuple[Path, Path, list[tuple[str, str]]]] = [(src, dst, [])]
    outs: dict[Path, Path] = {}
    try:
        while queue:
            path, out, links = queue.pop(0)
            source = open_source(path)
            nodes = list(source.walk())
            fp = FilePlan(source, out, nodes)
            files.append(fp)
            by_source[path.resolve()] = fp
            sources.add(path.resolve())
            linked: dict[str, list[tuple[str, str]]] = {}
            for node in nodes:
                names: list[tuple[str, str]] = []
                if isinstance(node, LinkNode) and node.kind == "external":
                    names.append((node.filename, node.target, node.path))
                if isinstance(node, DatasetNode) and node.virtual:
                    names.extend((m[1], m[2], node.path) for m in node.virtual if m[1] != ".")
                for filename, target, via in names:
                    linked.setdefault(filename, []).append((target, via))
            for filename, targets in linked.items():
                target_path = (path.parent / filename) if not os.path.isabs(filename) else Path(filename)
                if external != "convert" or not target_path.exists():
                    if not target_path.exists():
                        notes.append(f"{path.name}: link target {filename} does not exist; link kept as is")
                    elif not os.path.isabs(filename) and out.parent.resolve() != path.parent.resolve():
                        fp.renames[filename] = str(target_path.resolve())  # still resolves from the new place
                    continue
                new_out = out.parent / Path(filename).name
                resolved = target_path.resolve()
                fp.renames[filename] = new_out.name
                if resolved in by_source or any(q[0].resolve() == resolved for q in queue):
                    continue
                if new_out.resolve() == resolved:
                    raise ConvertError(f"converting {filename} (linked from {path.name}) would write over it; "
                                       f"write {dst.name} into another directory, or pass --external keep")
                queue.append((target_path, new_out, targets))
            for node in nodes:
                if isinstance(node, DatasetNode):
                    fp.items.append(_decide(fp, node, rules, links, batch, path is src))
        for fp in files:
            if fp.out.resolve() in sources:
                raise ConvertError(f"output {fp.out} is a source file; convert never writes over its source")
            if fp.out.resolve() in outs:
                raise ConvertError(f"{outs[fp.out.resolve()]} and {fp.source.path} would both be written "
                                   f"to {fp.out}")
            outs[fp.out.resolve()] = fp.source.path
        unused = rules.unused()
        if unused:
            raise ConvertError(f"rule {unused[0]!r} matches no dataset")
    except (SourceError, RuleError) as exc:
        for fp in files:
            fp.source.close()
        raise ConvertError(str(exc)) from None
    except ConvertError:
        for fp in files:
            fp.source.close()
        raise
    return Plan(files, rules, notes)


def _decide(fp: FilePlan, node: DatasetNode, rules: RuleSet, links: list[tuple[str, str]], batch: int,
            main: bool) -> Item:
    label = node.path if main else f"{fp.out.name}:{node.path}"
    if node.virtual is not None:
        return Item(node, Decision(False, "virtual dataset (rebuilt from its sources)"), label)
    decision = rules.decide(_aliases(node.path, links), node.shape, node.dtype, node.nbytes,
                            scale=node.scale_name is not None)
    if node.missing_filters:
        code, name = node.missing_filters[0]
        raise ConvertError(f"{fp.source.path}: dataset {node.path} uses HDF5 filter {code} ({name}), which is not "
                           f"available here: pip install hdf5plugin, or set HDF5_PLUGIN_PATH to its plugin")
    item = Item(node, decision, label, batch=batch)
    if decision.lossy:
        item.chunks = tuple(decision.chunks or node.chunks or default_chunks(node.shape, node.dtype.itemsize))
        item.key = dataset_key(fp.fingerprint, node.path, node.shape, node.dtype.str, item.chunks,
                               decision.settings.to_json(), batch, FORMAT_VERSION,
                               trains_on_valid_part())  # edge chunks' blobs differ then
    return item


def trains_on_valid_part() -> bool:
    """Whether encode_batch takes ``valid=`` (the encode pool's version does): then an
    edge chunk's network is trained and measured on its valid part only, not on the
    padding, and the PSNR the encoder reaches is the one verification measures."""
    return "valid" in inspect.signature(encode_batch).parameters


def describe(plan: Plan) -> list[str]:
    """One line per dataset for ``--dry-run``."""
    rows = []
    for fp in plan.files:
        rows.append(f"{fp.source.path} -> {fp.out}")
        for item in fp.items:
            n = item.node
            what = ("lossy " + ",".join(f"{k}={v}" for k, v in item.decision.settings.to_json().items())
                    + f" chunks={'x'.join(map(str, item.chunks))}") if item.lossy else f"lossless ({item.decision.reason})"
            rows.append(f"  {n.path}  {'x'.join(map(str, n.shape)) or 'scalar'} {n.dtype}  "
                        f"{_size(n.stored_bytes)} stored, {_size(n.nbytes)} raw  -> {what}")
    return rows


def _size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


def read_chunk(node: DatasetNode, offset: tuple[int, ...], chunks: tuple[int, ...]) -> tuple[np.ndarray, tuple]:
    """The chunk at ``offset``, padded to the full chunk shape by repeating its edge
    values (smooth for the network), and the slices of its valid part."""
    valid = tuple(slice(o, min(o + c, n)) for o, c, n in zip(offset, chunks, node.shape))
    data = node.read(valid)
    pad = [(0, c - (s.stop - s.start)) for c, s in zip(chunks, valid)]
    if any(p[1] for p in pad):
        data = np.pad(data, pad, mode="edge")
    return np.ascontiguousarray(data), valid


@contextmanager
def where(fp: FilePlan, path: str) -> Iterator[None]:
    """Name the output file and the object in any error raised while writing it."""
    try:
        yield
    except (SourceError, ConvertError):
        raise
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise
        raise ConvertError(f"{fp.out.name}:{path}: {exc}") from None
    except (ValueError, TypeError, KeyError, RuntimeError, ImportError) as exc:
        raise ConvertError(f"{fp.out.name}:{path}: {type(exc).__name__}: {exc}") from None
