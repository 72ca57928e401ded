"""The bottleneck heatmap's figures against tasks with known times: each step's count, median and 90th
percentile of waiting (ready to claimed) and working (claimed to completed), share overdue; the tasks behind a
step; the diagrams they are drawn on."""
from __future__ import annotations

import pytest

from engine.service import Actor, NotFound
from tests.reports.world import ADA, CARL, at, enrol, review

pytestmark = pytest.mark.dates

HOUR = 3600.0
MARCH = {"start": "2027-03-01", "end": "2027-03-15"}


@pytest.fixture
def worked(reports, frozen_clock):
    """Three patients whose first monthly review opened on 2 March at 09:00 (when the plan was agreed) and was
    claimed and completed at known hours; each review opens the next one, due a week later."""
    for patient, day, claimed, done in (("H1", "2027-03-03", 9, 12), ("H2", "2027-03-04", 9, 10),
                                        ("H3", "2027-03-10", 9, 13)):
        instance = enrol(reports, frozen_clock, patient, consent_on="2027-03-01", plan_on="2027-03-02")
        review(reports, frozen_clock, instance, day, claimed_hour=claimed, hour=done)
    frozen_clock.set(at("2027-03-15"))
    return reports


def _steps(service, **filters):
    page = service.heatmap(ADA, version=1, program="ccm", **(MARCH | filters))
    return page, {step.element_id: step for step in page.heatmap.steps}


def test_each_step_has_its_count_and_overdue_share(worked):
    _, steps = _steps(worked)
    review = steps["monthly_review"]
    # three done (H3's after its due time) and three open, H1's and H2's past their due time
    assert (review.count, review.completed, review.overdue, review.overdue_share) == (6, 3, 3, 0.5)


def test_waiting_and_working_are_medians_and_90th_percentiles(worked):
    _, steps = _steps(worked)
    review = steps["monthly_review"]
    assert (review.waiting_median, review.waiting_p90) == (48 * HOUR, pytest.approx(163.2 * HOUR))
    assert (review.working_median, review.working_p90) == (3 * HOUR, pytest.approx(3.8 * HOUR))


def test_a_task_completed_straight_from_its_queue_waited_until_it_was_completed(worked):
    _, steps = _steps(worked)
    plan = steps["agree_plan"]
    assert (plan.count, plan.waiting_median, plan.working_median) == (3, 24 * HOUR, None)


def test_each_step_is_drawn_on_its_stages_diagram_after_the_programs(worked):
    page, steps = _steps(worked)
    assert [d.process_id for d in page.heatmap.diagrams] == ["ccm", "engagement", "planning", "evaluation"]
    assert steps["monthly_review"].process_id == "evaluation"
    assert page.heatmap.diagrams[0].calls == {"engagement": "engagement", "planning": "planning",
                                              "evaluation": "evaluation"}


def test_the_range_counts_the_tasks_created_in_it(worked):
    _, steps = _steps(worked, start="2027-03-05", end="2027-03-15")
    assert set(steps) == {"monthly_review"} and steps["monthly_review"].count == 1  # H3's second review


def test_the_tasks_behind_a_step_are_listed_and_its_overdue_ones_apart(worked):
    tasks, total = worked.heatmap_tasks(ADA, 1, "ccm", "Evaluation", "monthly_review", **MARCH)
    late, late_total = worked.heatmap_tasks(ADA, 1, "ccm", "Evaluation", "monthly_review", overdue=True, **MARCH)
    assert (total, len(tasks), late_total) == (6, 6, 3)
    assert {t.task.patient_id for t in late} == {"H1", "H2", "H3"} and all(t.overdue for t in late)


def test_a_viewer_sees_the_steps_of_their_patients_only(worked):
    sam = Actor.person("sam", "social_worker")
    assert worked.heatmap(sam, version=1, program="ccm", **MARCH).heatmap.steps == []
    assert worked.heatmap(CARL, version=1, program="ccm", **MARCH).heatmap.tasks == 12


def test_the_newest_version_and_its_busiest_program_are_the_default(worked):
    page = worked.heatmap(ADA)
    assert (page.heatmap.deployment_id, page.heatmap.process_id) == (1, "ccm")
    assert page.versions[0][0] == 1


def test_a_versions_diagram_is_its_bpmn_file(worked):
    assert b'id="evaluation"' in worked.heatmap_diagram(1, "evaluation", ADA)


@pytest.mark.parametrize("version,program", [(99, "ccm"), (1, "nope")])
def test_an_unknown_version_or_program_is_not_found(worked, version, program):
    with pytest.raises(NotFound):
        worked.heatmap(ADA, version=version, program=program)
