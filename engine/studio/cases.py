"""Test cases beside a pathway, in SpiffArena's unit-test format, with carepath's extensions.

A file `test_<bpmn file name>.json` sits beside the BPMN file it tests (`bpmn/test_ccm.json` tests
`bpmn/ccm.bpmn`) and holds named cases. SpiffArena's own keys keep their meaning, so its test runner reads the
same file:

    {"enrolled_and_discharged": {
        "tasks": {"identification:review_candidate": {"data": [{"candidate_decision": "enrol"}]}},
        "expected_output_json": {...}}}

- `tasks`: per task (its id, or `process id:task id`), the answers given each time it comes, in order.
- `expected_output_json`: the pathway's data when it has ended, exactly (SpiffArena compares all of it).

carepath's extensions (SpiffArena ignores keys it does not know):

- `description`: what the case shows, in words.
- `process`: the process to start (default: the file's executable process that nothing in it calls).
- `start_at`: the simulated moment the case starts (ISO 8601; default 2026-01-05T09:00:00Z), so dates in the
  data are the same on every run. `patient_id` (default TEST-1) and `start_data`.
- `start_message`: `{"name": ..., "payload": {...}}` for a pathway that a message starts (TCM).
- `steps`: time and messages, in order. `{"advance": "P3D"}` moves the clock on by a duration, firing every
  timer that comes due on the way at its own moment; `{"until": "2027-02-01T09:00:00Z"}` moves it to a moment;
  `{"message": "lab_result", "payload": {...}}` delivers a message to the pathway. A step is taken when the
  pathway has no task left that the case answers, or, with `"after_tasks": N`, as soon as N tasks were done.
- `expected_path`: the ids of the elements of the tested process, in the order they finished.
- `expected_tasks`: per role, the ids of the human tasks that came to it, in order.
- `expected_status`: `completed` (the default, as in SpiffArena) or `waiting` (the case ends mid-pathway).
- `expected_data`: values the data must hold at the end (the rest may be anything).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import PurePosixPath

from engine.errors import InvalidInput
from engine.time.durations import parse_duration

DEFAULT_START = "2026-01-05T09:00:00+00:00"  # a Monday morning, no holiday near it
DEFAULT_PATIENT = "TEST-1"
STATUSES = ("completed", "waiting")
SPIFF_KEYS = {"tasks", "expected_output_json", "mocks"}
OUR_KEYS = {"description", "process", "start_at", "patient_id", "start_data", "start_message", "steps",
            "expected_path", "expected_tasks", "expected_status", "expected_data"}
STEP_KINDS = ("advance", "until", "message")
NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_ .-]{0,99}$")


def test_file_for(bpmn_path: str) -> str:
    """bpmn/ccm.bpmn -> bpmn/test_ccm.json"""
    path = PurePosixPath(bpmn_path)
    return str(path.with_name(f"test_{path.stem}.json"))


def bpmn_file_for(test_path: str) -> str | None:
    """bpmn/test_ccm.json -> bpmn/ccm.bpmn; None for a file that is not a test case file."""
    path = PurePosixPath(test_path)
    if not (path.name.startswith("test_") and path.suffix == ".json"):
        return None
    return str(path.with_name(path.stem.removeprefix("test_") + ".bpmn"))


def is_test_file(path: str) -> bool:
    return bpmn_file_for(path) is not None


@dataclass
class Step:
    kind: str  # advance, until, message
    value: str  # the duration, the moment, or the message's name
    payload: dict = field(default_factory=dict)
    after_tasks: int | None = None

    def describe(self) -> str:
        if self.kind == "advance":
            return f"time moves on {self.value}"
        if self.kind == "until":
            return f"time moves on to {self.value}"
        return f"message {self.value} arrives"

    def to_json(self) -> dict:
        out: dict = {self.kind: self.value}
        if self.kind == "message":
            out["payload"] = self.payload
        if self.after_tasks is not None:
            out["after_tasks"] = self.after_tasks
        return out


@dataclass
class Case:
    name: str
    tasks: dict[str, list[dict]]
    description: str = ""
    process: str | None = None
    start_at: datetime = field(default_factory=lambda: datetime.fromisoformat(DEFAULT_START))
    patient_id: str = DEFAULT_PATIENT
    start_data: dict = field(default_factory=dict)
    start_message: dict | None = None
    steps: list[Step] = field(default_factory=list)
    expected_path: list[str] | None = None
    expected_tasks: dict[str, list[str]] | None = None
    expected_status: str = "completed"
    expected_output: dict | None = None
    expected_data: dict | None = None
    mocks: dict = field(default_factory=dict)


def parse_file(path: str, content: bytes) -> list[Case]:
    """Every case of a test file; InvalidInput names the file, the case and what is wrong."""
    try:
        document = json.loads(content)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise InvalidInput(f"{path}: not valid JSON{where}: {getattr(exc, 'msg', None) or exc}") from None
    if not isinstance(document, dict):
        raise InvalidInput(f"{path}: a test file holds a JSON object of named cases")
    return [parse_case(path, name, body) for name, body in document.items()]


def parse_case(path: str, name: str, body) -> Case:
    def wrong(message: str):
        return InvalidInput(f"{path}: case '{name}': {message}")

    if not NAME.match(name or ""):
        raise InvalidInput(f"{path}: case name '{name}' must be letters, digits, '_', '-', '.' or spaces")
    if not isinstance(body, dict):
        raise wrong("must be a JSON object")
    unknown = set(body) - SPIFF_KEYS - OUR_KEYS
    if unknown:
        raise wrong(f"unknown key(s) {', '.join(sorted(unknown))}")
    tasks = _tasks(body.get("tasks", {}), wrong)
    status = body.get("expected_status", "completed")
    if status not in STATUSES:
        raise wrong(f"expected_status must be one of {', '.join(STATUSES)}")
    start_at = _moment(body.get("start_at", DEFAULT_START), wrong, "start_at")
    case = Case(name=name, tasks=tasks, description=str(body.get("description", "")),
                process=body.get("process"), start_at=start_at,
                patient_id=str(body.get("patient_id", DEFAULT_PATIENT)),
                start_data=_object(body.get("start_data", {}), wrong, "start_data"),
                start_message=_start_message(body.get("start_message"), wrong),
                steps=[_step(i, s, wrong) for i, s in enumerate(_list(body.get("steps", []), wrong, "steps"), 1)],
                expected_path=_ids(body.get("expected_path"), wrong, "expected_path"),
                expected_tasks=_roles(body.get("expected_tasks"), wrong),
                expected_status=status, expected_output=body.get("expected_output_json"),
                expected_data=body.get("expected_data"), mocks=_object(body.get("mocks", {}), wrong, "mocks"))
    if case.expected_output is not None and not isinstance(case.expected_output, dict):
        raise wrong("expected_output_json must be a JSON object")
    if case.expected_data is not None and not isinstance(case.expected_data, dict):
        raise wrong("expected_data must be a JSON object")
    return case


def _tasks(value, wrong) -> dict[str, list[dict]]:
    if not isinstance(value, dict):
        raise wrong("tasks must be an object of task ids")
    tasks = {}
    for key, entry in value.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("data"), list):
            raise wrong(f'tasks["{key}"] must be {{"data": [answers, ...]}}')
        if not all(isinstance(answers, dict) for answers in entry["data"]):
            raise wrong(f'tasks["{key}"].data must hold one JSON object of answers per time the task comes')
        tasks[key] = entry["data"]
    return tasks


def _moment(text, wrong, what: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise wrong(f"{what} must be an ISO 8601 moment like 2027-01-04T09:00:00Z, got {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _object(value, wrong, what: str) -> dict:
    if not isinstance(value, dict):
        raise wrong(f"{what} must be a JSON object")
    return value


def _list(value, wrong, what: str) -> list:
    if not isinstance(value, list):
        raise wrong(f"{what} must be a list")
    return value


def _ids(value, wrong, what: str) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise wrong(f"{what} must be a list of element ids")
    return value


def _roles(value, wrong) -> dict[str, list[str]] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise wrong("expected_tasks must be an object: role -> [task ids]")
    return {role: _ids(ids, wrong, f"expected_tasks.{role}") for role, ids in value.items()}


def _start_message(value, wrong) -> dict | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        raise wrong('start_message must be {"name": ..., "payload": {...}}')
    return {"name": value["name"], "payload": _object(value.get("payload", {}), wrong, "start_message.payload")}


def _step(number: int, value, wrong) -> Step:
    if not isinstance(value, dict):
        raise wrong(f"step {number} must be a JSON object")
    kinds = [k for k in STEP_KINDS if k in value]
    if len(kinds) != 1:
        raise wrong(f"step {number} must have one of {', '.join(STEP_KINDS)}")
    kind = kinds[0]
    after = value.get("after_tasks")
    if after is not None and (not isinstance(after, int) or isinstance(after, bool) or after < 0):
        raise wrong(f"step {number}: after_tasks must be a whole number of tasks")
    text = value[kind]
    if not isinstance(text, str) or not text.strip():
        raise wrong(f"step {number}: {kind} needs a value")
    if kind == "advance":
        try:
            parse_duration(text, datetime.fromisoformat(DEFAULT_START))
        except ValueError as exc:
            raise wrong(f"step {number}: {exc}") from None
    elif kind == "until":
        _moment(text, wrong, f"step {number}: until")
    payload = value.get("payload", {}) if kind == "message" else {}
    return Step(kind, text.strip(), _object(payload, wrong, f"step {number}: payload"), after)


def case_to_json(case: Case) -> dict:
    """A case as the test file holds it (SpiffArena's keys first, then carepath's)."""
    body: dict = {"tasks": {key: {"data": answers} for key, answers in case.tasks.items()}}
    if case.expected_output is not None:
        body["expected_output_json"] = case.expected_output
    if case.mocks:
        body["mocks"] = case.mocks
    if case.description:
        body["description"] = case.description
    if case.process:
        body["process"] = case.process
    body["start_at"] = case.start_at.isoformat()
    if case.patient_id != DEFAULT_PATIENT:
        body["patient_id"] = case.patient_id
    if case.start_data:
        body["start_data"] = case.start_data
    if case.start_message:
        body["start_message"] = case.start_message
    if case.steps:
        body["steps"] = [s.to_json() for s in case.steps]
    if case.expected_path is not None:
        body["expected_path"] = case.expected_path
    if case.expected_tasks is not None:
        body["expected_tasks"] = case.expected_tasks
    body["expected_status"] = case.expected_status
    if case.expected_data is not None:
        body["expected_data"] = case.expected_data
    return body


def with_case(path: str, content: bytes | None, case_name: str, body: dict) -> bytes:
    """The test file with case `case_name` added or replaced (checked first), as pretty JSON."""
    parse_case(path, case_name, body)
    document = json.loads(content) if content else {}
    if not isinstance(document, dict):
        raise InvalidInput(f"{path}: a test file holds a JSON object of named cases")
    document[case_name] = body
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
