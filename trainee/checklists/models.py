"""双学铸魂: the must-study checklist — item templates, each trainee's assignments, mentor notes, attachments."""
from flask_babel import lazy_gettext as _l

from trainee.core.db import LabelledEnum, TimestampMixin, enum_column
from trainee.core.time import utcnow
from trainee.extensions import db


class ChecklistCategory(LabelledEnum):
    POLITICAL = ("political", _l("政治必研"))
    BUSINESS = ("business", _l("业务必学"))


class AssignmentStatus(LabelledEnum):
    """PENDING (not yet submitted; a draft may be saved) → SUBMITTED → CONFIRMED (locked) or RETURNED
    (comment; edited and resubmitted). EXEMPT: HR exempted the person, with a reason."""
    PENDING = ("pending", _l("待学习"))
    SUBMITTED = ("submitted", _l("待导师确认"))
    RETURNED = ("returned", _l("已退回"))
    CONFIRMED = ("confirmed", _l("已确认"))
    EXEMPT = ("exempt", _l("已免学"))


OPEN_STATUSES = (AssignmentStatus.PENDING, AssignmentStatus.RETURNED)        # the trainee has to act


class NoteAngle(LabelledEnum):
    """三维剖析: the mentor discusses a reflection from one of three angles."""
    POLITICAL = ("political", _l("政治维度"))
    THEORETICAL = ("theoretical", _l("理论维度"))
    BUSINESS = ("business", _l("业务维度"))


class ChecklistItem(TimestampMixin, db.Model):
    """One must-study item of a stage. Retired items are kept (never deleted) and no longer assigned."""
    __tablename__ = "checklist_items"
    id = db.Column(db.Integer, primary_key=True)
    category = enum_column(ChecklistCategory, nullable=False)
    stage_id = db.Column(db.Integer, db.ForeignKey("stages.id"), nullable=False, index=True)
    title = db.Column(db.String(200), nullable=False)
    source = db.Column(db.String(200), nullable=False, default="")       # 出处 / 发文机关
    min_chars = db.Column(db.Integer, nullable=False, default=300)        # minimum reflection length
    due_months = db.Column(db.Integer, nullable=False, default=6)         # months after the stage starts
    order = db.Column(db.Integer, nullable=False, default=0)
    added_on = db.Column(db.Date, nullable=False)                         # due dates count from here for people already in the stage
    active = db.Column(db.Boolean, nullable=False, default=True)
    retired_on = db.Column(db.Date)
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)

    stage = db.relationship("Stage")


class ChecklistAssignment(TimestampMixin, db.Model):
    """An item assigned to one trainee, with the reflection, the review and the exemption."""
    __tablename__ = "checklist_assignments"
    __table_args__ = (db.UniqueConstraint("person_id", "item_id", name="uq_checklist_assignments_person_item"),
                      db.Index("ix_checklist_assignments_status_due", "status", "due_date"),
                      # Covers a trainee's open items by due date (home widget) and the completion counts by
                      # person, item and state (HR report), without visiting the table.
                      db.Index("ix_checklist_assignments_person_item_state", "person_id", "item_id", "status",
                               "due_date"))
    id = db.Column(db.Integer, primary_key=True)
    person_id = db.Column(db.Integer, db.ForeignKey("people.id"), nullable=False, index=True)
    item_id = db.Column(db.Integer, db.ForeignKey("checklist_items.id"), nullable=False, index=True)
    assigned_on = db.Column(db.Date, nullable=False)
    due_date = db.Column(db.Date, nullable=False)
    status = enum_column(AssignmentStatus, nullable=False, default=AssignmentStatus.PENDING)
    reflection = db.Column(db.Text, nullable=False, default="")
    attachment_id = db.Column(db.Integer, db.ForeignKey("checklist_attachments.id"), index=True)
    submitted_at = db.Column(db.DateTime)
    reviewer_id = db.Column(db.Integer, db.ForeignKey("people.id"), index=True)   # the mentor who decided
    reviewed_at = db.Column(db.DateTime)
    review_comment = db.Column(db.Text)
    confirmed_on = db.Column(db.Date)
    exempt_reason = db.Column(db.String(300))
    exempted_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)
    exempted_on = db.Column(db.Date)
    # Optimistic locking: a mentor confirming while HR exempts — one wins, the other gets a clear 409.
    version = db.Column(db.Integer, nullable=False, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}

    person = db.relationship("Person", foreign_keys=[person_id])
    item = db.relationship("ChecklistItem")
    reviewer = db.relationship("Person", foreign_keys=[reviewer_id])
    attachment = db.relationship("ChecklistAttachment", foreign_keys=[attachment_id])
    notes = db.relationship("ChecklistNote", back_populates="assignment", order_by="ChecklistNote.id")

    @property
    def category(self):
        return self.item.category

    @property
    def title(self) -> str:
        return self.item.title

    @property
    def locked(self) -> bool:
        return self.status in (AssignmentStatus.CONFIRMED, AssignmentStatus.EXEMPT)

    def is_overdue(self, today) -> bool:
        return self.status in OPEN_STATUSES and self.due_date < today


class ChecklistNote(db.Model):
    """The mentor's discussion note (三维剖析) on a reflection; shown to the trainee. Append-only."""
    __tablename__ = "checklist_notes"
    id = db.Column(db.Integer, primary_key=True)
    assignment_id = db.Column(db.Integer, db.ForeignKey("checklist_assignments.id"), nullable=False, index=True)
    angle = enum_column(NoteAngle, nullable=False)
    text = db.Column(db.Text, nullable=False)
    author_id = db.Column(db.Integer, db.ForeignKey("people.id"), nullable=False, index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    assignment = db.relationship("ChecklistAssignment", back_populates="notes")
    author = db.relationship("Person")


class ChecklistAttachment(db.Model):
    """An optional file with a reflection: checked by content, stored by a random name, served by a checked view."""
    __tablename__ = "checklist_attachments"
    id = db.Column(db.Integer, primary_key=True)
    person_id = db.Column(db.Integer, db.ForeignKey("people.id"), nullable=False, index=True)
    original_name = db.Column(db.String(200), nullable=False)
    stored_name = db.Column(db.String(80), nullable=False, unique=True)
    content_type = db.Column(db.String(100), nullable=False)
    size = db.Column(db.Integer, nullable=False)
    sha256 = db.Column(db.String(64), nullable=False)
    uploaded_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    uploaded_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)
