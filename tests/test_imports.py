"""The package has no import cycles, neither between modules at import time nor between its parts.

Two graphs are built from the source with ``ast`` (nothing is imported):

- modules -> the ``course_utils`` modules they import at module level (imports inside functions run
  later, when every module is loaded, so they cannot break an import): no cycle may exist, or a
  module could meet another half-initialised;
- parts (``data``, ``features``, ``models``, ``train``, ``evaluate``, ``zoo``, ``compare`` ...) -> the
  parts they import anywhere, function-level imports included: no cycle either, so that data flows
  one way (DESIGN.md: data -> audio -> features -> models -> train -> evaluate -> comparison).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "course_utils"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(path: Path, *, module_level: bool) -> set[str]:
    """The ``course_utils`` modules a file imports (``from a import b`` counts ``a.b`` when it is a module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if module_level else list(ast.walk(tree))
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in MODULES else node.module
                     for alias in node.names]
        else:
            continue
        found.update(name for name in names if name in MODULES)
    return found


def part(module: str) -> str:
    return module.split(".")[1] if module.count(".") else "__init__"


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a path ``[a, b, ..., a]``, or None."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_every_module_is_seen():
    assert {"course_utils.zoo.spec", "course_utils.compare.run", "course_utils.evaluate.registry"} <= set(MODULES)
    assert "course_utils.evaluate.fingerprints" in imports(MODULES["course_utils.evaluate.registry"], module_level=True)


def test_no_cycle_between_modules_at_import_time():
    graph = {name: imports(path, module_level=True) - {name} for name, path in MODULES.items()}
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


@pytest.mark.parametrize("level", ["module level", "anywhere"])
def test_no_cycle_between_the_parts_of_the_package(level):
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        targets = {part(t) for t in imports(path, module_level=level == "module level")} - {part(name), "__init__"}
        graph.setdefault(part(name), set()).update(targets)
    cycle = find_cycle(graph)
    assert cycle is None, "the parts import each other in a circle: " + " -> ".join(cycle)
