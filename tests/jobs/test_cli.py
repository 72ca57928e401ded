"""`carepath worker`, `carepath beat` and `carepath notify`."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from engine.cli import cli
from tests.conftest import FIXTURES
from tests.registry import register_at


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("CAREPATH_HOME", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.delenv("CAREPATH_SMTP_HOST", raising=False)
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(cli, list(args), catch_exceptions=False)

    assert invoke("init-db").exit_code == 0
    return invoke


@pytest.mark.parametrize("command", ["worker", "beat"])
def test_worker_and_beat_need_a_broker(run, command):
    result = run(command)
    assert result.exit_code == 2
    assert "CELERY_BROKER_URL" in result.output and "in-process" in result.output


def test_worker_passes_its_arguments_to_celery(run, monkeypatch):
    seen = {}

    def fake_worker_main(self, argv):
        seen["argv"] = argv
        seen["broker"] = self.conf.broker_url

    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")
    monkeypatch.setattr("celery.Celery.worker_main", fake_worker_main)
    assert run("worker", "-c", "2", "--pool", "solo", "-n", "w1@%h").exit_code == 0
    assert seen["argv"][:3] == ["worker", "--loglevel=INFO", "-Q"]
    assert "--concurrency=2" in seen["argv"] and seen["argv"][-4:] == ["--pool", "solo", "-n", "w1@%h"]
    assert seen["broker"] == "redis://127.0.0.1:6379/14"


def test_notify_needs_an_smtp_server(run):
    result = run("notify")
    assert result.exit_code == 2 and "CAREPATH_SMTP_HOST" in result.output


def test_notify_digest_sends_through_the_configured_server(run, smtp_server, monkeypatch, tmp_path):
    import json

    directory = tmp_path / "team.json"
    directory.write_text(json.dumps({"users": [{"username": "nina", "email": "nina@clinic.test",
                                                "roles": ["nurse"]}]}))
    monkeypatch.setenv("CAREPATH_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CAREPATH_SMTP_PORT", str(smtp_server.port))
    monkeypatch.setenv("CAREPATH_RECIPIENTS_FILE", str(directory))
    assert run("deploy", str(FIXTURES / "bpmn" / "tcm_on_discharge")).exit_code == 0
    register_at(f"sqlite:///{tmp_path / 'carepath.db'}", "p1")
    assert run("correlate", "hospital_discharge", "--key", "patient_id=p1").exit_code == 0
    result = run("--json", "notify", "--digest", "--day", "2026-03-02")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"planned": 1, "sent": 1, "retry": 0, "failed": 0, "skipped": 0}
    (mail,) = smtp_server.messages
    assert mail["To"] == "nina@clinic.test" and "2026-03-02" in mail["Subject"]
    again = run("--json", "notify", "--digest", "--day", "2026-03-02")
    assert json.loads(again.output)["planned"] == 0 and len(smtp_server.messages) == 1
