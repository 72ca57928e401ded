"""The inbox area: tabs, filters and pages of tasks (views), and around them saved filters, live counts, notices
and each person's settings (teamwork, whose routes join the same blueprint)."""
from webapp.inbox import teamwork  # noqa: F401 - adds its routes to the inbox blueprint
