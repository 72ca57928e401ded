"""The tasks area's blueprint: a task's page (views) and its inbox actions (actions) register their routes on it."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("tasks", __name__)
