"""Model helpers shared by every feature."""
import enum

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
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


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
