"""Every python and bash block of README.md runs as written, in order, in one folder
(a later block may read what an earlier one wrote, as a reader following along would).
A block preceded by ``<!-- not-tested: reason -->`` is skipped (the set-up commands,
which .ci/run runs itself); keep that list short."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"(?:<!-- not-tested: (?P<why>[^>]*?) -->\n)?```(?P<lang>python|bash)\n(?P<code>.*?)```", re.S)


def readme_blocks(text: str) -> list[tuple[str, str, str | None]]:
    """(language, code, reason it is not tested or None) of every python/bash block."""
    return [(m["lang"], m["code"], m["why"]) for m in FENCE.finditer(text)]


BLOCKS = readme_blocks((ROOT / "README.md").read_text())


def test_the_readme_has_blocks_and_few_untested_ones():
    assert len(BLOCKS) >= 5
    assert sum(why is not None for _, _, why in BLOCKS) <= 2


def test_block_extraction_sees_the_marker():
    text = "a\n<!-- not-tested: needs a GPU -->\n```python\nx = 1\n```\n```bash\necho hi\n```\n"
    assert readme_blocks(text) == [("python", "x = 1\n", "needs a GPU"), ("bash", "echo hi\n", None)]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("readme")


def _env() -> dict[str, str]:
    """This checkout's inrfilter first, this venv's commands (python, inrfilter) on PATH."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.setdefault("OMP_NUM_THREADS", "2")
    env.pop("HDF5_PLUGIN_PATH", None)
    return env


@pytest.mark.parametrize("index", range(len(BLOCKS)), ids=[f"{i}-{b[0]}" for i, b in enumerate(BLOCKS)])
def test_readme_block_runs_as_written(index, folder):
    lang, code, why = BLOCKS[index]
    if why is not None:
        pytest.skip(f"marked not-tested: {why}")
    if lang == "bash" and "h5dump" in code and shutil.which("h5dump") is None:
        pytest.skip("h5dump is not installed (apt-get install hdf5-tools; CI has it)")
    (folder / f"block{index}.{ 'py' if lang == 'python' else 'sh'}").write_text(code)
    cmd = [sys.executable, f"block{index}.py"] if lang == "python" else ["bash", "-euo", "pipefail", f"block{index}.sh"]
    result = subprocess.run(cmd, cwd=folder, env=_env(), capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"README block {index} ({lang}) failed:\n{code}\n{result.stdout}\n{result.stderr}"
