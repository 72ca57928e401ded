"""Sessions end on the server: a cookie kept from before a sign-out, a password change or a disabled account
opens nothing; a cookie without a last-seen time counts as idle; behind a trusted proxy each client has its own
sign-in rate limit."""
from __future__ import annotations

import pytest

from tests.webapp.conftest import Browser

pytestmark = pytest.mark.dates  # `make test` runs these again at other dates

COOKIE = "carepath_session"


def _kept(browser: Browser) -> str:
    return browser.client.get_cookie(COOKIE).value


def _replayed(app, cookie: str) -> Browser:
    """A fresh client (another machine) sending a copied session cookie."""
    other = Browser(app.test_client())
    other.client.set_cookie(COOKIE, cookie)
    return other


def test_a_cookie_kept_from_before_sign_out_opens_nothing(app, signed_in):
    carl = signed_in("carl")
    cookie = _kept(carl)
    carl.post("/logout")
    response = _replayed(app, cookie).get("/inbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_cookie_kept_from_before_sign_out_cannot_post(app, signed_in, review, service):
    carl = signed_in("carl")
    carl.get(f"/tasks/{review.id}")
    cookie, token = _kept(carl), carl.token
    carl.post("/logout")
    thief = _replayed(app, cookie)
    thief.token = token
    response = thief.post(f"/tasks/{review.id}/follow-up", {"follow_up": "2030-01-01"})
    assert response.status_code in (302, 401) and service.task(review.id).follow_up_at is None


def test_a_password_change_ends_every_session_of_the_account_on_the_server(app, signed_in, service):
    cookie = _kept(signed_in("carl"))
    service.set_password("carl", "a brand new password")
    assert _replayed(app, cookie).get("/inbox").status_code == 302


def test_disabling_an_account_ends_its_sessions(app, signed_in, service):
    cookie = _kept(signed_in("carl"))
    service.set_active("carl", False)
    service.set_active("carl", True)  # enabled again: the old session stays ended
    assert _replayed(app, cookie).get("/inbox").status_code == 302


def test_signing_out_one_session_leaves_the_others(app, signed_in):
    phone, desk = signed_in("carl"), signed_in("carl")
    phone.post("/logout")
    assert desk.get("/inbox").status_code == 200


def test_sign_out_is_in_the_audit_trail(signed_in, service):
    from sqlalchemy import select

    from engine.models import AuditEvent

    signed_in("carl").post("/logout")
    with service.db.transaction() as s:
        assert s.scalars(select(AuditEvent.actor).where(AuditEvent.action == "signed_out")).all() == ["carl"]


def test_the_sign_in_cookie_starts_the_idle_clock(app, signed_in):
    carl = signed_in("carl")
    with app.test_request_context():
        data = app.session_interface.get_signing_serializer(app).loads(_kept(carl))
    assert isinstance(data.get("seen"), float)


def test_a_cookie_without_a_last_seen_time_is_refused(app, signed_in, service):
    carl = signed_in("carl")
    with app.test_request_context():
        serializer = app.session_interface.get_signing_serializer(app)
        data = serializer.loads(_kept(carl))
        del data["seen"]  # as the sign-in cookie was before: it escaped the idle timeout
        cookie = serializer.dumps(data)
    response = _replayed(app, cookie).get("/inbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert service.session_account(data["_user_id"]) is None  # and the session ended on the server


def _failed_sign_ins(browser: Browser, forwarded_for: str, times: int) -> int:
    status = 0
    for _ in range(times):
        browser.get("/login")
        status = browser.post("/login", {"username": "carl", "password": "wrong password!"},
                              headers={"X-Forwarded-For": forwarded_for}).status_code
    return status


def test_behind_a_trusted_proxy_each_client_has_its_own_sign_in_limit(service, users, tmp_path, monkeypatch):
    from webapp import create_app

    monkeypatch.setenv("CAREPATH_HOME", str(tmp_path))
    app = create_app({"DATABASE_URL": "unused://", "CAREPATH_SERVICE": service, "SECRET_KEY": "k", "TESTING": True,
                      "SESSION_COOKIE_SECURE": False, "SIGN_IN_RATE_LIMIT": "2 per minute", "TRUSTED_PROXIES": 1})
    assert _failed_sign_ins(Browser(app.test_client()), "203.0.113.1", 3) == 429
    assert _failed_sign_ins(Browser(app.test_client()), "203.0.113.2", 1) == 401


def test_without_a_trusted_proxy_a_forwarded_address_is_not_believed(app, users):
    app.config["SIGN_IN_RATE_LIMIT"] = "2 per minute"
    assert _failed_sign_ins(Browser(app.test_client()), "203.0.113.1", 3) == 429
    assert _failed_sign_ins(Browser(app.test_client()), "203.0.113.2", 1) == 429
