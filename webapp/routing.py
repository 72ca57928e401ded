"""What a URL may hold in place of a row's id: `<id:task_id>` matches 1 to 2**31 - 1 only, the ids a row can
have (ids are 32-bit integers on PostgreSQL). A longer or larger number matches no route, so it is a 404,
never a database error. The app factory registers it; every id route uses it (tests/webapp checks)."""
from __future__ import annotations

from werkzeug.routing import IntegerConverter, Map

from engine.service import MAX_ID


class IdConverter(IntegerConverter):
    def __init__(self, map: Map) -> None:  # noqa: A002 - werkzeug's name
        super().__init__(map, min=1, max=MAX_ID)


def init_app(app) -> None:
    """Before the blueprints are registered: their rules are bound to the converters then."""
    app.url_map.converters["id"] = IdConverter
