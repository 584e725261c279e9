"""The 三阶九转 model: stages, transitions, requirements, and each trainee's stage history."""
from flask_babel import lazy_gettext as _l

from trainee.core.db import LabelledEnum, TimestampMixin, enum_column
from trainee.core.time import utcnow
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


# --- sign-off, promotion, career (issue #3) ------------------------------------------------------

class SignoffAction(LabelledEnum):
    SUBMITTED = ("submitted", _l("提交确认"))
    ACHIEVED = ("achieved", _l("导师确认达成"))
    RETURNED = ("returned", _l("导师退回"))
    PLACED = ("placed", _l("直接定阶免于考核"))


class TransitionState(TimestampMixin, db.Model):
    """The sign-off state of one transition for one trainee (absent = never submitted).

    `status` is SUBMITTED, ACHIEVED or RETURNED; LOCKED / IN_PROGRESS / READY are derived by the engine.
    """
    __tablename__ = "transition_states"
    __table_args__ = (db.UniqueConstraint("person_id", "transition_id", name="uq_transition_states_person"),
                      # Transitions achieved per day across a scope (HR overview): a range, read from the index alone.
                      db.Index("ix_transition_states_status_decided", "status", "decided_on", "person_id"))
    id = db.Column(db.Integer, primary_key=True)
    person_id = db.Column(db.Integer, db.ForeignKey("people.id"), nullable=False, index=True)
    transition_id = db.Column(db.Integer, db.ForeignKey("transitions.id"), nullable=False, index=True)
    status = enum_column(TransitionStatus, nullable=False)
    submitted_at = db.Column(db.DateTime)
    decided_on = db.Column(db.Date)                 # the date the mentor signed (achieved) or returned
    mentor_id = db.Column(db.Integer, db.ForeignKey("people.id"), index=True)  # the signing mentor
    comment = db.Column(db.Text)

    person = db.relationship("Person", foreign_keys=[person_id])
    mentor = db.relationship("Person", foreign_keys=[mentor_id])
    transition = db.relationship("Transition")


class TransitionEvent(db.Model):
    """Append-only history of submissions and decisions on a transition."""
    __tablename__ = "transition_events"
    id = db.Column(db.Integer, primary_key=True)
    person_id = db.Column(db.Integer, db.ForeignKey("people.id"), nullable=False, index=True)
    transition_id = db.Column(db.Integer, db.ForeignKey("transitions.id"), nullable=False, index=True)
    action = enum_column(SignoffAction, nullable=False)
    on_date = db.Column(db.Date, nullable=False)
    at = db.Column(db.DateTime, nullable=False, default=utcnow)
    actor_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)
    signer_id = db.Column(db.Integer, db.ForeignKey("people.id"), index=True)   # mentor person for decisions
    comment = db.Column(db.Text)

    transition = db.relationship("Transition")
    signer = db.relationship("Person", foreign_keys=[signer_id])
    actor = db.relationship("User")


class ManualSignoff(TimestampMixin, db.Model):
    """A mentor-signed milestone (a MANUAL requirement) with its evidence."""
    __tablename__ = "manual_signoffs"
    __table_args__ = (db.UniqueConstraint("person_id", "requirement_id", name="uq_manual_signoffs_person"),)
    id = db.Column(db.Integer, primary_key=True)
    person_id = db.Column(db.Integer, db.ForeignKey("people.id"), nullable=False, index=True)
    requirement_id = db.Column(db.Integer, db.ForeignKey("requirements.id"), nullable=False, index=True)
    mentor_id = db.Column(db.Integer, db.ForeignKey("people.id"), nullable=False, index=True)
    signed_on = db.Column(db.Date, nullable=False)
    evidence = db.Column(db.Text, nullable=False)                     # what the mentor saw
    activity_id = db.Column(db.Integer, db.ForeignKey("activities.id"), index=True)  # optional approved entry

    mentor = db.relationship("Person", foreign_keys=[mentor_id])
    requirement = db.relationship("Requirement")


class PromotionStatus(LabelledEnum):
    RECOMMENDED = ("recommended", _l("导师已推荐，待政治部审批"))
    APPROVED = ("approved", _l("已批准"))
    RETURNED = ("returned", _l("已退回"))


class PromotionRequest(TimestampMixin, db.Model):
    """晋阶: the mentor recommends, HR approves or returns. to_stage NULL = completing S3 (培养合格)."""
    __tablename__ = "promotion_requests"
    id = db.Column(db.Integer, primary_key=True)
    person_id = db.Column(db.Integer, db.ForeignKey("people.id"), nullable=False, index=True)
    from_stage_id = db.Column(db.Integer, db.ForeignKey("stages.id"), nullable=False)
    to_stage_id = db.Column(db.Integer, db.ForeignKey("stages.id"))
    status = enum_column(PromotionStatus, nullable=False, default=PromotionStatus.RECOMMENDED, index=True)
    mentor_id = db.Column(db.Integer, db.ForeignKey("people.id"), nullable=False, index=True)
    recommended_on = db.Column(db.Date, nullable=False)
    recommendation = db.Column(db.Text, nullable=False)
    decided_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)
    decided_on = db.Column(db.Date)
    decision_comment = db.Column(db.Text)

    person = db.relationship("Person", foreign_keys=[person_id])
    mentor = db.relationship("Person", foreign_keys=[mentor_id])
    from_stage = db.relationship("Stage", foreign_keys=[from_stage_id])
    to_stage = db.relationship("Stage", foreign_keys=[to_stage_id])
    decided_by = db.relationship("User")


class CareerEventKind(LabelledEnum):
    HIRE = ("hire", _l("入职"))
    STAGE_PROMOTION = ("stage_promotion", _l("晋阶"))
    STAGE_PLACEMENT = ("stage_placement", _l("直接定阶"))
    TRAINING_COMPLETED = ("training_completed", _l("培养合格"))
    RANK_PROMOTION = ("rank_promotion", _l("职级晋升"))
    ROTATION = ("rotation", _l("轮岗"))
    TO_JUDICIAL_ADMIN = ("to_judicial_admin", _l("转任司法行政人员"))
    SELECTED = ("selected", _l("遴选为员额检察官"))
    TRANSFER = ("transfer", _l("调离"))
    LEFT = ("left", _l("离职"))


class CareerEvent(TimestampMixin, db.Model):
    __tablename__ = "career_events"
    id = db.Column(db.Integer, primary_key=True)
    person_id = db.Column(db.Integer, db.ForeignKey("people.id"), nullable=False, index=True)
    kind = enum_column(CareerEventKind, nullable=False)
    date = db.Column(db.Date, nullable=False)
    doc_no = db.Column(db.String(80))       # 文号
    note = db.Column(db.String(300))
    recorded_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)

    person = db.relationship("Person")


class RotationStatus(LabelledEnum):
    PENDING = ("pending", _l("待部门负责人确认"))
    CONFIRMED = ("confirmed", _l("已确认"))
    REJECTED = ("rejected", _l("未确认"))


class Rotation(TimestampMixin, db.Model):
    """轮岗: a period in another department, confirmed by the head of the receiving department."""
    __tablename__ = "rotations"
    id = db.Column(db.Integer, primary_key=True)
    person_id = db.Column(db.Integer, db.ForeignKey("people.id"), nullable=False, index=True)
    department_id = db.Column(db.Integer, db.ForeignKey("departments.id"), nullable=False, index=True)
    start_date = db.Column(db.Date, nullable=False)
    end_date = db.Column(db.Date)
    note = db.Column(db.String(300))
    status = enum_column(RotationStatus, nullable=False, default=RotationStatus.PENDING, index=True)
    confirmed_by_id = db.Column(db.Integer, db.ForeignKey("people.id"), index=True)
    confirmed_on = db.Column(db.Date)

    person = db.relationship("Person", foreign_keys=[person_id])
    department = db.relationship("Department")
    confirmed_by = db.relationship("Person", foreign_keys=[confirmed_by_id])


class PlanDirection(LabelledEnum):
    CRIMINAL = ("criminal", _l("刑事"))
    CIVIL = ("civil", _l("民事"))
    ADMINISTRATIVE = ("administrative", _l("行政"))
    PUBLIC_INTEREST = ("public_interest", _l("公益诉讼"))
    JUVENILE = ("juvenile", _l("未成年人"))
    COMPLAINTS = ("complaints", _l("控告申诉"))
    GENERAL = ("general", _l("综合"))


class PlanTrack(LabelledEnum):
    PROSECUTOR = ("prosecutor", _l("员额检察官"))
    SPECIALIST = ("specialist", _l("专业型检察官助理"))
    JUDICIAL_ADMIN = ("judicial_admin", _l("司法行政人员"))


class PlanStatus(LabelledEnum):
    DRAFT = ("draft", _l("草稿"))
    SUBMITTED = ("submitted", _l("待导师审核"))
    APPROVED = ("approved", _l("导师已审核"))
    RETURNED = ("returned", _l("已退回"))


class DevelopmentPlan(TimestampMixin, db.Model):
    """个人发展规划 (T6): one per year; the mentor reviews it."""
    __tablename__ = "development_plans"
    __table_args__ = (db.UniqueConstraint("person_id", "year", name="uq_development_plans_year"),)
    id = db.Column(db.Integer, primary_key=True)
    person_id = db.Column(db.Integer, db.ForeignKey("people.id"), nullable=False, index=True)
    year = db.Column(db.Integer, nullable=False)
    direction = enum_column(PlanDirection, nullable=False)
    track = enum_column(PlanTrack, nullable=False)
    goals_1y = db.Column(db.Text, nullable=False)
    goals_2y = db.Column(db.Text, nullable=False, default="")
    goals_3y = db.Column(db.Text, nullable=False, default="")
    status = enum_column(PlanStatus, nullable=False, default=PlanStatus.DRAFT)
    reviewed_by_id = db.Column(db.Integer, db.ForeignKey("people.id"), index=True)
    reviewed_on = db.Column(db.Date)
    review_comment = db.Column(db.Text)

    person = db.relationship("Person", foreign_keys=[person_id])
    reviewed_by = db.relationship("Person", foreign_keys=[reviewed_by_id])
