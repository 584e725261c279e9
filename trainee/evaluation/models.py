"""Evaluation (考评): quarterly mentor comments (季度节点分析) and annual evaluation cycles (全年综合评价)."""
from flask_babel import lazy_gettext as _l

from trainee.core.db import LabelledEnum, TimestampMixin, enum_column
from trainee.core.time import utcnow
from trainee.extensions import db


class CycleStatus(LabelledEnum):
    OPEN = ("open", _l("进行中"))
    FINALISED = ("finalised", _l("已定档"))


class CohortBasis(LabelledEnum):
    UNIT = ("unit", _l("同单位同阶段"))
    SCOPE = ("scope", _l("考评范围内同阶段"))


class Grade(LabelledEnum):
    EXCELLENT = ("excellent", _l("优秀"))
    COMPETENT = ("competent", _l("称职"))
    BASIC = ("basic", _l("基本称职"))
    INCOMPETENT = ("incompetent", _l("不称职"))


class EvaluationCycle(TimestampMixin, db.Model):
    """An annual evaluation opened by HR for a year and a set of units."""
    __tablename__ = "evaluation_cycles"
    __table_args__ = (db.CheckConstraint("weight_quant + weight_mentor + weight_dept = 100", name="weights_sum"),)
    id = db.Column(db.Integer, primary_key=True)
    year = db.Column(db.Integer, nullable=False, index=True)
    name = db.Column(db.String(100), nullable=False)
    owner_unit_id = db.Column(db.Integer, db.ForeignKey("units.id"), nullable=False, index=True)
    cohort_basis = enum_column(CohortBasis, nullable=False, default=CohortBasis.UNIT)
    weight_quant = db.Column(db.Integer, nullable=False, default=60)
    weight_mentor = db.Column(db.Integer, nullable=False, default=20)
    weight_dept = db.Column(db.Integer, nullable=False, default=20)
    excellent_quota_pct = db.Column(db.Integer, nullable=False, default=20)
    summary_min_length = db.Column(db.Integer, nullable=False, default=300)
    status = enum_column(CycleStatus, nullable=False, default=CycleStatus.OPEN)
    opened_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False, index=True)
    finalised_at = db.Column(db.DateTime)
    finalised_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)

    owner_unit = db.relationship("Unit")
    units = db.relationship("Unit", secondary="evaluation_cycle_units", order_by="Unit.path")
    evaluations = db.relationship("Evaluation", back_populates="cycle", order_by="Evaluation.id")

    @property
    def locked(self) -> bool:
        return self.status is CycleStatus.FINALISED


cycle_units = db.Table(
    "evaluation_cycle_units", db.metadata,
    db.Column("cycle_id", db.Integer, db.ForeignKey("evaluation_cycles.id"), primary_key=True),
    db.Column("unit_id", db.Integer, db.ForeignKey("units.id"), primary_key=True),
)


class Evaluation(TimestampMixin, db.Model):
    """One trainee's annual evaluation within a cycle."""
    __tablename__ = "evaluations"
    __table_args__ = (db.UniqueConstraint("cycle_id", "person_id", name="uq_evaluations_cycle_person"),)
    id = db.Column(db.Integer, primary_key=True)
    cycle_id = db.Column(db.Integer, db.ForeignKey("evaluation_cycles.id"), nullable=False, index=True)
    person_id = db.Column(db.Integer, db.ForeignKey("people.id"), nullable=False, index=True)
    unit_id = db.Column(db.Integer, db.ForeignKey("units.id"), nullable=False, index=True)
    department_id = db.Column(db.Integer, db.ForeignKey("departments.id"), index=True)
    stage_code = db.Column(db.String(4))
    mentor_id = db.Column(db.Integer, db.ForeignKey("people.id"), index=True)  # primary mentor when opened
    self_summary = db.Column(db.Text)
    summary_submitted_at = db.Column(db.DateTime)
    mentor_score = db.Column(db.Integer)
    mentor_comment = db.Column(db.Text)
    mentor_scored_at = db.Column(db.DateTime)
    mentor_scored_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    dept_score = db.Column(db.Integer)
    dept_scored_at = db.Column(db.DateTime)
    dept_scored_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    points_total = db.Column(db.Numeric(10, 2))   # frozen at finalisation
    quant_score = db.Column(db.Numeric(6, 2))      # percentile 0–100, frozen at finalisation
    composite = db.Column(db.Numeric(6, 2))        # frozen at finalisation
    veto = db.Column(db.Boolean, nullable=False, default=False)
    grade = enum_column(Grade)
    graded_at = db.Column(db.DateTime)
    graded_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))

    cycle = db.relationship("EvaluationCycle", back_populates="evaluations")
    person = db.relationship("Person", foreign_keys=[person_id])
    mentor = db.relationship("Person", foreign_keys=[mentor_id])
    unit = db.relationship("Unit")
    department = db.relationship("Department")


class QuarterComment(TimestampMixin, db.Model):
    """The mentor's quarterly comment (带教评语), returned to the trainee (点对点反馈)."""
    __tablename__ = "quarter_comments"
    __table_args__ = (db.UniqueConstraint("person_id", "year", "quarter", name="uq_quarter_comments_person_q"),)
    id = db.Column(db.Integer, primary_key=True)
    person_id = db.Column(db.Integer, db.ForeignKey("people.id"), nullable=False, index=True)
    year = db.Column(db.Integer, nullable=False)
    quarter = db.Column(db.Integer, nullable=False)
    mentor_id = db.Column(db.Integer, db.ForeignKey("people.id"), nullable=False, index=True)
    text = db.Column(db.Text, nullable=False)
    read_at = db.Column(db.DateTime)
    written_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    person = db.relationship("Person", foreign_keys=[person_id])
    mentor = db.relationship("Person", foreign_keys=[mentor_id])
