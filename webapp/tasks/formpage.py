"""The task's form on the page: rendered by `forms` from its JSON Schema and UI schema, parsed and checked by it."""
from __future__ import annotations


def initial_values(ctx) -> dict:
    raise NotImplementedError


def render(ctx, values, errors, editable):
    raise NotImplementedError


def parse(ctx, post, draft: bool):
    raise NotImplementedError


def engine_errors(exc) -> dict:
    return dict(exc.errors)
