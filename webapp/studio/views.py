"""The studio's routes: importing this module registers the pages and the editor's JSON routes on `bp`."""
from __future__ import annotations

from webapp.studio import api, pages  # noqa: F401 - they register the routes
from webapp.studio.blueprint import bp

__all__ = ["bp"]
