"""Use cases of the API's clients: add, list, revoke clients and their tokens (administrators: `carepath clients`,
the admin console), open a request's token, and the clients' webhooks: subscribe, list, end, see and retry
deliveries; the workers' side of the webhook outbox (which deliveries are due, claim one, record its attempt)."""
from __future__ import annotations

from datetime import datetime, timedelta

from engine.care import api_clients, webhooks
from engine.care.actors import Actor
from engine.care.api_clients import ClientView, NewToken, Principal
from engine.care.webhooks import DeliveryView, NewSubscription, Outgoing, SubscriptionView
from engine.config import ApiSettings
from engine.errors import Forbidden
from engine.store import audit, webhook_outbox
from engine.time import clock


def _require_admin(actor: Actor, doing: str) -> None:
    if not actor.is_admin:
        raise Forbidden(f"only administrators {doing}")


class ApiClientUseCases:
    # ------------------------------------------------------------------------------------------------ settings
    @property
    def api_settings(self) -> ApiSettings:
        """The API's settings (token lifetimes, rate limits, webhooks): from the environment unless given."""
        settings = getattr(self, "_api_settings", None)
        if settings is None:
            settings = self._api_settings = ApiSettings.from_env()
        return settings

    def use_api_settings(self, settings: ApiSettings) -> None:
        self._api_settings = settings

    # ------------------------------------------------------------------------------------------------ clients
    def add_api_client(self, name: str, scopes, actor: Actor, *, username: str | None = None,
                       description: str | None = None, rate_limit: int | None = None,
                       days: int | None = None) -> NewToken:
        """A new API client and its first token, shown this once (only its hash is kept). `username`: the client
        acts for that person (their roles, the same rules as their sessions); else it is a service account."""
        _require_admin(actor, "add API clients")
        s = self.api_settings
        with self.transaction(f"add API client {name}") as session:
            return api_clients.create_client(
                session, name, scopes, by=actor.name, username=username, description=description,
                rate_limit=s.rate_limit if rate_limit is None else rate_limit, days=days,
                default_days=s.token_days, most_days=s.max_token_days)

    def api_clients(self, actor: Actor, include_revoked: bool = True) -> list[ClientView]:
        _require_admin(actor, "see the API clients")
        with self.reading() as session:
            return api_clients.list_clients(session, include_revoked=include_revoked)

    def api_client(self, name: str, actor: Actor) -> ClientView:
        _require_admin(actor, "see the API clients")
        with self.reading() as session:
            return api_clients.view(session, api_clients.get_client(session, name))

    def revoke_api_client(self, name: str, actor: Actor) -> ClientView:
        """The client and all its tokens stop working at once."""
        _require_admin(actor, "revoke API clients")
        with self.transaction(f"revoke API client {name}") as session:
            return api_clients.revoke_client(session, name, by=actor.name)

    def issue_api_token(self, name: str, actor: Actor, *, days: int | None = None,
                        revoke_others: bool = False) -> NewToken:
        """Another token for a client (shown once); with `revoke_others` its other tokens stop working."""
        _require_admin(actor, "issue API tokens")
        s = self.api_settings
        with self.transaction(f"issue a token for {name}") as session:
            return api_clients.issue_token(session, name, by=actor.name, days=days, default_days=s.token_days,
                                           most_days=s.max_token_days, revoke_others=revoke_others)

    def revoke_api_token(self, name: str, prefix: str, actor: Actor) -> ClientView:
        _require_admin(actor, "revoke API tokens")
        with self.transaction(f"revoke a token of {name}") as session:
            return api_clients.revoke_token(session, name, prefix, by=actor.name)

    def authenticate_api_token(self, token: str) -> Principal:
        """Who a bearer token is (Unauthenticated when it opens nothing: unknown, expired, revoked)."""
        with self.transaction("open an API token") as session:
            return api_clients.authenticate(session, token)

    def record_api_call(self, actor: Actor, what: str, details: dict | None = None) -> None:
        """An API call that reads no patient data and changes nothing (a list of programs): audited all the same,
        with the client it came through (engine.store.audit.through)."""
        with self.transaction("record an API call") as session:
            audit.record(session, "api_called", actor.name, details={"what": what[:200], **(details or {})})

    # ------------------------------------------------------------------------------------------------ webhooks
    def subscribe_webhook(self, client_id: int, url: str, events, actor: Actor, *,
                          description: str | None = None) -> NewSubscription:
        """Deliver these events to `url` from now on, signed with the secret returned (shown once)."""
        with self.transaction("subscribe a webhook") as session:
            created = webhooks.subscribe(session, client_id, url, events, description, by=actor.name,
                                         allow_private=self.api_settings.webhook_private_hosts)
        webhook_outbox.forget_subscriptions()  # this process's next step writes deliveries for it
        return created

    def webhooks(self, client_id: int | None) -> list[SubscriptionView]:
        """A client's subscriptions (every client's with `client_id` None: for an administrator)."""
        with self.reading() as session:
            return webhooks.subscriptions(session, client_id)

    def webhook(self, client_id: int | None, subscription_id: int) -> SubscriptionView:
        with self.reading() as session:
            return webhooks.subscription_view(session, client_id, subscription_id)

    def end_webhook(self, client_id: int | None, subscription_id: int, actor: Actor) -> SubscriptionView:
        with self.transaction(f"end webhook {subscription_id}") as session:
            ended = webhooks.end(session, client_id, subscription_id, by=actor.name)
        webhook_outbox.forget_subscriptions()
        return ended

    def webhook_deliveries(self, client_id: int | None, subscription_id: int, *, status: str | None = None,
                           before_id: int | None = None, limit: int = 50) -> list[DeliveryView]:
        with self.reading() as session:
            return webhooks.deliveries(session, client_id, subscription_id, status=status, before_id=before_id,
                                       limit=limit)

    def retry_webhook_delivery(self, client_id: int | None, subscription_id: int, delivery_id: int,
                               actor: Actor) -> DeliveryView:
        with self.transaction(f"retry webhook delivery {delivery_id}") as session:
            return webhooks.retry(session, client_id, subscription_id, delivery_id, by=actor.name)

    # ------------------------------------------------------------------------------------------------ workers
    def due_webhook_deliveries(self, mark: timedelta, now: datetime | None = None) -> list[int]:
        """Deliveries to ring for now (marked, so the next sweep does not ring them again before `mark`)."""
        with self.transaction("find due webhook deliveries") as session:
            return webhooks.due(session, now or clock.now(), mark)

    def claim_webhook_delivery(self, delivery_id: int, owner: str, lease: timedelta) -> Outgoing | None:
        with self.transaction(f"claim webhook delivery {delivery_id}") as session:
            return webhooks.claim(session, delivery_id, owner, clock.now(), lease)

    def record_webhook_attempt(self, delivery_id: int, owner: str, status_code: int | None,
                               error: str | None) -> str:
        with self.transaction(f"record webhook delivery {delivery_id}") as session:
            return webhooks.record_attempt(session, delivery_id, owner, clock.now(), status_code, error,
                                           self.api_settings.webhook_attempts)
