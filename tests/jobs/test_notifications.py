"""E-mail notifications through a real local SMTP server (aiosmtpd): reminders before a task is due,
escalations to the role's lead, the daily digest, and each e-mail sent once however often it is retried."""
from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from engine.care import accounts
from engine.care.actors import Actor
from engine.config import JobSettings, SettingsInvalid, parse_lead_roles
from engine.jobs import Background
from engine.models import Notification, NotificationStatus
from engine.notifications import (
    AccountsDirectory,
    ChainDirectory,
    Notifier,
    NotifySettings,
    Recipient,
    SmtpSettings,
    StaticDirectory,
)
from engine.notifications.mailer import message_id
from engine.notifications.outbox import claim as claim_notification
from tests.conftest import FIXTURES
from tests.registry import register

pytestmark = pytest.mark.dates  # `make test` runs these again at other dates

DISCHARGE = FIXTURES / "bpmn" / "tcm_on_discharge"  # a discharge starts "Discharge call" (nurse), due in 2 days
TEAM = StaticDirectory([
    Recipient("nina", "nina@clinic.test", frozenset({"nurse"}), "Nina"),
    Recipient("nora", "nora@clinic.test", frozenset({"nurse"})),
    Recipient("lena", "lena@clinic.test", frozenset({"nurse_lead"})),
    Recipient("carl", "carl@clinic.test", frozenset({"care_manager"})),
])


@pytest.fixture
def notifier(pathways, smtp_server):
    pathways.deploy(DISCHARGE)
    smtp = SmtpSettings(host="127.0.0.1", port=smtp_server.port, sender="carepath@clinic.test", timeout=5)
    return Notifier(pathways.db, smtp, NotifySettings(base_url="https://care.example.org"), TEAM)


def discharge(pathways, patient: str) -> int:
    register(pathways, patient)
    (instance_id,) = pathways.correlate("hospital_discharge", {"patient_id": patient}, {}).started
    return pathways.tasks(instance_id=instance_id)[0].id


def send_all(notifier, ids, owner="worker-1") -> list[str]:
    return [notifier.send(i, owner) for i in ids]


def rows(pathways) -> list[Notification]:
    with pathways.db.transaction() as session:
        return list(session.scalars(select(Notification).order_by(Notification.id)))


def test_a_reminder_goes_to_the_role_queue_a_day_before_the_task_is_due(pathways, notifier, smtp_server,
                                                                        frozen_clock):
    task_id = discharge(pathways, "p1")
    assert notifier.plan_due() == []  # due in two days: too early
    frozen_clock.advance(hours=25)
    ids = notifier.plan_due()
    assert send_all(notifier, ids) == ["sent", "sent"]
    assert sorted(m["To"] for m in smtp_server.messages) == ["nina@clinic.test", "nora@clinic.test"]
    (mail,) = smtp_server.to("nina@clinic.test")
    assert mail["Subject"].startswith("Due ") and "Discharge call" in mail["Subject"]
    body = mail.get_content()
    assert "Hello Nina" in body and f"#{task_id} Discharge call (patient p1" in body
    assert f"https://care.example.org/tasks/{task_id}" in body
    assert mail["From"] == "carepath@clinic.test"
    assert notifier.plan_due() == []  # planned once


def test_a_claimed_task_reminds_only_its_assignee(pathways, notifier, smtp_server, frozen_clock):
    task_id = discharge(pathways, "p1")
    pathways.claim(task_id, Actor.person("nora", "nurse"))
    frozen_clock.advance(hours=25)
    send_all(notifier, notifier.plan_due())
    assert [m["To"] for m in smtp_server.messages] == ["nora@clinic.test"]


def test_an_overdue_task_escalates_to_the_roles_lead(pathways, notifier, smtp_server, frozen_clock):
    discharge(pathways, "p1")
    frozen_clock.advance(days=2, minutes=1)
    ids = notifier.plan_due()
    assert [r.kind for r in rows(pathways)] == ["escalation"]  # past due: too late for a reminder
    send_all(notifier, ids)
    (mail,) = smtp_server.to("lena@clinic.test")
    assert mail["Subject"].startswith("Overdue: Discharge call")
    assert "unclaimed in the nurse queue" in mail.get_content()
    assert notifier.plan_due() == []  # escalated once


def test_the_lead_of_a_role_is_configurable(pathways, smtp_server, frozen_clock):
    pathways.deploy(DISCHARGE)
    team = StaticDirectory([Recipient("olga", "olga@clinic.test", frozenset({"charge_nurse"}))])
    smtp = SmtpSettings(host="127.0.0.1", port=smtp_server.port)
    notifier = Notifier(pathways.db, smtp, NotifySettings(lead_roles={"nurse": "charge_nurse"}), team)
    discharge(pathways, "p1")
    frozen_clock.advance(days=3)
    send_all(notifier, notifier.plan_due())
    assert [m["To"] for m in smtp_server.messages] == ["olga@clinic.test"]
    assert NotifySettings().lead_of("nurse") == "nurse_lead"
    assert NotifySettings().lead_of("pharmacist") == "clinical_lead"  # no pharmacist_lead role


def test_the_daily_digest_lists_a_care_managers_tasks_once_a_day(pathways, notifier, smtp_server, frozen_clock):
    mine = discharge(pathways, "p1")
    discharge(pathways, "p2")
    pathways.claim(mine, Actor.person("nina", "nurse"))
    today = frozen_clock.now().date()
    ids = notifier.plan_digests()
    assert notifier.plan_digests() == []  # the same day again: nothing new
    send_all(notifier, ids)
    # the lead and the care manager have no tasks: no digest for them
    assert sorted(m["To"] for m in smtp_server.messages) == ["nina@clinic.test", "nora@clinic.test"]
    (digest,) = smtp_server.to("nina@clinic.test")
    body = digest.get_content()
    assert f"your tasks on {today.isoformat()}: 2 open, 0 overdue" in body
    assert "[yours]" in body and "patient p2" in body
    (other,) = smtp_server.to("nora@clinic.test")
    assert "1 open" in other.get_content()  # nina's claimed task is not in nora's queue
    assert len(notifier.plan_digests(today + timedelta(days=1))) == 2  # the next day is a new digest


def test_a_notification_sent_again_is_not_sent_twice(pathways, notifier, smtp_server, frozen_clock):
    discharge(pathways, "p1")
    frozen_clock.advance(hours=25)
    first, _ = notifier.plan_due()
    assert notifier.send(first, "worker-1") == "sent"
    assert notifier.send(first, "worker-2") == "skipped"  # a redelivered task, a second worker
    assert len(smtp_server.to("nina@clinic.test")) == 1


def test_two_workers_sending_the_same_notification_send_it_once(pathways, notifier, smtp_server, frozen_clock):
    discharge(pathways, "p1")
    frozen_clock.advance(hours=25)
    ids = notifier.plan_due()
    outcomes = []
    barrier = threading.Barrier(4)

    def worker(n):
        barrier.wait()
        outcomes.extend(notifier.send(i, f"w{n}") for i in ids)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes).count("sent") == len(ids)
    assert len(smtp_server.messages) == len(ids)


def test_a_temporary_smtp_failure_is_retried_after_a_back_off(pathways, notifier, smtp_server, frozen_clock):
    discharge(pathways, "p1")
    frozen_clock.advance(hours=25)
    first, _ = notifier.plan_due()
    smtp_server.refuse = 1
    assert notifier.send(first, "w1") == "retry"
    assert notifier.send(first, "w1") == "skipped"  # backing off
    frozen_clock.advance(seconds=31)
    assert notifier.send(first, "w1") == "sent"
    (row,) = [r for r in rows(pathways) if r.id == first]
    assert row.status == NotificationStatus.SENT and row.attempts == 2
    assert len(smtp_server.messages) == 1


def test_an_unreachable_server_is_a_retry_not_a_loss(pathways, smtp_server, frozen_clock):
    pathways.deploy(DISCHARGE)
    notifier = Notifier(pathways.db, SmtpSettings(host="127.0.0.1", port=1, timeout=2), NotifySettings(), TEAM)
    discharge(pathways, "p1")
    frozen_clock.advance(hours=25)
    first, _ = notifier.plan_due()
    assert notifier.send(first, "w1") == "retry"
    (row,) = [r for r in rows(pathways) if r.id == first]
    assert row.status == NotificationStatus.PENDING and "cannot send" in row.error


def test_a_crash_between_sending_and_recording_resends_with_the_same_message_id(pathways, notifier,
                                                                                smtp_server, frozen_clock):
    """The one duplicate window: the server took the e-mail, the worker died before recording it. After the
    lease it is sent again (at least once), with the Message-ID the first copy had."""
    discharge(pathways, "p1")
    frozen_clock.advance(hours=25)
    first, _ = notifier.plan_due()
    with pathways.db.transaction() as session:
        claimed = claim_notification(session, first, "dead-worker", frozen_clock.now(), timedelta(minutes=5))
    assert notifier.send(first, "w2") == "skipped"  # the dead worker's lease still holds
    frozen_clock.advance(minutes=6)
    assert notifier.send(first, "w2") == "sent"
    (mail,) = smtp_server.messages
    assert mail["Message-ID"] == message_id(claimed.key, "carepath@clinic.test")
    assert mail["X-Carepath-Notification"] == claimed.key


def test_background_work_plans_and_sends_notifications(pathways, notifier, smtp_server, frozen_clock):
    discharge(pathways, "p1")
    frozen_clock.advance(hours=25)
    background = Background(pathways, JobSettings(), notifier=notifier)
    try:
        from engine.jobs import work
        from engine.jobs.envelope import Envelope

        assert work.execute(background.ctx, Envelope.new("carepath.plan_notifications")) == 2
        background.join()
    finally:
        background.close()
    assert len(smtp_server.messages) == 2
    assert {r.status for r in rows(pathways)} == {NotificationStatus.SENT}


def test_recipients_come_from_user_accounts_and_configuration(pathways):
    with pathways.db.transaction() as session:
        accounts.create_user(session, "nina", "a long enough password 1", ["nurse"], email="nina@clinic.test")
        accounts.create_user(session, "lena", "a long enough password 2", ["nurse_lead"], email="lena@clinic.test")
        accounts.create_user(session, "omar", "a long enough password 3", ["nurse"])  # no e-mail
    users = AccountsDirectory(pathways.db)
    assert [r.username for r in users.with_role("nurse")] == ["nina"]
    assert users.user("lena").email == "lena@clinic.test" and users.user("omar") is None
    config = StaticDirectory.from_config({"users": [{"username": "nina", "email": "nina@home.test",
                                                     "roles": ["nurse_lead"]}]})
    both = ChainDirectory(config, users)
    assert both.user("nina").email == "nina@home.test"  # configuration first
    assert [r.username for r in both.with_role("nurse_lead")] == ["lena", "nina"]
    assert [r.username for r in both.with_role("nurse")] == []  # nina's configured roles count
    with pytest.raises(ValueError, match="username and an email"):
        StaticDirectory.from_config({"users": [{"username": "x"}]})


def test_smtp_settings_come_from_the_environment(monkeypatch):
    monkeypatch.delenv("CAREPATH_SMTP_HOST", raising=False)
    assert SmtpSettings.from_env() is None  # notifications are off
    monkeypatch.setenv("CAREPATH_SMTP_HOST", "smtp.example.org")
    monkeypatch.setenv("CAREPATH_SMTP_TLS", "starttls")
    monkeypatch.setenv("CAREPATH_SMTP_SENDER", "care@example.org")
    s = SmtpSettings.from_env()
    assert (s.host, s.port, s.tls, s.sender) == ("smtp.example.org", 587, "starttls", "care@example.org")
    monkeypatch.setenv("CAREPATH_SMTP_TLS", "ssl")
    monkeypatch.setenv("CAREPATH_SMTP_PORT", "2465")
    assert (SmtpSettings.from_env().tls, SmtpSettings.from_env().port) == ("ssl", 2465)
    monkeypatch.setenv("CAREPATH_SMTP_TLS", "maybe")
    with pytest.raises(SettingsInvalid, match="CAREPATH_SMTP_TLS"):
        SmtpSettings.from_env()
    assert parse_lead_roles("nurse=nurse_lead, social_worker=clinical_lead") == {
        "nurse": "nurse_lead", "social_worker": "clinical_lead"}
    with pytest.raises(SettingsInvalid):
        parse_lead_roles("nurse")


def test_digest_day_can_be_given(pathways, notifier, smtp_server):
    discharge(pathways, "p1")
    ids = notifier.plan_digests(date(2026, 2, 1))
    send_all(notifier, ids)
    assert all("2026-02-01" in m["Subject"] for m in smtp_server.messages)
