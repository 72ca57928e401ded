"""Cursor paging for every list of the JSON API and FHIR: a list answers `next_cursor` (null on the last page),
and the same request with `cursor=<it>` gives the next page. A cursor is opaque to the client: it holds where the
next page starts (a position in the list, or the last row's id where a list is read in id order) and a hash of
the request's filters, so a cursor used with other filters is refused (400) instead of paging something else."""
from __future__ import annotations

import base64
import hashlib
import json

import marshmallow as ma

from engine.service import InvalidInput

MAX_LIMIT = 200


class PageQuery(ma.Schema):
    cursor = ma.fields.String(load_default=None, validate=ma.validate.Length(max=500),
                              metadata={"description": "The next_cursor of the previous page"})
    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(1, MAX_LIMIT),
                              metadata={"description": f"Items per page (1 to {MAX_LIMIT})"})


def _fingerprint(kind: str, filters: dict) -> str:
    text = json.dumps({"k": kind, **{k: v for k, v in filters.items() if k not in ("cursor", "limit")}},
                      sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode(kind: str, filters: dict, position: int) -> str:
    raw = json.dumps({"f": _fingerprint(kind, filters), "p": position}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(kind: str, filters: dict, cursor: str | None) -> int | None:
    """Where the page of `cursor` starts (None: the first page); InvalidInput for a cursor that is not one of
    this list with these filters."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        found = json.loads(raw)
        position = found["p"]
        same = found["f"] == _fingerprint(kind, filters)
    except (ValueError, KeyError, TypeError):
        raise InvalidInput("cursor: not a cursor this list gave; start again without one") from None
    if not same:
        raise InvalidInput("cursor: it belongs to a list with other filters; start again without one")
    if not isinstance(position, int) or isinstance(position, bool) or not 0 <= position < 2**31:
        raise InvalidInput("cursor: not a cursor this list gave; start again without one")
    return position
