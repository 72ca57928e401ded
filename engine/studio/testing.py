"""Run every test case of a bundle (`carepath test pathways/`, the studio's Run tests): each `test_<file>.json`
against the process of `<file>.bpmn`, the bundle parsed once, every case in memory on its own clock."""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from engine.deploy.bundle import Bundle
from engine.deploy.parsing import ParsedBundle, parse_bundle
from engine.errors import BundleRefused, InvalidInput
from engine.runtime.runner import Runtime
from engine.studio import cases as case_files
from engine.studio.runner import RunResult, play


@dataclass
class CaseOutcome:
    file: str
    bpmn: str
    process: str | None
    result: RunResult

    def to_dict(self) -> dict:
        return {"file": self.file, "bpmn": self.bpmn, "process": self.process, **self.result.to_dict()}


@dataclass
class CaseReport:
    bundle: str
    outcomes: list[CaseOutcome] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # files that could not be read, a bundle that does not parse

    @property
    def passed(self) -> int:
        return sum(1 for o in self.outcomes if o.result.passed)

    @property
    def failed(self) -> int:
        return sum(1 for o in self.outcomes if not o.result.passed) + len(self.problems)

    @property
    def green(self) -> bool:
        return self.failed == 0 and self.passed > 0


def files_with_cases(bundle: Bundle) -> list[str]:
    return sorted(p for p in bundle.files if case_files.is_test_file(p))


def default_process(parsed: ParsedBundle, bpmn_path: str) -> str | None:
    """The executable process of the file that no process of the same file calls (a program, or a stage)."""
    mine = [info for info in parsed.processes.values() if info.file == bpmn_path and info.executable]
    top = [info for info in mine if not any(other.file == bpmn_path and other is not info and info.called
                                            for other in mine)] or mine
    return top[0].id if top else None


_PARSED: OrderedDict[str, ParsedBundle] = OrderedDict()
_PARSED_LOCK = threading.Lock()
KEEP_PARSED = 8  # bundles kept parsed, by content: a walk or a test run again on unchanged content reuses them


def parse(bundle: Bundle) -> ParsedBundle:
    key = bundle.content_hash
    with _PARSED_LOCK:
        if key in _PARSED:
            _PARSED.move_to_end(key)
            return _PARSED[key]
    try:
        parsed = parse_bundle(bundle)
    except BundleRefused as refused:
        raise InvalidInput(f"the bundle does not deploy, so its tests cannot run ({len(refused.problems)} "
                           f"problem(s); the first: {refused.problems[0]})") from None
    with _PARSED_LOCK:
        _PARSED[key] = parsed
        while len(_PARSED) > KEEP_PARSED:
            _PARSED.popitem(last=False)
    return parsed


def run_bundle(bundle: Bundle, runtime: Runtime | None = None, *, only_file: str | None = None,
               only_case: str | None = None, parsed: ParsedBundle | None = None) -> CaseReport:
    report = CaseReport(bundle.name)
    files = [f for f in files_with_cases(bundle) if only_file in (None, f)]
    try:
        parsed = parsed or parse(bundle)
    except InvalidInput as exc:
        report.problems.append(exc.message)
        return report
    runtime = runtime or Runtime(None)
    for path in files:
        bpmn = case_files.bpmn_file_for(path)
        try:
            cases = case_files.parse_file(path, bundle.files[path])
        except InvalidInput as exc:
            report.problems.append(exc.message)
            continue
        if bpmn not in bundle.files:
            report.problems.append(f"{path}: there is no {bpmn} beside it to test")
            continue
        for case in cases:
            if only_case not in (None, case.name):
                continue
            process = case.process or default_process(parsed, bpmn)
            if process is None or process not in parsed.processes:
                report.problems.append(f"{path}: case '{case.name}': no executable process "
                                       f"{case.process or 'in ' + bpmn} to start")
                continue
            report.outcomes.append(CaseOutcome(path, bpmn, process, play(parsed, runtime, process, case)))
    return report


def walk(bundle: Bundle, bpmn_path: str, case: case_files.Case, runtime: Runtime | None = None,
         parsed: ParsedBundle | None = None) -> CaseOutcome:
    """Play a case as far as its answers go: where the pathway stands, for the studio's walk."""
    parsed = parsed or parse(bundle)
    process = case.process or default_process(parsed, bpmn_path)
    if process is None:
        raise InvalidInput(f"{bpmn_path}: no executable process to walk through")
    path = case_files.test_file_for(bpmn_path)
    return CaseOutcome(path, bpmn_path, process, play(parsed, runtime or Runtime(None), process, case, walk=True))
