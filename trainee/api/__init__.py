"""JSON API v1: one module per resource, all registered on one blueprint."""
import importlib

RESOURCES = ["tokens", "me", "people", "training", "competitions", "reports", "dossiers", "points", "activities",
             "checklists", "openapi"]


def register(app):
    for name in RESOURCES:
        importlib.import_module(f"trainee.api.{name}")
    from trainee.api.core import bp

    app.register_blueprint(bp)
