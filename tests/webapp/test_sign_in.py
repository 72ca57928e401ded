"""Sign-in, sign-out, idle sign-out, CSRF and the protections every page gets."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine.care import accounts

pytestmark = pytest.mark.dates  # `make test` runs these again at other dates


def test_every_page_redirects_to_sign_in_when_signed_out(browser):
    response = browser.get("/inbox")
    assert response.status_code == 302 and "/login?next=/inbox" in response.headers["Location"]


def test_a_post_without_a_session_is_refused(browser):
    assert browser.post("/tasks/1/claim").status_code == 401


def test_signing_in_with_the_right_password_opens_the_inbox(browser, users):
    response = browser.sign_in("carl")
    assert (response.status_code, response.headers["Location"]) == (302, "/inbox")


def test_a_wrong_password_gets_one_message_for_every_failure(browser, users):
    response = browser.sign_in("carl", "not the password")
    assert response.status_code == 401
    assert "username or password is not right" in response.get_data(as_text=True)


def test_an_unknown_user_gets_the_same_message(browser, users):
    response = browser.sign_in("mallory", "not the password")
    assert "username or password is not right" in response.get_data(as_text=True)


def test_next_never_leads_off_site(browser, users):
    browser.get("/login")
    response = browser.post("/login?next=//evil.example/x", {"username": "carl", "password": "correct horse battery"})
    assert response.headers["Location"] == "/inbox"


def test_sign_in_without_the_csrf_token_is_refused(browser, users):
    response = browser.post("/login", {"username": "carl", "password": "correct horse battery"}, csrf=False)
    assert response.status_code == 400
    assert "did not come from this site" in response.get_data(as_text=True)


def test_failed_sign_ins_are_rate_limited_per_address(app, browser, users):
    app.config["SIGN_IN_RATE_LIMIT"] = "3 per minute"
    for _ in range(3):
        browser.sign_in("carl", "not the password")
    response = browser.sign_in("carl", "correct horse battery")
    assert response.status_code == 429


def test_five_failures_lock_the_account(browser, users, service):
    for _ in range(accounts.LOCK_AFTER):
        browser.sign_in("carl", "not the password")
    assert browser.sign_in("carl").status_code == 401


def test_idle_session_is_signed_out(signed_in, frozen_clock, app):
    carl = signed_in("carl")
    frozen_clock.advance(app.config["IDLE_TIMEOUT"] + timedelta(seconds=1))
    response = carl.get("/inbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_activity_keeps_the_session(signed_in, frozen_clock, app):
    carl = signed_in("carl")
    for _ in range(3):
        frozen_clock.advance(app.config["IDLE_TIMEOUT"] - timedelta(minutes=1))
        assert carl.get("/inbox").status_code == 200


def test_sign_out_ends_the_session(signed_in):
    carl = signed_in("carl")
    carl.post("/logout")
    assert carl.get("/inbox").status_code == 302


def test_a_password_change_ends_other_sessions(signed_in, service):
    carl = signed_in("carl")
    with service.db.transaction() as s:
        accounts.set_password(s, "carl", "a brand new password")
    assert carl.get("/inbox").status_code == 302


def test_session_cookie_is_http_only_and_same_site(app, users):
    client = app.test_client()
    client.get("/login")
    client.post("/login", data={"username": "carl", "password": "correct horse battery",
                                "csrf_token": _token(client)})
    cookie = client.get_cookie("carepath_session")
    assert cookie.http_only and cookie.same_site == "Lax"


def _token(client):
    import re

    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_pages_forbid_framing_and_caching(signed_in):
    response = signed_in("carl").get("/inbox")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_unknown_page_is_a_clear_404(signed_in):
    response = signed_in("carl").get("/no/such/page")
    assert response.status_code == 404 and "There is nothing here" in response.get_data(as_text=True)


def test_a_user_name_with_a_nul_is_a_failed_sign_in_not_an_error(browser, users):
    response = browser.sign_in("carl\x00", "correct horse battery")
    assert response.status_code == 401
