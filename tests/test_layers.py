"""The layer rules of the code, checked on its import graph (read with ``ast``, nothing imported).

- ``sync/server/resources`` speaks HTTP: it parses, calls and renders. It imports no SQLAlchemy,
  no table definitions, and executes no SQL (no ``.execute(...)`` and friends); the SQL lives in
  ``sync/server/db``.
- ``sync/server/db`` imports nothing from ``sync/server/resources`` (storage knows no HTTP).
- ``sync/protocol`` imports nothing else of ours, and its stdlib-only modules import no
  third-party package, so the kiosk can use them without pydantic.
- Nothing in ``sync/`` imports ``kiosk/`` (dependencies point ``kiosk -> sync``).
- No import circles among our modules, counting imports inside functions too: a lazy import
  hides a circle, it does not remove it.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OUR_PACKAGES = ("kiosk", "sync")
SQL_CALLS = {"execute", "exec_driver_sql", "executemany", "scalar", "scalars", "scalar_one"}
PROTOCOL_STDLIB_ONLY = (
    "sync.protocol",
    "sync.protocol.batch_file",
    "sync.protocol.constants",
    "sync.protocol.signing",
    "sync.protocol.values",
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _our_modules() -> dict[str, Path]:
    modules = {}
    for package in OUR_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:  # Alembic scripts, run by Alembic only
                continue
            modules[_module_name(path)] = path
    return modules


MODULES = _our_modules()


def _imports(name: str, path: Path) -> Iterator[tuple[str, int]]:
    """``(imported module, line)`` for every import in the file, at any depth."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            yield module, node.lineno
            for alias in node.names:  # ``from package import module``
                if f"{module}.{alias.name}" in MODULES:
                    yield f"{module}.{alias.name}", node.lineno


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _ours(module: str) -> str | None:
    """The module of ours that an import names (the longest known prefix), or None."""
    parts = module.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in MODULES:
            return candidate
        parts.pop()
    return None


def _violations(rule) -> list[str]:
    found = []
    for name, path in MODULES.items():
        for imported, line in _imports(name, path):
            problem = rule(name, imported)
            if problem:
                found.append(f"{path.relative_to(ROOT)}:{line}: {problem}")
    return found


def test_resources_import_no_sqlalchemy_and_no_tables():
    def rule(name: str, imported: str) -> str | None:
        if not _within(name, "sync.server.resources"):
            return None
        if _within(imported, "sqlalchemy"):
            return f"imports {imported} (SQL belongs in sync/server/db)"
        if _within(imported, "sync.server.db.tables"):
            return "imports the table definitions (SQL belongs in sync/server/db)"
        return None

    assert _violations(rule) == []


def test_resources_execute_no_sql():
    found = []
    for name, path in MODULES.items():
        if not _within(name, "sync.server.resources"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in SQL_CALLS
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: .{node.func.attr}(...)")
    assert found == []


def test_db_imports_nothing_from_resources():
    def rule(name: str, imported: str) -> str | None:
        if _within(name, "sync.server.db") and _within(imported, "sync.server.resources"):
            return f"imports {imported}"
        return None

    assert _violations(rule) == []


def test_sync_imports_nothing_from_kiosk():
    def rule(name: str, imported: str) -> str | None:
        if _within(name, "sync") and _within(imported, "kiosk"):
            return f"imports {imported}"
        return None

    assert _violations(rule) == []


def test_protocol_imports_nothing_else_of_ours_and_its_plain_modules_only_the_stdlib():
    def rule(name: str, imported: str) -> str | None:
        if not _within(name, "sync.protocol"):
            return None
        ours = _ours(imported)
        if ours and not _within(ours, "sync.protocol"):
            return f"imports {imported}"
        top = imported.split(".")[0]
        if name in PROTOCOL_STDLIB_ONLY and not ours and top not in sys.stdlib_module_names:
            return f"imports {imported}, which is not in the standard library"
        return None

    assert _violations(rule) == []


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for name, path in MODULES.items():
        for imported, _line in _imports(name, path):
            target = _ours(imported)
            if target and target != name:
                graph[name].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


# The one circle the layer work found outside its area; issue 11's clean-up removes it. When it is
# gone this test fails until the entry is deleted, so the list cannot outlive the circle.
KNOWN_CIRCLES: list[list[str]] = []


def _is_ancestor_package(a: str, b: str) -> bool:
    return b.startswith(a + ".")


def test_no_import_circles():
    graph = _graph()
    # A package's __init__ that re-exports its own modules is not a circle of layers: importing
    # ``sync.protocol.records`` runs ``sync/protocol/__init__.py`` first by Python's rules, not
    # by our choice. Only edges between modules count, not edges to an enclosing package.
    for name, targets in graph.items():
        graph[name] = {t for t in targets if not _is_ancestor_package(t, name)}
    assert _cycles(graph) == KNOWN_CIRCLES


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"a"}, "c": set()}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
    ],
)
def test_circle_finder_finds_circles(graph, expected):
    assert _cycles(graph) == expected
