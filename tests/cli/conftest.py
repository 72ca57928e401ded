"""CLI fixtures: a temporary SQLite database passed with --database-url, and the review_loop pathway."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import cli
from tests.registry import register_at

REVIEW_LOOP = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn" / "review_loop"


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


@pytest.fixture
def run(db_url, monkeypatch):
    """Run `carepath --database-url <tmp> ARGS...`; returns click's Result (stdout and stderr apart)."""
    monkeypatch.setenv("CAREPATH_USER", "operator")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(cli, ["--database-url", db_url, *map(str, args)], input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def deployed(run, db_url):
    """A migrated database with review_loop deployed, and patient P1 in the registry."""
    assert run("init-db").exit_code == 0
    result = run("deploy", REVIEW_LOOP)
    assert result.exit_code == 0, result.output
    register_at(db_url, "P1")
    return run


@pytest.fixture
def started(deployed):
    """review_loop started for patient P1; returns (run, instance id, task id)."""
    result = deployed("--json", "start", "review_loop", "--patient", "P1")
    assert result.exit_code == 0, result.output
    view = json.loads(result.stdout)
    return deployed, view["id"], view["tasks"][0]["id"]


@pytest.fixture
def broken_bundle(tmp_path) -> Path:
    """review_loop with a condition that does not compile and a form file that is not there."""
    folder = tmp_path / "broken"
    shutil.copytree(REVIEW_LOOP, folder)
    bpmn = folder / "review_loop.bpmn"
    text = bpmn.read_text(encoding="utf-8")
    text = text.replace("decision == 'continue'", "decision ==")
    text = text.replace('value="review-uischema.json"', 'value="missing-uischema.json"')
    bpmn.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def review_loop() -> Path:
    return REVIEW_LOOP


@pytest.fixture
def waits_bundle() -> Path:
    """A manual task, then a 7-day timer and a lab_result message in parallel."""
    return Path(__file__).resolve().parent / "bundles" / "waits"


@pytest.fixture
def failed(deployed):
    """An instance of the `divide` pathway in error: its script divided by zero. Returns (run, id)."""
    deployed("deploy", Path(__file__).resolve().parent / "bundles" / "divide")
    body = json.loads(deployed("--json", "start", "divide", "--patient", "P1", "--set", "divisor=0").stdout)
    assert body["status"] == "error"
    return deployed, body["id"]
