"""Walk a corpus model the way shared/corpus/MANIFEST.md's probe did, on raw SpiffWorkflow and on carepath.

Both walks get the same answers: open human tasks are completed one at a time, the least often run one
first (so a loop on one branch does not starve a parallel one), ties going to the one that became ready
first (the inbox's oldest row), with the data an `Answers` gives (empty data, the form's `*-exampledata.json`, or a
SpiffArena unit test's task data), for at most MAX_STEPS steps. Each walk ends in an outcome that the two
engines must share:

    ("completed",)                          the process ran to its end
    ("waiting", (("message", "x"), ...))    only timer/message/signal events are left to wait on
    ("error", element_id)                   a script, expression, decision or service call failed there
    ("refused", element_id)                 carepath only: the task's form refused the answer, no fix given
    ("stuck",) / ("running",)               nothing left to do but not finished / still going after MAX_STEPS

Raw SpiffWorkflow runs with SpiffBpmnParser, BpmnWorkflow and its default PythonScriptEngine (plain exec);
carepath through its facade (deploy, start, tasks, complete), so its sandbox, form validation and state
round trip are all in the way. Both read the same clock (engine.time.clock.install points SpiffWorkflow's timer
module at it), so under the frozen_clock fixture neither fires a timer before its time.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.care.actors import Actor
from engine.care.task_forms import FormInvalid
from engine.deploy.bundle import Bundle, wanted
from tests.corpus_path import CORPUS
from tests.registry import register

MAX_STEPS = 50
PATIENT = "compat-patient"
ACTOR = Actor.system_actor("compat")


# --------------------------------------------------------------------------------------------- bundles
def corpus_bundle(name: str, *paths: str) -> Bundle:
    """A bundle of corpus folders (every bundle file under them, paths relative to the folder) and single
    files (by file name: forms are found by file name, and SpiffArena resolves call activities by process id,
    whatever folder the callee sits in)."""
    files: dict[str, bytes] = {}
    for rel in paths:
        source = CORPUS / rel
        if source.is_dir():
            for file in sorted(source.rglob("*")):
                inner = file.relative_to(source).as_posix()
                if file.is_file() and wanted(inner):
                    files[inner] = file.read_bytes()
        else:
            files[source.name] = source.read_bytes()
    return Bundle(name, files)


def example_data(bundle: Bundle) -> dict[str, dict]:
    """SpiffArena's form example data, by the form schema file name it belongs to (x-exampledata.json goes
    with x-schema.json)."""
    found = {}
    for path, content in bundle.files.items():
        name = PurePosixPath(path).name
        if name.endswith("-exampledata.json"):
            found[name.removesuffix("-exampledata.json") + "-schema.json"] = json.loads(content)
    return found


# --------------------------------------------------------------------------------------------- answers
@dataclass
class Answers:
    """What a person types into each task (called with element id, form schema file name, and how often the
    element ran before). Where carepath's form validation refuses it, `fixed` says what to submit instead:
    `fixes[form]` merged in, and with `null_as_false` every None made False (SpiffArena records unticked
    boxes of boolean fields as null). No fix: carepath's walk stops at the refusal."""

    by_form: dict[str, dict] = field(default_factory=dict)  # form schema file name -> data
    replay: dict[str, list[dict]] | None = None  # element id -> data for its 1st, 2nd... run
    fixes: dict[str, dict] = field(default_factory=dict)  # form schema file name -> fields to add
    null_as_false: bool = False

    def __call__(self, element: str, form: str | None, nth: int) -> dict:
        if self.replay is not None:
            runs = self.replay.get(element) or [{}]
            return dict(runs[min(nth, len(runs) - 1)])
        return dict(self.by_form.get(form or "", {}))

    def fixed(self, form: str | None, data: dict) -> dict | None:
        fixed = {key: False if value is None and self.null_as_false else value for key, value in data.items()}
        fixed.update(self.fixes.get(form or "", {}))
        return fixed if fixed != data else None


def recorded(steps: list[tuple[str, dict]]):
    """Answers that give each element, run after run, the data another walk submitted to it."""
    by_element: dict[str, list[dict]] = {}
    for element, data in steps:
        by_element.setdefault(element, []).append(data)
    return Answers(replay=by_element)


def replay_answers(case: dict, **options) -> Answers:
    """A SpiffArena unit test case's task data. Its keys are `process id:element id`; they are matched on the
    element id alone (as the MANIFEST's replay did): test_user-guide-basics.json was recorded before its
    process was renamed (it says Proccess_general, the model Proccess_general22)."""
    replay: dict[str, list[dict]] = {}
    for key, value in case["tasks"].items():
        element = key.rsplit(":", 1)[-1]
        assert element not in replay, f"element id {element} appears twice in the test case"
        replay[element] = value["data"]
    return Answers(replay=replay, **options)


# --------------------------------------------------------------------------------------------- outcome
@dataclass
class Run:
    outcome: tuple
    data: dict
    steps: list[tuple[str, dict]]  # (element id, data) of every completed human task, in order
    refused: dict[str, list[str]] = field(default_factory=dict)  # form -> fields carepath refused it for
    message: str = ""


def waits_of(workflow) -> tuple:
    """The events a workflow with no ready human task waits on, as (kind, name) pairs."""
    found = set()
    for task in workflow.get_tasks(state=TaskState.WAITING):
        event = getattr(task.task_spec, "event_definition", None)
        if isinstance(event, TimerEventDefinition):
            found.add(("timer", event.name or task.task_spec.bpmn_name))
        elif isinstance(event, MessageEventDefinition):
            found.add(("message", event.name))
        elif isinstance(event, SignalEventDefinition):
            found.add(("signal", event.name))
    return tuple(sorted(found, key=str))


def form_of(task_spec) -> str | None:
    props = (getattr(task_spec, "extensions", None) or {}).get("properties", {}) or {}
    return props.get("formJsonSchemaFilename")


# --------------------------------------------------------------------------------------------- raw SpiffWorkflow
def spiff_run(bundle: Bundle, process_id: str, answers, start_data: dict | None = None) -> Run:
    """The walk on plain SpiffWorkflow 3.2: SpiffBpmnParser, BpmnWorkflow, default PythonScriptEngine."""
    parser = SpiffBpmnParser()
    for path, content in sorted(bundle.files.items()):
        if path.endswith(".dmn"):
            parser.add_dmn_str(content, path)
    for path, content in sorted(bundle.files.items()):
        if path.endswith(".bpmn"):
            parser.add_bpmn_str(content, path)
    workflow = BpmnWorkflow(parser.get_spec(process_id), parser.get_subprocess_specs(process_id),
                            script_engine=PythonScriptEngine())
    start = workflow.get_tasks(state=TaskState.READY)[0]
    start.data.update(start_data or {})
    start.data.setdefault("patient_id", PATIENT)
    steps: list[tuple[str, dict]] = []
    seen: list = []  # task ids in the order they became ready: carepath's inbox order
    runs: dict[str, int] = {}
    try:
        workflow.do_engine_steps()
        for _ in range(MAX_STEPS):
            ready = workflow.get_tasks(state=TaskState.READY, manual=True)
            seen.extend(t.id for t in ready if t.id not in seen)
            if not ready:
                break
            task = min(ready, key=lambda t: (runs.get(t.task_spec.bpmn_id, 0), seen.index(t.id)))
            element, nth = task.task_spec.bpmn_id, runs.get(task.task_spec.bpmn_id, 0)
            data = answers(element, form_of(task.task_spec), nth)
            runs[element] = nth + 1
            steps.append((element, data))
            task.data.update(data)
            task.run()
            workflow.do_engine_steps()
        else:
            if workflow.get_tasks(state=TaskState.READY, manual=True):
                return Run(("running",), _data(workflow), steps)
    except Exception as exc:  # noqa: BLE001 - whatever SpiffWorkflow raises is the outcome
        spec = getattr(getattr(exc, "task", None), "task_spec", None) or getattr(exc, "task_spec", None)
        if spec is None:  # not a WorkflowTaskException (SpiffWorkflow's call_service NameError): the task it left
            failed = workflow.get_tasks(state=TaskState.ERROR)
            spec = failed[0].task_spec if failed else None
        element = getattr(spec, "bpmn_id", None) or getattr(spec, "name", None)
        return Run(("error", element), _data(workflow), steps, message=f"{type(exc).__name__}: {exc}")
    if workflow.completed:
        return Run(("completed",), _data(workflow), steps)
    waits = waits_of(workflow)
    return Run(("waiting", waits) if waits else ("stuck",), _data(workflow), steps)


def _data(workflow) -> dict:
    task = workflow.last_task or workflow.task_tree
    return dict(task.data)


# --------------------------------------------------------------------------------------------- carepath
def carepath_run(pathways, process_id: str, answers: Answers, start_data: dict | None = None) -> Run:
    """The same walk through carepath's facade. A submission its form validation refuses is recorded in
    `refused` and replaced by `answers.fixed(...)`; with no fix the walk ends there, outcome ("refused", element)."""
    register(pathways, PATIENT)
    instance = pathways.start(process_id, PATIENT, dict(start_data or {}))
    steps: list[tuple[str, dict]] = []
    refused: dict[str, list[str]] = {}
    runs: dict[str, int] = {}
    for _ in range(MAX_STEPS + 1):
        if pathways.instance(instance.id).instance.status != "running":
            break
        rows = pathways.tasks(instance_id=instance.id, sort="created")
        if not rows:
            break
        if len(steps) == MAX_STEPS:
            return Run(("running",), pathways.instance_data(instance.id), steps, refused)
        row = min(rows, key=lambda r: runs.get(r.element_id, 0))  # rows come oldest first; min() is stable
        nth = runs.get(row.element_id, 0)
        data = answers(row.element_id, row.form_schema, nth)
        try:
            pathways.complete(row.id, data, ACTOR)
        except FormInvalid as invalid:
            refused.setdefault(row.form_schema, []).extend(invalid.errors)
            data = answers.fixed(row.form_schema, data)
            if data is None:
                return Run(("refused", row.element_id), pathways.instance_data(instance.id), steps, refused,
                           str(invalid))
            pathways.complete(row.id, data, ACTOR)
        runs[row.element_id] = nth + 1
        steps.append((row.element_id, data))
    view = pathways.instance(instance.id)
    status, data = view.instance.status, pathways.instance_data(instance.id)
    if status == "error":
        error = view.instance.error or {}
        return Run(("error", error.get("element")), data, steps, refused, error.get("message") or "")
    if status == "completed":
        return Run(("completed",), data, steps, refused)
    waits = {("timer", t.name) for t in view.timers} | {("message", m.message_name) for m in view.messages}
    outcome = ("waiting", tuple(sorted(waits, key=str))) if waits else ("stuck",)
    return Run(outcome, data, steps, refused)
