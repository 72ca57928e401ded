"""Who calls the JSON API and FHIR, and what they may do.

- **Bearer tokens** (`Authorization: Bearer cpt_...`): an API client (engine.care.api_clients). Each operation
  names the scope it needs; a client without it gets 403. A client acting for a person is that person (their
  roles, checked as the web app checks them); a service account is the system within its scopes. Requests are
  limited per client (its requests per minute, in the storage CAREPATH_RATELIMIT_STORAGE_URI names: memory per
  process by default, redis://... shared by every process).
- **The web session** (the `carepath_session` cookie of a signed-in person): the same roles and rules as the web
  app's pages. A request that changes something needs the session's CSRF token in `X-CSRFToken`, as a form post
  does; bearer-token requests need none (a browser never sends a bearer token on its own).

Flask-WTF's automatic CSRF check is off for these blueprints (`csrf.exempt`): it cannot tell the two apart.
`authenticate` makes the check itself for session requests instead.
"""
from __future__ import annotations

import inspect
import threading
import time
from collections import deque
from copy import deepcopy
from dataclasses import dataclass
from functools import wraps

from flask import abort, current_app, g, request
from flask_login import current_user

from engine.service import Actor, Unauthenticated, acting_through, roles
from webapp.api.problems import _record_refusal, problem
from webapp.extensions import csrf, service

SESSION_CHANNEL = "api-session"
WRITES = ("POST", "PUT", "PATCH", "DELETE")
# what a person (a session, or a client acting for one) needs for each area, as the web app's pages ask
CLINICAL = roles.TEAM_ROLES + (roles.CLINICAL_LEAD, roles.ADMIN)
MANAGE_PATIENTS = (roles.CARE_MANAGER, "nurse_lead", roles.ADMIN)
FORM_AUTHORS = (roles.CLINICAL_LEAD, roles.ADMIN)
ADMINS = (roles.ADMIN,)


@dataclass(frozen=True)
class Caller:
    """Who made the request: the engine's actor, and (bearer tokens) the client and its scopes."""

    actor: Actor
    channel: str  # how the audit trail names the door: api-client:<id>, or api-session
    client_id: int | None = None
    client_name: str | None = None
    scopes: frozenset[str] | None = None  # None: a person's session (roles decide)
    person: bool = True  # the engine sees a person (a session, or a client acting for one)
    rate_limit: int | None = None

    @property
    def scope_key(self) -> str:
        """Whose idempotency keys these are: a client's, or a person's (their sessions share them)."""
        return f"c{self.client_id}" if self.client_id is not None else f"u:{self.actor.name}"

    def holds_any(self, wanted) -> bool:
        return roles.ADMIN in self.actor.roles or any(r in self.actor.roles for r in wanted)


def caller() -> Caller:
    return g.api_caller


def authenticate():
    """Before every request of the API's blueprints: find the caller, or answer 401 (or 429, or a CSRF 400).
    The audit trail's events of the request name the door it came through (`via`)."""
    if request.endpoint is None:
        return None  # no such route: the blueprint's catch-all answers
    header = request.headers.get("Authorization")
    if header is not None:
        found = _from_token(header)
        if not isinstance(found, Caller):
            return found
    elif getattr(current_user, "is_authenticated", False):
        found = Caller(current_user.actor, SESSION_CHANNEL)
        if request.method in WRITES and current_app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()
    else:
        return problem(401, "Send a bearer token (Authorization: Bearer ...), or sign in to the web app.",
                       headers={"WWW-Authenticate": 'Bearer realm="carepath"'})
    g.api_caller = found
    channel = acting_through(found.channel)
    channel.__enter__()
    g.api_channel = channel
    return None


def leave(_exc=None) -> None:
    channel = g.pop("api_channel", None)
    if channel is not None:
        channel.__exit__(None, None, None)


def _from_token(header: str):
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return problem(401, "The Authorization header must be 'Bearer <token>'.",
                       headers={"WWW-Authenticate": 'Bearer realm="carepath", error="invalid_request"'})
    try:
        principal = service().authenticate_api_token(token.strip())
    except Unauthenticated as exc:
        if exc.client:  # a known client's spent token: worth a line in the audit trail
            service().record_refusal(Actor.system_actor(f"client:{exc.client}"),
                                     f"{request.method} {request.url_rule.rule}", exc.message)
        return problem(401, exc.message, headers={"WWW-Authenticate": 'Bearer realm="carepath", error="invalid_token"'})
    found = Caller(principal.actor, principal.channel, principal.client_id, principal.client_name,
                   principal.scopes, principal.username is not None, principal.rate_limit)
    limited = _over_limit(found)
    return limited if limited is not None else found


# ------------------------------------------------------------------------------------------------ rate limits
WINDOW = 60.0  # seconds: the limits are requests per minute


class _ProcessWindow:
    """memory:// (the default): a moving window of the last minute's requests per client, in this process, as
    `limits`' MovingWindowRateLimiter keeps it, without its memory storage's cost (that starts a timer thread for
    nearly every request)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._hits: dict[int | None, deque] = {}

    def wait(self, client_id: int | None, limit: int) -> float | None:
        """Count a request; None when it is within the limit, else the seconds until one falls out of the window."""
        now = time.monotonic()
        with self._lock:
            window = self._hits.setdefault(client_id, deque())
            while window and window[0] <= now - WINDOW:
                window.popleft()
            if len(window) >= limit:
                return window[0] + WINDOW - now
            window.append(now)
            return None


class _SharedWindow:
    """Any other storage (redis://...: shared by every process): `limits`' moving window."""

    def __init__(self, uri: str):
        from limits import storage, strategies

        self._limiter = strategies.MovingWindowRateLimiter(storage.storage_from_string(uri))

    def wait(self, client_id: int | None, limit: int) -> float | None:
        from limits import RateLimitItemPerMinute

        item = RateLimitItemPerMinute(limit)
        if self._limiter.hit(item, "carepath-api", str(client_id)):
            return None
        return self._limiter.get_window_stats(item, "carepath-api", str(client_id)).reset_time - time.time()


def _limiter():
    limiter = current_app.extensions.get("carepath_api_limiter")
    if limiter is None:
        uri = current_app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
        limiter = _ProcessWindow() if uri.startswith("memory://") else _SharedWindow(uri)
        current_app.extensions["carepath_api_limiter"] = limiter
    return limiter


def _over_limit(found: Caller):
    left = _limiter().wait(found.client_id, found.rate_limit or 1)
    if left is None:
        return None
    wait = max(1, int(left) + 1)
    return problem(429, f"This client may make {found.rate_limit} requests a minute; try again in {wait} s.",
                   headers={"Retry-After": str(wait), "RateLimit-Limit": str(found.rate_limit),
                            "RateLimit-Remaining": "0"})


# ------------------------------------------------------------------------------------------------ per operation
def allowed(scope: str, roles_: tuple[str, ...], *, person_only: bool = False, client_only: bool = False) -> None:
    """403 unless the caller may: a client needs `scope`; a person (a session, or a client acting for one)
    needs one of `roles_` (admins always), as on the web app's pages."""
    who = caller()
    if who.scopes is not None and scope not in who.scopes:
        _refuse(f"this client does not hold the scope {scope}")
    if who.person and not who.holds_any(roles_):
        _refuse(f"{who.actor.name}'s roles do not allow this")
    if client_only and who.client_id is None:
        _refuse("this needs an API client's bearer token (webhooks belong to a client)")
    if person_only and not who.person:
        _refuse("this needs a person (a session, or a client acting for a person)")


def _refuse(reason: str):
    _record_refusal(reason)
    abort(problem(403, reason[:1].upper() + reason[1:] + "."))


def needs(scope: str, roles_: tuple[str, ...] = CLINICAL, **kwargs):
    """The operation needs `scope` (clients) and one of `roles_` (people); said in the operation's description
    and as `x-required-scope` in the OpenAPI document."""

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kw):
            allowed(scope, roles_, **kwargs)
            return view(*args, **kw)

        guarded._apidoc = deepcopy(getattr(view, "_apidoc", {}))
        manual = guarded._apidoc.setdefault("manual_doc", {})
        manual["x-required-scope"] = scope
        who = "a client acting for a person" if kwargs.get("client_only") else "a person"
        guarded.__doc__ = inspect.cleandoc(view.__doc__ or "") + (
            f"\n\nNeeds the scope `{scope}` (API clients); {who} needs one of the roles {', '.join(roles_)}.")
        return guarded

    return decorate
