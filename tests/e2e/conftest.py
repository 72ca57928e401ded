"""Browser tests: the web app served on a free local port, driven by Playwright in Debian's Chromium.

Screenshots go to test-artifacts/e2e/ (or $CAREPATH_TEST_ARTIFACTS) so a failing run can be looked at.
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from engine.care import accounts, patients
from engine.care.actors import Actor
from engine.care.patients import PatientInput
from engine.service import CarePathways
from tests.pathways.library import deploy_stages

CHROMIUM = os.environ.get("CAREPATH_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("CAREPATH_TEST_ARTIFACTS") or Path(__file__).resolve().parents[2] / "test-artifacts")
PASSWORD = "correct horse battery"


def _chromium_missing() -> str | None:
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        return f"Debian's chromium is not installed at {CHROMIUM} (make test installs it)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


VIEWER = "bpmn-js/dist/bpmn-navigated-viewer.production.min.js"


@pytest.fixture
def bpmn_js():
    """Skip a test that draws diagrams when bpmn-js (from npm, installed by `make test`) is not there: the page
    would wait for a viewer that never loads."""
    from webapp.diagrams.views import NODE_MODULES

    if not (NODE_MODULES / VIEWER).is_file():
        pytest.skip(f"bpmn-js is not installed ({NODE_MODULES / VIEWER} is missing; `npm ci` installs it)")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    folder = ARTIFACTS / "e2e"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def live(tmp_path, monkeypatch):
    """The web app on 127.0.0.1:<free port> over a fresh SQLite database; yields (base url, service)."""
    from werkzeug.serving import make_server

    from webapp import create_app

    monkeypatch.setenv("CAREPATH_HOME", str(tmp_path / "instance"))
    service = CarePathways(f"sqlite:///{tmp_path / 'e2e.db'}")
    service.init_db()
    app = create_app({"CAREPATH_SERVICE": service, "DATABASE_URL": "unused://", "SECRET_KEY": "e2e",
                      "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", service
    server.shutdown()
    service.db.dispose()


@pytest.fixture
def page(artifacts, request):
    reason = _chromium_missing()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(10_000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        yield page
        page.screenshot(path=str(artifacts / f"{request.node.name}-last.png"), full_page=True)
        context.close()
        browser.close()
        assert not errors, f"script errors in the page: {errors}"


@pytest.fixture
def mood_screening_task(live):
    """A care manager (carl) and a patient whose mood screening waits for the PHQ-9."""
    _, service = live
    with service.db.transaction() as s:
        accounts.create_user(s, "carl", PASSWORD, ["care_manager"], display_name="Carl Care")
        patients.add_patient(s, PatientInput(mrn="MRN-9", given_name="Maria", family_name="Lopez",
                                             birth_date="1958-04-02", sex="female"), by="e2e")
    deploy_stages(service, "mood_screening")
    instance = service.start("mood_screening", "MRN-9", {}, Actor.person("carl", "care_manager"))
    return service.tasks(instance_id=instance.id)[0]
