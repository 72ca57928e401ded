"""The care team on the web pages: a patient's team, breaking the glass and its report, My patients, the record's
edits (demographics, discharge, care plan, comments), and the inbox and task page fixes of issue 17."""
from __future__ import annotations

import json
import re
from html import unescape

import pytest

from engine.care.actors import Actor
from engine.service import CarePlanInput, now
from tests.webapp.conftest import FIXTURES

CARL = Actor.person("carl", "care_manager")


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


@pytest.fixture
def team(service, patient, users):
    """Ada's team: Carl (lead care manager) and Pia (pharmacist); her monthly review is Carl's."""
    service.join_care_team("MRN-1", "carl", "care_manager", "Enrolled", CARL, lead=True)
    service.join_care_team("MRN-1", "pia", "pharmacist", "Medication review", CARL)
    service.deploy(FIXTURES / "bpmn" / "review_loop")
    instance = service.start("review_loop", "MRN-1", None, CARL)
    return service.tasks(instance_id=instance.id)[0]


# ------------------------------------------------------------------------------------------------ access
def test_the_patient_page_shows_the_care_team(signed_in, team):
    page = text(signed_in("pia").get("/patients/MRN-1"))
    assert "Lead care manager" in page and "Medication review" in page


def test_outside_the_team_the_page_offers_to_break_the_glass(signed_in, team):
    response = signed_in("dana").get("/patients/MRN-1")
    assert response.status_code == 403 and "Break the glass and open the record" in text(response)
    assert "Lovelace" in text(response) and "COPD" not in text(response)


def test_breaking_the_glass_opens_the_page_and_says_so(signed_in, team):
    dana = signed_in("dana")
    dana.get("/patients/MRN-1")
    response = dana.post("/patients/MRN-1/access", {"reason": "Covering for Pia, urgent question",
                                                    "duration": "session"}, follow_redirects=True)
    assert response.status_code == 200 and "breaking the glass" in text(response) and "COPD" in text(response)


def test_breaking_the_glass_without_a_reason_keeps_it_closed_and_says_why(signed_in, team):
    response = signed_in("dana").post("/patients/MRN-1/access", {"reason": "", "duration": "1h"})
    assert response.status_code == 400 and "Say why you need this record" in text(response)


def test_the_report_shows_the_broken_glass_with_its_reason(signed_in, team):
    signed_in("dana").post("/patients/MRN-1/access", {"reason": "Covering for Pia, urgent question",
                                                      "duration": "1h"})
    page = text(signed_in("admin").get("/patients/access-report"))
    assert "Covering for Pia, urgent question" in page and "Ada Lovelace" in page


def test_the_reads_on_the_report_open_the_audit_trail_of_that_person_and_record(signed_in, team):
    signed_in("dana").post("/patients/MRN-1/access", {"reason": "Covering for Pia, urgent question",
                                                      "duration": "1h"})
    admin = signed_in("admin")
    link = re.search(r'data-label="Reads"><a href="([^"]+)"', text(admin.get("/patients/access-report"))).group(1)
    trail = text(admin.get(link))
    assert "patient=MRN-1" in link and "user=dana" in link and "Covering for Pia, urgent question" in trail


def test_a_task_of_a_patient_outside_the_team_offers_the_glass_then_opens(signed_in, team):
    nina = signed_in("nina")  # a care manager off Ada's team: Carl's task is not hers to read
    assert nina.get(f"/tasks/{team.id}").status_code == 403
    response = nina.post("/patients/MRN-1/access", {"reason": "Carl is off sick today", "duration": "1h",
                                                    "after": f"/tasks/{team.id}"}, follow_redirects=True)
    assert response.status_code == 200 and "Monthly review" in text(response)


# ------------------------------------------------------------------------------------------------ patients
def test_my_patients_lists_the_patients_of_my_teams(signed_in, team):
    page = text(signed_in("pia").get("/patients/?list=mine"))
    assert "Lovelace, Ada" in page and "Pharmacist" in page


def test_the_registry_marks_records_outside_my_teams(signed_in, team):
    page = text(signed_in("dana").get("/patients/?list=all"))
    assert "Outside your care team" in page


def test_a_new_patient_has_their_risk_shown_as_not_assessed(signed_in, patient):
    page = text(signed_in("carl").get("/patients/MRN-1"))
    assert "LACE index" in page and "None" not in page.split("Risk and scores")[1].split("</section>")[0]


def test_the_add_patient_summary_names_each_field(signed_in):
    page = text(signed_in("carl").post("/patients/new", {"mrn": "X-1", "given_name": "A", "family_name": "B",
                                                         "birth_date": "1950-01-01", "phone": "not a phone"}))
    assert "Phone: Enter a phone number" in page and 'src="/static/focus.js"' in page


def test_editing_the_demographics_saves_and_says_what_changed(signed_in, team, service):
    data = {"given_name": "Ada", "family_name": "King", "birth_date": "1950-12-10", "sex": "female",
            "phone": "555-123-4567", "conditions": "COPD\nHeart failure"}
    response = signed_in("carl").post("/patients/MRN-1/edit", data, follow_redirects=True)
    assert "family name, phone" in text(response) and service.patient("MRN-1").family_name == "King"


def test_the_history_names_tasks_and_uses_the_forms_labels(signed_in, team, service):
    service.complete(team.id, {"decision": "continue"}, CARL)
    page = text(signed_in("carl").get("/patients/MRN-1"))
    assert "went to Carl, on the patient's care team" in page
    assert re.search(r"Completed “Monthly review”", page) and "(review)" not in page


def test_the_history_says_how_many_minutes_were_logged_and_for_what():
    from types import SimpleNamespace

    from webapp.patients.timeline import describe

    event = SimpleNamespace(at=now(), actor="nina", action="time_logged", task_uuid=None, element_id=None, details={
        "minutes": 15, "spent_on": "2026-07-21", "by": "nina", "activity": "Coordination with other providers"})
    assert describe(event).text == "Logged 15 minutes: Coordination with other providers (on 2026-07-21)"


def test_a_comment_with_a_mention_reaches_the_colleagues_notices(signed_in, team):
    signed_in("carl").post("/patients/MRN-1/comments", {"body": "@pia please check the statin"})
    pia = signed_in("pia")
    assert "Notices <span class=\"count\">1</span>" in pia.get("/inbox").get_data(as_text=True)
    assert "carl mentioned you" in text(pia.get("/notices"))


def test_a_care_plan_goal_added_on_the_page_shows_in_the_plan(signed_in, team):
    signed_in("carl").post("/patients/MRN-1/care-plan", {"kind": "goal", "description": "Walk every day",
                                                         "target": "Steps: 5000", "target_date": "2026-06-01"})
    assert "Walk every day" in text(signed_in("pia").get("/patients/MRN-1"))


def test_care_plan_progress_recorded_on_the_page_is_kept(signed_in, team, service):
    item = service.add_care_plan_item("MRN-1", CarePlanInput(kind="barrier", description="No car"), CARL)
    signed_in("carl").post(f"/patients/MRN-1/care-plan/{item.id}", {"status": "resolved", "note": "Bus pass"})
    assert "Bus pass" in text(signed_in("carl").get("/patients/MRN-1"))


def test_recording_a_discharge_starts_tcm(signed_in, team, service):
    service.deploy(FIXTURES / "bpmn" / "tcm_on_discharge")
    carl = signed_in("carl")
    assert "Record a hospital discharge" in text(carl.get("/patients/MRN-1"))
    response = carl.post("/patients/MRN-1/discharge", {"discharge_date": service_today(), "facility": "General",
                                                       "complexity": "high"}, follow_redirects=True)
    assert "Transitional Care Management started" in text(response)
    assert any(i.process_id == "tcm_on_discharge" for i in service.instances(patient_id="MRN-1"))


def service_today() -> str:
    return now().date().isoformat()


def test_ending_a_program_needs_a_reason_and_closes_its_tasks(signed_in, team, service):
    carl = signed_in("carl")
    carl.post(f"/patients/MRN-1/programs/{team.instance_id}/end", {"reason": "moved", "note": "To Ohio"})
    assert service.task(team.id).status == "cancelled"
    assert "Moved away: To Ohio" in text(carl.get("/patients/MRN-1"))


# ------------------------------------------------------------------------------------------------ inbox
def test_the_inbox_offers_programs_and_a_separate_stage_filter(signed_in, team):
    page = text(signed_in("carl").get("/inbox"))
    assert 'id="f-stage"' in page and 'id="f-program"' in page


def test_the_inbox_finds_a_task_by_the_name_as_the_list_shows_it(signed_in, team):
    assert "Monthly review" in text(signed_in("carl").get("/inbox?q=Lovelace, Ada"))


def test_a_follow_up_date_shows_in_the_inbox_column(signed_in, team):
    carl = signed_in("carl")
    carl.post(f"/tasks/{team.id}/follow-up", {"follow_up": "2031-02-03"})
    assert '>2031-02-03</time>' in carl.get("/inbox?sort=follow_up").get_data(as_text=True)


def test_a_saved_filter_becomes_a_tab(signed_in, team):
    carl = signed_in("carl")
    response = carl.post("/inbox/filters", {"name": "Ada's work", "q": "Ada", "tab": "mine"}, follow_redirects=True)
    page = text(response)
    assert 'class="tab saved active"' in page and "Ada's work" in page and "Monthly review" in page


def test_the_inbox_counts_refresh_from_json(signed_in, team):
    counts = json.loads(signed_in("carl").get("/inbox/pulse.json").get_data(as_text=True))["counts"]
    assert counts["mine"] == 1


# ------------------------------------------------------------------------------------------------ task page
def test_assign_to_offers_only_holders_of_the_tasks_role(signed_in, team):
    page = text(signed_in("carl").get(f"/tasks/{team.id}"))
    options = page.split('id="assignee"')[1].split("</select>")[0]
    assert "Nina" in options and "Admin" not in options and 'label="Care team"' in options


def test_a_completed_task_says_who_completed_it_and_shows_the_answers(signed_in, team, service):
    service.complete(team.id, {"decision": "discharge"}, CARL)
    page = text(signed_in("carl").get(f"/tasks/{team.id}"))
    assert "Completed by Carl on" in page and "overdue" not in page and "Discharge" in page


def test_times_show_in_the_persons_time_zone(signed_in, team, service):
    service.complete(team.id, {"decision": "discharge"}, CARL)
    carl = signed_in("carl")
    carl.post("/settings", {"time_zone": "America/Chicago"})
    assert re.search(r"Completed by Carl on \d{4}-\d\d-\d\d \d\d:\d\d C[SD]T", text(carl.get(f"/tasks/{team.id}")))


def test_a_delegation_round_trip_on_the_pages(signed_in, team, service):
    carl = signed_in("carl")
    carl.post(f"/tasks/{team.id}/delegate", {"colleague": "pia", "note": "Are the doses right?"})
    pia = signed_in("pia")
    assert "asks for your input" in text(pia.get(f"/tasks/{team.id}"))
    pia.post(f"/tasks/{team.id}/resolve", {"note": "They are"})
    page = text(carl.get(f"/tasks/{team.id}"))
    assert "You have claimed this task" in page and "They are" in page
