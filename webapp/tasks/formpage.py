"""The task's form on the page: drawn by `forms` from its JSON Schema and UI schema, and a post read back into
answers for the engine, which checks them (once, as for every client); what it refuses is worded by `forms`."""
from __future__ import annotations

from markupsafe import Markup

import forms
from engine.service import MINUTES_FIELD, FormInvalid, Submission, TaskForm, asks_minutes

PAGE_MINUTES = "_minutes"  # the page's own minutes input, for a form that does not ask for them


def form_of(task_form: TaskForm) -> forms.Form | None:
    return forms.load_form(task_form.schema, task_form.ui_schema) if task_form.schema else None


def initial_values(ctx) -> dict:
    """What the form opens with: the person's saved draft, else a recent result of the same form the task may
    take instead of asking again (over the task's data), else the task's data (the form shows its own fields)."""
    if ctx.draft is not None:
        return dict(ctx.draft)
    if getattr(ctx, "recent", None) is not None:
        return {**ctx.data, **ctx.recent.answers}
    return dict(ctx.data)


def completed_values(ctx) -> dict:
    """What a completed task was completed with (shown read only)."""
    result = getattr(ctx, "result", None)
    return dict(result.answers) if result is not None else {}


def render(ctx, values: dict, errors: dict, editable: bool) -> Markup:
    form = form_of(ctx.form)
    if form is None:
        return Markup('<p class="muted">This task has no form: submitting marks it done.</p>')
    return forms.render_form(form, values, errors=errors, task_data=ctx.data, wrap=False, buttons=False,
                             readonly=not editable, heading_level=2)


def page_asks_minutes(ctx) -> bool:
    """Whether the page asks for the minutes spent (the task's own form does not)."""
    return not asks_minutes(ctx.schema)


def action(post) -> str:
    """submit, draft, or a row change (add, remove, up, down) sent by a row button when the page's script did
    not run."""
    return forms.submission_action(post).kind


class PostReader:
    """Reads a posted form against the task's form and the data it holds (the engine hands them over in the
    transaction that completes the task): typed answers, the answers emptied (cleared), the minutes spent,
    and what could not be read. Keeps what it read, for the page to be shown again with it."""

    def __init__(self, post, draft: bool):
        self.post = post
        self.draft = draft
        self.minutes = (post.get(PAGE_MINUTES) or "").strip()
        self.values: dict = {}
        self.unreadable: dict[str, str] = {}

    def __call__(self, task_form: TaskForm) -> Submission:
        form = form_of(task_form)
        if form is None:
            return Submission({}, minutes=self.minutes)
        self.values, self.unreadable = forms.parse_submission(form, self.post, task_data=task_form.data, draft=True)
        cleared = () if self.draft else tuple(forms.unanswered(form, self.values))
        return Submission(self.values, cleared, self.minutes, self.unreadable)

    def read_again(self, ctx) -> dict:
        """The post read against the task's form (a row change sent without the page's script)."""
        form = form_of(ctx.form)
        if form is not None:
            self.values, self.unreadable = forms.parse_submission(form, self.post, task_data=ctx.data, draft=True)
        return self.values


def errors_of(ctx, values: dict, refusal: FormInvalid, unreadable: dict) -> dict:
    """The engine's refusal as field messages worded for a care manager, with what could not be read."""
    form = form_of(ctx.form)
    problems = [(p.path, p.keyword, p.value, p.message) for p in refusal.problems]
    errors = forms.word(form, values, problems) if form is not None else dict(refusal.errors)
    if page_asks_minutes(ctx) and MINUTES_FIELD in errors:
        errors[PAGE_MINUTES] = errors.pop(MINUTES_FIELD)
    return {**errors, **unreadable}
