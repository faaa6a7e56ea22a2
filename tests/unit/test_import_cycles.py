"""No import cycles in app/: a cycle is a layering knot (and a late import hiding it).

The graph is built from the source with ``ast``, so it needs nothing imported: one node
per module of app/, one edge per import executed when the module loads (statements at
module level, inside a module-level ``if`` or ``try`` too, but not under
``if TYPE_CHECKING:``). ``from package import name`` points at the submodule when
``name`` is one, else at the package. Imports inside functions are not counted: they
run later, and the ones that closed a cycle are gone.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _modules() -> dict[str, Path]:
    out = {}
    for path in (ROOT / "app").rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _every(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    for statement in body:
        for node in ast.walk(statement):
            if isinstance(node, ast.Import | ast.ImportFrom):
                yield node


def _module_level(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            if "TYPE_CHECKING" not in ast.unparse(node.test):
                yield from _module_level(node.body)
                yield from _module_level(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody):
                yield from _module_level(block)
            for handler in node.handlers:
                yield from _module_level(handler.body)


def import_graph(late: bool = False) -> dict[str, set[str]]:
    """Module -> the app modules it imports (``late``: imports inside functions too)."""
    modules = _modules()
    read = _every if late else _module_level
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in read(ast.parse(path.read_text(encoding="utf-8")).body):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                targets = [
                    f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                    for a in node.names
                ]
            graph[name].update(t for t in targets if t in modules and t != name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_app_has_no_import_cycle() -> None:
    graph = import_graph()
    assert len(graph) > 100 and graph["app.tasks.fieldsets"]  # the graph was really built
    assert cycles(graph) == []


def test_no_late_import_closes_a_cycle_but_the_known_one() -> None:
    # app.paths reads the policy's models folder, and the policy reads paths.data_dir():
    # the one function-level import that closes a loop, on purpose (see app/paths.py).
    # The typed-rule loop (fieldsets -> draft facts -> extract -> fieldsets) is gone.
    assert cycles(import_graph(late=True)) == [["app.paths", "app.policy"]]


def test_the_cycle_finder_sees_a_cycle() -> None:
    knot = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(knot) == [["a", "b", "c"]]
