"""Server-side check of submitted task data against the task's JSON Schema form."""
from __future__ import annotations

from functools import lru_cache

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.validators import validator_for

from .errors import InvalidInput


class FormInvalid(InvalidInput):
    """Submitted data does not satisfy the form; `errors` maps each field path to what is wrong with it."""

    def __init__(self, form: str | None, errors: dict[str, str]):
        self.errors = errors
        lines = "; ".join(f"{field}: {msg}" for field, msg in errors.items())
        super().__init__(f"the form {form or ''} has {len(errors)} problem(s): {lines}".replace("  ", " "))


def normalise_schema(schema):
    """SpiffArena's `"items": "options_from_task_data_var:NAME"` is not JSON Schema: read it as any items.
    The placeholder also stands for a subschema elsewhere (`"anyOf": ["options_from_task_data_var:NAME"]`,
    SpiffArena's 1-2-forms example): read it as any value there too, as the deploy-time check does."""
    if isinstance(schema, dict):
        out = {}
        for key, value in schema.items():
            if key == "items" and isinstance(value, str):
                out[key] = {}
            else:
                out[key] = normalise_schema(value)
        return out
    if isinstance(schema, list):
        return [normalise_schema(v) for v in schema]
    if isinstance(schema, str) and schema.startswith("options_from_task_data_var:"):
        return {}
    return schema


@lru_cache(maxsize=256)
def _validator(schema_key: str):
    import json

    schema = normalise_schema(json.loads(schema_key))
    cls = validator_for(schema, default=Draft202012Validator)
    return cls(schema, format_checker=FormatChecker())


def validate_submission(schema: dict | None, data: dict, form_name: str | None = None) -> None:
    if not schema:
        return
    import json

    validator = _validator(json.dumps(schema, sort_keys=True))
    errors: dict[str, str] = {}
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        path = ".".join(str(p) for p in error.absolute_path)
        if error.validator == "required" and not path:
            missing = error.message.split("'")[1] if "'" in error.message else error.message
            errors.setdefault(missing, "is required")
            continue
        errors.setdefault(path or "(form)", error.message)
    if errors:
        raise FormInvalid(form_name, errors)
