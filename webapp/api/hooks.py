"""Webhooks (a client subscribes its receiver to events; deliveries are signed, retried and visible) and the
Questionnaire import (a FHIR Questionnaire as a form)."""
from __future__ import annotations

from webapp.api import auth, paging, schemas
from webapp.api.base import make
from webapp.extensions import service

bp = make("api-webhooks", "Webhooks and forms",
          "Webhooks: task.created, task.completed, instance.error, signed (HMAC-SHA256) and retried; "
          "FHIR Questionnaire import")
WEBHOOKS = dict(client_only=True)


def _client() -> int:
    return auth.caller().client_id


@bp.route("/webhooks")
@bp.arguments(paging.PageQuery, location="query")
@bp.response(200, schemas.WebhookPage)
@auth.needs("webhooks:manage", auth.CLINICAL, **WEBHOOKS)
def list_webhooks(query):
    """The client's subscriptions (ended ones too)."""
    start = paging.decode("webhooks", query, query["cursor"]) or 0
    found = service().webhooks(_client())
    end = start + query["limit"]
    return {"items": found[start:end], "next_cursor": paging.encode("webhooks", query, end) if end < len(found)
            else None}


@bp.route("/webhooks", methods=["POST"])
@bp.arguments(schemas.WebhookIn)
@bp.response(201, schemas.WebhookCreated)
@auth.needs("webhooks:manage", auth.CLINICAL, **WEBHOOKS)
def subscribe(body):
    """Deliver these events to the receiver from now on. The answer holds the secret that signs every delivery
    (shown this once): `Carepath-Signature: t=<unix time>,v1=<hex>`, the hex being HMAC-SHA256(secret,
    "<t>.<raw body>"). Deliveries are written with the step that made the event and sent by background workers,
    retried with back-off when the receiver fails or is slow."""
    created = service().subscribe_webhook(_client(), body["url"], body["events"], auth.caller().actor,
                                          description=body["description"])
    return {**vars(created.subscription), "secret": created.secret}


@bp.route("/webhooks/<id:subscription_id>")
@bp.response(200, schemas.WebhookOut)
@auth.needs("webhooks:manage", auth.CLINICAL, **WEBHOOKS)
def get_webhook(subscription_id: int):
    return service().webhook(_client(), subscription_id)


@bp.route("/webhooks/<id:subscription_id>", methods=["DELETE"])
@bp.response(200, schemas.WebhookOut)
@auth.needs("webhooks:manage", auth.CLINICAL, **WEBHOOKS)
def end_webhook(subscription_id: int):
    """End a subscription: nothing more is delivered, and what was not yet sent is cancelled."""
    return service().end_webhook(_client(), subscription_id, auth.caller().actor)


@bp.route("/webhooks/<id:subscription_id>/deliveries")
@bp.arguments(schemas.DeliveryQuery, location="query")
@bp.response(200, schemas.DeliveryPage)
@auth.needs("webhooks:manage", auth.CLINICAL, **WEBHOOKS)
def deliveries(query, subscription_id: int):
    """The subscription's deliveries, newest first, each with its status (pending, sending, delivered, failed,
    cancelled), attempts, next attempt and the receiver's last answer."""
    before = paging.decode("deliveries", query, query["cursor"])
    found = service().webhook_deliveries(_client(), subscription_id, status=query["status"], before_id=before,
                                         limit=query["limit"] + 1)
    page = found[:query["limit"]]
    return {"items": page, "next_cursor": paging.encode("deliveries", query, page[-1].id)
            if len(found) > query["limit"] else None}


@bp.route("/webhooks/<id:subscription_id>/deliveries/<id:delivery_id>/retry", methods=["POST"])
@bp.response(200, schemas.DeliveryOut)
@auth.needs("webhooks:manage", auth.CLINICAL, **WEBHOOKS)
def retry(subscription_id: int, delivery_id: int):
    """Send a failed or cancelled delivery again (its attempts start again from one)."""
    return service().retry_webhook_delivery(_client(), subscription_id, delivery_id, auth.caller().actor)


# ------------------------------------------------------------------------------------------------ forms
@bp.route("/forms/import", methods=["POST"])
@bp.arguments(schemas.QuestionnaireIn)
@bp.response(200, schemas.ImportedFormOut)
@auth.needs("forms:import", auth.FORM_AUTHORS)
def import_form(questionnaire):
    """A FHIR R4 Questionnaire as a carepath form: the JSON Schema and UI schema files a bundle's forms folder
    holds (`<name>-schema.json`, `<name>-uischema.json`), the property each linkId became, and what could not be
    mapped, each with why. Nothing is stored: add the files to a bundle and deploy it (or use the studio)."""
    imported = service().questionnaire_form(questionnaire)
    service().record_api_call(auth.caller().actor, "forms import", {"questionnaire": questionnaire.get("url")
                                                                    or questionnaire.get("id")})
    return {"name": imported.name, "schema": imported.schema, "ui_schema": imported.ui_schema,
            "fields": imported.fields, "unmapped": imported.unmapped}
