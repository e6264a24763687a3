"""The package's shape (README "Layout"): one folder per method, the import graph
without loops, nn/ importing no method, and the core importing no door."""

from __future__ import annotations

import ast
from pathlib import Path

import inrfilter

PACKAGE = Path(inrfilter.__file__).parent
DOORS = ("inrfilter.h5", "inrfilter.zarr", "inrfilter.numcodecs", "inrfilter.cli", "inrfilter.dask")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every inrfilter module ``path`` imports, at any depth of the file (lazy imports too)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("inrfilter")}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("inrfilter"):
                continue
            for alias in node.names:  # "from . import x" may name a submodule
                candidate = f"{target}.{alias.name}"
                found.add(candidate if _exists(candidate) else target)
    return found - {name}


def _exists(module: str) -> bool:
    path = PACKAGE.parent.joinpath(*module.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: {m for m in _imports(path) if m in modules} for name, path in modules.items()}


def find_loops(edges: dict[str, set[str]]) -> list[list[str]]:
    """Import loops of a module graph, each as the modules around it (depth-first search)."""
    state: dict[str, int] = {}
    loops = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                loops.append(trail[trail.index(nxt):] + [nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    return loops


def test_the_import_graph_has_no_loops():
    assert find_loops(graph()) == []


def test_the_loop_finder_finds_loops():
    assert find_loops({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert find_loops({"a": {"b"}, "b": set()}) == []
    assert any("inrfilter.methods.sci.layout" in m for m in graph()["inrfilter.methods.sci"])  # edges are seen


def test_nn_imports_no_method_and_the_core_no_door():
    for name, imported in graph().items():
        if name.startswith("inrfilter.nn"):
            assert not any(m.startswith("inrfilter.methods") for m in imported), (name, imported)
        core = name.count(".") == 1 and not name.startswith(DOORS) and name not in ("inrfilter.settings",)
        if core or name.startswith("inrfilter.methods"):
            assert not any(m.startswith(DOORS) for m in imported), (name, imported)


def test_every_method_has_its_own_folder():
    for method in inrfilter.METHODS:
        assert (PACKAGE / "methods" / method / "__init__.py").exists(), method
    loose = {p.stem for p in (PACKAGE / "methods").glob("*.py")}
    assert loose == {"__init__", "base", "common"}, loose
