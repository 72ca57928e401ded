"""The JSON API's request and response bodies (marshmallow): the OpenAPI document is generated from them."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields as f
from marshmallow import validate as v

from engine.service import API_SCOPES, PRIORITIES, SEXES, WEBHOOK_EVENTS
from webapp.api.paging import PageQuery

Text = f.String
NullableText = lambda **kw: f.String(allow_none=True, **kw)  # noqa: E731 - a field maker
Moment = lambda **kw: f.DateTime(allow_none=True, **kw)  # noqa: E731


class Strict(ma.Schema):
    class Meta:
        unknown = ma.RAISE  # an unknown field is refused by name: a typo never passes unnoticed


# ------------------------------------------------------------------------------------------------ patients
class PatientIn(Strict):
    given_name = Text(required=True, validate=v.Length(1, 100))
    family_name = Text(required=True, validate=v.Length(1, 100))
    birth_date = f.Date(required=True, metadata={"description": "YYYY-MM-DD"})
    sex = Text(load_default="unknown", validate=v.OneOf(SEXES))
    phone = Text(load_default="", validate=v.Length(max=40))
    email = Text(load_default="", validate=v.Length(max=320))
    address = Text(load_default="", validate=v.Length(max=500))
    primary_care_provider = Text(load_default="", validate=v.Length(max=200))
    preferred_language = Text(load_default="", validate=v.Length(max=50))
    conditions = f.List(Text(validate=v.Length(1, 200)), load_default=list, validate=v.Length(max=50),
                        metadata={"description": "Chronic conditions, by name"})


class PatientOut(ma.Schema):
    id = Text(required=True, metadata={"description": "The patient's id: their MRN"})
    mrn = Text(required=True)
    given_name = Text(required=True)
    family_name = Text(required=True)
    birth_date = f.Date(required=True)
    sex = Text(required=True)
    phone = NullableText()
    email = NullableText()
    address = NullableText()
    primary_care_provider = NullableText()
    preferred_language = NullableText()
    risk_tier = NullableText()
    conditions = f.List(Text(), required=True)
    programs = f.List(Text(), metadata={"description": "The programs the patient is in now"})
    created_at = f.DateTime(required=True)
    updated_at = f.DateTime(required=True)


class PatientSaved(PatientOut):
    created = f.Boolean(required=True, metadata={"description": "True: a new patient; false: an update"})
    changes = f.Dict(keys=Text(), values=f.Dict(), metadata={"description": "Field -> {before, after}"})


class PatientQuery(PageQuery):
    q = Text(load_default=None, validate=v.Length(max=100),
             metadata={"description": "A name (any order, prefixes) or an MRN; at most 100 matches, one page"})


class PatientPage(ma.Schema):
    items = f.List(f.Nested(PatientOut), required=True)
    total = f.Integer(required=True)
    next_cursor = NullableText()


# ------------------------------------------------------------------------------------------------ programs
class PathwayOut(ma.Schema):
    id = Text(required=True)
    name = Text(required=True)
    startable = f.Boolean(required=True)
    program = f.Boolean(required=True, metadata={"description": "A care team can start it for a patient "
                                                                "(POST /patients/{id}/programs)"})
    starts_on_messages = f.List(Text(), required=True)
    documentation = NullableText()


class VersionOut(ma.Schema):
    version = f.Integer(required=True)
    deployment_id = f.Integer(required=True)
    deployed_at = f.DateTime(required=True)
    deployed_by = Text(required=True)
    content_hash = Text(required=True)
    pathways = f.List(f.Nested(PathwayOut), required=True)


class BundleOut(ma.Schema):
    bundle = Text(required=True)
    newest_version = f.Integer(required=True)
    versions = f.List(f.Nested(VersionOut), required=True)


class BundlePage(ma.Schema):
    items = f.List(f.Nested(BundleOut), required=True)
    next_cursor = NullableText()


class StartIn(Strict):
    program = Text(required=True, validate=v.Length(1, 200),
                   metadata={"description": "A program's id, as GET /programs lists it (program: true)"})
    team = f.Dict(keys=Text(validate=v.Length(1, 50)), values=Text(validate=v.Length(max=100)), load_default=None,
                  validate=v.Length(max=10),
                  metadata={"description": "The care team to set first: \"lead\" (the lead care manager) and a "
                                           "user name per team role (nurse, pharmacist...)"})


class StartHeaders(ma.Schema):
    idempotency_key = Text(data_key="Idempotency-Key", load_default=None, validate=v.Length(1, 200),
                           metadata={"description": "Your key for this start: the same key returns the first "
                                                    "answer and never starts a second instance"})


class ErrorSummary(ma.Schema):
    element = NullableText()
    name = NullableText()
    type = NullableText()
    line = f.Integer(allow_none=True)


class StartOut(ma.Schema):
    instance_id = f.Integer(required=True)
    patient_id = Text(required=True)
    program = Text(required=True)
    process_id = Text(required=True)
    status = Text(required=True)
    started_at = Text(required=True)
    error = f.Nested(ErrorSummary, allow_none=True)
    replayed = f.Boolean(required=True, metadata={"description": "True: the first answer to this key, again"})


# ------------------------------------------------------------------------------------------------ messages
class MessageIn(Strict):
    name = Text(required=True, validate=v.Length(1, 200), metadata={"description": "The message's name"})
    keys = f.Dict(keys=Text(validate=v.Length(1, 100)), values=Text(validate=v.Length(max=200)), required=True,
                  validate=v.Length(1, 20), metadata={"description": "Correlation keys, such as patient_id"})
    payload = f.Dict(load_default=None, allow_none=True, metadata={"description": "The message's data"})
    message_id = Text(load_default=None, validate=v.Length(1, 200),
                      metadata={"description": "Your id for the message: sent again, it is delivered once"})


class Failure(ma.Schema):
    instance = f.Integer()
    element = NullableText()
    reason = NullableText()


class MessageOut(ma.Schema):
    outcome = Text(required=True, validate=v.OneOf(("delivered", "started", "queued", "matched_nothing", "skipped",
                                                    "refused", "failed")),
                   metadata={"description": "delivered to waiting instances, started one, queued for background "
                                            "work, matched nothing; skipped (the instances are suspended or in "
                                            "error), refused (a start it asked for), failed (a pathway failed on it)"})
    message = Text(required=True)
    message_id = NullableText()
    delivered = f.List(f.Integer(), required=True)
    started = f.List(f.Integer(), required=True)
    skipped = f.List(f.Integer(), required=True)
    failed = f.List(f.Nested(Failure), required=True)
    refused = NullableText()
    job_id = f.Integer(allow_none=True)
    replayed = f.Boolean(required=True)


# ------------------------------------------------------------------------------------------------ tasks
class TaskOut(ma.Schema):
    id = f.Integer(required=True)
    uuid = Text(required=True, attribute="task_uuid")
    instance_id = f.Integer(required=True)
    patient_id = Text(required=True)
    title = Text(required=True)
    documentation = NullableText()
    element_id = Text(required=True)
    program = Text(required=True)
    stage = Text(required=True)
    role = NullableText()
    assignee = NullableText()
    status = Text(required=True)
    priority = Text(required=True, attribute="priority_name")
    due_at = Moment()
    follow_up_at = Moment()
    created_at = f.DateTime(required=True)
    claimed_at = Moment()
    completed_at = Moment()
    completed_by = NullableText()
    form_name = NullableText(attribute="form_schema", metadata={"description": "The form's file name"})


class TaskQuery(PageQuery):
    tab = Text(load_default=None, metadata={"description": "A person's inbox tab: mine, role:<role>, overdue, "
                                                           "completed (people only)"})
    status = f.List(Text(validate=v.OneOf(("open", "claimed", "completed", "cancelled"))), load_default=list,
                    metadata={"description": "Without a tab: these statuses (default open and claimed)"})
    role = f.List(Text(validate=v.Length(1, 50)), load_default=list)
    assignee = Text(load_default=None, validate=v.Length(1, 200))
    patient_id = Text(load_default=None, validate=v.Length(1, 100))
    instance_id = f.Integer(load_default=None, validate=v.Range(1, 2**31 - 1))
    program = Text(load_default=None, validate=v.Length(1, 200))
    overdue = f.Boolean(load_default=False)
    priority_at_least = Text(load_default=None, validate=v.OneOf(list(PRIORITIES)))
    due_from = f.DateTime(load_default=None)
    due_before = f.DateTime(load_default=None)
    search = Text(load_default=None, validate=v.Length(1, 100), metadata={"description": "Patient name or MRN"})
    sort = Text(load_default="due", validate=v.OneOf(("due", "priority", "patient", "task", "program", "stage",
                                                      "created", "completed")))
    descending = f.Boolean(load_default=False)


class TaskPage(ma.Schema):
    items = f.List(f.Nested(TaskOut), required=True)
    total = f.Integer(required=True)
    next_cursor = NullableText()


class FormOut(ma.Schema):
    name = NullableText()
    schema = f.Dict(allow_none=True, metadata={"description": "JSON Schema of the answers"})
    ui_schema = f.Dict(allow_none=True, metadata={"description": "UI schema (order, widgets, help)"})
    data = f.Dict(required=True, metadata={"description": "What the task holds now: prefills the form"})


class TaskDetail(TaskOut):
    form = f.Nested(FormOut, required=True, metadata={"description": "The task's form and what it holds"})
    draft = f.Dict(allow_none=True, metadata={"description": "The caller's saved draft"})


class AssignIn(Strict):
    assignee = Text(required=True, validate=v.Length(1, 100), metadata={"description": "A colleague's user name"})


class CompleteIn(Strict):
    data = f.Dict(load_default=dict, metadata={"description": "The answers, as the form's JSON Schema has them"})
    cleared = f.List(Text(validate=v.Length(1, 200)), load_default=list, validate=v.Length(max=200),
                     metadata={"description": "Answers to take out of the task's data"})
    minutes = f.Integer(load_default=None, allow_none=True, validate=v.Range(0, 24 * 60),
                        metadata={"description": "Minutes spent, when the form does not ask for them"})
    task_uuid = Text(load_default=None, validate=v.Length(36, 36),
                     metadata={"description": "The task's uuid as read: refused if the task moved on meanwhile"})


class Completion(ma.Schema):
    task = f.Nested(TaskOut, required=True)
    next_task = f.Nested(TaskOut, allow_none=True, metadata={"description": "The patient's next task for you"})


# ------------------------------------------------------------------------------------------------ instances
class InstanceOut(ma.Schema):
    id = f.Integer(required=True)
    patient_id = Text(required=True)
    program = Text(required=True)
    process_id = Text(required=True)
    deployment_id = f.Integer(required=True)
    status = Text(required=True)
    error = f.Nested(ErrorSummary, allow_none=True)
    started_by = Text(required=True)
    started_at = f.DateTime(required=True)
    updated_at = f.DateTime(required=True)
    ended_at = Moment()


class InstanceQuery(PageQuery):
    patient_id = Text(load_default=None, validate=v.Length(1, 100))
    status = Text(load_default=None, validate=v.OneOf(("running", "completed", "error", "suspended", "terminated")))


class InstancePage(ma.Schema):
    items = f.List(f.Nested(InstanceOut), required=True)
    next_cursor = NullableText()


class TimerOut(ma.Schema):
    element_id = Text(required=True)
    name = NullableText()
    kind = NullableText()
    due_at = Moment()


class WaitOut(ma.Schema):
    element_id = Text(required=True)
    message = Text(required=True, attribute="message_name")
    correlation = f.Dict(allow_none=True)


class EventOut(ma.Schema):
    id = f.Integer(required=True)
    at = f.DateTime(required=True)
    actor = Text(required=True)
    action = Text(required=True)
    element_id = NullableText()
    task_uuid = NullableText()


class InstanceDetail(InstanceOut):
    tasks = f.List(f.Nested(TaskOut), required=True, metadata={"description": "Its tasks, open ones included"})
    timers = f.List(f.Nested(TimerOut), required=True)
    waits = f.List(f.Nested(WaitOut), required=True, metadata={"description": "Messages it waits for"})
    history = f.List(f.Nested(EventOut), required=True)


# ------------------------------------------------------------------------------------------------ forms
class QuestionnaireIn(ma.Schema):
    class Meta:
        unknown = ma.INCLUDE  # the rest of the Questionnaire

    resourceType = Text(required=True, validate=v.Equal("Questionnaire"))  # noqa: N815 - FHIR's name
    item = f.List(f.Dict(), required=True, validate=v.Length(min=1))


class Unmapped(ma.Schema):
    linkId = Text(required=True)  # noqa: N815 - FHIR's name
    reason = Text(required=True)


class ImportedFormOut(ma.Schema):
    name = Text(required=True, metadata={"description": "A file name: <name>-schema.json, <name>-uischema.json"})
    schema = f.Dict(required=True)
    ui_schema = f.Dict(required=True)
    fields = f.Dict(keys=Text(), values=Text(), required=True, metadata={"description": "Property -> linkId"})
    unmapped = f.List(f.Nested(Unmapped), required=True, metadata={"description": "What was left out, and why"})


# ------------------------------------------------------------------------------------------------ webhooks
class WebhookIn(Strict):
    url = Text(required=True, validate=v.Length(8, 2000), metadata={"description": "The receiver (https)"})
    events = f.List(Text(validate=v.OneOf(WEBHOOK_EVENTS)), required=True, validate=v.Length(1, len(WEBHOOK_EVENTS)))
    description = Text(load_default=None, validate=v.Length(max=300))


class WebhookOut(ma.Schema):
    id = f.Integer(required=True)
    url = Text(required=True)
    events = f.List(Text(), required=True)
    description = NullableText()
    active = f.Boolean(required=True)
    created_at = f.DateTime(required=True)
    ended_at = Moment()


class WebhookCreated(WebhookOut):
    secret = Text(required=True, metadata={"description": "Signs every delivery (HMAC-SHA256); shown this once"})


class WebhookPage(ma.Schema):
    items = f.List(f.Nested(WebhookOut), required=True)
    next_cursor = NullableText()


class DeliveryOut(ma.Schema):
    id = f.Integer(required=True)
    event_id = Text(required=True)
    event = Text(required=True)
    status = Text(required=True, metadata={"description": "pending, sending, delivered, failed, cancelled"})
    attempts = f.Integer(required=True)
    created_at = f.DateTime(required=True)
    next_attempt_at = Moment()
    delivered_at = Moment()
    response_status = f.Integer(allow_none=True)
    error = NullableText()


class DeliveryQuery(PageQuery):
    status = Text(load_default=None, validate=v.OneOf(("pending", "sending", "delivered", "failed", "cancelled")))


class DeliveryPage(ma.Schema):
    items = f.List(f.Nested(DeliveryOut), required=True)
    next_cursor = NullableText()


# ------------------------------------------------------------------------------------------------ who
class MeOut(ma.Schema):
    actor = Text(required=True, metadata={"description": "Who the engine sees (client:<name> for a service account)"})
    kind = Text(required=True, validate=v.OneOf(("session", "client", "client-for-person")))
    roles = f.List(Text(), required=True)
    client = NullableText()
    scopes = f.List(Text(validate=v.OneOf(list(API_SCOPES))), allow_none=True)
