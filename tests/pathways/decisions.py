"""Run a shipped decision table (pathways/dmn/<id>.dmn) through SpiffWorkflow's DMN engine, in the sandbox."""
from __future__ import annotations

from functools import cache
from types import SimpleNamespace

from engine.deploy.parsing import CarepathParser
from engine.sandbox import SandboxedScriptEngine
from tests.pathways.library import PATHWAYS

DMN = PATHWAYS / "dmn"
SCRIPT_ENGINE = SandboxedScriptEngine()


@cache
def _decision(decision_id: str):
    parser = CarepathParser()
    parser.add_dmn_file(str(DMN / f"{decision_id}.dmn"))
    return parser.get_engine(decision_id, None)


def decide(decision_id: str, **data) -> dict:
    """What the decision adds to task data `data` (as a business rule task would merge it)."""
    task = SimpleNamespace(data=dict(data), workflow=SimpleNamespace(script_engine=SCRIPT_ENGINE))
    return dict(_decision(decision_id).result(task))
