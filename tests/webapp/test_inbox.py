"""The inbox: tabs and counts, filters, search, sorting, paging, claim/release/assign/follow-up actions."""
from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest

from engine.care.actors import Actor
from engine.care.patients import PatientInput
from tests.webapp.conftest import FIXTURES

pytestmark = pytest.mark.dates  # `make test` runs these again at other dates

CARL = Actor.person("carl", "care_manager")


@pytest.fixture
def review_tasks(service, patient, users):
    """Three open 'Monthly review' tasks (care_manager role) for three patients, due in 7 days."""
    from engine.care import patients

    service.deploy(FIXTURES / "bpmn" / "review_loop")
    with service.db.transaction() as s:
        for mrn, given, family in (("MRN-2", "Grace", "Hopper"), ("MRN-3", "Alan", "Turing")):
            patients.add_patient(s, PatientInput(mrn=mrn, given_name=given, family_name=family,
                                                 birth_date="1940-01-01"), by="test")
    ids = []
    for patient_id in ("MRN-1", "MRN-2", "MRN-3"):
        instance = service.start("review_loop", patient_id, None, CARL)
        ids.append(service.tasks(instance_id=instance.id)[0].id)
    return ids


def rows(page: str) -> list[str]:
    body = page.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in page else ""
    return re.findall(r'/patients/([^"]+)">', body)


def test_role_queue_lists_open_tasks_of_my_role(signed_in, review_tasks):
    page = signed_in("carl").get("/inbox?tab=role:care_manager").get_data(as_text=True)
    assert sorted(rows(page)) == ["MRN-1", "MRN-2", "MRN-3"]


def test_tabs_show_counts(signed_in, review_tasks):
    page = signed_in("carl").get("/inbox").get_data(as_text=True)
    assert re.search(r'Care manager queue <span class="count">3</span>', page)
    assert re.search(r'My tasks <span class="count">0</span>', page)


def test_a_role_i_do_not_hold_has_no_tab(signed_in, review_tasks):
    response = signed_in("sam").get("/inbox?tab=role:care_manager")
    assert response.status_code == 400 and "no inbox tab" in unescape(response.get_data(as_text=True))


def test_claiming_moves_a_task_to_my_tasks(signed_in, review_tasks):
    carl = signed_in("carl")
    carl.post(f"/tasks/{review_tasks[0]}/claim")
    page = carl.get("/inbox?tab=mine").get_data(as_text=True)
    assert rows(page) == ["MRN-1"]


def test_releasing_returns_a_task_to_the_queue(signed_in, review_tasks):
    carl = signed_in("carl")
    carl.post(f"/tasks/{review_tasks[0]}/claim")
    carl.post(f"/tasks/{review_tasks[0]}/release")
    assert "MRN-1" in rows(carl.get("/inbox?tab=role:care_manager").get_data(as_text=True))


def test_claiming_a_task_someone_else_claimed_says_who(signed_in, review_tasks):
    signed_in("carl").post(f"/tasks/{review_tasks[0]}/claim")
    nina = signed_in("nina")
    nina.post(f"/tasks/{review_tasks[0]}/claim")
    assert "claimed by carl" in nina.get("/inbox").get_data(as_text=True)


def test_claim_without_csrf_token_is_refused_and_nothing_changes(signed_in, review_tasks, service):
    carl = signed_in("carl")
    response = carl.post(f"/tasks/{review_tasks[0]}/claim", csrf=False)
    assert response.status_code == 400
    assert service.task(review_tasks[0]).assignee is None


def test_assigning_to_a_colleague_with_the_role(signed_in, review_tasks, service):
    signed_in("carl").post(f"/tasks/{review_tasks[0]}/assign", {"assignee": "nina"})
    assert service.task(review_tasks[0]).assignee == "nina"


def test_assigning_to_a_colleague_without_the_role_is_refused(signed_in, review_tasks, service):
    carl = signed_in("carl")
    carl.post(f"/tasks/{review_tasks[0]}/assign", {"assignee": "sam"})
    assert service.task(review_tasks[0]).assignee is None
    assert "does not hold the care_manager role" in carl.get("/inbox").get_data(as_text=True)


def test_follow_up_date_is_saved(signed_in, review_tasks, service):
    signed_in("carl").post(f"/tasks/{review_tasks[0]}/follow-up", {"follow_up": "2026-02-01"})
    assert service.task(review_tasks[0]).follow_up_at.date().isoformat() == "2026-02-01"


def test_a_bad_follow_up_date_is_named(signed_in, review_tasks):
    carl = signed_in("carl")
    carl.post(f"/tasks/{review_tasks[0]}/follow-up", {"follow_up": "next tuesday"})
    assert "'next tuesday' is not a date" in unescape(carl.get("/inbox").get_data(as_text=True))


def test_search_by_patient_name(signed_in, review_tasks):
    page = signed_in("carl").get("/inbox?tab=role:care_manager&q=hop").get_data(as_text=True)
    assert rows(page) == ["MRN-2"]


def test_search_by_mrn(signed_in, review_tasks):
    page = signed_in("carl").get("/inbox?tab=role:care_manager&q=MRN-3").get_data(as_text=True)
    assert rows(page) == ["MRN-3"]


def test_sort_by_patient_descending(signed_in, review_tasks):
    page = signed_in("carl").get("/inbox?tab=role:care_manager&sort=patient&dir=desc").get_data(as_text=True)
    assert rows(page) == ["MRN-3", "MRN-1", "MRN-2"]  # Turing, Lovelace, Hopper


def test_overdue_tab_lists_tasks_past_due(frozen_clock, signed_in, review_tasks):
    frozen_clock.advance(timedelta(days=8))
    page = signed_in("carl").get("/inbox?tab=overdue").get_data(as_text=True)
    assert len(rows(page)) == 3 and "overdue by 1 day" in page


def test_a_clinical_lead_lands_on_the_teams_overdue_work(frozen_clock, signed_in, review_tasks):
    signed_in("carl").post(f"/tasks/{review_tasks[0]}/claim")
    frozen_clock.advance(timedelta(days=8))
    page = signed_in("lead").get("/inbox").get_data(as_text=True)
    assert sorted(rows(page)) == ["MRN-1", "MRN-2", "MRN-3"]  # claimed by carl or waiting in the queue
    assert re.search(r'Team overdue <span class="count">3</span>', page)


def test_a_clinical_lead_sees_nothing_overdue_when_the_team_is_on_time(signed_in, review_tasks):
    page = signed_in("lead").get("/inbox").get_data(as_text=True)
    assert rows(page) == [] and "Nothing is overdue in the team." in page


def test_a_clinical_lead_narrows_the_teams_overdue_work_by_role(frozen_clock, signed_in, review_tasks):
    frozen_clock.advance(timedelta(days=8))
    lead = signed_in("lead")
    assert rows(lead.get("/inbox?tab=overdue&role=social_worker").get_data(as_text=True)) == []
    assert len(rows(lead.get("/inbox?tab=overdue&role=care_manager").get_data(as_text=True))) == 3


def test_a_team_member_overdue_tab_holds_only_their_own_work(frozen_clock, signed_in, review_tasks):
    frozen_clock.advance(timedelta(days=8))
    assert rows(signed_in("sam").get("/inbox?tab=overdue").get_data(as_text=True)) == []


def test_a_team_member_cannot_filter_by_a_role_they_do_not_hold(signed_in, review_tasks):
    response = signed_in("sam").get("/inbox?tab=overdue&role=care_manager")
    assert response.status_code == 400 and "you do not hold the role" in unescape(response.get_data(as_text=True))


def test_completed_by_me_tab_is_empty_before_any_work(signed_in, review_tasks):
    page = signed_in("carl").get("/inbox?tab=completed").get_data(as_text=True)
    assert rows(page) == [] and "Nothing here" in page


def test_an_empty_my_tasks_tab_points_to_the_queues_with_work(signed_in, review_tasks):
    page = signed_in("carl").get("/inbox").get_data(as_text=True)
    assert "You have not claimed any task" in page
    assert 'href="/inbox?tab=role:care_manager">Care manager queue (3)</a>' in page


def test_priority_filter(signed_in, review_tasks):
    page = signed_in("carl").get("/inbox?tab=role:care_manager&priority=urgent").get_data(as_text=True)
    assert rows(page) == []


def test_unknown_priority_is_named(signed_in, review_tasks):
    response = signed_in("carl").get("/inbox?tab=role:care_manager&priority=asap")
    assert response.status_code == 400 and "priority 'asap'" in unescape(response.get_data(as_text=True))


def test_bad_due_date_filter_is_named(signed_in, review_tasks):
    response = signed_in("carl").get("/inbox?due_from=yesterday")
    assert response.status_code == 400 and "'yesterday' is not a date" in unescape(response.get_data(as_text=True))


def test_pages_of_fifty(signed_in, review_tasks, app):
    app.config["INBOX_PAGE_SIZE"] = 2
    carl = signed_in("carl")
    first = carl.get("/inbox?tab=role:care_manager&sort=patient").get_data(as_text=True)
    second = carl.get("/inbox?tab=role:care_manager&sort=patient&page=2").get_data(as_text=True)
    assert (rows(first), rows(second)) == (["MRN-2", "MRN-1"], ["MRN-3"])


def test_a_patient_named_like_a_script_shows_as_text(signed_in, service, users):
    from engine.care import patients

    service.deploy(FIXTURES / "bpmn" / "review_loop")
    with service.db.transaction() as s:
        patients.add_patient(s, PatientInput(mrn="X-1", given_name="<script>alert(1)</script>", family_name="Evil",
                                             birth_date="1970-01-01"), by="test")
    service.start("review_loop", "X-1", None, CARL)
    page = signed_in("carl").get("/inbox?tab=role:care_manager").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_assigning_to_a_name_nobody_signs_in_as_says_so_on_the_page(signed_in, review):
    carl = signed_in("carl")
    carl.get(f"/tasks/{review.id}")
    response = carl.post(f"/tasks/{review.id}/assign", {"assignee": "no_such_person"})
    assert response.status_code == 302
    page = carl.get(response.headers["Location"]).get_data(as_text=True)
    assert "nobody signs in as" in page.replace("&#39;", "'")
