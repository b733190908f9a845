"""Print the import cycles between the modules of a package; exit 1 if any.

``python scripts/import_cycles.py [PACKAGE_DIR]`` (default ``oncometrics``).
Every ``import`` counts, also one inside a function (a lazy import hides a
cycle, it does not remove it), except those under ``if TYPE_CHECKING:``
(never run).  ``from pkg import name`` counts as an import of ``pkg.name``
when that is a module, else of ``pkg``.  Importing a submodule runs its
package's ``__init__`` first, but that edge is not counted here: a package
that re-exports its submodules is not a cycle.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path


def modules(root: Path) -> dict[str, Path]:
    """Module name -> file, for every ``.py`` file under the package `root`."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING"
    )


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The package modules that module `name` imports (at run time)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_pkg = path.name == "__init__.py"
    found: set[str] = set()
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(name, is_pkg, node.module, node.level)
            for a in node.names:
                sub = f"{base}.{a.name}"
                found.add(sub if sub in known else base)
        stack.extend(ast.iter_child_nodes(node))
    return {m for m in found if m in known and m != name}


def _absolute(name: str, is_pkg: bool, module: str | None, level: int) -> str:
    if level == 0:
        return module or ""
    parts = name.split(".")
    keep = len(parts) - level + (1 if is_pkg else 0)
    base = parts[:keep]
    return ".".join(base + ([module] if module else []))


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def package_cycles(root: Path) -> list[list[str]]:
    """The import cycles of the package at `root`."""
    known = modules(root)
    graph = {name: imports(name, path, known) for name, path in known.items()}
    return cycles(graph)


def main(argv: list[str]) -> int:
    root = Path(argv[0] if argv else "oncometrics")
    found = package_cycles(root)
    for comp in found:
        print("import cycle: " + " <-> ".join(comp))
    if not found:
        print(f"{root}: no import cycle")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
