"""Explicit, logged recalculation: re-derive ledger entries under the rules as they now stand.

For every person in scope, sources that occurred on or after `from_date` are replayed in date order
under the RuleBook (the rule version in force on each source's date, caps included). Where the live
entry differs from what the rules now give, it is reversed and a new entry written; sources that should
have an entry but have none (an approved activity, a negative item in force) are backfilled. Earlier
entries of the same year count towards the caps but are not touched. Running it twice changes nothing
the second time.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from trainee import audit
from trainee.core.time import quarter_of, utcnow
from trainee.extensions import db
from trainee.org.models import Person, Unit
from trainee.points import ledger
from trainee.points.ledger import fmt
from trainee.points.models import NegativeRecord, NegativeStatus, PointsEntry, RecalcRun, SourceType
from trainee.points.rules import RuleBook

ZERO = Decimal("0")
ORDER = {t: i for i, t in enumerate(SourceType)}


@dataclass
class Source:
    person_id: int
    source_type: SourceType
    source_id: int | None
    key: str
    occurred_on: date
    note: str


def _activity_sources(person_ids, from_date):
    from trainee.activities.models import Activity, ActivityStatus, ActivityType

    rows = db.session.execute(select(Activity.id, Activity.person_id, Activity.date, Activity.title, ActivityType.code,
                                     ActivityType.name).join(ActivityType).where(
        Activity.status == ActivityStatus.APPROVED, Activity.date >= from_date, Activity.person_id.in_(person_ids)))
    return [Source(r.person_id, SourceType.ACTIVITY, r.id, r.code, r.date, f"{r.name}：{r.title}") for r in rows]


def _negative_sources(person_ids, from_date):
    rows = db.session.execute(select(NegativeRecord).where(
        NegativeRecord.status != NegativeStatus.REVOKED, NegativeRecord.occurred_on >= from_date,
        NegativeRecord.person_id.in_(person_ids))).scalars()
    return [Source(r.person_id, SourceType.NEGATIVE, r.id, r.item_code, r.occurred_on, f"负面清单：{r.item_name}")
            for r in rows]


def recalculate(from_date: date, unit_code: str | None = None, *, actor_name="system", echo=print,
                batch: int = 500) -> RecalcRun:
    unit = None
    if unit_code:
        unit = db.session.execute(select(Unit).where(Unit.code == unit_code)).scalar_one_or_none()
        if unit is None:
            raise ValueError(f"单位代码 {unit_code} 不存在。")
    people = select(Person.id)
    if unit is not None:
        people = people.where(Person.unit_id.in_(select(Unit.id).where(Unit.path.startswith(unit.path))))
    person_ids = list(db.session.execute(people.order_by(Person.id)).scalars())
    run = RecalcRun(from_date=from_date, unit_code=unit_code, actor=actor_name, people=len(person_ids))
    db.session.add(run)
    db.session.flush()
    book, lines = RuleBook(), []
    for start in range(0, len(person_ids), batch):
        chunk = person_ids[start:start + batch]
        lines += _recalculate_chunk(chunk, from_date, book)
        db.session.flush()
    run.changed, run.finished_at = len(lines), utcnow()
    run.log = "\n".join(lines)[:100_000]
    audit.record("points.recalculated", run, after={"from": from_date.isoformat(), "unit": unit_code,
                                                    "people": len(person_ids), "changed": len(lines)},
                 summary=f"积分重算：{from_date.isoformat()} 起，{unit_code or '全部单位'}，变更 {len(lines)} 条",
                 unit_id=unit.id if unit else None)
    db.session.commit()
    for line in lines:
        echo(line)
    return run


def _recalculate_chunk(person_ids, from_date, book) -> list[str]:
    year_start = date(from_date.year, 1, 1)
    live = db.session.execute(ledger.live_entries_query().where(
        PointsEntry.person_id.in_(person_ids), PointsEntry.occurred_on >= year_start)).scalars().all()
    used_q, used_y = defaultdict(lambda: ZERO), defaultdict(lambda: ZERO)
    current = {}
    sources = {}
    for entry in live:
        if entry.occurred_on < from_date:  # fixed context for the caps of this year
            used_q[(entry.person_id, entry.source_type, entry.rule_key, entry.year, entry.quarter)] += entry.points
            used_y[(entry.person_id, entry.source_type, entry.rule_key, entry.year)] += entry.points
            continue
        # Entries without a source id (bulk or manual) are keyed by their own id.
        key = (entry.person_id, entry.source_type, entry.source_id if entry.source_id is not None else -entry.id)
        current[key] = entry
        if entry.rule_key is not None:
            sources[key] = Source(
                entry.person_id, entry.source_type, entry.source_id, entry.rule_key, entry.occurred_on, entry.note)
    # Facts from the owning tables win over the ledger's copy: backfills, and keys that changed.
    expected = _activity_sources(person_ids, from_date) + _negative_sources(person_ids, from_date)
    owned = {SourceType.ACTIVITY, SourceType.NEGATIVE}
    for key in [k for k in sources if k[1] in owned and k[2] > 0]:
        del sources[key]
    for source in expected:
        sources[(source.person_id, source.source_type, source.source_id)] = source
    lines = []
    def order(k):
        # Id-less entries of one day are interchangeable: credited ones first keeps the result stable.
        anonymous = k[2] < 0
        points = -current[k].points if anonymous and k in current else ZERO
        return (sources[k].occurred_on, ORDER[k[1]], anonymous, points, abs(k[2]), k[0])

    for key in sorted(sources, key=order):
        source = sources[key]
        rule = book.rule(source.source_type, source.key, source.occurred_on)
        entry = current.pop(key, None)
        if rule is None:
            if entry is not None:
                lines.append(f"保留 #{entry.id}：规则中已没有 {source.key}，未改动")
            continue
        qk = (source.person_id, source.source_type, source.key, source.occurred_on.year, quarter_of(source.occurred_on))
        yk = (source.person_id, source.source_type, source.key, source.occurred_on.year)
        credit = ledger.apply_caps(rule, rule.points, used_q[qk], used_y[yk])
        used_q[qk] += credit.points
        used_y[yk] += credit.points
        wanted = (rule.rule_set_id, rule.dimension, Decimal(rule.points), Decimal(credit.points), credit.capped,
                  source.key, source.occurred_on)
        if entry is not None:
            have = (entry.rule_set_id, entry.dimension, Decimal(entry.base_points), Decimal(entry.points),
                    entry.capped, entry.rule_key, entry.occurred_on)
            if have == wanted:
                continue
            ledger.reverse_entry(entry, reason="按现行规则重算")
        new = ledger.write_entry(person_id=source.person_id, source_type=source.source_type, source_id=source.source_id,
                                 rule_set_id=rule.rule_set_id, rule_key=source.key, dimension=rule.dimension,
                                 base_points=rule.points, points=credit.points, capped=credit.capped,
                                 cap_reason=credit.reason, occurred_on=source.occurred_on,
                                 note=(source.note or rule.label)[:300])
        before = fmt(entry.points) if entry is not None else "无"
        lines.append(f"人员 {source.person_id} {source.source_type.value} #{source.source_id}（{source.occurred_on}）："
                     f"{before} → {fmt(new.points)}{'（封顶）' if new.capped else ''}")
    for key, entry in current.items():  # live entries whose source no longer earns points
        if key[1] in owned and key[2] > 0:
            ledger.reverse_entry(entry, reason="来源已不计分（已撤销）")
            lines.append(f"人员 {key[0]} {key[1].value} #{key[2]}：{fmt(entry.points)} → 0（冲销）")
    return lines
