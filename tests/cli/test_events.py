from __future__ import annotations

import json

from tests.registry import register_at


def test_correlate_without_keys_exits_2(deployed):
    result = deployed("correlate", "lab_result")
    assert result.exit_code == 2
    assert "correlation keys" in result.stderr


def test_correlate_with_malformed_key_exits_2(deployed):
    assert deployed("correlate", "lab_result", "--key", "patient_id").exit_code == 2


def test_correlate_unmatched_message_exits_3(deployed):
    result = deployed("correlate", "lab_result", "--key", "patient_id=P1", "--set", "hba1c=7.2")
    assert result.exit_code == 3
    assert "no instance waits" in result.stderr


def test_run_timers_with_nothing_due_fires_none(deployed):
    result = deployed("--json", "run-timers", "--at", "2030-01-01T00:00")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"fired": 0, "at": "2030-01-01T00:00:00Z"}


def test_run_timers_with_bad_moment_exits_2(deployed):
    assert deployed("run-timers", "--at", "next tuesday").exit_code == 2


def _start_waits(run, db_url, waits_bundle) -> int:
    run("init-db")
    run("deploy", waits_bundle)
    register_at(db_url, "P1")
    instance_id = json.loads(run("--json", "start", "waits", "--patient", "P1").stdout)["id"]
    task_id = json.loads(run("--json", "tasks").stdout)["tasks"][0]["id"]
    run("complete", task_id)
    return instance_id


def test_correlate_delivers_to_the_waiting_instance(run, db_url, waits_bundle):
    instance_id = _start_waits(run, db_url, waits_bundle)
    body = json.loads(run("--json", "correlate", "lab_result", "--key", "patient_id=P1", "--set", "hba1c=7.2").stdout)
    assert body["delivered"] == [instance_id]


def test_correlate_payload_reaches_instance_data(run, db_url, waits_bundle, tmp_path):
    instance_id = _start_waits(run, db_url, waits_bundle)
    payload = tmp_path / "lab.json"
    payload.write_text('{"hba1c": 7.2}')
    run("correlate", "lab_result", "--key", "patient_id=P1", "--payload", payload)
    assert run("run-timers", "--at", "2100-01-01").exit_code == 0
    assert json.loads(run("instance", "data", instance_id).stdout)["hba1c"] == 7.2


def test_run_timers_at_a_later_moment_fires_the_due_timer(run, db_url, waits_bundle):
    instance_id = _start_waits(run, db_url, waits_bundle)
    assert json.loads(run("--json", "run-timers", "--at", "2100-01-01").stdout)["fired"] == 1
    assert json.loads(run("--json", "instance", "show", instance_id).stdout)["timers"] == []


def test_run_timers_watch_sweeps_until_interrupted(deployed, monkeypatch):
    from engine.cli import events

    sleeps = []

    def fake_sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(events.time, "sleep", fake_sleep)
    result = deployed("run-timers", "--watch", "0.5")
    assert result.exit_code == 0
    assert sleeps == [0.5, 0.5, 0.5]
    assert "stopped after 3 sweep(s), 0 timer(s) fired" in result.stdout


def test_run_timers_watch_with_a_simulated_moment_is_refused(deployed):
    assert deployed("run-timers", "--watch", "1", "--at", "2030-01-01T00:00").exit_code == 2
