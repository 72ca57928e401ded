"""Threat pathways run through the engine service: each instance ends in error, nothing else is harmed."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from engine.deploy.bundle import Bundle
from engine.models import AuditEvent, InstanceStatus
from engine.sandbox import SandboxLimits
from tests.conftest import FIXTURES
from tests.registry import register
from tests.sandbox.test_sandbox_threat_fixtures import FILES_THE_THREATS_TRY_TO_WRITE, THREATS

THREATS_DIR = FIXTURES / "threats"


@pytest.fixture
def guarded(database, frozen_clock):
    from engine.service import CarePathways

    service = CarePathways(database, limits=SandboxLimits(time_limit_seconds=0.2))
    register(service, "p-threat", "p-healthy")
    return service


def deploy_threat(pathways, name):
    path = THREATS_DIR / f"{name}.bpmn"
    pathways.deploy(Bundle(name=f"threat-{name}", files={path.name: path.read_bytes()}))
    return f"threat_{name}"


@pytest.mark.parametrize("name", sorted(THREATS))
def test_threat_instance_ends_in_error_naming_the_refusal(guarded, name):
    error_class, message, line = THREATS[name]
    instance = guarded.start(deploy_threat(guarded, name), "p-threat")
    stored = guarded.instance(instance.id).instance
    assert stored.status == InstanceStatus.ERROR
    assert stored.error["element"] == "run_script"
    assert message in stored.error["message"]
    assert stored.error["line"] == line


@pytest.mark.parametrize("name", ["import_os", "open_file", "infinite_loop", "huge_list"])
def test_threat_leaves_other_patients_pathways_running(guarded, name):
    benign = THREATS_DIR / "benign.bpmn"
    guarded.deploy(Bundle(name="benign", files={benign.name: benign.read_bytes()}))
    guarded.start(deploy_threat(guarded, name), "p-threat")
    healthy = guarded.start("benign_script", "p-healthy")
    assert guarded.instance(healthy.id).instance.status != InstanceStatus.ERROR
    assert not any(os.path.exists(p) for p in FILES_THE_THREATS_TRY_TO_WRITE)


def test_threat_error_is_in_the_audit_trail(guarded, database):
    instance = guarded.start(deploy_threat(guarded, "import_os"), "p-threat")
    with database.transaction() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance.id,
                                                         AuditEvent.action == "error")).one()
    assert "import of 'os' is not allowed" in event.details["message"]
