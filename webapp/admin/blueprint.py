"""The admin console's blueprint: each module of the area registers its routes on it."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__)


@bp.app_template_filter("thousands")
def thousands(value) -> str:
    """12345 -> '12,345'."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)
