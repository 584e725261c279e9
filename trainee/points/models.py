"""Points-based assessment (积分制考核): versioned rule sets, the append-only ledger, the maintained
aggregate table, and the negative list (负面清单) with appeals.

A rule set is a complete version of every point rule, effective from a date. Editing the rules
means saving a new version; entries keep the version they were written under, so history never
changes unless HR runs an explicit, logged recalculation (`flask --app app points recalc`).
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import event

from trainee.core.db import LabelledEnum, TimestampMixin, enum_column
from trainee.core.dimensions import Dimension
from trainee.core.time import utcnow
from trainee.extensions import db


class SourceType(LabelledEnum):
    ACTIVITY = ("activity", _l("工作记录"))
    CHECKLIST = ("checklist", _l("双学清单"))
    COMPETITION = ("competition", _l("竞赛评选"))
    HONOUR = ("honour", _l("荣誉"))
    TALENT_POOL = ("talent_pool", _l("人才库"))
    NEGATIVE = ("negative", _l("负面清单"))
    MANUAL = ("manual", _l("人工调整"))


class Level(LabelledEnum):
    """Competition and honour levels, lowest first (the order is used for comparisons)."""
    UNIT = ("unit", _l("院级"))
    CITY = ("city", _l("市级"))
    PROVINCE = ("province", _l("省级"))
    NATIONAL = ("national", _l("全国"))


class Award(LabelledEnum):
    SPECIAL = ("special", _l("特等奖"))
    FIRST = ("first", _l("一等奖"))
    SECOND = ("second", _l("二等奖"))
    THIRD = ("third", _l("三等奖"))
    EXCELLENT = ("excellent", _l("优秀奖"))
    FINALIST = ("finalist", _l("入围"))
    PARTICIPANT = ("participant", _l("参与"))


class AwardCategory(LabelledEnum):
    """Rows of the competition/honour matrix: a competition result, or an honour / talent-pool entry."""
    COMPETITION = ("competition", _l("竞赛评选"))
    MODEL = ("model", _l("检察业务标兵"))
    EXPERT = ("expert", _l("业务能手"))
    TALENT_POOL = ("talent_pool", _l("检察专业人才库"))


class RuleSet(db.Model):
    """One version of the point rules, in force from `effective_from` until the next version."""
    __tablename__ = "points_rule_sets"
    id = db.Column(db.Integer, primary_key=True)
    version = db.Column(db.Integer, nullable=False, unique=True)
    effective_from = db.Column(db.Date, nullable=False, unique=True)
    note = db.Column(db.String(300), nullable=False, default="")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)

    activity_rules = db.relationship("ActivityRule", back_populates="rule_set", order_by="ActivityRule.order",
                                     cascade="all, delete-orphan")
    award_rules = db.relationship("AwardRule", back_populates="rule_set", order_by="AwardRule.id",
                                  cascade="all, delete-orphan")
    checklist_rules = db.relationship("ChecklistRule", back_populates="rule_set", order_by="ChecklistRule.id",
                                      cascade="all, delete-orphan")
    negative_rules = db.relationship("NegativeRule", back_populates="rule_set", order_by="NegativeRule.order",
                                     cascade="all, delete-orphan")
    created_by = db.relationship("User")

    def __str__(self):
        return f"v{self.version}"


class ActivityRule(db.Model):
    """Points of one activity type: base points, dimension, and caps per quarter and per year."""
    __tablename__ = "points_activity_rules"
    __table_args__ = (db.UniqueConstraint("rule_set_id", "type_code", name="uq_points_activity_rules_set_code"),)
    id = db.Column(db.Integer, primary_key=True)
    rule_set_id = db.Column(db.Integer, db.ForeignKey("points_rule_sets.id"), nullable=False, index=True)
    type_code = db.Column(db.String(32), nullable=False)
    name = db.Column(db.String(50), nullable=False)
    points = db.Column(db.Numeric(6, 2), nullable=False)
    dimension = enum_column(Dimension, nullable=False)
    quarter_cap = db.Column(db.Numeric(7, 2))
    year_cap = db.Column(db.Numeric(7, 2))
    order = db.Column(db.Integer, nullable=False, default=0)

    rule_set = db.relationship("RuleSet", back_populates="activity_rules")


class AwardRule(db.Model):
    """One cell of the competition/honour matrix: category × level × award → points."""
    __tablename__ = "points_award_rules"
    __table_args__ = (db.UniqueConstraint("rule_set_id", "category", "level", "award",
                                          name="uq_points_award_rules_cell"),)
    id = db.Column(db.Integer, primary_key=True)
    rule_set_id = db.Column(db.Integer, db.ForeignKey("points_rule_sets.id"), nullable=False, index=True)
    category = enum_column(AwardCategory, nullable=False)
    level = enum_column(Level, nullable=False)
    award = db.Column(db.String(32), nullable=False, default="")  # Award name for competitions, "" for honours
    points = db.Column(db.Numeric(6, 2), nullable=False)
    dimension = enum_column(Dimension, nullable=False, default=Dimension.D3)

    rule_set = db.relationship("RuleSet", back_populates="award_rules")


class ChecklistRule(db.Model):
    """Points for a confirmed dual-study checklist item of a category (政治必研 / 业务必学)."""
    __tablename__ = "points_checklist_rules"
    __table_args__ = (db.UniqueConstraint("rule_set_id", "category", name="uq_points_checklist_rules_cat"),)
    id = db.Column(db.Integer, primary_key=True)
    rule_set_id = db.Column(db.Integer, db.ForeignKey("points_rule_sets.id"), nullable=False, index=True)
    category = db.Column(db.String(20), nullable=False)  # POLITICAL / BUSINESS
    points = db.Column(db.Numeric(6, 2), nullable=False)
    dimension = enum_column(Dimension, nullable=False, default=Dimension.D3)

    rule_set = db.relationship("RuleSet", back_populates="checklist_rules")


class NegativeRule(db.Model):
    """An item of the negative list: deduction (a positive number, deducted), dimension, veto flag."""
    __tablename__ = "points_negative_rules"
    __table_args__ = (db.UniqueConstraint("rule_set_id", "code", name="uq_points_negative_rules_code"),)
    id = db.Column(db.Integer, primary_key=True)
    rule_set_id = db.Column(db.Integer, db.ForeignKey("points_rule_sets.id"), nullable=False, index=True)
    code = db.Column(db.String(32), nullable=False)
    name = db.Column(db.String(60), nullable=False)
    deduction = db.Column(db.Numeric(6, 2), nullable=False, default=0)
    dimension = enum_column(Dimension, nullable=False, default=Dimension.D2)
    veto = db.Column(db.Boolean, nullable=False, default=False)
    active = db.Column(db.Boolean, nullable=False, default=True)  # retired items stay for history
    order = db.Column(db.Integer, nullable=False, default=0)

    rule_set = db.relationship("RuleSet", back_populates="negative_rules")


class PointsEntry(db.Model):
    """One line of the append-only ledger. Never updated, never deleted: a correction is a reversing
    entry (`reversal_of_id`) with the opposite points."""
    __tablename__ = "points_entries"
    __table_args__ = (
        db.Index("ix_points_entries_person_year", "person_id", "year", "quarter"),
        db.Index("ix_points_entries_source", "source_type", "source_id"),
    )
    id = db.Column(db.Integer, primary_key=True)
    person_id = db.Column(db.Integer, db.ForeignKey("people.id"), nullable=False)
    source_type = enum_column(SourceType, nullable=False)
    source_id = db.Column(db.Integer)
    rule_set_id = db.Column(db.Integer, db.ForeignKey("points_rule_sets.id"), index=True)
    rule_key = db.Column(db.String(80))  # e.g. "ASSIST_CASE", "COMPETITION:NATIONAL:FIRST", "NEG:CARD_ERROR"
    dimension = enum_column(Dimension, nullable=False)
    base_points = db.Column(db.Numeric(8, 2), nullable=False)  # what the rule gives before caps
    points = db.Column(db.Numeric(8, 2), nullable=False)       # what counts
    capped = db.Column(db.Boolean, nullable=False, default=False)
    cap_reason = db.Column(db.String(200))
    occurred_on = db.Column(db.Date, nullable=False)
    year = db.Column(db.Integer, nullable=False)
    quarter = db.Column(db.Integer, nullable=False)
    reversal_of_id = db.Column(db.Integer, db.ForeignKey("points_entries.id"), unique=True)
    note = db.Column(db.String(300), nullable=False, default="")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)

    person = db.relationship("Person")
    rule_set = db.relationship("RuleSet")
    reversal_of = db.relationship("PointsEntry", remote_side=[id])


@event.listens_for(PointsEntry, "before_update")
@event.listens_for(PointsEntry, "before_delete")
def _ledger_is_append_only(_mapper, _connection, target):
    raise RuntimeError(f"points ledger entry {target.id} is append-only: write a reversing entry instead")


class PointsTotal(db.Model):
    """Maintained aggregate: sum of the ledger per person, year, quarter and dimension.

    Updated in the same transaction as every ledger insert; `flask points verify` checks it."""
    __tablename__ = "points_totals"
    person_id = db.Column(db.Integer, db.ForeignKey("people.id"), primary_key=True)
    year = db.Column(db.Integer, primary_key=True)
    quarter = db.Column(db.Integer, primary_key=True)
    dimension = db.Column(db.String(4), primary_key=True)  # Dimension name
    points = db.Column(db.Numeric(10, 2), nullable=False, default=0)

    __table_args__ = (db.Index("ix_points_totals_year", "year", "person_id"),)


class RecalcRun(db.Model):
    """A logged recalculation: who ran it, for what scope, and how many entries changed."""
    __tablename__ = "points_recalc_runs"
    id = db.Column(db.Integer, primary_key=True)
    from_date = db.Column(db.Date, nullable=False)
    unit_code = db.Column(db.String(32))
    started_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    finished_at = db.Column(db.DateTime)
    actor = db.Column(db.String(50), nullable=False, default="system")
    people = db.Column(db.Integer, nullable=False, default=0)
    changed = db.Column(db.Integer, nullable=False, default=0)
    log = db.Column(db.Text, nullable=False, default="")


class NegativeStatus(LabelledEnum):
    RECORDED = ("recorded", _l("已记录"))
    APPEALED = ("appealed", _l("申诉中"))
    UPHELD = ("upheld", _l("申诉驳回（维持）"))
    REVOKED = ("revoked", _l("已撤销"))


APPEAL_DAYS = 15


class NegativeRecord(TimestampMixin, db.Model):
    """A negative-list item recorded against a trainee, with reason, evidence and the appeal."""
    __tablename__ = "negative_records"
    __table_args__ = (db.Index("ix_negative_records_person_date", "person_id", "occurred_on"),)
    id = db.Column(db.Integer, primary_key=True)
    person_id = db.Column(db.Integer, db.ForeignKey("people.id"), nullable=False)
    rule_set_id = db.Column(db.Integer, db.ForeignKey("points_rule_sets.id"), nullable=False, index=True)
    item_code = db.Column(db.String(32), nullable=False)
    item_name = db.Column(db.String(60), nullable=False)
    deduction = db.Column(db.Numeric(6, 2), nullable=False)
    dimension = enum_column(Dimension, nullable=False)
    veto = db.Column(db.Boolean, nullable=False, default=False)
    occurred_on = db.Column(db.Date, nullable=False)
    reason = db.Column(db.Text, nullable=False)
    evidence = db.Column(db.String(500), nullable=False)
    status = enum_column(NegativeStatus, nullable=False, default=NegativeStatus.RECORDED)
    recorded_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False, index=True)
    appeal_deadline = db.Column(db.Date, nullable=False)
    appeal_statement = db.Column(db.Text)
    appealed_at = db.Column(db.DateTime)
    decided_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)
    decided_at = db.Column(db.DateTime)
    decision_comment = db.Column(db.Text)

    person = db.relationship("Person")
    recorded_by = db.relationship("User", foreign_keys=[recorded_by_id])
    decided_by = db.relationship("User", foreign_keys=[decided_by_id])

    @property
    def in_force(self) -> bool:
        return self.status is not NegativeStatus.REVOKED
