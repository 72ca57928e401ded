"""Every route of the admin console, the team pages, the audit viewer and the account page, for every role: the
roles it is for get their answer, every other role a 403 (and nothing admin-only answers a team role). Each
role walks the whole matrix in one test (a fresh database per role)."""
from __future__ import annotations

import io
import zipfile

import pytest

from engine.models import BackgroundJob, JobStatus, Notification, NotificationStatus
from engine.service import MigrationFilters
from engine.time import clock
from tests.admin.conftest import ADMIN, REVIEW_LOOP, REVIEW_LOOP_V2
from tests.webapp.conftest import ROLES

ADMINS = {"admin"}
LEADS = {"admin", "lead", "lena"}
AUDIT = {"admin", "olivia"}
EVERYONE = set(ROLES)
AREAS = ("admin.", "team.", "audit.", "account.")

# (method, url, who may, status when allowed); GETs first, then the posts (which change the world)
MATRIX = [
    ("GET", "/admin", ADMINS, 200),
    ("GET", "/deployments", ADMINS, 302),
    ("GET", "/instances", ADMINS, 302),
    ("GET", "/users", ADMINS, 302),
    ("GET", "/admin/programs", ADMINS, 200),
    ("GET", "/admin/uploads/{upload}", ADMINS, 200),
    ("GET", "/admin/instances", ADMINS, 200),
    ("GET", "/admin/instances/{instance}", ADMINS, 200),
    ("GET", "/admin/migrations", ADMINS, 200),
    ("GET", "/admin/migrations/{plan}", ADMINS, 200),
    ("GET", "/admin/migrations/{plan}.json", ADMINS, 200),
    ("GET", "/admin/background", ADMINS, 200),
    ("GET", "/admin/users", ADMINS, 200),
    ("GET", "/admin/users/carl", ADMINS, 200),
    ("GET", "/team/", LEADS, 200),
    ("GET", "/team/tasks", LEADS, 200),
    ("GET", "/team/escalations", LEADS, 200),
    ("GET", "/audit/", AUDIT, 200),
    ("GET", "/audit/export.csv", AUDIT, 200),
    ("GET", "/audit/patients/MRN-1/viewers", AUDIT, 200),
    ("GET", "/account/password", EVERYONE, 200),
    ("POST", "/admin/programs/review_loop/availability", ADMINS, 302),
    ("POST", "/admin/uploads", ADMINS, 303),
    ("POST", "/admin/uploads/{upload}/deploy", ADMINS, 302),
    ("POST", "/admin/instances/{instance}/suspend", ADMINS, 302),
    ("POST", "/admin/instances/{instance}/resume", ADMINS, 302),
    ("POST", "/admin/instances/{instance}/retry", ADMINS, 302),
    ("POST", "/admin/instances/{instance}/move", ADMINS, 302),
    ("POST", "/admin/instances/{instance}/fire-timers", ADMINS, 302),
    ("POST", "/admin/instances/{instance}/terminate", ADMINS, 302),
    ("POST", "/admin/migrations", ADMINS, 302),
    ("POST", "/admin/migrations/{plan}/run", ADMINS, 302),
    ("POST", "/admin/jobs/{job}/retry", ADMINS, 302),
    ("POST", "/admin/notifications/{mail}/retry", ADMINS, 302),
    ("POST", "/admin/users", ADMINS, 400),
    ("POST", "/admin/users/carl/roles", ADMINS, 302),
    ("POST", "/admin/users/carl/details", ADMINS, 302),
    ("POST", "/admin/users/carl/unlock", ADMINS, 302),
    ("POST", "/admin/users/carl/password-reset", ADMINS, 302),
    ("POST", "/admin/users/carl/active", ADMINS, 302),
    ("POST", "/team/reassign", LEADS, 302),
    ("POST", "/team/escalations/acknowledge", LEADS, 302),
    ("POST", "/account/password", EVERYONE, 400),
]
FORM = {"open": "no", "reason": "checking the matrix", "active": "yes", "roles": ["care_manager"],
        "display_name": "Carl", "assignee": "nina", "current_password": "not the password"}


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(REVIEW_LOOP.iterdir()):
            archive.writestr(path.name, path.read_bytes())
    return buffer.getvalue()


@pytest.fixture
def world(service, review):
    """The review loop running for MRN-1, a second version with a checked migration plan, an upload waiting to
    be deployed (a new name), a failed job and a failed e-mail."""
    service.deploy(REVIEW_LOOP_V2, name="review_loop")
    plan = service.plan_migration(1, 2, MigrationFilters(), {"review": "assess"}, ADMIN)
    service.check_migration(plan.id)
    upload = service.check_bundle_upload("pilot.zip", _zip(), ADMIN)
    now = clock.now()
    with service.db.transaction() as s:
        job = BackgroundJob(key="k", kind="correlate_message", payload={}, status=JobStatus.FAILED, attempts=5,
                            not_before=now, created_at=now, error="failed")
        mail = Notification(key="n", kind="reminder", recipient="carl@example.org", subject="s", body="b",
                            status=NotificationStatus.FAILED, attempts=5, not_before=now, created_at=now)
        s.add_all([job, mail])
        s.flush()
        ids = {"job": job.id, "mail": mail.id}
    return {"instance": review.instance_id, "plan": plan.id, "upload": upload.id, **ids}


def test_the_matrix_covers_every_route_of_the_consoles(app):
    routes = {(method, rule.rule) for rule in app.url_map.iter_rules() if rule.endpoint.startswith(AREAS)
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    listed = {(m, u.replace("{instance}", "<id:instance_id>").replace("{plan}", "<id:plan_id>")
               .replace("{upload}", "<id:upload_id>").replace("{job}", "<id:job_id>")
               .replace("{mail}", "<id:notification_id>").replace("carl", "<username>")
               .replace("review_loop", "<process_id>").replace("MRN-1", "<patient_id>")) for m, u, _, _ in MATRIX}
    assert routes == listed


@pytest.mark.parametrize("username", sorted(ROLES))
def test_every_route_answers_only_the_roles_it_is_for(signed_in, world, username):
    browser = signed_in(username)
    wrong = []
    for method, url, allowed, status in MATRIX:
        url = url.format(**world)
        if method == "GET":
            response = browser.get(url)
        else:
            response = browser.post(url, dict(FORM))
        expected = status if username in allowed else 403
        if response.status_code != expected:
            wrong.append(f"{method} {url}: {response.status_code}, expected {expected}")
    assert wrong == []


def test_every_post_without_the_csrf_token_is_refused(signed_in, world, service):
    browser = signed_in("admin")
    accepted = [url for method, url, _, _ in MATRIX if method == "POST"
                if browser.post(url.format(**world), dict(FORM), csrf=False).status_code != 400]
    assert accepted == []
    assert service.instance(world["instance"]).instance.status == "running"  # the suspend, terminate did nothing
