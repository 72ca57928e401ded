"""The consoles in a real browser (Playwright, Debian's Chromium):

- an admin uploads a bundle with an error, reads it by file and line, fixes it, deploys, migrates two running
  instances with a dry run first, and retries an instance in error after fixing its data;
- a nurse lead reassigns an overdue claimed task of her team.
"""
from __future__ import annotations

import re
import zipfile
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update

from engine.care import accounts
from engine.care.actors import Actor
from engine.models import InboxTask
from engine.time import clock
from tests.admin.conftest import REVIEW_LOOP, REVIEW_LOOP_V2, write_bmi
from tests.e2e import conftest as e2e
from tests.registry import register

# the browser fixtures
artifacts, live, page, PASSWORD = e2e.artifacts, e2e.live, e2e.page, e2e.PASSWORD
NURSE_CALL = Path(__file__).resolve().parent / "bundles" / "nurse_call"


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def zip_of(folder: Path, target: Path, edit=None) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.iterdir()):
            text = path.read_text()
            archive.writestr(path.name, edit(text) if edit and path.suffix == ".bpmn" else text)
    return target


def test_admin_uploads_fixes_deploys_migrates_and_retries(live, page, artifacts, tmp_path):
    base, service = live
    with service.db.transaction() as s:
        accounts.create_user(s, "admin", PASSWORD, ["admin"], display_name="Ada Admin")
    service.deploy(REVIEW_LOOP)
    register(service, "P1", "P2", "P9")
    carl = Actor.person("carl", "care_manager")
    running = [service.start("review_loop", p, None, carl).id for p in ("P1", "P2")]
    service.deploy(write_bmi(tmp_path / "bmi"))
    failed = service.start("bmi", "P9", {"height_m": 0, "weight_kg": 70}).id

    sign_in(page, base, "admin")
    page.wait_for_url(re.compile("/admin$"))
    page.get_by_role("link", name="Programs", exact=True).click()

    # a bundle with an error: the form the new task names is not in the zip
    broken = zip_of(REVIEW_LOOP_V2, tmp_path / "review_loop.zip",
                    lambda t: t.replace('value="review-schema.json"', 'value="assess-schema.json"'))
    page.set_input_files("#bundle", str(broken))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url(re.compile(r"/admin/uploads/\d+$"))
    page.screenshot(path=str(artifacts / "admin-01-upload-refused.png"), full_page=True)
    problems = page.locator(".problems").inner_text()
    assert "review_loop.bpmn, line" in problems and "assess-schema.json" in problems

    # fixed, checked again, deployed
    page.goto(f"{base}/admin/programs")
    (tmp_path / "fixed").mkdir()
    page.set_input_files("#bundle", str(zip_of(REVIEW_LOOP_V2, tmp_path / "fixed" / "review_loop.zip")))
    page.get_by_role("button", name="Upload and check").click()
    page.get_by_role("button", name="Deploy review_loop").click()
    page.get_by_text("Deployed review_loop version 2").wait_for()
    page.screenshot(path=str(artifacts / "admin-02-deployed.png"), full_page=True)

    # migrate the two running instances: versions, mapping, dry run, run
    page.goto(f"{base}/admin/migrations")
    page.get_by_label("From version").select_option(label="review_loop v1 (2 open)")
    page.get_by_label("To version").select_option(label="review_loop v2")
    page.get_by_role("button", name="Next: filter and map tasks").click()
    page.get_by_label("Monthly review (review)").select_option("assess")
    page.get_by_role("button", name="Dry run").click()
    page.get_by_text("2 of 2 instances can move").wait_for(timeout=20_000)
    page.screenshot(path=str(artifacts / "admin-03-dry-run.png"), full_page=True)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Run the migration").click()
    page.get_by_text("2 moved").wait_for(timeout=20_000)
    page.screenshot(path=str(artifacts / "admin-04-migrated.png"), full_page=True)
    v2 = next(d.id for d in service.versions() if d.label == "review_loop v2")
    assert {service.instance(i).instance.deployment_id for i in running} == {v2}

    # an instance in error: its data fixed, retried
    page.goto(f"{base}/admin/instances?status=error")
    page.get_by_role("link", name=f"#{failed}").click()
    assert "ZeroDivisionError" in page.locator(".error-box").first.inner_text()
    page.get_by_label("height_m").fill("1.72")
    page.get_by_role("button", name="Retry with these values").click()
    page.get_by_text("it is running now").wait_for()
    page.screenshot(path=str(artifacts / "admin-05-retried.png"), full_page=True)
    assert service.instance(failed).instance.status == "running"


def test_nurse_lead_reassigns_an_overdue_claimed_task(live, page, artifacts):
    base, service = live
    with service.db.transaction() as s:
        accounts.create_user(s, "lena", PASSWORD, ["nurse_lead"], display_name="Lena Lead")
        accounts.create_user(s, "nina", PASSWORD, ["nurse"], display_name="Nina Nurse")
        accounts.create_user(s, "nora", PASSWORD, ["nurse"], display_name="Nora Nurse")
    service.deploy(NURSE_CALL)
    register(service, "P1")
    task = service.tasks(instance_id=service.start("nurse_call", "P1").id)[0]
    service.claim(task.id, Actor.person("nina", "nurse"))
    with service.db.transaction() as s:  # 61 days overdue
        s.execute(update(InboxTask).where(InboxTask.id == task.id).values(due_at=clock.now() - timedelta(days=61)))

    sign_in(page, base, "lena")
    page.get_by_role("link", name="Team", exact=True).click()
    page.screenshot(path=str(artifacts / "lead-01-workload.png"), full_page=True)
    page.get_by_role("link", name="Team tasks").click()
    page.get_by_role("link", name="Follow-up call").click()
    assert "You are reading this as the team's lead" in page.content()
    page.screenshot(path=str(artifacts / "lead-02-task-read-only.png"), full_page=True)
    page.go_back()
    page.get_by_label(re.compile("Choose Follow-up call")).check()
    page.get_by_label("Give the chosen tasks to").select_option("nora")
    page.get_by_label("Reason (they see it on the task)").fill("Nina is on leave this week")
    page.get_by_role("button", name="Reassign").click()
    page.get_by_text("1 task given to nora").wait_for()
    page.screenshot(path=str(artifacts / "lead-03-reassigned.png"), full_page=True)
    assert service.task(task.id).assignee == "nora"
