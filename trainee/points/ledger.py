"""The ledger: the only code that writes PointsEntry rows and the PointsTotal aggregate.

Other features call these functions inside their own transaction (or send the signals connected in
receivers.py); nothing here commits.

    award(person, SourceType.COMPETITION, result.id, rule_key="NATIONAL:FIRST", occurred_on=day, note="…")
    award(person, SourceType.MANUAL, None, dimension=Dimension.D4, points=Decimal("3"), occurred_on=day, note="…")
    reverse(SourceType.ACTIVITY, activity.id, reason="撤销：…")
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from trainee.core.dimensions import Dimension
from trainee.core.errors import ValidationFailed
from trainee.core.time import quarter_of
from trainee.extensions import db
from trainee.points.models import PointsEntry, PointsTotal, SourceType
from trainee.points.rules import Rule, RuleBook

ZERO = Decimal("0")


def fmt(value) -> str:
    """Decimal points as people write them: 10, 0.5, -2."""
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "0.00") else text


def live_entries_query():
    """Entries that count and are not yet reversed: not a reversal, and nothing reverses them."""
    reversal = aliased(PointsEntry)
    return (select(PointsEntry).outerjoin(reversal, reversal.reversal_of_id == PointsEntry.id)
            .where(PointsEntry.reversal_of_id.is_(None), reversal.id.is_(None)))


def _person_id(person) -> int:
    return person if isinstance(person, int) else person.id


def _actor_id(actor):
    if actor is not None:
        return actor.id
    from trainee.audit import _actor

    user = _actor()
    return user.id if user else None


def bump_total(person_id: int, year: int, quarter: int, dimension: Dimension, delta: Decimal) -> None:
    """Add `delta` to the aggregate row, creating it if needed (one upsert, safe under concurrency)."""
    values = {"person_id": person_id, "year": year, "quarter": quarter, "dimension": dimension.name,
              "points": delta}
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(PointsTotal).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["person_id", "year", "quarter", "dimension"],
        set_={"points": PointsTotal.points + statement.excluded.points})
    db.session.execute(statement)


def _used(person_id: int, source_type: SourceType, key: str, year: int, quarter: int | None) -> Decimal:
    query = select(func.coalesce(func.sum(PointsEntry.points), 0)).where(
        PointsEntry.person_id == person_id, PointsEntry.source_type == source_type,
        PointsEntry.rule_key == key, PointsEntry.year == year)
    if quarter is not None:
        query = query.where(PointsEntry.quarter == quarter)
    return Decimal(db.session.execute(query).scalar_one())


@dataclass
class Credit:
    points: Decimal
    capped: bool
    reason: str | None


def apply_caps(rule: Rule, base: Decimal, used_quarter: Decimal, used_year: Decimal) -> Credit:
    """Credit `base` against what the quarter and year caps leave; the rest is recorded as capped."""
    credit, reasons = base, []
    if base <= 0:
        return Credit(base, False, None)
    if rule.quarter_cap is not None:
        room = max(rule.quarter_cap - used_quarter, ZERO)
        if credit > room:
            credit = room
            reasons.append(f"{rule.label}每季度上限 {fmt(rule.quarter_cap)} 分")
    if rule.year_cap is not None:
        room = max(rule.year_cap - used_year, ZERO)
        if credit > room:
            credit = room
            reasons.append(f"{rule.label}每年上限 {fmt(rule.year_cap)} 分")
    if credit == base:
        return Credit(base, False, None)
    return Credit(credit, True, "已达" + "、".join(reasons) + f"，本条 {fmt(base)} 分计入 {fmt(credit)} 分")


def existing_live(source_type: SourceType, source_id: int | None, person_id: int) -> PointsEntry | None:
    if source_id is None:
        return None
    return db.session.execute(live_entries_query().where(
        PointsEntry.source_type == source_type, PointsEntry.source_id == source_id,
        PointsEntry.person_id == person_id).limit(1)).scalar_one_or_none()


def write_entry(**values) -> PointsEntry:
    """Insert one entry and move the aggregate with it (same transaction)."""
    day = values["occurred_on"]
    values.setdefault("year", day.year)
    values.setdefault("quarter", quarter_of(day))
    entry = PointsEntry(**values)
    db.session.add(entry)
    db.session.flush()
    bump_total(entry.person_id, entry.year, entry.quarter, entry.dimension, Decimal(entry.points))
    return entry


def _lock_person(person_id: int) -> None:
    """Serialise awards per person on PostgreSQL (row lock until commit): the cap check reads what is already
    used, so two approvals at once must not both see the same room. SQLite writers are already serialised
    (BEGIN IMMEDIATE), and there FOR UPDATE is not emitted at all."""
    from trainee.org.models import Person

    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(Person.id).where(Person.id == person_id).with_for_update())


def award(person, source_type: SourceType, source_id: int | None, *, occurred_on: date, rule_key: str | None = None,
          dimension: Dimension | None = None, points=None, note: str = "", actor=None,
          rulebook: RuleBook | None = None) -> PointsEntry:
    """Write the ledger entry for one source, inside the caller's transaction.

    With `rule_key` the points, dimension and caps come from the rule version in force on
    `occurred_on`; with `dimension` + `points` the given figure is written as is (recorded against the
    version in force). A source that already has a live entry is not counted twice: the existing entry
    is returned.
    """
    person_id = _person_id(person)
    _lock_person(person_id)
    current = existing_live(source_type, source_id, person_id)
    if current is not None:
        return current
    book = rulebook or RuleBook()
    rule_set = book.version_on(occurred_on)
    if rule_key is not None:
        rule = book.rule(source_type, rule_key, occurred_on)
        if rule is None:
            raise ValidationFailed(f"积分规则中没有“{rule_key}”（{source_type.value}）。")
        used_q = _used(person_id, source_type, rule_key, occurred_on.year, quarter_of(occurred_on)) \
            if rule.quarter_cap is not None else ZERO
        used_y = _used(person_id, source_type, rule_key, occurred_on.year, None) if rule.year_cap is not None else ZERO
        credit = apply_caps(rule, rule.points, used_q, used_y)
        return write_entry(person_id=person_id, source_type=source_type, source_id=source_id,
                           rule_set_id=rule.rule_set_id, rule_key=rule_key, dimension=rule.dimension,
                           base_points=rule.points, points=credit.points, capped=credit.capped,
                           cap_reason=credit.reason, occurred_on=occurred_on, note=(note or rule.label)[:300],
                           created_by_id=_actor_id(actor))
    if dimension is None or points is None:
        raise ValidationFailed("须给出积分规则，或给出维度和分值。")
    points = Decimal(str(points))
    return write_entry(person_id=person_id, source_type=source_type, source_id=source_id,
                       rule_set_id=rule_set.id if rule_set else None, rule_key=None, dimension=dimension,
                       base_points=points, points=points, capped=False, cap_reason=None, occurred_on=occurred_on,
                       note=note[:300], created_by_id=_actor_id(actor))


def reverse_entry(entry: PointsEntry, *, reason: str, actor=None) -> PointsEntry:
    return write_entry(person_id=entry.person_id, source_type=entry.source_type, source_id=entry.source_id,
                       rule_set_id=entry.rule_set_id, rule_key=entry.rule_key, dimension=entry.dimension,
                       base_points=-entry.base_points, points=-entry.points, capped=False, cap_reason=None,
                       occurred_on=entry.occurred_on, year=entry.year, quarter=entry.quarter,
                       reversal_of_id=entry.id, note=f"冲销：{reason}"[:300], created_by_id=_actor_id(actor))


def reverse(source_type: SourceType, source_id: int, *, reason: str, actor=None, person=None) -> list[PointsEntry]:
    """Write a reversing entry for every live entry of the source (all people, or one)."""
    query = live_entries_query().where(PointsEntry.source_type == source_type, PointsEntry.source_id == source_id)
    if person is not None:
        query = query.where(PointsEntry.person_id == _person_id(person))
    return [reverse_entry(e, reason=reason, actor=actor) for e in db.session.execute(query).scalars().all()]


# --- reading ------------------------------------------------------------------------------------

def totals(person_id: int, year: int) -> dict:
    """{"total", "by_dimension": {D1: x}, "by_quarter": [{"quarter": 1, "D1": x, ..., "total": y}]} from the aggregate."""
    rows = db.session.execute(select(PointsTotal.quarter, PointsTotal.dimension, PointsTotal.points).where(
        PointsTotal.person_id == person_id, PointsTotal.year == year)).all()
    by_quarter = [{"quarter": q, **{d.name: ZERO for d in Dimension}, "total": ZERO} for q in (1, 2, 3, 4)]
    by_dimension = {d.name: ZERO for d in Dimension}
    for quarter, dimension, points in rows:
        points = Decimal(points)
        by_quarter[quarter - 1][dimension] += points
        by_quarter[quarter - 1]["total"] += points
        by_dimension[dimension] += points
    return {"total": sum(by_dimension.values(), ZERO), "by_dimension": by_dimension, "by_quarter": by_quarter}


def year_totals(person_ids, year: int, quarter: int | None = None, dimension: str | None = None) -> dict:
    """{person_id: total} for many people in one query (people without entries are 0)."""
    query = select(PointsTotal.person_id, func.sum(PointsTotal.points)).where(PointsTotal.year == year)
    if quarter is not None:
        query = query.where(PointsTotal.quarter == quarter)
    if dimension is not None:
        query = query.where(PointsTotal.dimension == dimension)
    ids = list(person_ids)
    result = dict.fromkeys(ids, ZERO)
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        for pid, total in db.session.execute(query.where(PointsTotal.person_id.in_(chunk))
                                             .group_by(PointsTotal.person_id)):
            result[pid] = Decimal(total)
    return result


def entries(person_id: int, year: int) -> list[PointsEntry]:
    return db.session.execute(select(PointsEntry).where(PointsEntry.person_id == person_id, PointsEntry.year == year)
                              .order_by(PointsEntry.occurred_on.desc(), PointsEntry.id.desc())).scalars().all()


def reversed_ids(entry_ids) -> set[int]:
    ids = list(entry_ids)
    if not ids:
        return set()
    return set(db.session.execute(select(PointsEntry.reversal_of_id).where(
        PointsEntry.reversal_of_id.in_(ids))).scalars())


def ledger_vs_aggregate(person_ids=None) -> list[tuple]:
    """Rows where the aggregate differs from the ledger sum: (person, year, quarter, dimension, ledger, aggregate)."""
    ledger = select(PointsEntry.person_id, PointsEntry.year, PointsEntry.quarter, PointsEntry.dimension,
                    func.sum(PointsEntry.points)).group_by(PointsEntry.person_id, PointsEntry.year,
                                                           PointsEntry.quarter, PointsEntry.dimension)
    aggregate = select(PointsTotal.person_id, PointsTotal.year, PointsTotal.quarter, PointsTotal.dimension,
                       PointsTotal.points)
    if person_ids is not None:
        ledger = ledger.where(PointsEntry.person_id.in_(person_ids))
        aggregate = aggregate.where(PointsTotal.person_id.in_(person_ids))
    sums = {}
    for pid, year, quarter, dim, total in db.session.execute(ledger):
        name = dim.name if isinstance(dim, Dimension) else dim
        sums[(pid, year, quarter, name)] = Decimal(total)
    stored = {(pid, year, quarter, dim): Decimal(points) for pid, year, quarter, dim, points in db.session.execute(aggregate)}
    problems = []
    for key in sorted(set(sums) | set(stored)):
        if sums.get(key, ZERO) != stored.get(key, ZERO):
            problems.append((*key, sums.get(key, ZERO), stored.get(key, ZERO)))
    return problems


def rebuild_aggregate() -> int:
    """Recompute the whole aggregate from the ledger (repair after `verify` found a difference)."""
    db.session.execute(PointsTotal.__table__.delete())
    rows = db.session.execute(select(PointsEntry.person_id, PointsEntry.year, PointsEntry.quarter,
                                     PointsEntry.dimension, func.sum(PointsEntry.points))
                              .group_by(PointsEntry.person_id, PointsEntry.year, PointsEntry.quarter,
                                        PointsEntry.dimension)).all()
    payload = [{"person_id": p, "year": y, "quarter": q, "dimension": d.name if isinstance(d, Dimension) else d,
                "points": s} for p, y, q, d, s in rows]
    if payload:
        db.session.execute(PointsTotal.__table__.insert(), payload)
    return len(payload)


__all__ = ["fmt", "award", "reverse", "reverse_entry", "totals", "year_totals", "entries", "live_entries_query",
           "ledger_vs_aggregate", "rebuild_aggregate", "apply_caps"]
