"""Fixtures for the bundle tests: a copy of the good fixture bundle to break, and helpers to read problems."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.deploy.bundle import Bundle, load_bundle
from engine.deploy.parsing import parse_bundle
from engine.errors import BundleRefused, Problem
from tests.corpus_path import CORPUS

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "bundles"


@pytest.fixture
def good(tmp_path) -> Path:
    """A copy of the care-review fixture bundle, free to edit."""
    return Path(shutil.copytree(FIXTURES / "care-review", tmp_path / "care-review"))


@pytest.fixture
def edit():
    def edit(path: Path, old: str, new: str) -> Path:
        text = path.read_text()
        assert old in text, f"{old!r} not in {path.name}"
        path.write_text(text.replace(old, new, 1))
        return path
    return edit


@pytest.fixture
def problems():
    """The problems parse_bundle refuses a bundle (or folder) with; fails the test if it is accepted."""
    def problems(source: Path | Bundle) -> list[Problem]:
        bundle = source if isinstance(source, Bundle) else load_bundle(source)
        with pytest.raises(BundleRefused) as refused:
            parse_bundle(bundle)
        return refused.value.problems
    return problems


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"compatibility corpus not found at {CORPUS}")
    return CORPUS
