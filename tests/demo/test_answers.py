"""Automatic answers for a task's form (the demos, on the command line and in the web app): they answer what is asked."""
from __future__ import annotations

from engine.cli.answers import answers

FORM = {"type": "object", "required": ["decision", "score"],
        "properties": {"score": {"type": "integer", "readOnly": True}, "decision": {"enum": ["enrol", "decline"]},
                       "note": {"type": "string"}}}


def test_automatic_answers_leave_read_only_fields_to_the_pathway():
    assert answers(FORM) == {"decision": "enrol"}
