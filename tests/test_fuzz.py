"""Seeded fuzzing of every read function with blobs whose CRC is valid but whose
header lies, whose sections are swapped, foreign, truncated or zstd bombs
(tests/fuzz_blobs.py): the only exception a reader may raise is BlobError, no call
may run past a time limit, and everything runs under an address-space limit.

The corpus covers every method and every kind of blob (constant, lossless,
network, network with residual, with a non-finite mask, integer, 3-d, int8 weights).
"""

from __future__ import annotations

import json
import pickle
import resource
import subprocess
import sys
from pathlib import Path

import pytest

import inrfilter

ROOT = Path(__file__).resolve().parents[1]
#: the reader's whole address space (python + numpy + scipy + pywt take ~300 MiB of it)
MEMORY_LIMIT = 1536 << 20
#: one read of a mutant of these tiny chunks takes milliseconds; a hang is far beyond
CALL_LIMIT_S = 10.0
MUTANTS = 1500
CORPUS = Path(__file__).parent / "fuzz_corpus"


@pytest.fixture(scope="module")
def corpus() -> list[bytes]:
    """The committed seed blobs (tests/fuzz_corpus/make_corpus.py writes them)."""
    blobs = [p.read_bytes() for p in sorted(CORPUS.glob("*.inrf"))]
    infos = [inrfilter.info(b) for b in blobs]
    kinds = {i["method"] for i in infos}
    missing = {"constant", "lossless", *inrfilter.METHODS} - kinds
    assert not missing, f"no seed blobs for {sorted(missing)}: run python -m tests.fuzz_corpus.make_corpus"
    assert any(i["residual_step"] for i in infos) and any("nonfinite" in i["sections"] for i in infos)
    assert any(i["quant"] == "int8" for i in infos) and any(len(i["shape"]) == 3 for i in infos)
    return blobs


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _fuzz(tmp_path: Path, blobs: list[bytes], count: int, seed: int) -> dict:
    path = tmp_path / "corpus.pkl"
    path.write_bytes(pickle.dumps(blobs))
    proc = subprocess.run(
        [sys.executable, "-m", "tests.fuzz_blobs", str(path), str(count), str(seed), str(CALL_LIMIT_S)],
        cwd=ROOT, capture_output=True, text=True, preexec_fn=_limit_memory, timeout=600,
    )
    assert proc.returncode == 0, f"the reader process died ({proc.returncode}):\n{proc.stderr[-3000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("seed", [1, 2])
def test_mutated_blobs_raise_only_blob_errors(tmp_path, corpus, seed):
    result = _fuzz(tmp_path, corpus, MUTANTS, seed)
    assert not result["failures"], "\n".join(result["failures"][:40])
    # the mutations reach past the container checks: many mutants still decode
    assert result["BlobError"] > MUTANTS and result["ok"] > MUTANTS // 4


def test_the_corpus_itself_reads_cleanly(corpus):
    for blob in corpus:
        inrfilter.decode(blob)


def test_a_memory_hog_would_be_caught(tmp_path):
    """The limit is real: the child cannot allocate 2 GiB."""
    code = "import numpy as np; np.ones(1 << 28)"
    proc = subprocess.run([sys.executable, "-c", code], preexec_fn=_limit_memory, capture_output=True, text=True)
    assert proc.returncode != 0 and "MemoryError" in proc.stderr
