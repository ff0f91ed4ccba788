"""The package's import graph: no circles, and presentation on the top floor.

The graph is read from the source (:mod:`ast`), not from a running interpreter, so it counts
every import a module could make: at its top, inside functions (the lazy ones), and under
``if TYPE_CHECKING:``. ``from pkg import name`` is an import of ``pkg.name`` when that is a
module, else of ``pkg``; ``import pkg.mod`` is one of ``pkg.mod``; relative imports are
resolved against the importing module's package. Parent packages that Python runs on the way
(``itinerary/__init__.py`` for any ``itinerary.x``) are not counted: a circle is a module
that needs, through others, a module that needs it.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path

import itinerary

PACKAGE = Path(itinerary.__file__).resolve().parent

PRESENTATION = frozenset(
    f"itinerary.{name}" for name in ("display", "frames", "plot", "ical", "cli")
)
"""The top floor: tables, DataFrames, plots, calendars and the command line."""

ROOF = frozenset(("itinerary", "itinerary.__main__"))
"""Above even presentation: the package's public face and ``python -m itinerary``."""

Graph = Mapping[str, frozenset[str]]


def package_modules(root: Path, name: str) -> dict[str, Path]:
    """Every module of the package in the directory *root* called *name*, by dotted name."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = [name, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _owner(name: str, modules: Mapping[str, Path]) -> str | None:
    """The module *name* is, or is in (``pkg.mod.Class`` -> ``pkg.mod``), if one of *modules*."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _targets(node: ast.AST, package: str, modules: Mapping[str, Path]) -> list[str]:
    """The dotted names an import statement *node*, in *package*, imports (none for others)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    source = node.module or ""
    if node.level:  # relative: from the package, or from one of its parents
        parts = package.split(".")
        base = ".".join(parts[: len(parts) - node.level + 1])
        source = f"{base}.{source}" if source else base
    members = (f"{source}.{alias.name}" for alias in node.names)
    return [member if member in modules else source for member in members]


def import_graph(root: Path, name: str) -> dict[str, frozenset[str]]:
    """Each module of the package -> the modules of the package it imports, anywhere in it."""
    modules = package_modules(root, name)
    graph = {}
    for module, path in modules.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        targets = {
            _owner(target, modules)
            for node in ast.walk(tree)
            for target in _targets(node, package, modules)
        }
        graph[module] = frozenset(t for t in targets if t is not None and t != module)
    return graph


def _reachable(graph: Graph, start: str) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for nxt in graph.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def circles(graph: Graph) -> list[frozenset[str]]:
    """The strongly connected components of more than one module: each an import circle."""
    reach = {module: _reachable(graph, module) for module in graph}
    found = {
        frozenset(other for other in reach[module] if module in reach[other]) for module in graph
    }
    return sorted((c for c in found if len(c) > 1), key=sorted)


def reaching_up(graph: Graph) -> list[tuple[str, str]]:
    """(module, what it imports) for each import from below the top floor into presentation.

    The roof (the package's face) may import anything; nothing may import the roof.
    """
    return sorted(
        (module, target)
        for module, targets in graph.items()
        for target in targets
        if target in ROOF or (target in PRESENTATION and module not in PRESENTATION | ROOF)
    )


def _shown(circle: frozenset[str], graph: Graph) -> str:
    edges = (f"{a} -> {b}" for a in sorted(circle) for b in sorted(graph[a] & circle))
    return "\n  ".join(edges)


def test_the_package_has_no_import_circles() -> None:
    """No module imports, through others, a module that imports it (lazy imports included)."""
    graph = import_graph(PACKAGE, "itinerary")
    found = circles(graph)
    assert not found, "import circles:\n  " + "\n\n  ".join(_shown(c, graph) for c in found)


def test_presentation_is_the_top_floor() -> None:
    """Only display, frames, plot, ical and the CLI (and the roof) import presentation."""
    assert reaching_up(import_graph(PACKAGE, "itinerary")) == []


STORES = frozenset(f"itinerary.store.{name}" for name in ("base", "jsonl", "sqlite", "postgres"))
"""The store modules, which share ``store/_sealed.py`` and ``store/codec.py``, not each other."""


def test_no_store_imports_another_store() -> None:
    """SQLite, JSON Lines and PostgreSQL share a seam below them; none imports another."""
    graph = import_graph(PACKAGE, "itinerary")
    found = {(store, other) for store in STORES for other in graph[store] & STORES}
    found -= {(store, "itinerary.store.base") for store in STORES}  # the base they all extend
    assert found == set()


def test_the_graph_is_read_from_the_source() -> None:
    """Known edges are found: top-level, lazy, from-imports of modules and of names."""
    graph = import_graph(PACKAGE, "itinerary")
    assert "itinerary.events" in graph["itinerary.log"]  # from itinerary.events import Event
    assert "itinerary._time" in graph["itinerary.events"]  # from itinerary import _time
    assert "itinerary.sim._columnar" in graph["itinerary.sim.monte_carlo"]  # inside a function
    assert "itinerary.display" in graph["itinerary.cli"]
    assert len(graph) > 40


def _write(root: Path, files: Mapping[str, str]) -> Path:
    for name, text in files.items():
        path = root / "pkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "pkg"


def test_a_circle_through_a_lazy_import_is_caught(tmp_path: Path) -> None:
    """A circle closed inside a function, by a relative import, is still a circle."""
    root = _write(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": "from pkg.b import helper\n",
            "b.py": "def helper():\n    from . import a\n    return a\n",
            "c.py": "import pkg.a\n",
        },
    )
    graph = import_graph(root, "pkg")
    assert graph["pkg.b"] == {"pkg.a"}
    assert circles(graph) == [frozenset(("pkg.a", "pkg.b"))]


def test_type_checking_and_parent_relative_imports_count(tmp_path: Path) -> None:
    """Imports under TYPE_CHECKING count, and ``from .. import x`` resolves to the parent's x."""
    root = _write(
        tmp_path,
        {
            "__init__.py": "",
            "low.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.sub.high import H\n",
            "sub/__init__.py": "",
            "sub/high.py": "from .. import low\nfrom ..low import something\n",
        },
    )
    graph = import_graph(root, "pkg")
    assert graph["pkg.sub.high"] == {"pkg.low"}
    assert graph["pkg.low"] == {"pkg.sub.high"}
    assert circles(graph) == [frozenset(("pkg.low", "pkg.sub.high"))]


def test_an_edge_up_into_presentation_is_caught() -> None:
    """A value importing display (lazily or not) breaks both rules: the checks say so."""
    graph = dict(import_graph(PACKAGE, "itinerary"))
    graph["itinerary.events"] = graph["itinerary.events"] | {"itinerary.display"}
    assert ("itinerary.events", "itinerary.display") in reaching_up(graph)
    assert any({"itinerary.events", "itinerary.display"} <= c for c in circles(graph))
    graph["itinerary.log"] = graph["itinerary.log"] | {"itinerary"}
    assert ("itinerary.log", "itinerary") in reaching_up(graph)
