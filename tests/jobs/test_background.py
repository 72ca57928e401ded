"""Background jobs in-process (the embedded default): stored before they run, run once per key, retried after a
failure or a crash, and the in-process scheduler that fires timers and rings again for abandoned work."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bench.timers import OUTREACH, start_due
from engine.config import JobSettings
from engine.errors import InvalidInput
from engine.jobs import Background, work
from engine.jobs import queue as job_queue
from engine.jobs.inprocess import InProcessScheduler
from engine.models import AuditEvent, BackgroundJob, Instance, JobStatus, Patient
from tests.conftest import FIXTURES
from tests.registry import register

pytestmark = pytest.mark.dates  # `make test` runs these again at other dates

LAB = FIXTURES / "bpmn" / "lab_followup"
DISCHARGE = FIXTURES / "bpmn" / "tcm_on_discharge"


@pytest.fixture
def background(pathways):
    bg = Background(pathways, JobSettings(sweep_seconds=0.05, redispatch_seconds=5), notifier=None)
    yield bg
    bg.close()


def correlated(pathways, instance_id=None) -> int:
    with pathways.db.transaction() as session:
        query = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "message_correlated")
        if instance_id is not None:
            query = query.where(AuditEvent.instance_id == instance_id)
        return session.scalar(query)


def test_a_queued_message_is_stored_then_delivered(pathways, background):
    pathways.deploy(LAB)
    register(pathways, "p1")
    instance = pathways.start("lab_followup", "p1")
    job_id = background.correlate("lab_result", {"patient_id": "p1"}, {"hba1c": 8.1}, message_id="lab-1")
    background.join()
    job = background.job(job_id)
    assert job.status == JobStatus.DONE and job.attempts == 1
    assert job.result == {"delivered": [instance.id], "started": [], "skipped": [], "failed": []}
    assert pathways.instance_data(instance.id)["lab"] == {"hba1c": 8.1}


def test_the_same_message_id_twice_is_one_job(pathways, background):
    pathways.deploy(LAB)
    register(pathways, "p1")
    pathways.start("lab_followup", "p1")
    first = background.correlate("lab_result", {"patient_id": "p1"}, {"hba1c": 8.1}, message_id="lab-1")
    second = background.correlate("lab_result", {"patient_id": "p1"}, {"hba1c": 8.1}, message_id="lab-1")
    background.join()
    assert first == second
    assert correlated(pathways) == 1


def test_a_bad_message_is_refused_before_it_is_queued(background):
    with pytest.raises(InvalidInput, match="correlation keys"):
        background.correlate("lab_result", {}, {"hba1c": 8.1})
    with pytest.raises(InvalidInput, match="unknown kind"):
        background.submit("format_disk", {})


def test_a_message_delivered_again_under_its_key_changes_nothing(pathways):
    pathways.deploy(LAB)
    register(pathways, "p1")
    instance = pathways.start("lab_followup", "p1")
    first = pathways.correlate("lab_result", {"patient_id": "p1"}, {"hba1c": 8.1}, idempotency_key="m-1")
    again = pathways.correlate("lab_result", {"patient_id": "p1"}, {"hba1c": 8.1}, idempotency_key="m-1")
    assert first.delivered == again.delivered == [instance.id]
    assert correlated(pathways, instance.id) == 1


def test_a_message_that_started_a_pathway_does_not_start_a_second_one(pathways):
    pathways.deploy(DISCHARGE)
    register(pathways, "p9")
    first = pathways.correlate("hospital_discharge", {"patient_id": "p9"}, {}, idempotency_key="adt-1")
    again = pathways.correlate("hospital_discharge", {"patient_id": "p9"}, {}, idempotency_key="adt-1")
    assert len(first.started) == 1 and again.started == first.started
    with pathways.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Instance)) == 1
    other = pathways.correlate("hospital_discharge", {"patient_id": "p9"}, {}, idempotency_key="adt-2")
    assert other.started != first.started  # a new message is a new discharge


def test_a_worker_that_died_after_its_commit_is_retried_without_a_second_effect(pathways, background,
                                                                                frozen_clock):
    """The effect committed (with its receipt), then the worker died before recording the job done."""
    pathways.deploy(LAB)
    register(pathways, "p1")
    instance = pathways.start("lab_followup", "p1")
    ctx = background.ctx
    with pathways.db.transaction() as session:
        job, _ = job_queue.add(session, "correlate_message",
                               {"name": "lab_result", "keys": {"patient_id": "p1"}, "payload": {"hba1c": 8.1}},
                               "message:crash-1", frozen_clock.now(), timedelta(seconds=5))
        job_id = job.id
    with pathways.db.transaction() as session:
        claimed = job_queue.claim(session, job_id, "dead-worker", frozen_clock.now(), timedelta(seconds=60))
    work.HANDLERS["correlate_message"](ctx, claimed.payload, claimed.key)  # ... and then kill -9
    assert work.redispatch(ctx)["jobs"] == 0  # still leased to the dead worker
    frozen_clock.advance(seconds=61)
    assert work.redispatch(ctx)["jobs"] == 1  # rung again
    background.join()
    job = background.job(job_id)
    assert job.status == JobStatus.DONE and job.attempts == 2
    assert job.result["delivered"] == [instance.id]
    assert correlated(pathways, instance.id) == 1


def test_a_failing_job_is_retried_after_a_back_off_then_given_up(pathways, background, frozen_clock):
    calls = []

    @work.handler("test_flaky")
    def flaky(ctx, payload, key):
        calls.append(key)
        if len(calls) < payload["succeed_on"]:
            raise RuntimeError("the other system is down")
        return {"ok": True}

    try:
        ctx = background.ctx
        with pathways.db.transaction() as session:
            job, _ = job_queue.add(session, "test_flaky", {"succeed_on": 2}, "flaky-1", frozen_clock.now(),
                                   timedelta(0))
            job_id = job.id
        assert work.run_stored(ctx, job_id) == "retry"
        assert work.run_stored(ctx, job_id) == "skipped"  # backing off
        frozen_clock.advance(seconds=5)
        assert work.run_stored(ctx, job_id) == "done"
        assert work.run_stored(ctx, job_id) == "skipped"  # done is done
        assert len(calls) == 2

        with pathways.db.transaction() as session:
            job, _ = job_queue.add(session, "test_flaky", {"succeed_on": 99}, "flaky-2", frozen_clock.now(),
                                   timedelta(0))
            hopeless = job.id
        for _ in range(ctx.settings.max_attempts):
            work.run_stored(ctx, hopeless)
            frozen_clock.advance(minutes=20)
        view = background.job(hopeless)
        assert view.status == JobStatus.FAILED and view.attempts == ctx.settings.max_attempts
        assert "the other system is down" in view.error
    finally:
        work.HANDLERS.pop("test_flaky", None)


def test_a_job_that_cannot_succeed_fails_at_once(pathways, background, frozen_clock):
    job_id = background.correlate("lab_result", {"patient_id": "p1"}, {"hba1c": 8.1})  # nothing deployed
    background.join()
    job = background.job(job_id)
    assert job.status == JobStatus.DONE and job.result["delivered"] == []  # no match is an answer, not an error
    with pathways.db.transaction() as session:
        job, _ = job_queue.add(session, "import_patients", {"import_id": 404}, "import-404",
                               frozen_clock.now(), timedelta(0))
        missing = job.id
    assert work.run_stored(background.ctx, missing) == "failed"  # NotFound: no retry
    assert background.job(missing).attempts == 1


def test_a_patient_import_runs_as_a_background_job(pathways, background):
    from engine.care import patient_imports as patient_import

    csv = "mrn,given_name,family_name,birth_date,sex\nM1,Ada,Lovelace,1950-12-10,female\n" \
          "M2,Alan,Turing,1954-06-23,male\n"
    with pathways.db.transaction() as session:
        import_id = patient_import.create_job(session, "people.csv", csv, by="admin").id
    job_id = background.import_patients(import_id)
    assert background.import_patients(import_id) == job_id  # one job per import
    background.join()
    assert background.job(job_id).result["added"] == 2
    with pathways.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Patient)) == 2


def test_the_in_process_scheduler_fires_timers_and_rings_for_abandoned_jobs(pathways, background, frozen_clock):
    pathways.deploy(OUTREACH)
    pathways.deploy(LAB)
    register(pathways, "p1")
    start_due(pathways, 5, frozen_clock.now() - timedelta(minutes=1))
    lab = pathways.start("lab_followup", "p1")
    with pathways.db.transaction() as session:  # a job whose bell was lost
        job, _ = job_queue.add(session, "correlate_message",
                               {"name": "lab_result", "keys": {"patient_id": "p1"}, "payload": {"hba1c": 7.5}},
                               "message:lost", frozen_clock.now(), timedelta(seconds=5))
        job_id = job.id
    scheduler = InProcessScheduler(background.ctx, 0.05)
    assert scheduler.sweep_once() == 5
    frozen_clock.advance(seconds=6)
    scheduler.sweep_once()
    background.join()
    assert background.job(job_id).status == JobStatus.DONE
    assert pathways.instance_data(lab.id)["lab"] == {"hba1c": 7.5}
    assert scheduler.last_error is None


def test_background_starts_its_thread_only_without_a_broker(pathways):
    bg = Background(pathways, JobSettings(sweep_seconds=0.05), notifier=None)
    try:
        assert bg.in_process
        scheduler = bg.start()
        assert scheduler.running
    finally:
        bg.close()
    assert not scheduler.running
    with_broker = Background(pathways, JobSettings(broker_url="redis://127.0.0.1:1/0"), notifier=None)
    assert not with_broker.in_process and with_broker.start() is None


def test_jobs_table_records_the_job_before_anything_runs(pathways, frozen_clock):
    class Recorder:
        name = "recorder"

        def __init__(self):
            self.sent = []

        def dispatch(self, envelope, eta=None):
            self.sent.append(envelope)

        def close(self):
            pass

    recorder = Recorder()
    bg = Background(pathways, JobSettings(), executor=recorder, notifier=None)
    job_id = bg.correlate("lab_result", {"patient_id": "p1"}, {"hba1c": 8.1})
    with pathways.db.transaction() as session:
        row = session.get(BackgroundJob, job_id)
        assert row.status == JobStatus.QUEUED and row.payload["keys"] == {"patient_id": "p1"}
    (envelope,) = recorder.sent
    assert envelope.task == "carepath.run_job" and envelope.args == {"job_id": job_id}
