"""Every benchmark script imports and has a ``main``, and writes to a results folder of
its own name: a moved module or a renamed helper cannot break one silently."""

import ast
import importlib
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).parents[1] / "benchmarks"
SCRIPTS = sorted(p.stem for p in BENCHMARKS.glob("*.py") if p.stem != "__init__")
HELPERS = sorted(p.stem for p in (BENCHMARKS / "common").glob("*.py") if p.stem != "__init__")


@pytest.mark.parametrize("name", SCRIPTS)
def test_benchmark_script_imports_and_runs_as_a_module(name):
    module = importlib.import_module(f"benchmarks.{name}")
    assert callable(getattr(module, "main", None)), f"benchmarks/{name}.py has no main()"


@pytest.mark.parametrize("name", HELPERS)
def test_benchmark_helper_imports(name):
    importlib.import_module(f"benchmarks.common.{name}")


@pytest.mark.parametrize("name", SCRIPTS)
def test_benchmark_results_folder_is_named_after_its_script(name):
    source = (BENCHMARKS / f"{name}.py").read_text()
    folders = {node.value for node in ast.walk(ast.parse(source))
               if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value == name}
    assert folders, f"benchmarks/{name}.py should write benchmarks/results/{name}/"


def test_every_results_folder_has_its_script():
    results = {p.name for p in (BENCHMARKS / "results").iterdir() if p.is_dir()}
    assert results <= set(SCRIPTS), f"results without a script: {sorted(results - set(SCRIPTS))}"
