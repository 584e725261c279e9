"""Demo and city-scale stage histories: years of service decide how far each trainee has come."""
from datetime import timedelta

from trainee.bulk import BulkContext, bulk_step, insert_many
from trainee.demo import DemoContext, demo_step
from trainee.extensions import db
from trainee.training.models import Stage, StageRecord


def stage_plan(hire, years: float, today):
    """[(stage code, start, end)] for someone hired on `hire`: S1 after a month, S2 after ~14 months, S3 after ~4.5 years."""
    s1 = hire + timedelta(days=30)
    plan = [("S1", s1, None)]
    if years >= 1.5:
        s2 = s1 + timedelta(days=425)
        plan = [("S1", s1, s2), ("S2", s2, None)]
        if years >= 5:
            s3 = s2 + timedelta(days=1100)
            plan = [("S1", s1, s2), ("S2", s2, s3), ("S3", s3, None)]
    return [(code, start, end) for code, start, end in plan if start <= today]


@demo_step(25)
def demo_stage_histories(ctx: DemoContext) -> None:
    stages = {s.code: s for s in db.session.execute(db.select(Stage)).scalars()}
    for trainee in ctx.trainees:
        years = (ctx.today - trainee.hire_date).days / 365
        for code, start, end in stage_plan(trainee.hire_date, years, ctx.today):
            reason = "入职进入初阶" if code == "S1" else "晋阶审批通过"
            db.session.add(StageRecord(person=trainee, stage=stages[code], start_date=start, end_date=end, reason=reason))


@bulk_step(25)
def bulk_stage_histories(ctx: BulkContext) -> int:
    stage_ids = dict(db.session.execute(db.select(Stage.code, Stage.id)).all())
    rows = []

    for person_id in ctx.trainee_ids:
        hire = ctx.hire_dates[person_id]
        plan = stage_plan(hire, (ctx.today - hire).days / 365, ctx.today)
        for code, start, end in plan:
            rows.append({"person_id": person_id, "stage_id": stage_ids[code], "start_date": start, "end_date": end,
                         "reason": "批量生成", "created_at": ctx.today, "updated_at": ctx.today})
        ctx.stage_of[person_id] = (plan[-1][0], plan[-1][1]) if plan else ("S1", hire)
    insert_many(StageRecord.__table__, rows)
    return len(rows)
