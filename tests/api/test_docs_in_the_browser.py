"""The API's reference page in a real browser: Swagger UI (from the swagger-ui-dist npm package, bundled by the
set-up command) draws every operation of the generated document, under the app's Content-Security-Policy, and
"Try it out" calls the API with the signed-in person's session. Without a session the page sends you to sign in."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.care import accounts
from tests.e2e.conftest import PASSWORD, artifacts, live, page  # noqa: F401 - the browser tests' fixtures

BUNDLE = Path(__file__).resolve().parents[2] / "webapp" / "static" / "build" / "api_docs.js"


@pytest.fixture
def bundled():
    if not BUNDLE.is_file():
        pytest.skip(f"the reference page's script is not built ({BUNDLE} is missing; `npm run build` makes it)")


def test_the_reference_page_draws_every_operation_and_tries_one(live, page, bundled):  # noqa: F811
    base, service = live
    with service.db.transaction() as s:
        accounts.create_user(s, "ada", PASSWORD, ["admin"], display_name="Ada Admin")
    page.goto(f"{base}/api/v1/docs")
    assert "/login" in page.url
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/api/v1/docs$"))
    page.locator(".opblock").first.wait_for()
    spec = page.request.get(f"{base}/api/v1/openapi.json").json()
    operations = sum(1 for path in spec["paths"].values() for method in path if method != "parameters")
    assert page.locator(".opblock").count() == operations >= 20

    me = page.locator(".opblock", has=page.locator("[data-path='/api/v1/me']"))
    me.locator(".opblock-summary").click()
    me.get_by_role("button", name="Try it out").click()
    me.get_by_role("button", name="Execute").click()
    body = me.locator(".live-responses-table .response-col_description .microlight").first
    body.wait_for()
    assert '"actor": "ada"' in body.inner_text()
    assert me.locator(".live-responses-table tbody .response-col_status").first.inner_text().strip() == "200"
