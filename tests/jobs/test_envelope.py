"""The job envelope and the settings of background work."""
from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import datetime, timedelta, timezone

import pytest

from engine.config import JobSettings
from engine.jobs.envelope import BadEnvelope, Envelope
from engine.time.clock import FrozenClock


def test_an_envelope_survives_the_trip_through_a_broker():
    clock = FrozenClock(datetime(2026, 3, 1, 9, tzinfo=timezone.utc))
    env = Envelope.new("carepath.run_job", {"job_id": 7}, key="job-7", ttl=30, now=clock.now)
    back = Envelope.from_message(env.to_message())
    assert back == env
    assert back.enqueued_at == clock.now() and back.expires_at == clock.now() + timedelta(seconds=30)


def test_an_envelope_is_frozen_inside_and_out():
    env = Envelope.new("carepath.sweep", {"a": 1})
    with pytest.raises(FrozenInstanceError):
        env.key = "other"
    with pytest.raises(TypeError):
        env.args["a"] = 2


def test_expiry_follows_the_injected_clock():
    clock = FrozenClock()
    env = Envelope.new("carepath.fire_timers", ttl=10, now=clock.now)
    assert not env.expired(clock.now)
    clock.advance(seconds=10)
    assert env.expired(clock.now)
    assert not Envelope.new("carepath.sweep", now=clock.now).expired(clock.now)  # no ttl: never


def test_every_envelope_gets_a_key_and_a_retry_keeps_it():
    a, b = Envelope.new("carepath.sweep"), Envelope.new("carepath.sweep")
    assert a.key != b.key and a.key.startswith("carepath.sweep:")
    again = a.retried()
    assert again.key == a.key and again.attempt == 2


@pytest.mark.parametrize("message", [None, {}, {"v": 99, "task": "x"}, {"v": 1, "task": "x"},
                                     {"v": 1, "task": "x", "key": "k", "enqueued_at": "yesterday"},
                                     {"v": 1, "task": "x", "key": "k", "enqueued_at": "2026-01-01T00:00:00"}])
def test_a_message_that_is_not_an_envelope_is_refused(message):
    with pytest.raises(BadEnvelope):
        Envelope.from_message(message)


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6379/3")
    monkeypatch.setenv("CAREPATH_SWEEP_SECONDS", "2.5")
    monkeypatch.setenv("CAREPATH_TIMER_LEASE_SECONDS", "30")
    settings = JobSettings.from_env()
    assert settings.broker_url == "redis://127.0.0.1:6379/3" and not settings.in_process
    assert settings.sweep_seconds == 2.5 and settings.timer_lease_seconds == 30
    monkeypatch.delenv("CELERY_BROKER_URL")
    assert JobSettings.from_env().in_process


@pytest.mark.parametrize("value", ["soon", "0", "-3"])
def test_a_bad_interval_is_refused_with_its_name(monkeypatch, value):
    monkeypatch.setenv("CAREPATH_SWEEP_SECONDS", value)
    with pytest.raises(ValueError, match="CAREPATH_SWEEP_SECONDS"):
        JobSettings.from_env()


def test_the_celery_app_is_configured_for_at_least_once_delivery():
    from engine.jobs.celery_app import make_celery

    app = make_celery(JobSettings(broker_url="redis://127.0.0.1:6379/15", visibility_timeout=123, queue="q1"))
    conf = app.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert conf.broker_transport_options["visibility_timeout"] == 123
    assert conf.task_default_queue == "q1"
    assert {"carepath.sweep", "carepath.fire_timers", "carepath.run_job", "carepath.send_notification",
            "carepath.plan_notifications", "carepath.daily_digest"} <= set(app.tasks)
    assert conf.beat_schedule["carepath-sweep"]["task"] == "carepath.sweep"
