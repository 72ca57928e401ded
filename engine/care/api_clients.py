"""API clients: other systems (service accounts), or tools acting for one person, that call the JSON API and FHIR
with bearer tokens.

- A token is shown once, when it is made; only its SHA-256 is kept (a token is 32 random bytes, so a fast hash
  is as safe as a slow one and costs nothing per request). It expires, and it can be revoked, alone or with
  its client.
- A client holds scopes (`SCOPES`); each operation of the API needs one.
- A client acting for a person (`username`) is that person to the engine: their roles at the moment of each
  call and the same rules as their web sessions (care-team access included); a disabled account's clients
  open nothing. A service account is no person: the engine sees the system (`client:<name>`), which may read
  and do what its scopes name, for every patient (an interface engine is on no care team).
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from engine.care import accounts
from engine.care.actors import Actor
from engine.care.characters import refused_character
from engine.errors import CarepathError, Conflict, InvalidInput, NotFound
from engine.models import ApiClient, ApiToken
from engine.store import audit, first_read
from engine.store.step_writes import read_before_begin
from engine.time import clock

SCOPES: dict[str, str] = {
    "patients:read": "read and search patients",
    "patients:write": "create and update patients by MRN",
    "programs:read": "list the programs, their versions and the pathways they start",
    "programs:start": "start a program for a patient",
    "messages:send": "send messages (events) to the pathways waiting for them",
    "tasks:read": "list tasks and read one with its form",
    "tasks:write": "claim, release, assign and complete tasks",
    "instances:read": "read pathway instances: status, current steps, history",
    "fhir:read": "read FHIR R4 resources (Patient, CarePlan, Goal, CareTeam, Task, QuestionnaireResponse, "
                 "AuditEvent)",
    "fhir:write": "post FHIR Encounters (hospital discharges) and Observations",
    "forms:import": "turn FHIR Questionnaires into forms",
    "webhooks:manage": "subscribe to events and see the deliveries",
}
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,99}$")
TOKEN_PREFIX = "cpt_"
LAST_USED_EVERY = timedelta(minutes=1)  # `last_used_at` is written at most this often per token
MAX_RATE_LIMIT = 1_000_000


class Unauthenticated(CarepathError):
    """A request whose credentials open nothing: no token, an unknown, expired or revoked one, or a client whose
    person can no longer sign in. `client` names a known client (for the audit trail)."""

    exit_code = 5

    def __init__(self, message: str, client: str | None = None):
        super().__init__(message)
        self.client = client


@dataclass(frozen=True)
class Principal:
    """Who a request with a valid token is: the client, what it may do, and whom the engine sees."""

    client_id: int
    client_name: str
    scopes: frozenset[str]
    actor: Actor
    rate_limit: int  # requests per minute
    username: str | None  # the person it acts for; None: a service account

    @property
    def channel(self) -> str:
        """How the audit trail names the door the request came through."""
        return f"api-client:{self.client_id}"


@dataclass(frozen=True)
class TokenView:
    id: int
    prefix: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > clock.now()


@dataclass(frozen=True)
class ClientView:
    id: int
    name: str
    description: str | None
    scopes: tuple[str, ...]
    username: str | None
    rate_limit: int
    created_at: datetime
    created_by: str
    revoked_at: datetime | None
    tokens: tuple[TokenView, ...]

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class NewToken:
    """A token as it is made: `token` is shown this once and never again."""

    client: ClientView
    token: str
    expires_at: datetime


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def check_scopes(scopes) -> list[str]:
    wanted = sorted({s.strip() for s in scopes if s and s.strip()})
    unknown = [s for s in wanted if s not in SCOPES]
    if unknown:
        raise InvalidInput(f"unknown scope(s): {', '.join(unknown)}; the scopes are: {', '.join(SCOPES)}")
    if not wanted:
        raise InvalidInput(f"give the client at least one scope: {', '.join(SCOPES)}")
    return wanted


def check_name(name: str) -> str:
    name = (name or "").strip()
    if problem := refused_character(name):
        raise InvalidInput(f"the client's name {problem}")
    if not NAME.match(name):
        raise InvalidInput(f"'{name[:100]}' cannot name a client: use 2 to 100 lower-case letters, digits, '.', '-' or "
                           "'_', starting with a letter or digit")
    return name


def _days(days: int | None, default: int, most: int) -> int:
    days = default if days is None else days
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= most:
        raise InvalidInput(f"a token lives from 1 to {most} days")
    return days


def create_client(session: Session, name: str, scopes, *, by: str, username: str | None = None,
                  description: str | None = None, rate_limit: int, days: int | None, default_days: int,
                  most_days: int) -> NewToken:
    """A new client and its first token (shown once)."""
    name = check_name(name)
    wanted = check_scopes(scopes)
    description = " ".join((description or "").split()) or None
    if description and (len(description) > 300 or refused_character(description)):
        raise InvalidInput("the description has at most 300 characters, and no control characters")
    if not isinstance(rate_limit, int) or isinstance(rate_limit, bool) or not 1 <= rate_limit <= MAX_RATE_LIMIT:
        raise InvalidInput(f"the rate limit is a number of requests per minute from 1 to {MAX_RATE_LIMIT}")
    if username:
        person = accounts.get_user(session, username.strip())
        if not person.active:
            raise InvalidInput(f"{person.username} cannot sign in at the moment, so no client can act for them")
        username = person.username
    days = _days(days, default_days, most_days)
    if session.scalar(select(ApiClient.id).where(ApiClient.name == name)) is not None:
        raise Conflict(f"a client named '{name}' already exists (revoked clients keep their name)")
    now = clock.now()
    client = ApiClient(name=name, description=description, scopes=wanted, username=username or None,
                       rate_limit=rate_limit, created_at=now, created_by=by, revoked_at=None, revoked_by=None)
    session.add(client)
    session.flush()
    audit.record(session, "api_client_added", by, details={
        "client": client.id, "name": name, "scopes": wanted, "acts_for": client.username, "rate_limit": rate_limit})
    return _issue(session, client, days, by, now)


def issue_token(session: Session, name: str, *, by: str, days: int | None, default_days: int,
                most_days: int, revoke_others: bool = False) -> NewToken:
    """Another token for a client (rotation); with `revoke_others`, the tokens it had stop working now."""
    client = get_client(session, name)
    if client.revoked_at is not None:
        raise Conflict(f"the client '{client.name}' was revoked; make a new client instead")
    now = clock.now()
    if revoke_others:
        _revoke_tokens(session, client.id, now)
    return _issue(session, client, _days(days, default_days, most_days), by, now)


def _issue(session: Session, client: ApiClient, days: int, by: str, now: datetime) -> NewToken:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(client_id=client.id, token_hash=hash_token(token), prefix=token[:len(TOKEN_PREFIX) + 6],
                   created_at=now, expires_at=now + timedelta(days=days), revoked_at=None, last_used_at=None)
    session.add(row)
    session.flush()
    audit.record(session, "api_token_issued", by, details={"client": client.id, "name": client.name,
                                                           "token": row.prefix, "expires_at": row.expires_at.isoformat()})
    return NewToken(view(session, client), token, row.expires_at)


def get_client(session: Session, name: str) -> ApiClient:
    name = (name or "").strip()
    client = None  # a name no client can have (NUL, control characters, too long) is not looked up
    if len(name) <= 100 and not refused_character(name):
        client = session.scalar(select(ApiClient).where(ApiClient.name == name))
    if client is None:
        raise NotFound(f"no API client named '{(name or '')[:100]}'")
    return client


def revoke_client(session: Session, name: str, *, by: str) -> ClientView:
    """The client and every token of it stop working now (its history stays)."""
    client = get_client(session, name)
    now = clock.now()
    if client.revoked_at is None:
        client.revoked_at, client.revoked_by = now, by
        _revoke_tokens(session, client.id, now)
        audit.record(session, "api_client_revoked", by, details={"client": client.id, "name": client.name})
    session.flush()
    return view(session, client)


def revoke_token(session: Session, name: str, prefix: str, *, by: str) -> ClientView:
    client = get_client(session, name)
    row = session.scalar(select(ApiToken).where(ApiToken.client_id == client.id, ApiToken.prefix == prefix))
    if row is None:
        raise NotFound(f"the client '{client.name}' has no token starting {prefix[:20]!r}")
    if row.revoked_at is None:
        row.revoked_at = clock.now()
        audit.record(session, "api_token_revoked", by, details={"client": client.id, "name": client.name,
                                                                "token": row.prefix})
    session.flush()
    return view(session, client)


def _revoke_tokens(session: Session, client_id: int, now: datetime) -> None:
    session.execute(update(ApiToken).where(ApiToken.client_id == client_id, ApiToken.revoked_at.is_(None))
                    .values(revoked_at=now).execution_options(synchronize_session=False))


def list_clients(session: Session, *, include_revoked: bool = True) -> list[ClientView]:
    query = select(ApiClient).order_by(ApiClient.name)
    if not include_revoked:
        query = query.where(ApiClient.revoked_at.is_(None))
    return [view(session, c) for c in session.scalars(query)]


def view(session: Session, client: ApiClient) -> ClientView:
    tokens = session.scalars(select(ApiToken).where(ApiToken.client_id == client.id).order_by(ApiToken.id))
    return ClientView(client.id, client.name, client.description, tuple(client.scopes or ()), client.username,
                      client.rate_limit, client.created_at, client.created_by, client.revoked_at,
                      tuple(TokenView(t.id, t.prefix, t.created_at, t.expires_at, t.revoked_at, t.last_used_at)
                            for t in tokens))


# ------------------------------------------------------------------------------------------------ requests
# built once: every API request starts with this read, and building it costs about what running it does; the
# same statement for the driver (first_read) and for the ORM
_TOKEN_AND_CLIENT_ROWS = first_read.WholeRows(
    select(ApiToken.__table__, ApiClient.__table__).join_from(ApiToken.__table__, ApiClient.__table__)
    .where(ApiToken.__table__.c.token_hash == bindparam("token_hash")),
    ApiToken, ApiClient,
)
_TOKEN_AND_CLIENT = select(ApiToken, ApiClient).from_statement(_TOKEN_AND_CLIENT_ROWS.statement)


def authenticate(session: Session, token: str) -> Principal:
    """The principal a bearer token opens, or Unauthenticated saying why (the same words for a token that never
    existed and a malformed one: nothing to learn from guessing)."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200 or refused_character(token):
        raise Unauthenticated("the bearer token is not one carepath issued")
    # Plain reads of the rows as they are now (a revoked token stops at once), made before the transaction's BEGIN
    # (engine.store.step_writes): one round trip, and none more to commit unless `last_used_at` is due.
    with read_before_begin(session) as before_begin:
        found = _token_and_client(session, before_begin, hash_token(token))
        if found is None:
            raise Unauthenticated("the bearer token is not one carepath issued")
        row, client = found
        now = clock.now()
        if client.revoked_at is not None or row.revoked_at is not None:
            raise Unauthenticated("this token was revoked", client.name)
        if row.expires_at <= now:
            raise Unauthenticated(f"this token expired at {row.expires_at:%Y-%m-%d %H:%M} UTC; ask for a new one",
                                  client.name)
        actor = Actor.system_actor(f"client:{client.name}")
        if client.username:
            person = accounts.find_by_name(session, client.username)
            if person is None or not person.active:
                raise Unauthenticated(f"{client.username}, whom this client acts for, cannot sign in at the "
                                      "moment", client.name)
            actor = Actor.person(person.username, *person.roles)
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_EVERY:
        row.last_used_at = now
    return Principal(client.id, client.name, frozenset(client.scopes or ()), actor, client.rate_limit,
                     client.username)


def _token_and_client(session: Session, before_begin, token_hash: str) -> tuple[ApiToken, ApiClient] | None:
    """The token's row and its client's. Before the BEGIN (a plain read, engine.store.step_writes), straight from
    the driver (engine.store.first_read): the same objects for about a third of the ORM's work."""
    params = {"token_hash": token_hash}
    if before_begin is None:
        found = session.execute(_TOKEN_AND_CLIENT, params).first()
        return None if found is None else (found[0], found[1])
    found = _TOKEN_AND_CLIENT_ROWS.first(before_begin, params)
    if found is None:
        return None
    token_values, client_values = found
    return first_read.attach(session, ApiToken, token_values), first_read.attach(session, ApiClient, client_values)
