"""The admin console's routes, registered on its blueprint as their modules are imported."""
from webapp.admin import background, home, instances, migrations, people, programs  # noqa: F401
from webapp.admin.blueprint import bp

__all__ = ["bp"]
