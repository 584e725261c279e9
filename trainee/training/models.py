"""The 三阶九转 model: stages, transitions, requirements, and each trainee's stage history."""
from flask_babel import lazy_gettext as _l

from trainee.core.db import LabelledEnum, TimestampMixin, enum_column
from trainee.extensions import db


class RequirementKind(LabelledEnum):
    ACTIVITY_COUNT = ("activity_count", _l("工作记录数量"))
    CHECKLIST = ("checklist", _l("必学清单"))
    ROTATION = ("rotation", _l("轮岗"))
    POINTS = ("points", _l("积分"))
    COMPETITION = ("competition", _l("竞赛"))
    PLAN = ("plan", _l("发展规划"))
    MENTORING = ("mentoring", _l("传帮带"))
    MANUAL = ("manual", _l("导师确认事项"))


class TransitionStatus(LabelledEnum):
    LOCKED = ("locked", _l("未开启"))
    IN_PROGRESS = ("in_progress", _l("进行中"))
    READY = ("ready", _l("可提交"))
    SUBMITTED = ("submitted", _l("待导师确认"))
    ACHIEVED = ("achieved", _l("已达成"))
    RETURNED = ("returned", _l("已退回"))


class Stage(db.Model):
    __tablename__ = "stages"
    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(4), nullable=False, unique=True)  # S1–S3, stable
    name = db.Column(db.String(20), nullable=False)
    theme = db.Column(db.String(60), nullable=False)
    description = db.Column(db.Text, nullable=False, default="")
    min_months = db.Column(db.Integer, nullable=False, default=0)
    order = db.Column(db.Integer, nullable=False)

    transitions = db.relationship("Transition", back_populates="stage", order_by="Transition.order")


class Transition(db.Model):
    __tablename__ = "transitions"
    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(4), nullable=False, unique=True)  # T1–T9, stable
    stage_id = db.Column(db.Integer, db.ForeignKey("stages.id"), nullable=False, index=True)
    name = db.Column(db.String(40), nullable=False)
    aim = db.Column(db.String(200), nullable=False, default="")
    description = db.Column(db.Text, nullable=False, default="")
    order = db.Column(db.Integer, nullable=False)

    stage = db.relationship("Stage", back_populates="transitions")
    requirements = db.relationship("Requirement", back_populates="transition", order_by="Requirement.order",
                                   primaryjoin="and_(Requirement.transition_id == Transition.id, Requirement.active)",
                                   viewonly=True)


class Requirement(TimestampMixin, db.Model):
    """One condition of a transition. `params` depend on the kind, e.g. activity_count:
    {"types": ["ASSIST_CASE"], "count": 30}; checklist: {"category": "POLITICAL", "stage": "S1"}."""
    __tablename__ = "requirements"
    id = db.Column(db.Integer, primary_key=True)
    transition_id = db.Column(db.Integer, db.ForeignKey("transitions.id"), nullable=False, index=True)
    kind = enum_column(RequirementKind, nullable=False)
    params = db.Column(db.JSON, nullable=False, default=dict)
    label = db.Column(db.String(100), nullable=False)
    order = db.Column(db.Integer, nullable=False, default=0)
    active = db.Column(db.Boolean, nullable=False, default=True)  # retired, never deleted

    transition = db.relationship("Transition")


class StageRecord(TimestampMixin, db.Model):
    """A period a trainee spent in a stage; the open record (end_date NULL) is the current stage."""
    __tablename__ = "stage_records"
    __table_args__ = (db.Index("ix_stage_records_current", "person_id", "end_date"),)
    id = db.Column(db.Integer, primary_key=True)
    person_id = db.Column(db.Integer, db.ForeignKey("people.id"), nullable=False, index=True)
    stage_id = db.Column(db.Integer, db.ForeignKey("stages.id"), nullable=False, index=True)
    start_date = db.Column(db.Date, nullable=False)
    end_date = db.Column(db.Date)
    reason = db.Column(db.String(200))
    approved_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)

    person = db.relationship("Person", backref=db.backref("stage_records", order_by="StageRecord.start_date"))
    stage = db.relationship("Stage")
