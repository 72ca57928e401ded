"""carepath web app: Flask app factory, blueprints, templates (see DESIGN.md)."""
