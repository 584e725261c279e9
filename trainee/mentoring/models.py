"""Mentor assignments: who mentors whom, since when, until when. History is never deleted."""
from flask_babel import lazy_gettext as _l

from trainee.core.db import LabelledEnum, TimestampMixin, enum_column
from trainee.extensions import db


class AssignmentKind(LabelledEnum):
    PRIMARY = ("primary", _l("带教导师"))
    TEAM = ("team", _l("团队导师"))
    PEER = ("peer", _l("朋辈导师"))


DEFAULT_CAPACITY = 3


class MentorAssignment(TimestampMixin, db.Model):
    __tablename__ = "mentor_assignments"
    __table_args__ = (db.Index("ix_mentor_assignments_active", "mentor_id", "end_date"),)
    id = db.Column(db.Integer, primary_key=True)
    trainee_id = db.Column(db.Integer, db.ForeignKey("people.id"), nullable=False, index=True)
    mentor_id = db.Column(db.Integer, db.ForeignKey("people.id"), nullable=False, index=True)
    kind = enum_column(AssignmentKind, nullable=False, default=AssignmentKind.PRIMARY)
    start_date = db.Column(db.Date, nullable=False)
    end_date = db.Column(db.Date)  # None while active
    reason = db.Column(db.String(200))
    end_reason = db.Column(db.String(200))

    trainee = db.relationship("Person", foreign_keys=[trainee_id])
    mentor = db.relationship("Person", foreign_keys=[mentor_id])

    @property
    def is_active(self) -> bool:
        return self.end_date is None
