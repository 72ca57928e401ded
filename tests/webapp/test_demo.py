"""`carepath demo`: users for every role and synthetic patients at different stages of the shipped programs."""
from __future__ import annotations

from click.testing import CliRunner

from webapp.cli import cli


def test_demo_seeds_users_patients_and_programs_without_serving(tmp_path, monkeypatch):
    monkeypatch.setenv("CAREPATH_HOME", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    result = CliRunner().invoke(cli, ["demo", "--no-serve", "--patients", "10"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "10 users, 10 patients" in result.output and "carepath-demo" in result.output


def test_demo_twice_adds_nothing_the_second_time(tmp_path, monkeypatch):
    monkeypatch.setenv("CAREPATH_HOME", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    CliRunner().invoke(cli, ["demo", "--no-serve", "--patients", "4"], catch_exceptions=False)
    again = CliRunner().invoke(cli, ["demo", "--no-serve", "--patients", "4"], catch_exceptions=False)
    assert "programs started: none" in again.output
