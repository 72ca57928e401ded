"""Messages from other systems: a lab result routed to the right patient, a discharge starting a pathway.

Fixtures: tests/fixtures/bpmn/lab_followup (waits for `lab_result` into the variable `lab`, then
`lab['hba1c'] > 7` opens "Plan review" for the physician) and tests/fixtures/bpmn/tcm_on_discharge
(a `hospital_discharge` message start event, then "Discharge call" for the nurse).
"""
from __future__ import annotations

import pytest
from pathway_helpers import NURSE, deploy, open_task, open_titles

from engine.errors import InvalidInput
from tests.registry import register


@pytest.fixture
def lab_waits(pathways):
    deploy(pathways, "lab_followup")
    register(pathways, "p1", "p2")
    return pathways.start("lab_followup", "p1"), pathways.start("lab_followup", "p2")


def message_rows(pathways, instance_id):
    return pathways.instance(instance_id).messages


def test_waiting_instance_has_a_message_row_keyed_by_patient(pathways, lab_waits):
    p1, _ = lab_waits
    (row,) = message_rows(pathways, p1.id)
    assert row.message_name == "lab_result"
    assert row.patient_id == "p1"
    assert row.correlation["patient_id"] == "p1"


def test_correlate_resumes_only_the_matching_patient(pathways, lab_waits):
    p1, p2 = lab_waits
    result = pathways.correlate("lab_result", {"patient_id": "p1"}, {"hba1c": 8.1})
    assert result.delivered == [p1.id]
    assert result.started == []
    assert open_titles(pathways, p2.id) == []
    assert [m.message_name for m in message_rows(pathways, p2.id)] == ["lab_result"]


def test_high_hba1c_opens_plan_review_for_the_physician(pathways, lab_waits):
    p1, _ = lab_waits
    pathways.correlate("lab_result", {"patient_id": "p1"}, {"hba1c": 8.1})
    assert open_task(pathways, p1.id, "Plan review").role == "physician"
    assert message_rows(pathways, p1.id) == []


def test_payload_lands_in_the_message_variable(pathways, lab_waits):
    p1, _ = lab_waits
    pathways.correlate("lab_result", {"patient_id": "p1"}, {"hba1c": 8.1, "unit": "%"})
    assert pathways.instance_data(p1.id)["lab"] == {"hba1c": 8.1, "unit": "%"}


def test_hba1c_at_target_ends_the_pathway(pathways, lab_waits):
    p1, _ = lab_waits
    pathways.correlate("lab_result", {"patient_id": "p1"}, {"hba1c": 6.4})
    assert pathways.instance(p1.id).instance.status == "completed"
    assert open_titles(pathways, p1.id) == []


def test_delivery_is_audited(pathways, lab_waits):
    p1, _ = lab_waits
    pathways.correlate("lab_result", {"patient_id": "p1"}, {"hba1c": 8.1})
    events = [e for e in pathways.instance(p1.id).history if e.action == "message_correlated"]
    assert [e.details["message"] for e in events] == ["lab_result"]


def test_correlate_with_no_matching_instance_starts_nothing(pathways, lab_waits):
    before = len(pathways.instances())
    result = pathways.correlate("lab_result", {"patient_id": "p3"}, {"hba1c": 8.1})
    assert (result.delivered, result.started, result.skipped) == ([], [], [])
    assert not result.matched
    assert len(pathways.instances()) == before


def test_unknown_message_name_reaches_nobody(pathways, lab_waits):
    p1, _ = lab_waits
    result = pathways.correlate("lab_results", {"patient_id": "p1"}, {"hba1c": 8.1})
    assert not result.matched
    assert [m.message_name for m in message_rows(pathways, p1.id)] == ["lab_result"]


def test_message_for_a_suspended_instance_is_skipped_and_kept_waiting(pathways, lab_waits):
    p1, _ = lab_waits
    pathways.suspend(p1.id)
    result = pathways.correlate("lab_result", {"patient_id": "p1"}, {"hba1c": 8.1})
    assert result.skipped == [p1.id]
    assert result.delivered == [] and result.started == []
    assert [m.message_name for m in message_rows(pathways, p1.id)] == ["lab_result"]


def test_correlate_needs_keys(pathways, lab_waits):
    with pytest.raises(InvalidInput):
        pathways.correlate("lab_result", {}, {"hba1c": 8.1})


def test_discharge_message_starts_a_pathway_for_the_patient(pathways):
    deploy(pathways, "tcm_on_discharge")
    register(pathways, "p9")
    result = pathways.correlate("hospital_discharge", {"patient_id": "p9"}, {"discharge_date": "2026-01-04"})
    (instance_id,) = result.started
    instance = pathways.instance(instance_id).instance
    assert instance.patient_id == "p9"
    assert instance.process_id == "tcm_on_discharge"
    assert instance.status == "running"


def test_started_pathway_opens_the_discharge_call_with_the_payload(pathways):
    deploy(pathways, "tcm_on_discharge")
    register(pathways, "p9")
    (instance_id,) = pathways.correlate("hospital_discharge", {"patient_id": "p9"},
                                        {"discharge_date": "2026-01-04"}).started
    call = open_task(pathways, instance_id, "Discharge call")
    assert call.role == "nurse"
    assert call.patient_id == "p9"
    assert pathways.instance_data(instance_id)["discharge_date"] == "2026-01-04"
    pathways.complete(call.id, {"reached": True}, NURSE)
    assert pathways.instance(instance_id).instance.status == "completed"


def test_each_discharge_starts_its_own_pathway(pathways):
    deploy(pathways, "tcm_on_discharge")
    register(pathways, "p8", "p9")
    first = pathways.correlate("hospital_discharge", {"patient_id": "p9"}, {}).started
    second = pathways.correlate("hospital_discharge", {"patient_id": "p8"}, {}).started
    assert len(first) == len(second) == 1 and first != second
    assert {i.patient_id for i in pathways.instances()} == {"p8", "p9"}


def test_a_starting_message_needs_a_patient(pathways):
    deploy(pathways, "tcm_on_discharge")
    with pytest.raises(InvalidInput):
        pathways.correlate("hospital_discharge", {"encounter": "e1"}, {})
    assert pathways.instances() == []


def test_a_starting_message_for_a_patient_not_in_the_registry_starts_nothing(pathways):
    deploy(pathways, "tcm_on_discharge")
    result = pathways.correlate("hospital_discharge", {"patient_id": "p-unknown"}, {"discharge_date": "2026-01-04"})
    assert (result.started, pathways.instances()) == ([], [])


def test_a_starting_message_for_a_patient_not_in_the_registry_is_reported_refused_naming_them(pathways):
    deploy(pathways, "tcm_on_discharge")
    result = pathways.correlate("hospital_discharge", {"patient_id": "p-unknown"}, {"discharge_date": "2026-01-04"})
    assert "patient 'p-unknown' is not in the registry" in result.refused


def test_a_message_with_a_nul_in_its_keys_or_payload_is_refused_naming_the_place(pathways):
    from engine.errors import InvalidInput

    with pytest.raises(InvalidInput, match="the correlation keys: patient_id contains a control character"):
        pathways.correlate("lab_result", {"patient_id": "P\x001"}, {"hba1c": 8.1})
    with pytest.raises(InvalidInput, match="the payload: note contains a control character"):
        pathways.correlate("lab_result", {"patient_id": "P1"}, {"note": "a\x00b"})
