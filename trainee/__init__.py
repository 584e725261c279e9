"""The 三阶九转 training and career-development system for prosecutor assistants."""
import importlib

from flask import Flask

from trainee.config import ROOT, Config

# Each feature package exposes register(app): blueprints, nav items, home widgets, CLI, reference data.
FEATURES = [
    "trainee.web",
    "trainee.auth",
    "trainee.org",
    "trainee.admin",
    "trainee.training",
    "trainee.activities",
    "trainee.notifications",
    "trainee.competitions",
    "trainee.api",
    "trainee.cli",
]


def create_app(config: Config | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"),
                instance_path=str(ROOT / "instance"))
    app.config.from_object(config or Config())
    from trainee import extensions

    extensions.db.init_app(app)
    extensions.migrate.init_app(app, extensions.db, directory=str(ROOT / "migrations"))
    extensions.csrf.init_app(app)
    extensions.limiter.init_app(app)
    for name in FEATURES:
        importlib.import_module(name).register(app)
    from trainee.core import querycount

    querycount.init_app(app)
    return app
