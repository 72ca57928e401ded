"""The admin's instance list and instance page: filters and counts, stuck instances, pages by id, the failed
element and the data at the failure (audited), retry with fields checked against their form, and the actions."""
from __future__ import annotations

import pytest
from sqlalchemy import text, update

from engine.models import AuditEvent, Instance
from engine.service import Forbidden, InstanceQuery, InvalidInput, RetryRefused
from tests.admin.conftest import ADMIN, CARL
from tests.registry import register


def _events(service, action: str) -> list[AuditEvent]:
    with service.db.transaction() as s:
        return list(s.query(AuditEvent).filter(AuditEvent.action == action).order_by(AuditEvent.id))


def test_counts_per_status_follow_every_change_of_status(pathways_admin, reviews):
    pathways_admin.suspend(reviews[0])
    pathways_admin.terminate(reviews[1], reason="moved away")
    counts = pathways_admin.instance_list(InstanceQuery(), ADMIN).counts
    assert {k: counts[k] for k in ("running", "suspended", "terminated", "completed")} == {
        "running": 1, "suspended": 1, "terminated": 1, "completed": 0}


def test_the_database_keeps_the_counts_of_instances_written_by_any_door(pathways_admin, reviews):
    with pathways_admin.db.engine.begin() as conn:  # not through the engine: the triggers still count it
        conn.execute(update(Instance.__table__).where(Instance.__table__.c.id == reviews[2]).values(status="error"))
    counts = pathways_admin.instance_list(InstanceQuery(), ADMIN).counts
    assert (counts["running"], counts["error"]) == (2, 1)


def test_counts_by_version_are_read_from_the_kept_counts(pathways_admin, reviews, version_two):
    assert pathways_admin.instance_list(InstanceQuery(deployment_id=version_two), ADMIN).counts["running"] == 0
    assert pathways_admin.instance_list(InstanceQuery(deployment_id=1), ADMIN).counts["running"] == 3


def test_the_list_filters_by_status(pathways_admin, reviews):
    pathways_admin.suspend(reviews[1])
    found = pathways_admin.instance_list(InstanceQuery(status="suspended"), ADMIN)
    assert [r.instance.id for r in found.rows] == [reviews[1]]


def test_the_list_filters_by_patient(pathways_admin, reviews):
    found = pathways_admin.instance_list(InstanceQuery(patient_id="P2"), ADMIN)
    assert [r.instance.patient_id for r in found.rows] == ["P2"]


def test_the_list_filters_by_age(pathways_admin, reviews):
    with pathways_admin.db.engine.begin() as conn:
        conn.execute(text("UPDATE instances SET started_at = '2020-01-01 00:00:00' WHERE id = :i"), {"i": reviews[0]})
    found = pathways_admin.instance_list(InstanceQuery(older_than_days=30), ADMIN)
    assert [r.instance.id for r in found.rows] == [reviews[0]]


def test_pages_go_by_id_newest_first(pathways_admin, reviews):
    first = pathways_admin.instance_list(InstanceQuery(page_size=2), ADMIN)
    assert [r.instance.id for r in first.rows] == [reviews[2], reviews[1]] and first.has_older and not first.has_newer
    second = pathways_admin.instance_list(InstanceQuery(page_size=2, before_id=reviews[1]), ADMIN)
    assert [r.instance.id for r in second.rows] == [reviews[0]] and second.has_newer and not second.has_older


def test_the_newer_page_comes_back_in_the_same_order(pathways_admin, reviews):
    back = pathways_admin.instance_list(InstanceQuery(page_size=2, after_id=reviews[0]), ADMIN)
    assert [r.instance.id for r in back.rows] == [reviews[2], reviews[1]] and back.has_older


def test_a_running_instance_with_nothing_to_wake_it_is_stuck(pathways_admin, reviews):
    with pathways_admin.db.engine.begin() as conn:  # its task row lost: nothing would ever move it on
        conn.execute(text("UPDATE instances SET open_tasks = 0 WHERE id = :i"), {"i": reviews[0]})
    found = pathways_admin.instance_list(InstanceQuery(status="stuck"), ADMIN)
    assert ([r.instance.id for r in found.rows], found.counts["stuck"]) == ([reviews[0]], 1)


def test_an_instance_waiting_for_a_person_is_not_stuck(pathways_admin, reviews):
    assert pathways_admin.instance_list(InstanceQuery(), ADMIN).counts["stuck"] == 0


def test_listing_instances_is_audited_naming_the_patients(pathways_admin, reviews):
    pathways_admin.instance_list(InstanceQuery(), ADMIN)
    (event,) = _events(pathways_admin, "instances_listed")
    assert (event.actor, event.details["patients"]) == ("admin", ["P1", "P2", "P3"])


def test_only_an_admin_lists_instances(pathways_admin, reviews):
    with pytest.raises(Forbidden):
        pathways_admin.instance_list(InstanceQuery(), CARL)


def test_an_unknown_status_is_refused_by_name(pathways_admin):
    with pytest.raises(InvalidInput, match="unknown status 'lost'"):
        pathways_admin.instance_list(InstanceQuery(status="lost"), ADMIN)


def test_the_page_names_the_failed_element_and_its_line(pathways_admin, failed_bmi):
    page = pathways_admin.instance_console(failed_bmi, ADMIN)
    assert (page.failure.element, page.failure.line) == ("compute", 1)
    assert "ZeroDivisionError" in page.failure.message


def test_the_failed_element_is_marked_on_the_diagram(pathways_admin, failed_bmi):
    page = pathways_admin.instance_console(failed_bmi, ADMIN)
    assert page.diagrams[0]["failed"] == ["compute"]


def test_the_page_shows_the_data_at_the_failure(pathways_admin, failed_bmi):
    page = pathways_admin.instance_console(failed_bmi, ADMIN)
    assert (page.failure.data["height_m"], page.failure.data["weight_kg"]) == (0, 70)


def test_reading_the_data_at_the_failure_is_audited(pathways_admin, failed_bmi):
    pathways_admin.instance_console(failed_bmi, ADMIN)
    assert "data at the failure" in [e.details.get("what") for e in _events(pathways_admin, "viewed")]


def test_a_field_a_form_has_is_offered_with_its_form(pathways_admin, failed_bmi):
    page = pathways_admin.instance_console(failed_bmi, ADMIN)
    assert page.fields["height_m"][0] == "measures-schema.json"


def test_retry_with_a_fixed_field_runs_the_instance_on(pathways_admin, failed_bmi):
    result = pathways_admin.retry_with_fields(failed_bmi, {"height_m": "1.7"}, ADMIN)
    assert (result.status, [t.title for t in pathways_admin.tasks(instance_id=failed_bmi)]) == (
        "running", ["Review the measures"])


def test_retry_reads_the_field_as_its_form_types_it(pathways_admin, failed_bmi):
    pathways_admin.retry_with_fields(failed_bmi, {"height_m": "1.7"}, ADMIN)
    retried = _events(pathways_admin, "retried")[-1]
    assert retried.details["data"] == {"height_m": 1.7}


def test_retry_refuses_a_value_its_form_does_not_allow(pathways_admin, failed_bmi):
    with pytest.raises(RetryRefused) as refused:
        pathways_admin.retry_with_fields(failed_bmi, {"height_m": "17"}, ADMIN)
    assert "height_m" in refused.value.errors and "measures-schema.json" in refused.value.errors["height_m"]


def test_a_refused_retry_leaves_the_instance_in_error(pathways_admin, failed_bmi):
    with pytest.raises(RetryRefused):
        pathways_admin.retry_with_fields(failed_bmi, {"height_m": "tall"}, ADMIN)
    assert pathways_admin.instance(failed_bmi).instance.status == "error"


def test_retry_refuses_a_field_name_that_is_not_one(pathways_admin, failed_bmi):
    with pytest.raises(RetryRefused) as refused:
        pathways_admin.retry_with_fields(failed_bmi, {"height m": "1"}, ADMIN)
    assert "is not a field name" in refused.value.errors["height m"]


def test_a_field_no_form_knows_is_read_as_json(pathways_admin, failed_bmi):
    pathways_admin.retry_with_fields(failed_bmi, {"height_m": "1.8", "note": "[1, 2]"}, ADMIN)
    assert _events(pathways_admin, "retried")[-1].details["data"]["note"] == [1, 2]


def test_terminate_from_the_console_needs_a_reason(pathways_admin, reviews):
    with pytest.raises(InvalidInput, match="reason is required"):
        pathways_admin.terminate_instance(reviews[0], ADMIN, "  ")


def test_suspend_from_the_console_keeps_its_reason(pathways_admin, reviews):
    pathways_admin.suspend_instance(reviews[0], ADMIN, "patient in hospital")
    page = pathways_admin.instance_console(reviews[0], ADMIN)
    assert (page.suspension["reason"], page.suspension["by"]) == ("patient in hospital", "admin")


def test_the_console_actions_are_for_admins(pathways_admin, reviews):
    with pytest.raises(Forbidden):
        pathways_admin.suspend_instance(reviews[0], CARL, "why not")


def test_moving_one_instance_with_a_mapping_lands_it_on_the_new_task(pathways_admin, reviews, version_two):
    pathways_admin.move_instance(reviews[0], version_two, ADMIN, {"review": "assess"})
    (task,) = pathways_admin.tasks(instance_id=reviews[0])
    assert (task.element_id, task.title) == ("assess", "Assessment")


def test_the_move_check_names_the_task_that_is_gone(pathways_admin, reviews, version_two):
    check = pathways_admin.move_check(reviews[0], version_two, {}, ADMIN)
    assert (check.movable, check.missing_ids) == (False, ["review"])
    assert check.reason == "task Monthly review (review) no longer exists in review_loop v2"


def test_a_predicted_step_that_is_gone_does_not_block_a_move(pathways_admin, reviews, version_two):
    check = pathways_admin.move_check(reviews[0], version_two, {"review": "assess"}, ADMIN)
    assert check.movable  # the gateway after the review is only predicted; the move predicts it again


def test_web_instance_page_shows_the_error_and_the_retry_form(admin_browser, failed_bmi):
    page = admin_browser.get(f"/admin/instances/{failed_bmi}").get_data(as_text=True)
    assert "Stopped with an error" in page and "ZeroDivisionError" in page and 'name="field:height_m"' in page


def test_web_retry_with_a_bad_value_shows_the_field_again_with_what_is_wrong(admin_browser, failed_bmi):
    admin_browser.get(f"/admin/instances/{failed_bmi}")
    response = admin_browser.post(f"/admin/instances/{failed_bmi}/retry",
                                  {"field:height_m": "17", "shown:height_m": "0"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Nothing was changed" in page and "17 is greater than" in page


def test_web_retry_with_a_fixed_value_completes_the_instance(admin_browser, pathways_admin, failed_bmi):
    admin_browser.get(f"/admin/instances/{failed_bmi}")
    admin_browser.post(f"/admin/instances/{failed_bmi}/retry", {"field:height_m": "1.75", "shown:height_m": "0",
                                                                 "field:weight_kg": "70", "shown:weight_kg": "70"})
    assert pathways_admin.instance(failed_bmi).instance.status == "running"


def test_web_list_shows_counts_and_a_stuck_instance(admin_browser, pathways_admin, reviews):
    with pathways_admin.db.engine.begin() as conn:
        conn.execute(text("UPDATE instances SET open_tasks = 0 WHERE id = :i"), {"i": reviews[1]})
    page = admin_browser.get("/admin/instances?status=stuck").get_data(as_text=True)
    assert f"#{reviews[1]}" in page and f"#{reviews[0]}" not in page and "nothing will ever move them on" in page


def test_web_terminate_without_a_reason_says_so(admin_browser, pathways_admin, reviews):
    admin_browser.get(f"/admin/instances/{reviews[0]}")
    admin_browser.post(f"/admin/instances/{reviews[0]}/terminate", {"reason": ""})
    page = admin_browser.get(f"/admin/instances/{reviews[0]}").get_data(as_text=True)
    assert "a reason is required" in page and pathways_admin.instance(reviews[0]).instance.status == "running"


def test_web_a_bad_filter_is_a_400_naming_it(admin_browser):
    response = admin_browser.get("/admin/instances?version=abc")
    assert response.status_code == 400 and "The version must be a whole number" in response.get_data(as_text=True)


def test_a_page_of_another_patient_is_found_by_its_mrn(pathways_admin, reviews):
    register(pathways_admin, "P4")
    assert pathways_admin.instance_list(InstanceQuery(patient_id="P4"), ADMIN).rows == []
