"""Shared helpers for the sandbox tests: environments with short limits and BPMN fixture loading."""
from __future__ import annotations

from pathlib import Path

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine.sandbox import SandboxedScriptEngine, SandboxEnvironment, SandboxLimits

THREATS_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "threats"

FAST = SandboxLimits(time_limit_seconds=0.2)


@pytest.fixture
def env() -> SandboxEnvironment:
    return SandboxEnvironment(FAST)


def _run_script(environment: SandboxEnvironment, script: str, **data) -> dict:
    """Execute `script` on a copy of `data`; returns the task data afterwards."""
    context = dict(data)
    environment.execute(script, context)
    return context


@pytest.fixture
def run_script():
    """run_script(environment, script, **data) -> task data after the script."""
    return _run_script


def _load_workflow(path: Path, engine: SandboxedScriptEngine | None = None, dmn: list[Path] = ()) -> BpmnWorkflow:
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(path))
    for dmn_path in dmn:
        parser.add_dmn_file(str(dmn_path))
    process_id = parser.get_process_ids()[0]
    return BpmnWorkflow(parser.get_spec(process_id), script_engine=engine or SandboxedScriptEngine(FAST))


def _fixture_workflow(name: str, engine: SandboxedScriptEngine | None = None) -> BpmnWorkflow:
    return _load_workflow(THREATS_DIR / f"{name}.bpmn", engine)


@pytest.fixture
def load_workflow():
    """load_workflow(bpmn_path, engine=None, dmn=()) -> BpmnWorkflow of the file's first process."""
    return _load_workflow


@pytest.fixture
def fixture_workflow():
    """fixture_workflow(name, engine=None) -> BpmnWorkflow of tests/fixtures/threats/<name>.bpmn."""
    return _fixture_workflow
