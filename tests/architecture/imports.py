"""The repository's own modules and the imports between them, read from the source (nothing is imported): every
import counts, at the top of a module, inside a function or under TYPE_CHECKING."""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("engine", "forms", "webapp")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the imported module (or a name in it, resolved to the module where it is ours)
    path: Path
    line: int


def module_name(path: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    package = parts[-1] == "__init__"
    return ".".join(parts[:-1] if package else parts), package


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            if "migrations" in path.parts and "versions" in path.parts:
                continue
            found[module_name(path)[0]] = path
    return found


def _absolute(module: str, package: bool, level: int, name: str | None) -> str:
    base = module.split(".") if package else module.split(".")[:-1]
    if level > 1:
        base = base[:len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def imports() -> list[Import]:
    ours = modules()
    found = []
    for module, path in ours.items():
        package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(module, package, node.level, node.module) if node.level else node.module
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in ours else base for a in node.names]
            else:
                continue
            found += [Import(module, target, path, node.lineno) for target in targets]
    return found


def owner(target: str, ours) -> str | None:
    """The module of ours a dotted import names (a name inside it resolves to the module)."""
    while target and target not in ours:
        target = target.rpartition(".")[0]
    return target or None


def cycles() -> list[list[str]]:
    """Groups of our modules that import each other, directly or round about (Tarjan's strongly connected
    components of the import graph)."""
    ours = modules()
    graph: dict[str, set[str]] = {m: set() for m in ours}
    for imp in imports():
        target = owner(imp.target, ours)
        if target and target != imp.module:
            graph[imp.module].add(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found
