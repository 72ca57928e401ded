"""The tree keeps its architecture: one front door to the engine, imports that point down, no cycles."""
from __future__ import annotations

import ast

from tests.architecture.imports import REPO, cycles, imports, modules

# what the callers of the engine (the web app, the CLI) may import of it: the service and its public types,
# the settings, the engine's other callers (background work, the demo), and the set-up of a serving process
CALLER_MAY_IMPORT = ("engine.service", "engine.config", "engine.jobs", "engine.demo", "engine.heap")
CALLERS = ("webapp", "engine.cli")
# what reaches the database: a caller never touches it (the service opens every transaction)
DATABASE_WORDS = {"transaction", "reading", "db", "sessions", "session", "expunge", "expunge_all", "runtime"}


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _where(imp) -> str:
    return f"{imp.path.relative_to(REPO)}:{imp.line} imports {imp.target}"


def test_no_module_imports_itself_round_about():
    assert cycles() == []


def test_the_web_app_and_the_cli_import_only_the_service_of_the_engine():
    wrong = [_where(i) for i in imports() if any(_within(i.module, c) for c in CALLERS)
             and _within(i.target, "engine") and not _within(i.target, "engine.cli")
             and not any(_within(i.target, allowed) for allowed in CALLER_MAY_IMPORT)]
    assert wrong == []


def test_nothing_outside_the_cli_imports_the_cli():
    wrong = [_where(i) for i in imports() if _within(i.target, "engine.cli") and not _within(i.module, "engine.cli")]
    assert wrong == []


def test_the_engine_never_imports_flask_forms_or_the_web_app():
    wrong = [_where(i) for i in imports() if _within(i.module, "engine")
             and any(_within(i.target, p) for p in ("flask", "flask_login", "flask_wtf", "werkzeug", "forms",
                                                    "webapp"))]
    assert wrong == []


def test_forms_imports_nothing_else_of_carepath():
    wrong = [_where(i) for i in imports() if _within(i.module, "forms")
             and any(_within(i.target, p) for p in ("engine", "webapp"))]
    assert wrong == []


def test_no_view_or_command_opens_a_transaction_or_reaches_the_database():
    wrong = []
    for module, path in modules().items():
        if not any(_within(module, c) for c in CALLERS):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in DATABASE_WORDS:
                wrong.append(f"{path.relative_to(REPO)}:{node.lineno} uses .{node.attr}")
    assert wrong == []


def test_every_engine_package_says_what_it_holds_and_may_import():
    packages = [path for name, path in modules().items() if path.name == "__init__.py" and _within(name, "engine")]
    silent = [str(p.relative_to(REPO)) for p in packages
              if len(ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) or "") < 80]
    assert silent == []


# the engine's packages from the bottom up: each may import only those below it (docs/architecture.md)
LAYERS = [
    ("engine.errors", "engine.logs", "engine.roles", "engine.models", "engine.time", "engine.heap"),
    ("engine.config", "engine.store", "engine.sandbox", "engine.migrations"),
    ("engine.deploy", "engine.notifications"),
    ("engine.runtime",),
    ("engine.care", "engine.authoring", "engine.studio"),
    ("engine.read", "engine.reports"),
    ("engine.service",),
    ("engine.jobs", "engine.demo"),
    ("engine.cli",),
]


def _layer(module: str) -> int | None:
    for rank, packages in enumerate(LAYERS):
        if any(_within(module, p) for p in packages):
            return rank
    return None


def test_every_engine_package_has_a_layer():
    assert [m for m in modules() if _within(m, "engine") and m != "engine" and _layer(m) is None] == []


def test_imports_in_the_engine_point_down():
    wrong = []
    for imp in imports():
        if not _within(imp.module, "engine") or not _within(imp.target, "engine") or imp.module == "engine":
            continue
        here, there = _layer(imp.module), _layer(imp.target)
        same = there == here and any(_within(imp.module, p) and _within(imp.target, p)
                                     for p in LAYERS[here])
        if there is not None and not same and there >= here:
            wrong.append(_where(imp))
    assert wrong == []
