"""Real-world files (shared/corpus): lint reports problems but never crashes; layout draws every file so that
lint finds no diagram or layout problem, and a second layout changes nothing."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.authoring.lint import lint_path
from engine.authoring.rewrite import lay_out
from engine.deploy.bundle import Bundle

from .conftest import CORPUS
from .test_layout import layout_findings

FOLDERS = sorted({p.parent for p in CORPUS.rglob("*.bpmn")} | {p.parent for p in CORPUS.rglob("*.dmn")})
FILES = sorted(CORPUS.rglob("*.bpmn"))


def name(path: Path) -> str:
    return path.relative_to(CORPUS).as_posix()


@pytest.mark.parametrize("folder", FOLDERS, ids=name)
def test_lint_never_crashes_on_real_world_bundles(corpus, folder):
    report = lint_path(folder)
    assert [f for f in report.findings if "internal error" in f.message] == []


@pytest.mark.parametrize("file", FILES, ids=name)
def test_layout_of_real_world_file_lints_clean_and_is_stable(corpus, file):
    relaid = lay_out(file.read_bytes(), file.name)
    assert layout_findings(Bundle("one", {file.name: relaid.data})) == []
    assert lay_out(relaid.data, file.name).changed is False
