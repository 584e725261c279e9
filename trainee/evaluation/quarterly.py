"""季度节点分析: one quarter's figures per trainee, and the HR / department view of who needs attention.

Checklists belong to another feature: it may register a provider here,
    QUARTER_FACTS.append(func)   # func(person_ids, year, quarter) -> {person_id: {"due": n, "overdue": n}}
and the quarter pages show due and overdue items; until then they show "—".
"""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from trainee import policy
from trainee.core.dimensions import Dimension
from trainee.core.time import add_months
from trainee.extensions import db
from trainee.org.models import Person, PersonStatus, Position
from trainee.points.ledger import ZERO
from trainee.points.models import NegativeRecord, NegativeStatus, PointsTotal

QUARTER_FACTS: list = []


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    start = date(year, (quarter - 1) * 3 + 1, 1)
    return start, add_months(start, 3)


def checklist_facts(person_ids, year, quarter) -> dict | None:
    if not QUARTER_FACTS:
        return None
    merged: dict = {}
    for provider in QUARTER_FACTS:
        for pid, facts in provider(person_ids, year, quarter).items():
            merged.setdefault(pid, {"due": 0, "overdue": 0})
            merged[pid]["due"] += facts.get("due", 0)
            merged[pid]["overdue"] += facts.get("overdue", 0)
    return merged


def pending_reviews(person_ids) -> dict:
    from trainee.activities.models import Activity, ActivityStatus

    if not person_ids:
        return {}
    rows = db.session.execute(select(Activity.person_id, func.count(Activity.id)).where(
        Activity.person_id.in_(person_ids), Activity.status == ActivityStatus.SUBMITTED).group_by(Activity.person_id))
    return dict(rows.all())


def negatives_in(person_ids, year, quarter) -> dict:
    start, end = quarter_bounds(year, quarter)
    result: dict = {}
    if not person_ids:
        return result
    for record in db.session.execute(select(NegativeRecord).where(
            NegativeRecord.person_id.in_(person_ids), NegativeRecord.occurred_on >= start,
            NegativeRecord.occurred_on < end, NegativeRecord.status != NegativeStatus.REVOKED)).scalars():
        result.setdefault(record.person_id, []).append(record)
    return result


@dataclass
class QuarterRow:
    person: Person
    stage: str | None
    points: dict = field(default_factory=dict)   # D1..D4, total
    pending: int = 0
    negatives: list = field(default_factory=list)
    checklist: dict | None = None
    commented: bool = False

    @property
    def attention(self) -> list[str]:
        reasons = []
        if self.points.get("total", ZERO) == 0:
            reasons.append("本季度无积分")
        if self.negatives:
            reasons.append("负面清单")
        if self.checklist and self.checklist.get("overdue"):
            reasons.append("清单逾期")
        return reasons


def overview(user, year: int, quarter: int, unit_id: int | None = None, department_id: int | None = None,
             attention_only: bool = False, person_id: int | None = None) -> list[QuarterRow]:
    from trainee.evaluation.models import QuarterComment
    from trainee.org.models import Unit
    from trainee.points.queries import current_stage_codes

    query = select(Person).where(policy.person_scope_filter(user), Person.position == Position.ASSISTANT,
                                 Person.status == PersonStatus.ACTIVE).options(joinedload(Person.unit),
                                                                                joinedload(Person.department))
    if unit_id:
        unit = db.session.get(Unit, unit_id)
        if unit is not None:
            query = query.where(Person.unit_id.in_(select(Unit.id).where(Unit.path.startswith(unit.path))))
    if department_id:
        query = query.where(Person.department_id == department_id)
    if person_id:
        query = query.where(Person.id == person_id)
    people = db.session.execute(query.order_by(Person.unit_id, Person.name)).scalars().all()
    ids = [p.id for p in people]
    stages = current_stage_codes(ids)
    points = {pid: {**{d.name: ZERO for d in Dimension}, "total": ZERO} for pid in ids}
    for start in range(0, len(ids), 900):
        for pid, dim, total in db.session.execute(select(PointsTotal.person_id, PointsTotal.dimension, PointsTotal.points)
                                                  .where(PointsTotal.person_id.in_(ids[start:start + 900]),
                                                         PointsTotal.year == year, PointsTotal.quarter == quarter)):
            points[pid][dim] += total
            points[pid]["total"] += total
    pending, negatives = pending_reviews(ids), negatives_in(ids, year, quarter)
    checklist = checklist_facts(ids, year, quarter)
    commented = set(db.session.execute(select(QuarterComment.person_id).where(
        QuarterComment.person_id.in_(ids), QuarterComment.year == year, QuarterComment.quarter == quarter)).scalars()) \
        if ids else set()
    rows = [QuarterRow(p, stages.get(p.id), points[p.id], pending.get(p.id, 0), negatives.get(p.id, []),
                       checklist.get(p.id) if checklist is not None else None, p.id in commented) for p in people]
    if attention_only:
        rows = [r for r in rows if r.attention]
    return rows
