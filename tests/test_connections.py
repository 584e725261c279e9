"""Connections on PostgreSQL: one broken while it sat idle in the pool is replaced on checkout, not handed to a
request; requests that only read keep psycopg's prepared statements and open no transaction (core/db.py)."""
import pytest
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from tests.conftest import PG_URL, _pg_url
from trainee.core import db as core_db

# A SQLite connection is a file handle in the process: nothing ends it from outside; it has no prepared statements
# to keep, and reads open SQLite's deferred transaction, which costs no round trip.
pytestmark = pytest.mark.skipif(not PG_URL,
                                reason="PostgreSQL only (set TEST_DATABASE_URL): server-ended connections, psycopg's transactions")


def _break(conn) -> None:
    """End a connection from the server's side, as a restart or an idle timeout does, while it sits in the pool."""
    pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    conn.commit()
    killer = create_engine(_pg_url(PG_URL), poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with killer.connect() as other:
        other.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")
    killer.dispose()


def test_a_connection_broken_while_idle_is_replaced_on_checkout(app, db, monkeypatch):
    monkeypatch.setattr(core_db, "PING_AFTER_IDLE_SECONDS", 0.0)  # every pooled connection counts as idle
    db.session.remove()
    engine = db.engine
    with engine.connect() as conn:
        broken = conn.connection.dbapi_connection
        conn.exec_driver_sql("SELECT 1")
    with engine.connect() as conn:  # back from the pool: the same connection
        assert conn.connection.dbapi_connection is broken
        _break(conn)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1
        assert conn.connection.dbapi_connection is not broken


def test_a_request_after_the_database_dropped_its_connections_is_served(app, db, client, demo, monkeypatch):
    monkeypatch.setattr(core_db, "PING_AFTER_IDLE_SECONDS", 0.0)
    client.post("/login", data={"username": "trainee", "password": "demo1234"})
    assert client.get("/home").status_code == 200
    db.session.remove()
    with db.engine.connect() as conn:  # the pool's idle connection, as the next request would get it
        _break(conn)
    assert client.get("/home").status_code == 200


def test_a_request_that_only_read_keeps_the_prepared_statements_of_its_connection(app, db, client, demo):
    """psycopg forgets prepared statements on ROLLBACK; a read-only request ends with COMMIT, so its statements
    are prepared once per connection, not planned again on every request."""
    from sqlalchemy import text

    client.post("/login", data={"username": "trainee", "password": "demo1234"})
    for _ in range(8):  # psycopg prepares a statement on its fifth use
        assert client.get("/home").status_code == 200
    db.session.remove()
    with db.engine.connect() as conn:  # the connection the requests used (the pool hands out the last returned)
        prepared = conn.execute(text("SELECT statement FROM pg_prepared_statements")).scalars().all()
    assert any("FROM users" in statement for statement in prepared), prepared


def test_a_request_that_wrote_without_committing_is_rolled_back(app, db, client):
    from trainee.core.freshness import ChangeCounter

    def write_and_forget():
        db.session.add(ChangeCounter(key="test:forgotten", version=1))
        db.session.flush()
        return "written, not committed"

    app.add_url_rule("/test/write-and-forget", view_func=write_and_forget)
    assert client.get("/test/write-and-forget").status_code == 200
    assert db.session.get(ChangeCounter, "test:forgotten") is None


def _transaction_states(app, db, method: str) -> dict:
    """What a request of `method` sees of its connection: after a plain read, after a locking read."""
    from psycopg.pq import TransactionStatus
    from sqlalchemy import select

    from trainee.core.freshness import ChangeCounter

    seen = {}

    def status():
        return TransactionStatus(db.session.connection().connection.dbapi_connection.info.transaction_status).name

    def read_lock_write():
        db.session.execute(select(ChangeCounter.key).limit(1)).all()
        seen["after a read"] = status()
        db.session.execute(select(ChangeCounter.key).limit(1).with_for_update()).all()
        seen["after a locking read"] = status()
        db.session.add(ChangeCounter(key=f"test:{method}", version=1))
        db.session.commit()
        return "written"

    app.add_url_rule(f"/test/read-lock-write-{method}", view_func=read_lock_write, methods=[method])
    assert app.test_client().open(f"/test/read-lock-write-{method}", method=method).status_code == 200
    assert db.session.get(ChangeCounter, f"test:{method}") is not None
    return seen


def test_a_get_request_reads_without_a_transaction_and_opens_one_where_it_needs_it(app, db):
    assert _transaction_states(app, db, "GET") == {"after a read": "IDLE", "after a locking read": "INTRANS"}


def test_other_requests_read_in_their_transaction(app, db):
    assert _transaction_states(app, db, "POST") == {"after a read": "INTRANS", "after a locking read": "INTRANS"}
