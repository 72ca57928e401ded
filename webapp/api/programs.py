"""Programs (bundles, their versions and the pathways they start), starting a program for a patient under an
Idempotency-Key, and messages from other systems under their message_id."""
from __future__ import annotations

from flask import request

from webapp.api import auth, paging, schemas
from webapp.api.base import make
from webapp.extensions import background, service

bp = make("api-programs", "Programs and messages",
          "Programs with their versions, starts (idempotent by Idempotency-Key), messages (by message_id)")


@bp.route("/programs")
@bp.arguments(paging.PageQuery, location="query")
@bp.response(200, schemas.BundlePage)
@auth.needs("programs:read")
def list_programs(query):
    """Every deployed bundle, with its versions (oldest first) and each version's pathways: which are
    startable, which a care team can start for a patient (`program`), which a message starts."""
    start = paging.decode("programs", query, query["cursor"]) or 0
    bundles = service().program_catalogue()
    service().record_api_call(auth.caller().actor, "programs")
    end = start + query["limit"]
    return {"items": bundles[start:end], "next_cursor": paging.encode("programs", query, end)
            if end < len(bundles) else None}


@bp.route("/patients/<patient_id>/programs", methods=["POST"])
@bp.arguments(schemas.StartHeaders, location="headers")
@bp.arguments(schemas.StartIn)
@bp.response(201, schemas.StartOut, description="Started (or the first answer to this Idempotency-Key, again)")
@auth.needs("programs:start", auth.MANAGE_PATIENTS)
def start_program(headers, body, patient_id: str):
    """Start a program for a patient.

    With an `Idempotency-Key` header the start happens once: its answer is kept under the key in the same
    transaction as the start, and the same key returns that answer again (`replayed: true`, header
    `Idempotent-Replayed: true`) without starting anything; the same key with another patient or program is
    refused (422, naming the key). Keys are the caller's own: another client's key never collides. A patient has
    one open instance of a program at most (409 when it runs already)."""
    who = auth.caller()
    answered = service().start_program_once(patient_id, body["program"], who.actor, key=headers["idempotency_key"],
                                            scope=who.scope_key, team=body["team"])
    headers_out = {"Location": f"/api/v1/instances/{answered.answer['instance_id']}"}
    if answered.replayed:
        headers_out["Idempotent-Replayed"] = "true"
    return {**answered.answer, "replayed": answered.replayed}, 201, headers_out


@bp.route("/messages", methods=["POST"])
@bp.arguments(schemas.MessageIn)
@bp.response(200, schemas.MessageOut, description="Delivered, started, matched nothing, or refused")
@bp.alt_response(202, schema=schemas.MessageOut, description="Queued for background work (Prefer: respond-async)")
@auth.needs("messages:send", auth.ADMINS)
def send_message(body):
    """Send a message to the pathways waiting for it (by name and correlation keys), or start the one it starts.

    `message_id` makes the delivery idempotent: the same id again is delivered once, however often and however
    concurrently it is sent, and answers what the first delivery did (`replayed: true`); the same id with
    another message is refused (422). The `outcome` says whether the message was delivered, started a pathway,
    matched nothing, or was queued: with `Prefer: respond-async` it is handed to background work and answered 202
    at once."""
    who = auth.caller()
    queue = _queue if "respond-async" in (request.headers.get("Prefer") or "") else None
    answered = service().send_message(body["name"], body["keys"], body["payload"], who.actor,
                                      message_id=body["message_id"], scope=who.scope_key, queue=queue)
    status = 202 if answered.answer["outcome"] == "queued" else 200
    headers = {"Idempotent-Replayed": "true"} if answered.replayed else {}
    return {**answered.answer, "message_id": body["message_id"], "replayed": answered.replayed}, status, headers


def _queue(name: str, keys: dict, payload, message_key: str) -> int:
    """Hand a message to background work (stored first; its receipts are kept under `message_key`)."""
    message_id = message_key.partition(":")[2] or None
    return background().correlate(name, keys, payload, message_id=message_id, actor=auth.caller().actor.name)
