"""carepath forms: a JSON Schema + UI schema -> an accessible HTML form, and a post -> checked, typed data.

Forms are SpiffArena's: JSON Schema (draft 2020-12, or draft-07 when `$schema` says so) for the data, and a
react-jsonschema-form UI schema for order, widgets and help. This package imports nothing else of carepath; it
uses jsonschema, Jinja2 and markupsafe.

    form = load_form(schema, ui_schema)                      # cached per content; immutable
    html = render_form(form, task_data, errors=errors,       # Markup; prefilled from the data
                       action="/tasks/12", csrf_token=token)
    data, errors = parse_submission(form, request.form, task_data=task_data)
    if submission_action(request.form).is_submit and not errors:
        ...complete the task with `data`...
    else:
        ...save `data` as a draft (nothing typed is lost) and show render_form(form, data, errors=errors)

- `load_form(schema, ui_schema=None) -> Form`; `load_form_files(schema_path, ui_path=None)`.
- `render_form(form, data=None, *, errors=None, task_data=None, action=None, method="post", csrf_token=None,
  hidden=None, wrap=True, buttons=True, readonly=False, title=True, heading_level=2, id_prefix="f",
  use_defaults=True, action_field="action", submit_label="Submit", draft_label="Save draft", script_url=None)`:
  `data` prefills the fields (schema defaults fill what it lacks unless `use_defaults=False`); `task_data`
  (default: `data`) supplies `options_from_task_data_var` answers and `{{ name }}` placeholders in titles;
  `errors` come from `parse_submission`/`validate`. `wrap=False` leaves out the `<form>` element and its
  hidden fields, and `buttons=False` the Submit / Save draft buttons, for a page that draws its own (its
  buttons must use the `action_field` name; the rows' buttons post `add:...`, `remove:...`, `up:...`,
  `down:...` under that name when the script is not running).
  `readonly=True` shows the answers as text. The page should load `STATIC_DIR/forms.js` (and may use
  `forms.css`): it shows and hides conditional fields and adds and removes rows; without it the form still
  works through the server.
- `parse_submission(form, post, *, task_data=None, draft=None, action_field="action") -> (data, errors)`:
  `post` is a multi-dict (`getlist`), a mapping or (name, value) pairs. With `draft` true (by default: when
  the button pressed was not "submit") only values that could not be read are reported, for a draft to be
  saved anyway; otherwise the data is checked in full. Conditional fields that do not apply are dropped.
- `submission_action(post, field="action") -> Action`: `submit`, `draft`, or a row change (`add`, `remove`,
  `up`, `down`) sent by a row button when the script is not running: save a draft and show the form again.
- `template_loader()` and `form_view(form, data, errors, task_data, ...) -> (nodes, summary, title,
  description)`: for a page that calls the macros of `forms/macros.html` (`field(node)`, `error_summary(...)`)
  itself instead of `render_form`.
- `unanswered(form, data) -> [name]`: the form's top-level answers a parsed post left out (emptied, or a
  conditional field that no longer applies), for the caller to clear from the task's data.
- `validate(form, data, task_data=None) -> errors` for JSON data (an API client); `drop_inactive(form, data)`.
- `word(form, data, problems) -> errors`: the problems another check of the same schema found, each
  `(path, keyword, value, message)`, worded as `validate` words them (carepath's engine checks every
  submission once, whoever sends it; the web page words what it found).
- errors are `{path: message}`, path joined with dots (`medications.0.name`, "" for the whole form), in page
  order, worded for a care manager ("Enter a whole number between 0 and 3", "Choose an answer").
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from .model import Choice, Field, Form
from .parse import ACTION_FIELD, Action, normalise_post, read_post, submission_action, unanswered
from .render import STATIC as STATIC_DIR
from .render import build as form_view
from .render import render_form, template_loader
from .schema import FormDefinitionError, load_form
from .validate import drop_inactive, order_errors, validate, word

__all__ = [
    "ACTION_FIELD", "Action", "Choice", "Field", "Form", "FormDefinitionError", "STATIC_DIR", "drop_inactive",
    "form_view", "load_form", "load_form_files", "normalise_post", "parse_submission", "render_form", "submission_action",
    "template_loader", "unanswered", "validate", "word",
]


def load_form_files(schema_path: str | Path, ui_path: str | Path | None = None) -> Form:
    """A form from its JSON files (the UI schema is optional)."""
    schema = json.loads(Path(schema_path).read_text(encoding="utf-8"))
    ui = json.loads(Path(ui_path).read_text(encoding="utf-8")) if ui_path else None
    return load_form(schema, ui)


def parse_submission(form: Form, post, *, task_data: Mapping | None = None, draft: bool | None = None,
                     action_field: str = ACTION_FIELD) -> tuple[dict, dict[str, str]]:
    """(data, errors) for a posted form; see the module's docstring."""
    action = submission_action(post, action_field)
    if draft is None:
        draft = not action.is_submit
    data, errors = read_post(form, post, task_data, action)
    if not draft:
        errors = {**validate(form, data, task_data), **errors}
    return data, order_errors(form, data, errors)
