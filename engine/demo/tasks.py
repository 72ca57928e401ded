"""Working a demo task: complete it with automatic answers built from its form."""
from __future__ import annotations

from engine.care.task_forms import FormInvalid, field_names
from engine.demo.answers import answers, find_property, sample


def complete_with_answers(service, task, actor, visit: int, overrides: dict | None = None,
                          schema: dict | None = None) -> dict:
    """Complete `task` with answers built from its form (`schema`, looked up when not given) around `overrides`
    (the demo's steering: those the form has a field for are kept, and what the form's conditions ask for once
    they are given is answered too). A second try fills what validation still asked for (a field it says is
    required, or an override it refused, gets the form's own answer) and leaves out any other field it
    refused. Returns the data that completed the task; FormInvalid when the second try fails too."""
    if schema is None:
        schema = service.task_form(task.id)
    overrides = overrides or {}
    known = field_names(schema)
    data = answers(schema, visit=visit, given={name: value for name, value in overrides.items() if name in known})
    try:
        service.complete(task.id, data, actor)
        return data
    except FormInvalid as exc:
        fixed = dict(data)
        for name, message in exc.errors.items():
            prop = find_property(schema, name) if schema else None
            if prop is not None and (message == "is required" or name in overrides):
                fixed[name] = sample(prop, schema, visit)
            else:
                fixed.pop(name, None)
        if fixed == data:
            raise
    service.complete(task.id, fixed, actor)
    return fixed
