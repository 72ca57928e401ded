"""The tasks area: a task's page (views), its inbox actions (actions) and working it with colleagues (teamwork):
each registers its routes on the area's blueprint."""
from webapp.tasks import teamwork  # noqa: F401 - adds its routes to the tasks blueprint
