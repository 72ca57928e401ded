"""The task's form on the page: drawn by `forms` from its JSON Schema and UI schema, read back and checked by it."""
from __future__ import annotations

from markupsafe import Markup

import forms


def form_of(ctx) -> forms.Form | None:
    return forms.load_form(ctx.schema, ctx.ui_schema) if ctx.schema else None


def initial_values(ctx) -> dict:
    """What the form opens with: the person's saved draft, else the task's data (the form shows its own fields)."""
    return dict(ctx.draft) if ctx.draft is not None else dict(ctx.data)


def render(ctx, values: dict, errors: dict, editable: bool) -> Markup:
    form = form_of(ctx)
    if form is None:
        return Markup('<p class="muted">This task has no form: submitting marks it done.</p>')
    return forms.render_form(form, values, errors=errors, task_data=ctx.data, wrap=False, buttons=False,
                             readonly=not editable, heading_level=2)


MINUTES_FIELD = "minutes_spent"


def asks_minutes(ctx) -> bool:
    """Whether the task's own form asks for the minutes spent (the pathway forms do); else the page asks."""
    return MINUTES_FIELD in ((ctx.schema or {}).get("properties") or {})


def parse(ctx, post, draft: bool) -> tuple[dict, dict]:
    form = form_of(ctx)
    if form is None:
        return {}, {}
    return forms.parse_submission(form, post, task_data=ctx.data, draft=draft)


def unanswered(ctx, values: dict) -> list[str]:
    """The form's answers the submission leaves empty: the engine clears them from the task's data."""
    form = form_of(ctx)
    return forms.unanswered(form, values) if form is not None else []


def action(post) -> str:
    """submit, draft, or a row change (add, remove, up, down) sent by a row button when the page's script did
    not run."""
    return forms.submission_action(post).kind


def engine_errors(exc) -> dict:
    """The engine's own form check, as field messages (it runs the same schema)."""
    return {name: (message if message != "is required" else "Answer this question")
            for name, message in exc.errors.items()}
