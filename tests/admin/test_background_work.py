"""Background work in the console: timers overdue and coming due (and firing one by hand), stored jobs open and
failed with their error (and their retry), the notification outbox (and sending a failed e-mail again)."""
from __future__ import annotations

import dataclasses

import pytest

from engine.models import BackgroundJob, JobStatus, Notification, NotificationStatus
from engine.service import Forbidden, InvalidState
from engine.time import clock
from tests.admin.conftest import ADMIN, CARL, FIXTURES
from tests.registry import register

pytestmark = pytest.mark.dates  # overdue timers hang on the clock (frozen here)


@pytest.fixture
def failed_job(service):
    now = clock.now()
    with service.db.transaction() as s:
        job = BackgroundJob(key="message:m-1", kind="correlate_message", payload={"name": "lab_result"},
                            status=JobStatus.FAILED, attempts=5, not_before=now, created_at=now, finished_at=now,
                            error="NotFound: patient 'P404' is not in the registry")
        s.add(job)
        s.flush()
        return job.id


@pytest.fixture
def failed_mail(service):
    now = clock.now()
    with service.db.transaction() as s:
        row = Notification(key="reminder:1:carl", kind="reminder", recipient="carl@example.org", username="carl",
                           subject="Due soon", body="...", status=NotificationStatus.FAILED, attempts=5,
                           not_before=now, created_at=now, error="550 mailbox unavailable")
        s.add(row)
        s.flush()
        return row.id


@pytest.fixture
def late_timer(service, frozen_clock):
    service.deploy(FIXTURES / "tcm_contact")
    register(service, "P5")
    instance = service.start("tcm_contact", "P5")
    frozen_clock.advance(hours=13)  # the 12-hour reminder is due, and no sweep ran
    return instance.id


def test_the_overview_counts_failed_jobs_and_mails(service, failed_job, failed_mail):
    overview = service.background_overview(ADMIN)
    assert (overview.jobs["failed"], overview.outbox["failed"]) == (1, 1)


def test_failed_jobs_are_listed_with_their_error(service, failed_job):
    (job,) = service.background_jobs("failed", 1, ADMIN).rows
    assert job.error.startswith("NotFound")


def test_a_failed_job_is_queued_again(service, failed_job):
    job = service.retry_job(failed_job, ADMIN)
    assert (job.status, job.attempts) == ("queued", 0)


def test_only_a_failed_job_is_retried_by_hand(service, failed_job):
    service.retry_job(failed_job, ADMIN)
    with pytest.raises(InvalidState, match="only a failed job"):
        service.retry_job(failed_job, ADMIN)


def test_a_failed_mail_is_sent_again(service, failed_mail):
    assert service.retry_notification(failed_mail, ADMIN).status == "pending"


def test_an_overdue_timer_is_listed(service, late_timer):
    (row,) = service.background_timers("overdue", 1, ADMIN).rows
    assert (row[0].element_id, row[1].id) == ("reminder_cycle", late_timer)


def test_firing_an_overdue_timer_by_hand(service, late_timer):
    assert service.fire_overdue_timers(late_timer, ADMIN) == 1
    assert service.background_timers("overdue", 1, ADMIN).rows == []


def test_background_work_is_for_admins(service):
    with pytest.raises(Forbidden):
        service.background_overview(CARL)


def test_web_jobs_tab_shows_the_error_and_retries(admin_browser, service, failed_job):
    page = admin_browser.get("/admin/background?view=jobs&status=failed").get_data(as_text=True)
    assert "not in the registry" in page
    admin_browser.post(f"/admin/jobs/{failed_job}/retry")
    assert service.background_jobs("queued", 1, ADMIN).rows[0].id == failed_job


def test_web_outbox_tab_lists_a_failed_mail(admin_browser, failed_mail):
    page = admin_browser.get("/admin/background?view=outbox").get_data(as_text=True)
    assert "550 mailbox unavailable" in page and "Send again" in page


def test_web_timers_tab_fires_a_late_timer(admin_browser, service, late_timer):
    page = admin_browser.get("/admin/background?view=timers").get_data(as_text=True)
    assert "Every 12 hours" in page
    admin_browser.post(f"/admin/instances/{late_timer}/fire-timers", {"back": "background"})
    assert service.background_timers("overdue", 1, ADMIN).rows == []


def test_web_without_a_broker_the_page_says_the_work_runs_in_process(admin_browser):
    page = admin_browser.get("/admin/background").get_data(as_text=True)
    assert "runs in this process" in page and "Flower" not in page


def test_web_with_celery_the_console_links_flower(app, admin_browser):
    settings = app.config["CAREPATH_SETTINGS"]
    jobs = dataclasses.replace(settings.jobs, broker_url="redis://127.0.0.1:6379/15",
                               flower_url="https://flower.example.org/")
    app.config["CAREPATH_SETTINGS"] = dataclasses.replace(settings, jobs=jobs)
    for url in ("/admin/background", "/admin"):
        page = admin_browser.get(url).get_data(as_text=True)
        assert 'href="https://flower.example.org/"' in page, url
    assert "Celery workers run it" in admin_browser.get("/admin/background").get_data(as_text=True)
