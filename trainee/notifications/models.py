from trainee.core.time import utcnow
from trainee.extensions import db


class Notification(db.Model):
    """An in-app message to one user. `key` makes reminders idempotent (a sweep run twice sends once)."""
    __tablename__ = "notifications"
    __table_args__ = (db.Index("ix_notifications_user_unread", "user_id", "read_at"),)
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    kind = db.Column(db.String(40), nullable=False)
    text = db.Column(db.String(300), nullable=False)
    link = db.Column(db.String(300))
    key = db.Column(db.String(120), unique=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    read_at = db.Column(db.DateTime)
