"""The progress log: activity types and entries with evidence."""
from flask_babel import lazy_gettext as _l

from trainee.core.db import LabelledEnum, TimestampMixin, enum_column
from trainee.core.dimensions import Dimension
from trainee.core.time import utcnow
from trainee.extensions import db


class ActivityStatus(LabelledEnum):
    DRAFT = ("draft", _l("草稿"))
    SUBMITTED = ("submitted", _l("待审核"))
    APPROVED = ("approved", _l("已通过"))
    RETURNED = ("returned", _l("已退回"))
    REVOKED = ("revoked", _l("已撤销"))


class ActivityType(db.Model):
    __tablename__ = "activity_types"
    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(32), nullable=False, unique=True)
    name = db.Column(db.String(50), nullable=False)
    default_points = db.Column(db.Numeric(6, 2), nullable=False, default=0)
    dimension = enum_column(Dimension, nullable=False, default=Dimension.D1)
    quarter_cap = db.Column(db.Numeric(6, 2))  # points per quarter, None = no cap
    order = db.Column(db.Integer, nullable=False, default=0)
    active = db.Column(db.Boolean, nullable=False, default=True)


class Activity(TimestampMixin, db.Model):
    __tablename__ = "activities"
    __table_args__ = (
        db.Index("ix_activities_person_status_date", "person_id", "status", "date"),
        db.Index("ix_activities_reviewer_status", "reviewer_id", "status"),
        # Entries waiting for review longest, across a scope (HR overview, reminder sweep).
        db.Index("ix_activities_status_submitted", "status", "submitted_at", "reviewer_id", "person_id"),
    )
    id = db.Column(db.Integer, primary_key=True)
    person_id = db.Column(db.Integer, db.ForeignKey("people.id"), nullable=False)
    type_id = db.Column(db.Integer, db.ForeignKey("activity_types.id"), nullable=False, index=True)
    transition_id = db.Column(db.Integer, db.ForeignKey("transitions.id"), index=True)
    date = db.Column(db.Date, nullable=False)
    title = db.Column(db.String(200), nullable=False)
    description = db.Column(db.Text, nullable=False, default="")
    case_no = db.Column(db.String(80))
    hours = db.Column(db.Numeric(5, 1))
    no_classified_confirmed = db.Column(db.Boolean, nullable=False, default=False)
    status = enum_column(ActivityStatus, nullable=False, default=ActivityStatus.DRAFT)
    # The mentor who reviews it: the trainee's current primary mentor; moved when the mentor changes.
    reviewer_id = db.Column(db.Integer, db.ForeignKey("people.id"))
    submitted_at = db.Column(db.DateTime)
    reviewed_at = db.Column(db.DateTime)
    review_comment = db.Column(db.Text)
    revoked_at = db.Column(db.DateTime)
    revoked_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)
    revoke_reason = db.Column(db.String(300))
    # Optimistic locking: two reviewers acting at once — exactly one wins, the other gets a clear 409.
    version = db.Column(db.Integer, nullable=False, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}

    person = db.relationship("Person", foreign_keys=[person_id])
    reviewer = db.relationship("Person", foreign_keys=[reviewer_id])
    type = db.relationship("ActivityType")
    transition = db.relationship("Transition")
    evidence = db.relationship("Evidence", back_populates="activity", order_by="Evidence.id")


class Evidence(db.Model):
    """An uploaded file. Stored under UPLOAD_DIR by a random name, served only through a checked view."""
    __tablename__ = "evidence"
    id = db.Column(db.Integer, primary_key=True)
    activity_id = db.Column(db.Integer, db.ForeignKey("activities.id"), nullable=False, index=True)
    original_name = db.Column(db.String(200), nullable=False)
    stored_name = db.Column(db.String(80), nullable=False, unique=True)
    content_type = db.Column(db.String(100), nullable=False)
    size = db.Column(db.Integer, nullable=False)
    sha256 = db.Column(db.String(64), nullable=False)
    uploaded_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    uploaded_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)

    activity = db.relationship("Activity", back_populates="evidence")
