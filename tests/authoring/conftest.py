"""Fixtures for the authoring tests: the lint fixture bundles, a CLI runner, and bundles laid out afresh."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.authoring.lint import lint_path
from engine.cli import cli
from tests.corpus_path import CORPUS

TESTS = Path(__file__).resolve().parents[1]
LINT_FIXTURES = TESTS / "fixtures" / "lint"
BPMN_FIXTURES = TESTS / "fixtures" / "bpmn"


def findings(name: str, severity: str = "info"):
    """The findings of `carepath lint` on tests/fixtures/lint/<name>, at or above `severity`."""
    return lint_path(LINT_FIXTURES / name).at_least(severity)


@pytest.fixture
def carepath(monkeypatch):
    """Run `carepath ARGS...` (no database is needed by lint and layout); click's Result."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)

    return invoke


@pytest.fixture
def copy_of(tmp_path):
    """A copy of a fixture folder, free to edit or lay out."""
    def copy(folder: Path) -> Path:
        return Path(shutil.copytree(folder, tmp_path / folder.name))
    return copy


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"compatibility corpus not found at {CORPUS}")
    return CORPUS
