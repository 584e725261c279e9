"""The audit trail (全程留痕): who, when, what, and the before/after of changed fields.

Every operation calls `record()` before it commits, so the entry lands in the same transaction
as the change it describes.
"""
import enum
from datetime import date, datetime
from decimal import Decimal

from flask import has_request_context, request
from flask_login import current_user

from trainee.core.time import utcnow
from trainee.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    __table_args__ = (db.Index("ix_audit_entries_object", "object_type", "object_id"),)
    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    actor_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)
    actor_name = db.Column(db.String(50), nullable=False, default="system")
    action = db.Column(db.String(64), nullable=False, index=True)
    object_type = db.Column(db.String(40))
    object_id = db.Column(db.Integer)
    unit_id = db.Column(db.Integer, db.ForeignKey("units.id"), index=True)
    summary = db.Column(db.String(300))
    changes = db.Column(db.JSON, nullable=False, default=dict)
    ip = db.Column(db.String(45))

    actor = db.relationship("User")


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    return value


def snapshot(obj, fields) -> dict:
    """The audited fields of an object as JSON-ready values."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def diff(before: dict | None, after: dict | None) -> dict:
    """{field: [before, after]} for fields whose value changed (all fields on create or delete)."""
    before, after = before or {}, after or {}
    return {k: [before.get(k), after.get(k)] for k in sorted(set(before) | set(after))
            if before.get(k) != after.get(k)}


def _actor():
    if has_request_context():
        user = getattr(request, "api_user", None) or current_user
        if user is not None and getattr(user, "is_authenticated", False):
            return user
    return None


def record(action: str, obj=None, *, before: dict | None = None, after: dict | None = None,
           summary: str | None = None, unit_id: int | None = None, actor=None) -> AuditEntry:
    """Add an audit entry to the current transaction; the caller commits."""
    actor = actor or _actor()
    if obj is not None and getattr(obj, "id", None) is None:
        db.session.flush()
    entry = AuditEntry(
        action=action,
        actor_id=actor.id if actor else None,
        actor_name=actor.username if actor else "system",
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=getattr(obj, "id", None),
        unit_id=unit_id if unit_id is not None else getattr(obj, "unit_id", None),
        summary=(summary or "")[:300] or None,
        changes=diff(before, after),
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry
