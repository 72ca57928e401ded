"""The API's clients in the admin console: an admin adds a client (its token shown on the answer page once, kept
only as its hash, never in the session), issues another token, revokes the client; the token opens the API until
it is revoked; nobody but admins reaches the page; a refused form names what is wrong."""
from __future__ import annotations

import re

import pytest

from engine.models import ApiToken
from tests.api.conftest import ROLES, Api

TOKEN = re.compile(r'<code class="token" id="new-token">(cpt_[^<]+)</code>')


def _token(response) -> str:
    found = TOKEN.search(response.get_data(as_text=True))
    assert found, response.get_data(as_text=True)[:2000]
    return found.group(1)


def test_an_admin_adds_a_client_and_sees_its_token_once(signed_in, app, service, database):
    admin = signed_in("admin")
    admin.get("/admin/api-clients")
    response = admin.post("/admin/api-clients", {"name": "discharge-feed", "scopes": ["fhir:write", "tasks:read"],
                                                 "description": "ADT feed", "rate_limit": "600", "days": "30"})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    token = _token(response)
    assert Api(app.test_client(), token).get("/api/v1/me").get_json()["scopes"] == ["fhir:write", "tasks:read"]
    page = admin.get("/admin/api-clients").get_data(as_text=True)
    assert "discharge-feed" in page and "ADT feed" in page and token not in page
    assert token.startswith(re.search(r"<code>(cpt_[^<…]+)…</code>", page).group(1))
    with database.transaction() as s:
        assert token not in {t.token_hash for t in s.query(ApiToken)}
    with admin.client.session_transaction() as session:  # not in the (signed, readable) session cookie
        assert token not in str(dict(session))


def test_a_new_token_and_revoking_the_client(signed_in, app):
    admin = signed_in("admin")
    admin.get("/admin/api-clients")
    first = _token(admin.post("/admin/api-clients", {"name": "lab-hub", "scopes": ["messages:send"]}))
    admin.get("/admin/api-clients")
    second = _token(admin.post("/admin/api-clients/lab-hub/token", {"revoke_others": "yes"}))
    client = app.test_client()
    assert (Api(client, first).get("/api/v1/me").status_code, Api(client, second).get("/api/v1/me").status_code) \
        == (401, 200)
    admin.get("/admin/api-clients")
    response = admin.post("/admin/api-clients/lab-hub/revoke", follow_redirects=True)
    assert "Revoked lab-hub" in response.get_data(as_text=True)
    assert Api(client, second).get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("form, words", [
    ({"name": "x", "scopes": ["tasks:read"]}, "cannot name a client"),
    ({"name": "good-name", "scopes": ["tasks:fly"]}, "tasks:fly"),
    ({"name": "good-name", "scopes": ["tasks:read"], "rate_limit": "fast"}, "not a whole number"),
    ({"name": "good-name", "scopes": ["tasks:read"], "username": "nobody-here"}, "nobody-here"),
])
def test_a_refused_client_names_what_is_wrong_and_keeps_what_was_typed(signed_in, form, words):
    admin = signed_in("admin")
    admin.get("/admin/api-clients")
    response = admin.post("/admin/api-clients", form)
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and words in text and 'role="alert"' in text
    assert f'value="{form["name"]}"' in text


def test_an_unknown_or_impossible_client_name_is_said_not_a_server_error(signed_in):
    admin = signed_in("admin")
    for name in ("no-such-client", "a%00b", "x" * 300):
        admin.get("/admin/api-clients")
        response = admin.post(f"/admin/api-clients/{name}/revoke", follow_redirects=True)
        assert response.status_code == 200 and "No API client named" in response.get_data(as_text=True)


@pytest.mark.parametrize("username", sorted(set(ROLES) - {"admin"}))
def test_only_admins_reach_the_clients_page(signed_in, username):
    browser = signed_in(username)
    assert browser.get("/admin/api-clients").status_code == 403
    assert browser.post("/admin/api-clients", {"name": "sneaky", "scopes": ["tasks:read"]}).status_code == 403
    assert browser.post("/admin/api-clients/sneaky/revoke").status_code == 403


def test_a_post_without_the_csrf_token_is_refused(signed_in):
    admin = signed_in("admin")
    assert admin.post("/admin/api-clients", {"name": "no-csrf", "scopes": ["tasks:read"]}, csrf=False).status_code \
        == 400


def test_the_admin_console_links_to_the_clients_page(signed_in):
    assert 'href="/admin/api-clients"' in signed_in("admin").get("/admin").get_data(as_text=True)
