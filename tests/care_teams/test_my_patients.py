"""My patients: the patients whose care team I am on, with programs, stage, risk tier, open and overdue task
counts and this month's care minutes; sortable and filterable."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.models import AuditEvent
from engine.service import MyPatientsQuery
from tests.care_teams.conftest import FIXTURES, actor

BOTH_DATABASES = True  # counts and sums grouped by patient


def mine(service, username="carl", **filters):
    return service.my_patients(MyPatientsQuery(username=username, **filters), actor(username))


@pytest.fixture
def working(teamed, frozen_clock):
    """Ada (MRN-1, Carl's team) in a review loop whose task is overdue and has 15 minutes this month."""
    teamed.deploy(FIXTURES / "bpmn" / "review_loop")
    instance = teamed.start("review_loop", "MRN-1", None, actor("carl"))
    task = teamed.tasks(instance_id=instance.id)[0]
    teamed.complete(task.id, {"decision": "continue"}, actor("carl"), minutes=15)
    frozen_clock.advance(timedelta(days=8))
    return teamed


def test_my_patients_are_those_whose_team_i_am_on(working):
    assert [r.patient.id for r in mine(working).rows] == ["MRN-1"]


def test_someone_on_no_team_has_no_patients(working):
    assert mine(working, "sam").rows == []


def test_each_row_has_its_programs_counts_and_minutes(working):
    (row,) = mine(working).rows
    assert (row.programs, row.open_tasks, row.overdue_tasks, row.minutes, row.lead) == (
        ["Monthly review loop"], 1, 1, 15, True)


def test_a_members_row_names_their_role_on_the_team(working):
    (row,) = mine(working, "ned").rows
    assert (row.roles, row.lead) == (["nurse"], False)


def test_the_list_filters_to_patients_with_overdue_work(working):
    working.join_care_team("MRN-2", "carl", "care_manager", "Enrolled", actor("carl"), lead=True)
    assert [r.patient.id for r in mine(working, attention=True).rows] == ["MRN-1"]


def test_the_list_filters_by_program(working):
    working.join_care_team("MRN-2", "carl", "care_manager", "Enrolled", actor("carl"), lead=True)
    assert [r.patient.id for r in mine(working, program="Monthly review loop").rows] == ["MRN-1"]


def test_the_list_sorts_by_overdue_work_most_first(working):
    working.join_care_team("MRN-2", "carl", "care_manager", "Enrolled", actor("carl"), lead=True)
    rows = mine(working, sort="overdue", descending=True).rows
    assert [r.patient.id for r in rows] == ["MRN-1", "MRN-2"]


def test_the_list_searches_by_name(working):
    working.join_care_team("MRN-2", "carl", "care_manager", "Enrolled", actor("carl"), lead=True)
    assert [r.patient.id for r in mine(working, search="grace").rows] == ["MRN-2"]


def test_reading_my_patients_is_audited_naming_them(working):
    mine(working)
    with working.db.transaction() as s:
        details = s.scalars(select(AuditEvent.details).where(AuditEvent.action == "patients_listed")).all()
    assert {"list": "my patients", "search": None, "patients": ["MRN-1"]} in details
