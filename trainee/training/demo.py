"""Demo and city-scale stage histories: years of service decide how far each trainee has come."""
from datetime import datetime, timedelta

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


@demo_step(40)
def demo_signoffs_and_careers(ctx: DemoContext) -> None:
    """Realistic sign-off history: past stages fully signed and approved, part of the current stage signed;
    `trainee` (S2) has T1–T3 achieved and T4 in progress; some S3 trainees, one 培养合格, one selected;
    one promotion waiting for HR, one transition waiting for `mentor`, one rotation waiting for `head`."""
    from trainee.mentoring.models import AssignmentKind, MentorAssignment
    from trainee.org.models import PersonStatus
    from trainee.training.models import (
        CareerEvent,
        CareerEventKind,
        DevelopmentPlan,
        PlanDirection,
        PlanStatus,
        PlanTrack,
        PromotionRequest,
        PromotionStatus,
        Rotation,
        RotationStatus,
        SignoffAction,
        TransitionEvent,
        TransitionState,
        TransitionStatus,
    )

    stages = {s.code: s for s in db.session.execute(db.select(Stage)).scalars()}
    mentor_of = {a.trainee_id: a.mentor for a in db.session.execute(
        db.select(MentorAssignment).where(MentorAssignment.kind == AssignmentKind.PRIMARY)).scalars()}
    hr = ctx.users["hr"]
    records = {}
    for record in db.session.execute(db.select(StageRecord).order_by(StageRecord.start_date)).scalars():
        records.setdefault(record.person_id, []).append(record)

    def achieve(person, transition, day, mentor, comment="达到本转变要求，同意确认。"):
        db.session.add(TransitionState(person_id=person.id, transition_id=transition.id,
                                       status=TransitionStatus.ACHIEVED, submitted_at=None, decided_on=day,
                                       mentor_id=mentor.id, comment=comment))
        db.session.add(TransitionEvent(person_id=person.id, transition_id=transition.id,
                                       action=SignoffAction.SUBMITTED, on_date=day - timedelta(days=6),
                                       actor_id=person.user.id if person.user else None))
        db.session.add(TransitionEvent(person_id=person.id, transition_id=transition.id, action=SignoffAction.ACHIEVED,
                                       on_date=day, signer_id=mentor.id, comment=comment,
                                       actor_id=mentor.user.id if mentor.user else None))

    def promote(person, record, to_stage, mentor, day=None):
        day = day or record.end_date or ctx.today
        db.session.add(PromotionRequest(person_id=person.id, from_stage_id=record.stage_id,
                                        to_stage_id=to_stage.id if to_stage else None,
                                        status=PromotionStatus.APPROVED, mentor_id=mentor.id,
                                        recommended_on=day - timedelta(days=14),
                                        recommendation="三项转变均已达成，表现扎实，推荐晋阶。",
                                        decided_by_id=hr.id, decided_on=day, decision_comment="同意。"))

    for index, person in enumerate(ctx.trainees):
        mentor = mentor_of.get(person.id) or ctx.mentors[0]
        history = records.get(person.id, [])
        db.session.add(CareerEvent(person_id=person.id, kind=CareerEventKind.HIRE, date=person.hire_date,
                                   doc_no=f"潭检政〔{person.hire_date.year}〕{10 + index}号", note="公务员招录入职"))
        for position, record in enumerate(history):
            stage = stages[record.stage.code]
            span = ((record.end_date or ctx.today) - record.start_date).days
            if record.end_date is not None:  # a past stage: all three signed, promotion approved
                for k, transition in enumerate(stage.transitions):
                    achieve(person, transition, record.start_date + timedelta(days=int(span * (0.6 + 0.12 * k))), mentor)
                promote(person, record, history[position + 1].stage if position + 1 < len(history) else None, mentor)
                db.session.add(CareerEvent(person_id=person.id, kind=CareerEventKind.STAGE_PROMOTION,
                                           date=record.end_date, note=f"晋升{history[position + 1].stage.name}"
                                           if position + 1 < len(history) else "培养合格"))
            elif index > 2 and span > 200:  # the current stage: part signed, depending on time served
                done = min(int(span / 240), 3)
                for k, transition in enumerate(stage.transitions[:done]):
                    achieve(person, transition, record.start_date + timedelta(days=150 + 120 * k), mentor)
                if done == 3 and stage.code == "S3" and ctx.rng.random() < 0.5:
                    completed = ctx.today - timedelta(days=ctx.rng.randint(20, 200))
                    promote(person, record, None, mentor, completed)
                    db.session.add(CareerEvent(person_id=person.id, kind=CareerEventKind.TRAINING_COMPLETED,
                                               date=completed, note="完成高阶培养，培养合格"))

    trainee = ctx.users["trainee"].person
    # `trainee`: rotations in stage 1, an approved plan this year (T6), T4 in progress.
    s1 = records[trainee.id][0]
    departments = [ctx.departments[("XT", "第二检察部")], ctx.departments[("XT", "案件管理部")]]
    for k, department in enumerate(departments):
        start = s1.start_date + timedelta(days=60 + 130 * k)
        db.session.add(Rotation(person_id=trainee.id, department_id=department.id, start_date=start,
                                end_date=start + timedelta(days=110), status=RotationStatus.CONFIRMED,
                                confirmed_on=start + timedelta(days=112), note="初阶轮岗"))
    db.session.add(DevelopmentPlan(person_id=trainee.id, year=ctx.today.year, direction=PlanDirection.CRIMINAL,
                                   track=PlanTrack.PROSECUTOR, status=PlanStatus.APPROVED,
                                   goals_1y="熟练独立审查起诉简单刑事案件，完成审查报告十份。",
                                   goals_2y="参与重大疑难案件办理，撰写类案分析一篇。",
                                   goals_3y="通过员额检察官遴选。", reviewed_by_id=ctx.mentors[0].id,
                                   reviewed_on=ctx.today - timedelta(days=30), review_comment="方向明确，目标可行。"))

    # The third mentee of `mentor`: a transition submitted and waiting for signature.
    third = ctx.trainees[2]
    third_record = records[third.id][-1]
    first_open = next(t for t in third_record.stage.transitions)
    db.session.add(TransitionState(person_id=third.id, transition_id=first_open.id, status=TransitionStatus.SUBMITTED,
                                   submitted_at=datetime.combine(ctx.today - timedelta(days=2), datetime.min.time())))
    db.session.add(TransitionEvent(person_id=third.id, transition_id=first_open.id, action=SignoffAction.SUBMITTED,
                                   on_date=ctx.today - timedelta(days=2)))

    # A stage-1 trainee with all three signed and a year served: recommended, waiting for HR.
    for person in ctx.trainees[3:]:
        history = records.get(person.id, [])
        if len(history) == 1 and (ctx.today - history[0].start_date).days > 380 and person.unit.code == "XT":
            mentor = mentor_of[person.id]
            for k, transition in enumerate(stages["S1"].transitions):
                if not db.session.execute(db.select(TransitionState.id).where(
                        TransitionState.person_id == person.id, TransitionState.transition_id == transition.id)).first():
                    achieve(person, transition, ctx.today - timedelta(days=60 - 10 * k), mentor)
            db.session.add(PromotionRequest(person_id=person.id, from_stage_id=stages["S1"].id,
                                            to_stage_id=stages["S2"].id, status=PromotionStatus.RECOMMENDED,
                                            mentor_id=mentor.id, recommended_on=ctx.today - timedelta(days=5),
                                            recommendation="初阶三项转变均已达成，工作积极，推荐晋升中阶。"))
            break

    # One qualified trainee was selected as quota prosecutor: read-only from then on.
    qualified = db.session.execute(db.select(PromotionRequest.person_id).where(
        PromotionRequest.to_stage_id.is_(None), PromotionRequest.status == PromotionStatus.APPROVED)).scalars().first()
    if qualified:
        person = db.session.get(type(trainee), qualified)
        person.status = PersonStatus.SELECTED
        db.session.add(CareerEvent(person_id=person.id, kind=CareerEventKind.SELECTED,
                                   date=ctx.today - timedelta(days=10), doc_no=f"湘检〔{ctx.today.year}〕37号",
                                   note="遴选为员额检察官"))

    # A rotation into 第一检察部 waiting for `head` to confirm.
    rotating = next((p for p in ctx.trainees[3:] if p.unit.code == "XT" and p.department.name != "第一检察部"
                     and p.status is PersonStatus.ACTIVE), None)
    if rotating is not None:
        db.session.add(Rotation(person_id=rotating.id, department_id=ctx.departments[("XT", "第一检察部")].id,
                                start_date=ctx.today - timedelta(days=20), note="业务部门轮岗",
                                status=RotationStatus.PENDING))


@bulk_step(26)
def bulk_transition_signoffs(ctx: BulkContext) -> int:
    """Signed transitions: all three of every completed stage, spread over the stage; in the current stage
    one more per ~five months spent in it (at most two), signed by the trainee's mentor."""
    from trainee.training.models import Transition, TransitionState, TransitionStatus

    transitions: dict = {}
    for transition_id, stage_code in db.session.execute(
            db.select(Transition.id, Stage.code).join(Stage).order_by(Transition.order)).all():
        transitions.setdefault(stage_code, []).append(transition_id)
    rows = []
    for person_id in ctx.trainee_ids:
        hire = ctx.hire_dates[person_id]
        for code, start, end in stage_plan(hire, (ctx.today - hire).days / 365, ctx.today):
            span = ((end or ctx.today) - start).days
            signed = 3 if end else min(2, span // 150)
            for index, transition_id in enumerate(transitions[code][:signed]):
                day = start + timedelta(days=span * (index + 1) // (signed + (0 if end else 1)) - 1)
                rows.append({"person_id": person_id, "transition_id": transition_id,
                             "status": TransitionStatus.ACHIEVED, "decided_on": day,
                             "submitted_at": datetime.combine(day - timedelta(days=3), datetime.min.time()),
                             "mentor_id": ctx.mentor_of.get(person_id), "comment": "",
                             "created_at": ctx.today, "updated_at": ctx.today})
    insert_many(TransitionState.__table__, rows)
    return len(rows)
