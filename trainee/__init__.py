"""The 三阶九转 training and career-development system for prosecutor assistants."""
import importlib

from flask import Flask
from werkzeug.routing import IntegerConverter

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
    "trainee.points",
    "trainee.evaluation",
    "trainee.checklists",
    "trainee.competitions",
    "trainee.reports",
    "trainee.dossiers",
    "trainee.api",
    "trainee.cli",
]


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` in every route: at most a 32-bit database id, so a huge number is a 404, not an overflow (500)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def create_app(config: Config | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"),
                instance_path=str(ROOT / "instance"))
    app.config.from_object(config or Config())
    app.url_map.converters["int"] = BoundedIntConverter
    if app.config["PROXY_COUNT"]:  # trust the forwarded client address and scheme from that many proxies only
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)
    from trainee import extensions
    from trainee.core import freshness  # noqa: F401  (the change counters' table and session hooks)

    extensions.db.init_app(app)
    with app.app_context():
        from trainee.core.db import ping_idle_connections, postgres_reads

        for engine in extensions.db.engines.values():
            ping_idle_connections(engine)
            if engine.dialect.name == "postgresql":
                postgres_reads(app, engine)
    extensions.migrate.init_app(app, extensions.db, directory=str(ROOT / "migrations"))
    extensions.csrf.init_app(app)
    extensions.limiter.init_app(app)
    for name in FEATURES:
        importlib.import_module(name).register(app)
    from trainee.core import querycount

    querycount.init_app(app)
    return app
