"""API clients and their tokens: shown once and kept hashed, expiring, revocable, rate-limited per client, and
every call audited with the client that made it."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.models import ApiToken, AuditEvent
from engine.service import SYSTEM, Actor, Forbidden, InvalidInput, Unauthenticated
from engine.time import clock
from tests.api.conftest import Api


def test_a_token_is_kept_only_as_its_hash(service):
    created = service.add_api_client("feed", ["tasks:read"], SYSTEM)
    with service.db.transaction() as session:
        stored = session.scalars(select(ApiToken.token_hash)).all()
    assert stored == [hashlib.sha256(created.token.encode()).hexdigest()]


def test_listing_clients_shows_tokens_by_prefix_never_whole(service):
    created = service.add_api_client("feed", ["tasks:read"], SYSTEM)
    (client,) = service.api_clients(SYSTEM)
    assert client.tokens[0].prefix == created.token[:10] and created.token not in repr(client)


def test_a_token_opens_its_client_with_its_scopes(service):
    created = service.add_api_client("feed", ["tasks:read", "tasks:write"], SYSTEM)
    principal = service.authenticate_api_token(created.token)
    assert (principal.client_name, principal.scopes, principal.actor.name) == (
        "feed", frozenset({"tasks:read", "tasks:write"}), "client:feed")


def test_an_expired_token_is_refused(service, frozen_clock):
    created = service.add_api_client("feed", ["tasks:read"], SYSTEM, days=1)
    frozen_clock.advance(timedelta(days=1, seconds=1))
    with pytest.raises(Unauthenticated, match="expired"):
        service.authenticate_api_token(created.token)


def test_a_revoked_client_opens_nothing(service):
    created = service.add_api_client("feed", ["tasks:read"], SYSTEM)
    service.revoke_api_client("feed", SYSTEM)
    with pytest.raises(Unauthenticated, match="revoked"):
        service.authenticate_api_token(created.token)


def test_rotating_with_revoke_others_ends_the_old_token_only(service):
    old = service.add_api_client("feed", ["tasks:read"], SYSTEM)
    new = service.issue_api_token("feed", SYSTEM, revoke_others=True)
    assert service.authenticate_api_token(new.token).client_name == "feed"
    with pytest.raises(Unauthenticated):
        service.authenticate_api_token(old.token)


def test_a_client_for_a_disabled_person_opens_nothing(service, users):
    created = service.add_api_client("ninas-tool", ["tasks:read"], SYSTEM, username="nina")
    service.set_active("nina", False, SYSTEM)
    with pytest.raises(Unauthenticated, match="nina"):
        service.authenticate_api_token(created.token)


def test_a_client_for_a_person_is_that_person_with_their_roles_now(service, users):
    created = service.add_api_client("ninas-tool", ["tasks:read"], SYSTEM, username="nina")
    service.change_roles("nina", SYSTEM, add=["nurse_lead"])
    assert service.authenticate_api_token(created.token).actor == Actor.person("nina", "care_manager", "nurse",
                                                                                "nurse_lead")


def test_an_unknown_scope_is_refused_by_name(service):
    with pytest.raises(InvalidInput, match="unknown scope.*tasks:everything"):
        service.add_api_client("feed", ["tasks:everything"], SYSTEM)


def test_only_administrators_add_clients(service):
    with pytest.raises(Forbidden):
        service.add_api_client("feed", ["tasks:read"], Actor.person("carl", "care_manager"))


def test_a_revoked_token_gets_401_naming_why(new_client, service):
    api = new_client("feed", ["tasks:read"])
    service.revoke_api_client("feed", SYSTEM)
    response = api.get("/api/v1/tasks")
    assert (response.status_code, response.mimetype, response.get_json()["detail"]) == (
        401, "application/problem+json", "This token was revoked")


def test_a_spent_token_of_a_known_client_is_audited(new_client, service):
    api = new_client("feed", ["tasks:read"])
    service.revoke_api_client("feed", SYSTEM)
    api.get("/api/v1/tasks")
    with service.db.transaction() as session:
        refused = session.scalars(select(AuditEvent).where(AuditEvent.action == "refused")).all()
    assert [(e.actor, e.details["reason"]) for e in refused] == [("client:feed", "this token was revoked")]


def test_no_credentials_get_401_with_a_bearer_challenge(app):
    response = app.test_client().get("/api/v1/tasks")
    assert (response.status_code, response.headers["WWW-Authenticate"]) == (401, 'Bearer realm="carepath"')


@pytest.mark.parametrize("header", ["Basic abc", "Bearer", "Bearer not-a-carepath-token", "Bearer cpt_guess"])
def test_a_bad_authorization_header_is_401(app, header):
    response = app.test_client().get("/api/v1/tasks", headers={"Authorization": header})
    assert response.status_code == 401


def test_a_client_over_its_rate_limit_gets_429_with_retry_after(new_client):
    api = new_client("busy", ["tasks:read"], rate_limit=3)
    statuses = [api.get("/api/v1/me").status_code for _ in range(4)]
    last = api.get("/api/v1/me")
    assert statuses == [200, 200, 200, 429] and int(last.headers["Retry-After"]) >= 1


def test_rate_limits_are_per_client(new_client):
    busy, quiet = new_client("busy", ["tasks:read"], rate_limit=1), new_client("quiet", ["tasks:read"], rate_limit=1)
    busy.get("/api/v1/me")
    assert (busy.get("/api/v1/me").status_code, quiet.get("/api/v1/me").status_code) == (429, 200)


def test_a_call_is_audited_with_the_client_that_made_it(new_client, service, review):
    api = new_client("ehr", ["tasks:write"])
    api.post(f"/api/v1/tasks/{review.id}/claim")
    client_id = service.api_client("ehr", SYSTEM).id
    with service.db.transaction() as session:
        claimed = session.scalars(select(AuditEvent).where(AuditEvent.action == "claimed")).one()
    assert (claimed.actor, claimed.details["via"]) == ("client:ehr", f"api-client:{client_id}")


def test_a_session_call_is_audited_as_coming_through_the_api(signed_in, review, service):
    browser = signed_in("carl")
    browser.get("/inbox")
    response = browser.client.post(f"/api/v1/tasks/{review.id}/claim", headers={"X-CSRFToken": browser.token})
    with service.db.transaction() as session:
        claimed = session.scalars(select(AuditEvent).where(AuditEvent.action == "claimed")).one()
    assert (response.status_code, claimed.actor, claimed.details["via"]) == (200, "carl", "api-session")


def test_last_use_of_a_token_is_recorded(new_client, service, frozen_clock):
    new_client("feed", ["tasks:read"]).get("/api/v1/me")
    assert service.api_client("feed", SYSTEM).tokens[0].last_used_at == clock.now()


def test_api_docs_say_which_scope_each_operation_needs(api):
    spec = api.get("/api/v1/openapi.json").get_json()
    assert spec["paths"]["/api/v1/tasks/{task_id}/complete"]["post"]["x-required-scope"] == "tasks:write"


def test_the_openapi_document_needs_a_caller(app):
    assert app.test_client().get("/api/v1/openapi.json").status_code == 401


def test_api_fixture_is_a_service_account(api: Api):
    assert api.get("/api/v1/me").get_json()["kind"] == "client"
