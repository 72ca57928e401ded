"""Programs and versions: an uploaded bundle is checked as `carepath deploy` checks one, kept until deployed,
then deployed on request; versions with their instance counts; programs closed to new starts for every door."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from engine.service import Conflict, Forbidden, InvalidInput, InvalidState
from tests.admin.conftest import ADMIN, CARL, REVIEW_LOOP
from tests.registry import register


def _zip(folder: Path, edit=None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            content = path.read_text()
            if edit and path.suffix == ".bpmn":
                content = edit(content)
            archive.writestr(f"review_loop/{path.name}", content)
    return buffer.getvalue()


def _broken(text: str) -> str:
    return text.replace("decision == 'continue'", "decision ==")


def test_a_bundle_with_an_error_is_refused_with_its_file_element_and_line(service):
    upload = service.check_bundle_upload("review_loop.zip", _zip(REVIEW_LOOP, _broken), ADMIN)
    (problem,) = upload.problems
    assert (upload.status, problem["file"], problem["element"], problem["line"]) == (
        "refused", "review_loop.bpmn", "flow_again", 45)


def test_a_refused_bundle_stores_no_version(service):
    service.check_bundle_upload("review_loop.zip", _zip(REVIEW_LOOP, _broken), ADMIN)
    assert service.versions() == []


def test_a_checked_bundle_is_not_deployed_until_asked(service):
    upload = service.check_bundle_upload("review_loop.zip", _zip(REVIEW_LOOP), ADMIN)
    assert (upload.status, service.versions()) == ("checked", [])


def test_deploying_a_checked_upload_makes_the_next_version(service):
    upload = service.check_bundle_upload("review_loop.zip", _zip(REVIEW_LOOP), ADMIN)
    result = service.deploy_upload(upload.id, ADMIN)
    assert (result.deployment.name, result.deployment.version, result.deployment.deployed_by) == (
        "review_loop", 1, "admin")


def test_an_upload_is_deployed_once(service):
    upload = service.check_bundle_upload("review_loop.zip", _zip(REVIEW_LOOP), ADMIN)
    service.deploy_upload(upload.id, ADMIN)
    with pytest.raises(InvalidState, match="is deployed"):
        service.deploy_upload(upload.id, ADMIN)


def test_the_same_content_again_is_unchanged(service):
    service.deploy(REVIEW_LOOP)
    upload = service.check_bundle_upload("review_loop.zip", _zip(REVIEW_LOOP), ADMIN)
    assert upload.status == "unchanged"


def test_a_file_that_is_not_a_zip_is_refused(service):
    with pytest.raises(InvalidInput, match=r"\.zip file"):
        service.check_bundle_upload("review_loop.bpmn", b"<xml/>", ADMIN)


def test_a_bundle_name_may_be_given(service):
    upload = service.check_bundle_upload("upload.zip", _zip(REVIEW_LOOP), ADMIN, name="ccm pilot")
    assert upload.name == "ccm pilot"


def test_only_admins_upload_bundles(service):
    with pytest.raises(Forbidden):
        service.check_bundle_upload("review_loop.zip", _zip(REVIEW_LOOP), CARL)


def test_versions_count_their_open_instances(pathways_admin, reviews):
    pathways_admin.terminate(reviews[0], reason="moved away")
    (bundle,) = pathways_admin.programs_overview(ADMIN).bundles
    assert (bundle.newest.open_instances, bundle.newest.total_instances) == (2, 3)


def test_a_closed_program_cannot_be_started(pathways_admin):
    pathways_admin.set_program_open("review_loop", False, ADMIN, "replaced by CCM v2")
    with pytest.raises(Conflict, match=r"closed to new starts \(replaced by CCM v2\)"):
        pathways_admin.start("review_loop", "P1")


def test_a_closed_program_is_not_offered_to_care_teams(pathways_admin):
    pathways_admin.set_program_open("review_loop", False, ADMIN)
    assert [p["id"] for p in pathways_admin.programs()] == []


def test_closing_a_program_leaves_running_instances_alone(pathways_admin, reviews):
    pathways_admin.set_program_open("review_loop", False, ADMIN)
    task = pathways_admin.tasks(instance_id=reviews[0])[0]
    pathways_admin.complete(task.id, {"decision": "discharge"}, CARL)
    assert pathways_admin.instance(reviews[0]).instance.status == "completed"


def test_a_reopened_program_starts_again(pathways_admin):
    pathways_admin.set_program_open("review_loop", False, ADMIN)
    pathways_admin.set_program_open("review_loop", True, ADMIN)
    assert pathways_admin.start("review_loop", "P1").status == "running"


def test_closing_a_program_is_audited_with_its_reason(pathways_admin):
    pathways_admin.set_program_open("review_loop", False, ADMIN, "paused for review")
    (event,) = [e for e in _history(pathways_admin) if e.action == "program_closed"]
    assert (event.actor, event.details) == ("admin", {"program": "review_loop", "reason": "paused for review"})


def test_an_unknown_program_cannot_be_closed(pathways_admin):
    with pytest.raises(InvalidInput, match="no deployed program 'nope'"):
        pathways_admin.set_program_open("nope", False, ADMIN)


def _history(service):
    from engine.models import AuditEvent

    with service.db.transaction() as s:
        return list(s.query(AuditEvent).order_by(AuditEvent.id))


# ------------------------------------------------------------------------------------------------ the web console
def test_web_upload_shows_each_problem_by_file_and_line(admin_browser):
    admin_browser.get("/admin/programs")
    response = admin_browser.post("/admin/uploads", {"bundle": (io.BytesIO(_zip(REVIEW_LOOP, _broken)),
                                                               "review_loop.zip")})
    page = admin_browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 problem: nothing was deployed" in page and "review_loop.bpmn, line 45 · flow_again" in page


def test_web_upload_answers_json_to_the_upload_script(admin_browser):
    admin_browser.get("/admin/programs")
    response = admin_browser.post("/admin/uploads", {"bundle": (io.BytesIO(_zip(REVIEW_LOOP)), "review_loop.zip")},
                                  headers={"Accept": "application/json"})
    assert response.get_json()["report"].startswith("/admin/uploads/")


def test_web_upload_then_deploy(admin_browser, service):
    admin_browser.get("/admin/programs")
    response = admin_browser.post("/admin/uploads", {"bundle": (io.BytesIO(_zip(REVIEW_LOOP)), "review_loop.zip")})
    admin_browser.get(response.headers["Location"])
    admin_browser.post(response.headers["Location"] + "/deploy")
    page = admin_browser.get("/admin/programs").get_data(as_text=True)
    assert "Deployed review_loop version 1" in page and [d.label for d in service.versions()] == ["review_loop v1"]


def test_web_closing_a_program_from_the_console(admin_browser, pathways_admin):
    admin_browser.get("/admin/programs")
    admin_browser.post("/admin/programs/review_loop/availability", {"open": "no", "reason": "audit"})
    page = admin_browser.get("/admin/programs").get_data(as_text=True)
    assert "is closed to new starts" in page and "Closed" in page


def test_web_a_closed_program_start_is_refused_on_the_patient_page(signed_in, pathways_admin, patient):
    pathways_admin.set_program_open("review_loop", False, ADMIN)
    register(pathways_admin, "MRN-1")
    carl = signed_in("carl")
    carl.get("/patients/MRN-1")
    carl.post("/patients/MRN-1/programs", {"program": "review_loop"})
    assert pathways_admin.instances(patient_id="MRN-1") == []
