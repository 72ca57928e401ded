"""The shipped library as files: it deploys, lints clean, and every diagram is as `carepath layout` draws it."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.authoring.lint import lint_path
from tests.pathways.library import PATHWAYS

DIAGRAMS = sorted((PATHWAYS / "bpmn").glob("*.bpmn"))


def test_library_deploys_as_one_version(pathways):
    assert pathways.deploy(PATHWAYS).deployment.version == 1


def test_library_has_no_lint_warning_or_error():
    findings = [f for f in lint_path(PATHWAYS).findings if f.severity in ("error", "warning")]
    assert findings == []


@pytest.mark.parametrize("diagram", DIAGRAMS, ids=[p.stem for p in DIAGRAMS])
def test_diagram_is_laid_out(diagram: Path):
    from engine.authoring.rewrite import lay_out

    assert not lay_out(diagram.read_bytes(), diagram.name).changed, \
        f"run: carepath layout {diagram.relative_to(PATHWAYS.parent)}"
