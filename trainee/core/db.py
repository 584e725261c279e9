"""Model helpers shared by every feature."""
import enum
from contextlib import contextmanager
from contextvars import ContextVar

from flask import has_request_context, request
from sqlalchemy import Enum as SAEnum
from sqlalchemy import event
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
