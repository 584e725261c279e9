"""Demo and city-scale points data.

Demo: ledger entries come from the demo's approved activities through the same ledger.award() the
approval receiver uses (so the ledger is consistent with them), plus a few negative items with appeals.
Bulk: entries for every trainee and year, derived from bulk activities when that generator has run,
otherwise synthesised per quarter; the aggregate table is computed in memory and inserted in batches.
"""
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from trainee.bulk import BulkContext, bulk_step, insert_many
from trainee.core.time import quarter_of
from trainee.demo import DemoContext, demo_step
from trainee.extensions import db
from trainee.points import ledger
from trainee.points.models import APPEAL_DAYS, NegativeRecord, NegativeStatus, PointsEntry, PointsTotal, SourceType
from trainee.points.rules import RuleBook


def backfill_activities(rulebook: RuleBook | None = None) -> int:
    """Write the missing entries of approved activities, oldest first (caps apply in date order)."""
    from trainee.activities.models import Activity, ActivityStatus

    book = rulebook or RuleBook()
    has_entry = select(PointsEntry.source_id).where(PointsEntry.source_type == SourceType.ACTIVITY,
                                                    PointsEntry.source_id.is_not(None))
    activities = db.session.execute(select(Activity).where(
        Activity.status == ActivityStatus.APPROVED, Activity.id.not_in(has_entry))
        .order_by(Activity.date, Activity.id)).scalars().all()
    for activity in activities:
        ledger.award(activity.person_id, SourceType.ACTIVITY, activity.id, rule_key=activity.type.code,
                     occurred_on=activity.date, note=f"{activity.type.name}：{activity.title}", rulebook=book)
    return len(activities)


@demo_step(60)
def demo_points_from_activities(ctx: DemoContext) -> None:
    backfill_activities()


def _negative(ctx, person, code, occurred_on, reason, evidence, *, recorded_by="hr", appeal=None, decision=None):
    book = RuleBook()
    rule = book.rule(SourceType.NEGATIVE, code, occurred_on)
    item = next(r for r in book.version_on(occurred_on).negative_rules if r.code == code)
    recorded = min(occurred_on + timedelta(days=3), ctx.today)
    record = NegativeRecord(person_id=person.id, rule_set_id=rule.rule_set_id, item_code=code, item_name=item.name,
                            deduction=item.deduction, dimension=item.dimension, veto=item.veto,
                            occurred_on=occurred_on, reason=reason, evidence=evidence,
                            recorded_by_id=ctx.users[recorded_by].id,
                            appeal_deadline=recorded + timedelta(days=APPEAL_DAYS))
    db.session.add(record)
    db.session.flush()
    ledger.award(person, SourceType.NEGATIVE, record.id, rule_key=code, occurred_on=occurred_on,
                 note=f"负面清单：{item.name}", actor=ctx.users[recorded_by], rulebook=book)
    if appeal:
        record.status, record.appeal_statement = NegativeStatus.APPEALED, appeal
        record.appealed_at = recorded + timedelta(days=5)
    if decision:
        uphold, comment = decision
        record.status = NegativeStatus.UPHELD if uphold else NegativeStatus.REVOKED
        record.decision_comment, record.decided_by_id = comment, ctx.users["hr"].id
        record.decided_at = recorded + timedelta(days=9)
        if not uphold:
            ledger.reverse(SourceType.NEGATIVE, record.id, reason=f"申诉成立，撤销“{item.name}”",
                           actor=ctx.users["hr"])
    return record


@demo_step(62)
def demo_negative_items(ctx: DemoContext) -> None:
    """李思远: one upheld after appeal, one recent still open for appeal; others: a revoked one and a veto last year."""
    trainee = ctx.users["trainee"].person
    today = ctx.today
    _negative(ctx, trainee, "DOC_FLAW", today - timedelta(days=70), "起诉书中被告人身份信息与卷宗不一致，经部门复核后更正。",
              "第一检察部文书质量通报〔本年〕第3期", recorded_by="head",
              appeal="该处错误系案卡系统同步延迟所致，本人已在提交前发现并报告，请求撤销。",
              decision=(True, "经核查，文书已提交承办检察官审签时仍有误，维持原记录。"))
    _negative(ctx, trainee, "CARD_ERROR", today - timedelta(days=4), "案件受理案卡中“强制措施”一项填录错误。",
              "案管部案卡质量抽查记录第12号", recorded_by="head")
    others = [t for t in ctx.trainees[3:] if t.unit.code == "XT"]
    if len(others) >= 2:
        _negative(ctx, others[0], "OVERDUE", today - timedelta(days=50), "审查起诉期限届满前未报请延长。",
                  "案管部流程监控通报第7号", appeal="该案已于期限届满前三日提交延长审批表，审批流转延误不应由本人承担。",
                  decision=(False, "经查审批表提交记录属实，申诉成立，撤销该记录。"))
        _negative(ctx, others[1], "THREE_RULES", date(today.year - 1, 6, 12),
                  "未如实记录报告过问案件情况（违反防止干预司法“三个规定”）。", "检务督察部督察通报〔上年〕第2号")


# --- city scale ---------------------------------------------------------------------------------

# Synthetic mix of approved entries per quarter when no bulk activities exist: (type code, mean per quarter).
SYNTHETIC = [("ASSIST_CASE", 3), ("DOC_DRAFT", 2), ("REVIEW_REPORT", 1), ("TRAINING", 1), ("RECEPTION", 1),
             ("CASE_ANALYSIS", 0), ("SUGGESTION", 0)]
FLUSH = 50_000


@bulk_step(60)
def bulk_points(ctx: BulkContext) -> int:
    """Ledger entries and aggregates for every trainee and year, caps applied in date order.

    Entries are built per person (caps only depend on the person's own history) and inserted in
    batches of FLUSH rows, so memory stays flat at any scale; the aggregate is summed on the way."""
    book = RuleBook()
    totals = defaultdict(Decimal)
    rng, today, written = ctx.rng, ctx.today, 0
    first_year = today.year - ctx.years + 1
    batch: list = []
    for person_id, rows in _bulk_sources(ctx, rng, today, first_year):
        used_q, used_y = defaultdict(Decimal), defaultdict(Decimal)
        for source_id, code, occurred in rows:
            rule = book.rule(SourceType.ACTIVITY, code, occurred)
            if rule is None:
                continue
            quarter = quarter_of(occurred)
            qk, yk = (code, occurred.year, quarter), (code, occurred.year)
            credit = ledger.apply_caps(rule, rule.points, used_q[qk], used_y[yk])
            used_q[qk] += credit.points
            used_y[yk] += credit.points
            batch.append({"person_id": person_id, "source_type": "ACTIVITY", "source_id": source_id,
                          "rule_set_id": rule.rule_set_id, "rule_key": code, "dimension": rule.dimension.name,
                          "base_points": rule.points, "points": credit.points, "capped": credit.capped,
                          "cap_reason": credit.reason, "occurred_on": occurred, "year": occurred.year,
                          "quarter": quarter, "note": rule.label, "created_at": today})
            totals[(person_id, occurred.year, quarter, rule.dimension.name)] += credit.points
        if len(batch) >= FLUSH:
            insert_many(PointsEntry.__table__, batch)
            written, batch = written + len(batch), []
    insert_many(PointsEntry.__table__, batch)
    written += len(batch)
    insert_many(PointsTotal.__table__, [{"person_id": p, "year": y, "quarter": q, "dimension": d, "points": v}
                                        for (p, y, q, d), v in totals.items()])
    return written + len(totals)


def _bulk_sources(ctx: BulkContext, rng, today, first_year):
    """Yield (person id, [(activity id | None, type code, date)] in date order) for every trainee."""
    from trainee.activities.models import Activity, ActivityStatus, ActivityType

    has_activities = db.session.execute(select(Activity.id).where(Activity.status == ActivityStatus.APPROVED)
                                        .limit(1)).first()
    if has_activities:  # derive from the bulk activities, person by person
        query = (select(Activity.person_id, Activity.id, ActivityType.code, Activity.date).join(ActivityType)
                 .where(Activity.status == ActivityStatus.APPROVED).order_by(Activity.person_id, Activity.date, Activity.id))
        current, rows = None, []
        for person_id, activity_id, code, day in db.session.execute(query):
            if person_id != current and current is not None:
                yield current, rows
                rows = []
            current = person_id
            rows.append((activity_id, code, day))
        if current is not None:
            yield current, rows
        return
    for person_id in ctx.trainee_ids:
        start = max(ctx.hire_dates[person_id] + timedelta(days=30), date(first_year, 1, 1))
        rows = []
        quarter_start = date(start.year, (quarter_of(start) - 1) * 3 + 1, 1)
        while quarter_start <= today:
            for code, mean in SYNTHETIC:
                for _ in range(rng.randint(max(mean - 1, 0), mean + 1)):
                    occurred = quarter_start + timedelta(days=rng.randint(0, 89))
                    if start <= occurred <= today:
                        rows.append((None, code, occurred))
            quarter_start = date(quarter_start.year + quarter_start.month // 10, (quarter_start.month + 2) % 12 + 1, 1)
        rows.sort(key=lambda r: r[2])
        yield person_id, rows
