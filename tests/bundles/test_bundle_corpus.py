"""The compatibility corpus (shared/corpus, see its MANIFEST.md): what SpiffWorkflow 3.2 can run deploys,
what it cannot is refused with problems naming the file and the element. Skipped when the corpus is absent."""
from __future__ import annotations

import re

import pytest

from engine.deploy.bundle import Bundle, load_bundle
from engine.deploy.parsing import parse_bundle

# SpiffArena and Camunda folders that SpiffWorkflow 3.2 parses and runs (MANIFEST.md probe outcomes)
RUNNABLE = ["spiff/0-2-basic-example", "spiff/1-2-forms", "spiff/1-4-decisions", "spiff/1-6-roles",
            "spiff/2-3-sub-processes", "spiff/2-4-messages", "spiff/allow-updates-until-approved",
            "spiff/escalation-events", "spiff/invitation-to-quote", "spiff/manual-task-with-timer",
            "spiff/multi-instance", "spiff/multiple-approvals", "spiff/parallel-user-task-data",
            "spiff/process-model-with-form", "spiff/service-task-error-strategies",
            "spiff/simple-multi-instance-examples", "spiff/timer-events", "camunda/task-camunda-forms",
            "camunda/task-form-embedded", "camunda/task-form-embedded-bpmn-events",
            "camunda/message-start/message_start_process.bpmn"]


def bundle_of(corpus, *paths: str) -> Bundle:
    """A bundle of corpus files (or of a corpus folder when given one folder)."""
    if len(paths) == 1 and (corpus / paths[0]).is_dir():
        return load_bundle(corpus / paths[0])
    return Bundle("corpus", {(corpus / p).name: (corpus / p).read_bytes() for p in paths})


@pytest.mark.parametrize("path", RUNNABLE)
def test_what_spiffworkflow_runs_deploys(corpus, path):
    assert parse_bundle(bundle_of(corpus, path)).startable


def test_spiffarena_basic_example_gives_its_process_and_form(corpus):
    parsed = parse_bundle(bundle_of(corpus, "spiff/0-2-basic-example"))
    assert (parsed.startable, set(parsed.forms)) == (["Proccess_general22"], {"norris-schema.json",
                                                                              "norris-uischema.json"})


def test_spiffarena_allow_updates_until_approved_deploys(corpus):
    parsed = parse_bundle(bundle_of(corpus, "spiff/allow-updates-until-approved"))
    assert parsed.startable == ["edit_till_action"] and parsed.spec("edit_till_action").name == "edit_till_action"


def test_spiffarena_documentation_pool_is_a_warning(corpus):
    parsed = parse_bundle(bundle_of(corpus, "spiff/invitation-to-quote"))
    assert [w.element for w in parsed.warnings] == ["receive_quote_prototype"]


def test_camunda_service_tasks_are_refused_naming_file_and_element(corpus, problems):
    found = problems(bundle_of(corpus, "camunda/job-announcement"))
    operators = [(p.file, p.element) for p in found if "must have an operator" in p.message]
    assert ("camunda-testing-job-announcement.bpmn", "mail") in operators and len(operators) == 4


def test_camunda_juel_conditions_are_refused(corpus, problems):
    found = problems(bundle_of(corpus, "camunda/job-announcement"))
    assert {p.element for p in found if "JUEL" in p.message} >= {"Flow_1gfi885", "Flow_0yjunvn"}


def test_miwg_collapsed_subprocess_is_refused_with_its_line(corpus, problems):
    found = [p for p in problems(bundle_of(corpus, "miwg/C.3.0.bpmn")) if "start event" in p.message]
    assert [(p.file, p.element, p.line) for p in found] == [("C.3.0.bpmn", "_cd6f230f-13c3-4027-aa3e-57de601a1ab2", 244)]


def test_miwg_bare_iso_timer_asks_for_quotes(corpus, problems):
    found = problems(bundle_of(corpus, "miwg/C.3.0.bpmn"))
    assert any("PT2H" in p.message and "quote it" in p.message for p in found)


def test_miwg_timers_once_quoted_deploy(corpus):
    text = (corpus / "miwg/C.9.1.bpmn").read_text()
    quoted = re.sub(r"(<bpmn2?:time(?:Cycle|Duration)[^>]*>)([^<]+)<", r"\1'\2'<", text)
    assert parse_bundle(Bundle("c91", {"C.9.1.bpmn": quoted.encode()})).startable == ["requestDocument_en"]


def test_unbounded_hourly_cycle_without_t_designator_is_invalid(corpus, problems):
    found = problems(bundle_of(corpus, "spiff/from-discord"))
    assert [(p.file, p.element) for p in found] == [("diagram_1.bpmn", "Event_1vhjqne")]
    assert "Invalid duration" in found[0].message


def test_camunda_dmn_with_two_decisions_names_file_and_decisions(corpus, problems):
    found = [p for p in problems(bundle_of(corpus, "camunda/dmn-drg")) if p.file == "dinnerDecisions.dmn"]
    assert len(found) == 1 and "2 decisions (beverages, dish)" in found[0].message


def test_miwg_model_without_executable_process_is_refused(corpus, problems):
    found = problems(bundle_of(corpus, "miwg/A.2.0.bpmn"))
    assert [(p.element, "no executable process" in p.message) for p in found] == [("WFP-6-", True)]


def test_miwg_data_stores_are_refused(corpus, problems):
    found = problems(bundle_of(corpus, "miwg/C.4.0.bpmn"))
    assert len([p for p in found if "data store" in p.message]) == 3


def test_call_activities_across_files_resolve(corpus, problems):
    # C.9.0 calls C.9.2's process, which calls C.9.1's: no "not in the bundle" problem once all three are given
    found = problems(bundle_of(corpus, "miwg/C.9.0.bpmn", "miwg/C.9.1.bpmn", "miwg/C.9.2.bpmn"))
    assert not [p for p in found if "not in the bundle" in p.message]


def test_every_corpus_bundle_gives_a_result_and_no_traceback(corpus):
    from engine.errors import BundleRefused

    folders = [p for p in sorted(corpus.glob("*/*")) if p.is_dir()]
    for folder in folders:
        try:
            parse_bundle(load_bundle(folder))
        except BundleRefused as refused:
            assert all(p.file and p.message for p in refused.problems)
