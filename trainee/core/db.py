"""Model helpers shared by every feature."""
import enum
import re
import time
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

from flask import has_request_context, request
from sqlalchemy import Enum as SAEnum
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

from trainee.core.time import utcnow
from trainee.extensions import db


def enum_column(enum_cls: type[enum.Enum], **kw):
    """Store an Enum by its name, as a plain string column (no native PG enum to migrate)."""
    return db.Column(
        SAEnum(enum_cls, native_enum=False, length=32, validate_strings=True, create_constraint=False),
        **kw,
    )


class TimestampMixin:
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """SQLite in production settings: WAL, a busy timeout and enforced foreign keys."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        # We emit BEGIN ourselves (below); the driver's implicit transactions would defeat it.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=20000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


_IMMEDIATE: ContextVar[bool] = ContextVar("sqlite_immediate", default=False)


@contextmanager
def write_transaction():
    """For writes outside a writing request (background jobs, a GET that records something): end the
    current read transaction, then write in a transaction that takes SQLite's write lock at BEGIN.
    Commits on success, rolls back on error. (PostgreSQL: a plain transaction.)"""
    db.session.rollback()
    token = _IMMEDIATE.set(True)
    try:
        yield db.session
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    finally:
        _IMMEDIATE.reset(token)


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    """Writing requests take SQLite's write lock at BEGIN (IMMEDIATE), so they queue on the busy timeout.

    A deferred transaction that reads and then writes cannot wait for a concurrent writer: SQLite fails it
    at once with "database is locked". Reads stay deferred and run in parallel under WAL.
    """
    if conn.dialect.name != "sqlite":
        return
    writing = _IMMEDIATE.get() or (has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS"))
    conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


class LabelledEnum(enum.Enum):
    """An enum whose members carry a Chinese label: Member = ("value", "标签")."""

    def __new__(cls, value, label):
        member = object.__new__(cls)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def choices(cls):
        return [(m.name, m.label) for m in cls]


# A pooled connection unused for this long is tested before it is handed out (the server may have restarted or
# dropped it). One used more recently is trusted: SQLAlchemy's pool_pre_ping tested every checkout, one more
# round trip on every request, the largest single cost of a kept page on PostgreSQL. A connection broken within
# this window fails its request; SQLAlchemy then discards the pool's connections, so the next request is served.
PING_AFTER_IDLE_SECONDS = 10.0


def ping_idle_connections(engine: Engine) -> None:
    """Test connections on checkout from the pool when they sat idle longer than PING_AFTER_IDLE_SECONDS."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection, record, _proxy):
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return  # new, or in use a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:  # the pool drops it and connects afresh
            raise exc.DisconnectionError("connection found broken on checkout") from error


# Statements that only read: a SELECT that takes no row locks. Anything else (a write, SAVEPOINT, SELECT ... FOR
# UPDATE, a CTE that might write) needs the transaction.
_READS = re.compile(r"\s*SELECT\b", re.IGNORECASE)
_LOCKS = re.compile(r"\bFOR\s+(?:NO\s+KEY\s+)?(?:UPDATE|SHARE|KEY\s+SHARE)\b", re.IGNORECASE)
_READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@lru_cache(maxsize=4096)
def only_reads(statement: str) -> bool:
    """Remembered per statement text: the compiled-statement cache hands out the same few strings again and
    again, and searching a long SELECT for a locking clause on every execution cost more than its lookup."""
    return bool(_READS.match(statement)) and not _LOCKS.search(statement)


def postgres_reads(app, engine: Engine) -> None:
    """PostgreSQL: no transaction round trips for requests that only read.

    psycopg opens every transaction with a BEGIN of its own and forgets its prepared statements on every ROLLBACK,
    so a page that only read paid two round trips and planned its statements afresh each time (about 1.4 ms of
    server CPU for a kept trainee home). Instead:
    - a GET (HEAD, OPTIONS) request gets its connection in autocommit mode: under READ COMMITTED each statement
      sees what was committed when it started, in a transaction or not, so plain reads need none. Its first
      statement that does need one (a write, a locking read) turns autocommit off, and psycopg opens the
      transaction right before it: a GET that records something commits or rolls back all of it as before.
    - any other request's transaction that only read ends with COMMIT, not ROLLBACK (the same to the server).
    A transaction that wrote, or a request that failed, is rolled back as ever.
    """
    from psycopg.pq import TransactionStatus

    @event.listens_for(engine, "checkout")
    def _reads_without_transaction(dbapi_connection, record, _proxy):
        reading = has_request_context() and request.method in _READING_METHODS
        if dbapi_connection.autocommit != reading:  # psycopg's setter runs a generator: skip it when unchanged
            dbapi_connection.autocommit = reading
        record.info["autocommit_reads"] = reading

    @event.listens_for(engine, "begin")
    def _began(conn):
        conn.info["wrote"] = False

    @event.listens_for(engine, "before_cursor_execute")
    def _note_write(conn, _cursor, statement, _parameters, _context, _executemany):
        if only_reads(statement):
            return
        conn.info["wrote"] = True
        if conn.info.get("autocommit_reads"):  # not when SQLAlchemy was asked for AUTOCOMMIT (bulk loads)
            conn.info["autocommit_reads"] = False
            dbapi = conn.connection.dbapi_connection
            if conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
                dbapi.autocommit = False  # psycopg begins the transaction before this statement

    @app.teardown_request
    def _commit_reads(error):
        from trainee.extensions import db

        session = db.session()
        if error is not None or not session.in_transaction():
            return
        connection = session.connection()
        if connection.info.get("wrote", True):
            return
        if connection.connection.dbapi_connection.info.transaction_status == TransactionStatus.IDLE:
            return  # read in autocommit mode: no transaction to end (closing the session sends nothing either)
        if session.new or session.dirty or session.deleted:  # changed but not flushed: rolled back as ever
            return
        expire, session.expire_on_commit = session.expire_on_commit, False  # nothing changed; it closes next
        try:
            session.commit()  # in autocommit mode nothing is sent
        except Exception:  # a failed read transaction: rolled back when the session closes, as before
            session.rollback()
        finally:
            session.expire_on_commit = expire
