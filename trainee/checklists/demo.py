"""Demo and city-scale checklist data.

Demo: every trainee holds the items of the stages they have entered. Past stages are fully confirmed (they were
promoted); in the current stage the mix follows the due dates: confirmed, waiting for the mentor, returned,
overdue, exempt. `trainee` (S2) and `trainee2` (S1) show each state. Confirmations go through the same signal
as the page, so the points ledger holds their entries.
Bulk: assignments for every trainee's stages, mostly confirmed, with ledger entries and totals, by Core inserts.
"""
from collections import defaultdict
from datetime import datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from trainee import signals
from trainee.bulk import BulkContext, bulk_step, insert_many
from trainee.checklists.models import (
    AssignmentStatus,
    ChecklistAssignment,
    ChecklistCategory,
    ChecklistItem,
    ChecklistNote,
    NoteAngle,
)
from trainee.checklists.operations import due_date_for
from trainee.core.time import quarter_of, utcnow
from trainee.demo import DemoContext, demo_step
from trainee.extensions import db
from trainee.training.models import StageRecord

SENTENCES = {
    ChecklistCategory.POLITICAL: [
        "通过系统学习，我进一步认识到坚持党对检察工作的绝对领导是做好一切检察工作的根本保证。",
        "检察机关是政治性极强的业务机关，也是业务性极强的政治机关，必须把讲政治贯穿办案全过程。",
        "结合所办案件反思，我体会到严格公正司法必须以人民为中心，让人民群众在每一个司法案件中感受到公平正义。",
        "今后我将把学习成果转化为工作动力，严守纪律规矩，自觉抵制干预司法的各种行为，做到忠诚干净担当。",
        "学习中我对照原文逐条研读，做了摘抄笔记，并与导师交流了对法治中国建设重大意义的理解。",
    ],
    ChecklistCategory.BUSINESS: [
        "本次学习重点围绕条文的体系结构和主要修改内容展开，对照典型案例逐条理解适用条件。",
        "在协助办案中，我发现证据审查与法律适用密切相关，只有吃透规则才能准确把握案件定性。",
        "我梳理了与审查起诉相关的程序节点和期限要求，制作了简明对照表，便于日常办案查阅。",
        "结合认罪认罚从宽制度的适用，我进一步理解了量刑建议精准化的要求和实践中的难点。",
        "下一步我将在导师指导下把所学运用到文书制作和案件审查中，做到学用结合、以学促干。",
    ],
}
RETURN_COMMENT = "心得偏重条文摘抄，请结合所办案件谈体会，补充后再提交。"
NOTES = [(NoteAngle.POLITICAL, "注意从讲政治的高度理解条文背后的价值取向。"),
         (NoteAngle.THEORETICAL, "可进一步梳理其理论渊源，与刑事诉讼原理对照。"),
         (NoteAngle.BUSINESS, "建议结合近期办理的案件，写出一个具体适用场景。")]


def reflection_text(item: ChecklistItem, rng) -> str:
    pool = SENTENCES[item.category]
    parts = [f"学习{item.title}的体会。"]
    while sum(len(p) for p in parts) < item.min_chars + 40:
        parts.append(rng.choice(pool))
    return "\n".join(parts)


def _at(day) -> datetime:
    return datetime.combine(day, time(2, 0))


@demo_step(45)
def demo_checklists(ctx: DemoContext) -> None:
    items = db.session.execute(select(ChecklistItem).where(ChecklistItem.active.is_(True))
                               .order_by(ChecklistItem.order)).scalars().all()
    by_stage = defaultdict(list)
    for item in items:
        by_stage[item.stage_id].append(item)
    records = defaultdict(list)
    for record in db.session.execute(select(StageRecord).order_by(StageRecord.start_date, StageRecord.id)).scalars():
        records[record.person_id].append(record)
    from trainee.mentoring.models import AssignmentKind, MentorAssignment

    mentor_of = {a.trainee_id: a.mentor for a in db.session.execute(
        select(MentorAssignment).where(MentorAssignment.kind == AssignmentKind.PRIMARY)).scalars()}
    showcase = {ctx.users["trainee"].person_id, ctx.users["trainee2"].person_id}
    confirmed = []
    for index, person in enumerate(ctx.trainees):
        mentor = mentor_of.get(person.id) or ctx.mentors[0]
        history = records.get(person.id, [])
        for record in history:
            current = record.end_date is None
            for k, item in enumerate(by_stage.get(record.stage_id, [])):
                due = due_date_for(record.start_date, item)
                a = ChecklistAssignment(person_id=person.id, item_id=item.id, assigned_on=record.start_date,
                                        due_date=due, status=AssignmentStatus.PENDING, reflection="")
                a.item = item
                state = _demo_state(ctx, person, index, k, item, due, current, person.id in showcase)
                _apply(ctx, a, state, item, mentor, due, record)
                db.session.add(a)
                if state == "confirmed":
                    confirmed.append(a)
    db.session.flush()
    for a in sorted(confirmed, key=lambda a: (a.confirmed_on, a.id)):
        signals.checklist_confirmed.send(a, actor=None)
    # 三维剖析 on a few of `trainee`'s confirmed reflections.
    own = [a for a in confirmed if a.person_id == ctx.users["trainee"].person_id][-3:]
    for a, (angle, text) in zip(own, NOTES, strict=False):
        db.session.add(ChecklistNote(assignment_id=a.id, angle=angle, text=text, author_id=a.reviewer_id,
                                     created_at=_at(a.confirmed_on)))


SHOWCASE = ["confirmed", "confirmed", "submitted", "returned", "exempt", "pending"]


def _demo_state(ctx, person, index, k, item, due, current, showcase) -> str:
    """Past stages confirmed; `trainee` and `trainee2` show one of each state; others follow their due dates."""
    today = ctx.today
    if not current:
        return "confirmed"
    if showcase:
        if k < len(SHOWCASE):
            return SHOWCASE[k]
        return "confirmed" if due < today and k % 2 == 0 else "pending"
    roll = ctx.rng.random()
    if due < today:
        return "confirmed" if roll < 0.75 else "pending" if roll < 0.9 else "submitted" if roll < 0.96 else "exempt"
    return "confirmed" if roll < 0.3 else "submitted" if roll < 0.4 else "returned" if roll < 0.45 else "pending"


def _apply(ctx, a, state, item, mentor, due, record) -> None:
    today = ctx.today
    if state == "pending":
        return
    if state == "exempt":
        a.status, a.exempt_reason = AssignmentStatus.EXEMPT, "入职前已系统学习并通过考核，经政治部审核免学。"
        a.exempted_by_id, a.exempted_on = ctx.users["hr"].id, min(today, record.start_date + timedelta(days=20))
        return
    a.reflection = reflection_text(item, ctx.rng)
    span = max((min(due, today) - record.start_date).days, 2)
    submitted = record.start_date + timedelta(days=ctx.rng.randint(span // 2, span - 1))
    if state == "submitted":
        submitted = max(submitted, today - timedelta(days=ctx.rng.randint(1, 6)))
    a.status, a.submitted_at = AssignmentStatus.SUBMITTED, _at(min(submitted, today))
    if state == "submitted":
        return
    decided = min(submitted + timedelta(days=ctx.rng.randint(1, 7)), today)
    a.reviewer_id, a.reviewed_at = mentor.id, _at(decided)
    if state == "returned":
        a.status, a.review_comment = AssignmentStatus.RETURNED, RETURN_COMMENT
    else:
        a.status, a.confirmed_on, a.review_comment = AssignmentStatus.CONFIRMED, decided, "心得体会深入，同意确认。"


@bulk_step(65)
def bulk_checklists(ctx: BulkContext) -> int:
    """Items of every stage each trainee has entered: past stages confirmed, the current one mostly confirmed
    when due; ledger entries (1 point each by default) and their totals for the confirmations."""
    from trainee.points.models import PointsEntry, PointsTotal, SourceType
    from trainee.points.rules import RuleBook

    rng, now, today = ctx.rng, utcnow(), ctx.today
    items = db.session.execute(select(ChecklistItem).where(ChecklistItem.active.is_(True))).scalars().all()
    by_stage = defaultdict(list)
    for item in items:
        by_stage[item.stage_id].append(item)
    records = db.session.execute(select(StageRecord.person_id, StageRecord.stage_id, StageRecord.start_date,
                                        StageRecord.end_date)).all()
    wanted = set(ctx.trainee_ids)
    mentors = ctx.mentor_of
    rows, confirmed = [], []
    for person_id, stage_id, start, end in records:
        if person_id not in wanted:
            continue
        for item in by_stage.get(stage_id, []):
            due = due_date_for(start, item)
            row = {"person_id": person_id, "item_id": item.id, "assigned_on": start, "due_date": due,
                   "status": AssignmentStatus.PENDING.name, "reflection": "", "version": 1,
                   "created_at": now, "updated_at": now, "submitted_at": None, "reviewed_at": None,
                   "reviewer_id": None, "confirmed_on": None, "review_comment": None}
            done = end is not None or (due < today and rng.random() < 0.85) or (due >= today and rng.random() < 0.3)
            if done:
                decided = min(start + timedelta(days=rng.randint(20, max((min(due, today) - start).days, 21))), today)
                row.update(status=AssignmentStatus.CONFIRMED.name, reflection="（批量生成的学习心得）" * 30,
                           submitted_at=_at(decided - timedelta(days=2)), reviewed_at=_at(decided),
                           reviewer_id=mentors.get(person_id), confirmed_on=decided, review_comment="同意确认。")
                confirmed.append((person_id, item, decided))
            rows.append(row)
    insert_many(ChecklistAssignment.__table__, rows)
    # Ledger entries for the confirmations, and the totals they add to (rows already there are updated).
    ids = {(p, i): aid for aid, p, i in db.session.execute(
        select(ChecklistAssignment.id, ChecklistAssignment.person_id, ChecklistAssignment.item_id)
        .where(ChecklistAssignment.status == AssignmentStatus.CONFIRMED))}
    book, entries, totals = RuleBook(), [], defaultdict(Decimal)
    for person_id, item, day in confirmed:
        rule = book.rule(SourceType.CHECKLIST, item.category.name, day)
        if rule is None:
            continue
        quarter = quarter_of(day)
        entries.append({"person_id": person_id, "source_type": SourceType.CHECKLIST.name,
                        "source_id": ids[(person_id, item.id)], "rule_set_id": rule.rule_set_id,
                        "rule_key": item.category.name, "dimension": rule.dimension.name, "base_points": rule.points,
                        "points": rule.points, "capped": False, "occurred_on": day, "year": day.year,
                        "quarter": quarter, "note": f"双学清单：{item.title}", "created_at": now})
        totals[(person_id, day.year, quarter, rule.dimension.name)] += rule.points
    insert_many(PointsEntry.__table__, entries)
    _add_totals(PointsTotal.__table__, totals)
    return len(rows) + len(entries)


def _add_totals(table, totals: dict) -> None:
    """Add to the aggregate: update the keys that exist, insert the others (Core, in batches)."""
    from sqlalchemy import bindparam, tuple_

    keys = list(totals)
    existing = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        existing.update(db.session.execute(select(table.c.person_id, table.c.year, table.c.quarter, table.c.dimension)
                                           .where(tuple_(table.c.person_id, table.c.year, table.c.quarter,
                                                         table.c.dimension).in_(chunk))).all())
    updates = [{"p": p, "y": y, "q": q, "d": d, "add": v} for (p, y, q, d), v in totals.items() if (p, y, q, d) in existing]
    inserts = [{"person_id": p, "year": y, "quarter": q, "dimension": d, "points": v}
               for (p, y, q, d), v in totals.items() if (p, y, q, d) not in existing]
    if updates:
        db.session.execute(table.update().where(
            table.c.person_id == bindparam("p"), table.c.year == bindparam("y"), table.c.quarter == bindparam("q"),
            table.c.dimension == bindparam("d")).values(points=table.c.points + bindparam("add")), updates)
    insert_many(table, inserts)
