"""Team leads: opening any task of their team read-only, reassigning claimed or queued tasks with a reason the
new assignee reads, workload per person, escalations (boundary timers, overdue tasks) with acknowledge; and a
suspended instance's tasks marked in the inbox and read-only on their page."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from engine.care import accounts
from engine.care.actors import Actor
from engine.service import Forbidden, InvalidInput, TeamQuery
from tests.admin.conftest import ADMIN, FIXTURES
from tests.registry import register
from tests.webapp.conftest import PASSWORD

pytestmark = pytest.mark.dates  # overdue and due-today hang on the clock (frozen here)

NURSE_CALL = Path(__file__).resolve().parent / "bundles" / "nurse_call"
LENA = Actor.person("lena", "nurse_lead")
LEAD = Actor.person("lead", "clinical_lead")
NINA = Actor.person("nina", "nurse", "care_manager")


@pytest.fixture
def calls(service, users, frozen_clock):
    """Two follow-up calls (nurse tasks, due in a day): one claimed by nina, one in the nurse queue; and nora,
    a second nurse."""
    with service.db.transaction() as s:
        accounts.create_user(s, "nora", PASSWORD, ["nurse"], display_name="Nora Nurse")
    service.deploy(NURSE_CALL)
    register(service, "P1", "P2")
    tasks = [service.tasks(instance_id=service.start("nurse_call", p).id)[0] for p in ("P1", "P2")]
    service.claim(tasks[0].id, NINA)
    return [t.id for t in tasks]


@pytest.fixture
def late(calls, frozen_clock):
    frozen_clock.advance(days=61)
    return calls


def test_a_nurse_lead_opens_a_claimed_overdue_task_of_her_team(signed_in, late):
    page = signed_in("lena").get(f"/tasks/{late[0]}")
    assert page.status_code == 200 and "You are reading this as the team's lead" in page.get_data(as_text=True)


def test_the_lead_reads_it_without_a_form_to_submit(signed_in, late):
    page = signed_in("lena").get(f"/tasks/{late[0]}").get_data(as_text=True)
    assert 'value="submit"' not in page and 'action="/team/reassign"' in page


def test_a_lead_may_not_open_a_task_of_a_role_she_does_not_lead(signed_in, review):
    assert signed_in("lena").get(f"/tasks/{review.id}").status_code == 403


def test_a_clinical_lead_opens_any_team_task(signed_in, review):
    assert signed_in("lead").get(f"/tasks/{review.id}").status_code == 200


def test_reassign_gives_a_claimed_task_to_a_colleague_with_the_role(service, late):
    (task,) = service.reassign_tasks([late[0]], "nora", "Nina is on leave", LENA)
    assert (task.assignee, task.status) == ("nora", "claimed")


def test_reassign_takes_many_at_once(service, late):
    done = service.reassign_tasks(late, "nora", "covering the week", LENA)
    assert [t.assignee for t in done] == ["nora", "nora"]


def test_the_new_assignee_reads_the_reason_on_the_task(service, signed_in, late):
    service.reassign_tasks([late[0]], "nora", "Nina is on leave", LENA)
    page = signed_in("nora").get(f"/tasks/{late[0]}").get_data(as_text=True)
    assert "gave this task to you" in page and "Nina is on leave" in page


def test_reassign_to_someone_without_the_role_changes_nothing(service, late):
    with pytest.raises(InvalidInput, match="does not hold the Nurse role"):
        service.reassign_tasks(late, "carl", "try", LENA)
    assert service.task(late[0]).assignee == "nina" and service.task(late[1]).assignee is None


def test_reassign_needs_a_reason(service, late):
    with pytest.raises(InvalidInput, match="reason is required"):
        service.reassign_tasks([late[0]], "nora", " ", LENA)


def test_reassign_of_a_task_of_a_role_not_led_is_refused(service, review):
    with pytest.raises(Forbidden, match="does not lead"):
        service.reassign_tasks([review.id], "carl", "cover", LENA)


def test_a_care_manager_cannot_reassign(service, late):
    with pytest.raises(Forbidden):
        service.reassign_tasks([late[0]], "nora", "cover", Actor.person("carl", "care_manager"))


def test_reassigning_is_audited_with_the_reason(service, late):
    service.reassign_tasks([late[0]], "nora", "Nina is on leave", LENA)
    event = [e for e in service.instance(service.task(late[0]).instance_id).history if e.action == "reassigned"][0]
    assert event.details == {"assignee": "nora", "previous_assignee": "nina", "reason": "Nina is on leave"}


def test_workload_counts_each_person_s_claimed_and_overdue_tasks(service, late):
    nina = next(p for p in service.team_workload(LENA).people if p.username == "nina")
    assert (nina.claimed, nina.overdue, nina.due_today) == (1, 1, 0)


def test_workload_counts_the_queue(service, late):
    (queue,) = service.team_workload(LENA).queues
    assert (queue.role, queue.waiting, queue.overdue) == ("nurse", 1, 1)


def test_a_task_due_later_today_counts_as_due_today(service, calls, frozen_clock):
    frozen_clock.set(service.task(calls[0]).due_at - timedelta(hours=1))  # the same day, an hour before
    nina = next(p for p in service.team_workload(LENA).people if p.username == "nina")
    assert (nina.due_today, nina.overdue) == (1, 0)


def test_the_team_overdue_list_filters_by_person(service, late):
    page = service.team_tasks(TeamQuery(view="overdue", person="nina"), LENA)
    assert [t.id for t in page.tasks] == [late[0]]


def test_team_tasks_are_for_leads(service, late):
    with pytest.raises(Forbidden):
        service.team_tasks(TeamQuery(), NINA)


def test_an_overdue_task_is_an_escalation_until_acknowledged(service, late):
    found = service.escalations(LENA)
    assert {r.ref for r in found.rows} == {f"overdue:{late[0]}", f"overdue:{late[1]}"}
    service.acknowledge_escalations([f"overdue:{late[0]}"], LENA, "called Nina")
    assert {r.ref for r in service.escalations(LENA).rows} == {f"overdue:{late[1]}"}


def test_an_acknowledged_escalation_says_who_and_the_note(service, late):
    service.acknowledge_escalations([f"overdue:{late[0]}"], LENA, "called Nina")
    (row,) = service.escalations(LENA, acknowledged=True).rows
    assert (row.acknowledged_by, row.note) == ("lena", "called Nina")


def test_a_fired_boundary_timer_raises_an_escalation(service, users, frozen_clock):
    service.deploy(FIXTURES / "tcm_contact")
    register(service, "P5")
    service.start("tcm_contact", "P5")
    frozen_clock.advance(hours=13)  # the 12-hour reminder on the interactive contact fires
    service.run_due_timers()
    (row,) = service.escalations(LENA).rows
    assert (row.kind, row.title, row.role) == ("timer", "Every 12 hours: Interactive contact", "nurse")


def test_a_reminder_cycle_raises_one_escalation_until_it_is_acknowledged(service, users, frozen_clock):
    service.deploy(FIXTURES / "tcm_contact")
    register(service, "P5")
    service.start("tcm_contact", "P5")
    for _ in range(2):
        frozen_clock.advance(hours=13)
        service.run_due_timers()
    assert [r.kind for r in service.escalations(LENA).rows] == ["timer"]


def test_acknowledging_an_escalation_not_of_the_team_is_not_found(service, late):
    from engine.service import NotFound

    with pytest.raises(NotFound):
        service.acknowledge_escalations(["timer:999"], LENA)


def test_an_escalation_reference_that_is_not_one_is_refused(service, late):
    with pytest.raises(InvalidInput, match="is not an escalation"):
        service.acknowledge_escalations(["task:1"], LENA)


# ------------------------------------------------------------------------------------------------ web pages
def test_web_reassign_from_the_team_list(signed_in, service, late):
    lena = signed_in("lena")
    page = lena.get("/team/tasks?view=overdue").get_data(as_text=True)
    assert "Follow-up call" in page
    response = lena.post("/team/reassign", {"task": [str(late[0])], "assignee": "nora", "reason": "on leave",
                                            "next": "/team/tasks"})
    assert response.status_code == 302 and service.task(late[0]).assignee == "nora"


def test_web_a_refused_reassign_is_a_message_and_changes_nothing(signed_in, service, late):
    lena = signed_in("lena")
    lena.get("/team/tasks")
    lena.post("/team/reassign", {"task": [str(late[0])], "assignee": "nora", "reason": ""})
    page = lena.get("/team/tasks").get_data(as_text=True)
    assert "a reason is required" in page and service.task(late[0]).assignee == "nina"


def test_web_workload_page_lists_the_team(signed_in, late):
    page = signed_in("lena").get("/team/").get_data(as_text=True)
    assert "Nina" in page and "Nora Nurse" in page and "Unclaimed in the Nurse queue" in page


def test_web_escalations_acknowledge(signed_in, service, late):
    lena = signed_in("lena")
    lena.get("/team/escalations")
    lena.post("/team/escalations/acknowledge", {"escalation": [f"overdue:{late[0]}"], "note": "seen"})
    page = lena.get("/team/escalations?acknowledged=1").get_data(as_text=True)
    assert "seen" in page and "lena" in page


# ------------------------------------------------------------------------------------------------ suspended instances
def test_a_suspended_instance_task_is_marked_in_the_inbox(signed_in, service, calls):
    service.suspend_instance(service.task(calls[0]).instance_id, ADMIN, "patient in hospital")
    page = signed_in("nina").get("/inbox?tab=mine").get_data(as_text=True)
    assert 'class="badge badge-suspended"' in page


def test_a_suspended_instance_task_page_is_read_only_with_the_reason(signed_in, service, calls):
    service.suspend_instance(service.task(calls[0]).instance_id, ADMIN, "patient in hospital")
    page = signed_in("nina").get(f"/tasks/{calls[0]}").get_data(as_text=True)
    assert "This program is suspended" in page and "patient in hospital" in page and 'value="submit"' not in page


def test_a_running_instance_task_is_not_marked(signed_in, service, calls):
    page = signed_in("nina").get("/inbox?tab=mine").get_data(as_text=True)
    assert "badge-suspended" not in page
