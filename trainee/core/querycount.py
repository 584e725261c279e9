"""Count SQL statements per request (for the benchmark and tests): enabled by QUERY_COUNT_HEADER."""
from flask import g, has_request_context
from sqlalchemy import event
from sqlalchemy.engine import Engine

_installed = False


def _count(*_args, **_kwargs):
    if has_request_context():
        g.query_count = g.get("query_count", 0) + 1


def init_app(app) -> None:
    global _installed
    if not app.config.get("QUERY_COUNT_HEADER"):
        return
    if not _installed:
        event.listen(Engine, "before_cursor_execute", _count)
        _installed = True

    @app.after_request
    def add_header(response):
        response.headers["X-Query-Count"] = str(g.get("query_count", 0))
        if g.get("kept_uses"):  # "kept" / "made" per kept page part (core/freshness)
            response.headers["X-Kept"] = ",".join(g.kept_uses)
        return response
