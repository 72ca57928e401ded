"""Characters no text input may hold: control characters other than tab, line feed and carriage return (a NUL
cannot be stored in PostgreSQL at all, and none of them is anything a person typed), and lone surrogates (not
text: they cannot be written as UTF-8). Every way text enters the engine (patient fields, searches, task
answers and drafts, CSV rows and file names, ids) is checked with `refused_character`, the same on every
database."""
from __future__ import annotations

import re

from engine.errors import InvalidInput

# C0 controls but tab, LF and CR; DEL and the C1 controls; UTF-16 surrogates
_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def refused_character(text: str) -> str | None:
    """What is wrong with `text` when it holds a character no input may hold (the first one, by its code
    point), else None. The message follows the field's name: "given_name: contains ..."."""
    if not isinstance(text, str):
        return None
    found = _REFUSED.search(text)
    if found is None:
        return None
    code = f"U+{ord(found.group()):04X}"
    if "\ud800" <= found.group() <= "\udfff":
        return f"contains a character that is not text ({code}, a lone surrogate); remove it"
    return f"contains a control character ({code}); only tabs and line breaks may be used, remove it"


def holds_refused(text) -> bool:
    return isinstance(text, str) and _REFUSED.search(text) is not None


def shown(text: str) -> str:
    """`text` fit to print in a message: each refused character written as an escape (\\x00)."""
    return _REFUSED.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                        else f"\\u{ord(m.group()):04x}", text)


def replaced(text: str) -> str:
    """`text` with each refused character replaced by U+FFFD, so it can be stored."""
    return _REFUSED.sub("\ufffd", text)


def require_text(name: str, text) -> None:
    """Refuse (InvalidInput) a text input holding a character no input may hold, naming the input."""
    if problem := refused_character(text):
        raise InvalidInput(f"{name} {problem}")


def refused_in(value, path: tuple = ()):
    """(path, message) for every string in `value` (a JSON-like answer: objects, lists, text) that holds a
    control character; a field name that holds one is named by the path to it."""
    if isinstance(value, str):
        if problem := refused_character(value):
            yield path, problem
    elif isinstance(value, dict):
        for key, item in value.items():
            if problem := refused_character(key):
                yield path + (shown(key),), f"the field name {problem}"
            else:
                yield from refused_in(item, path + (key,))
    elif isinstance(value, (list, tuple)):
        for number, item in enumerate(value):
            yield from refused_in(item, path + (number,))


def require_data(name: str, value) -> None:
    """Refuse (InvalidInput) JSON-like data (start data, a message's keys and payload) with a character no
    input may hold in any string of it, naming the place: "start data: lab.note contains ..."."""
    for path, problem in refused_in(value):
        where = ".".join(map(str, path))
        raise InvalidInput(f"{name}{': ' + where if where else ''} {problem}")
