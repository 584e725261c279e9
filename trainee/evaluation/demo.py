"""Demo: last year's annual evaluation, finalised through the same operations HR and mentors use,
and quarterly mentor comments for the demo trainee."""
from datetime import datetime, timedelta

from trainee.core.time import quarter_of
from trainee.demo import DemoContext, demo_step
from trainee.evaluation import operations as ops
from trainee.evaluation.models import CohortBasis, Grade, QuarterComment
from trainee.extensions import db

SUMMARY = ("{year} 年，本人在导师指导下认真履行检察官助理职责。一是坚持政治学习，完成政治必研清单的学习并撰写心得，"
           "深入学习习近平法治思想，提高政治判断力和执行力。二是扎实做好办案辅助工作，协助承办检察官审查案件，"
           "阅卷摘录、证据梳理、文书起草等工作按期完成，起草的审查报告和法律文书质量逐步提高。三是积极参加业务培训、"
           "案例研析和岗位练兵，结合办理的案件总结类案规律，撰写案例分析。四是主动接待群众来访，做好释法说理。"
           "不足之处在于独立分析复杂证据问题的能力仍有欠缺，调研写作成果偏少。{next} 年将在导师带领下加强证据审查训练，"
           "争取参与重大疑难案件办理，完成一篇调研报告，并按个人发展规划稳步提升综合能力，认真落实导师提出的改进意见，努力向员额检察官的标准看齐。")
MENTOR_COMMENTS = ["工作踏实认真，审查报告质量稳步提高；下一步要加强证据分析的独立性，多参与疑难案件讨论。",
                   "学习主动，文书规范；建议多总结类案经验，提高调研写作能力。",
                   "办案辅助工作完成较好，释法说理耐心细致；需注意案卡填录的准确性。"]


@demo_step(90)
def demo_annual_evaluation(ctx: DemoContext) -> None:
    from trainee.notifications.models import Notification

    hr = ctx.users["hr"]
    year = ctx.today.year - 1
    last_note = db.session.execute(db.select(db.func.max(Notification.id))).scalar() or 0
    cycle = ops.open_cycle(hr, year=year, name=f"{year} 年度检察官助理综合评价", unit_ids=[u.id for u in ctx.units.values()],
                           cohort_basis=CohortBasis.SCOPE)
    mentors = {u.person_id: u for u in ctx.users.values() if u.person_id}
    for index, evaluation in enumerate(cycle.evaluations):
        person = evaluation.person
        ops.submit_summary(person.user, evaluation, SUMMARY.format(year=year, next=year + 1))
        mentor = mentors.get(evaluation.mentor_id)
        if mentor is not None:
            ops.mentor_score(mentor, evaluation, 78 + (index * 7) % 18, MENTOR_COMMENTS[index % 3])
        head = ctx.users["head"]
        if ops.policy.can(head, "evaluation.dept_score", evaluation):
            ops.dept_score(head, evaluation, 80 + (index * 5) % 15)
        else:  # departments without a head account in the demo: the score as entered on paper
            evaluation.dept_score = 76 + (index * 3) % 20
    db.session.flush()
    proposal = ops.scoring.propose(ops.figures(cycle), cycle.excellent_quota_pct)
    ops.assign_grades(hr, cycle, {eid: Grade[name] for eid, name in proposal.items()})
    ops.finalise(hr, cycle)
    # The demo pretends it all happened last January (the operations stamp "now").
    january = datetime(ctx.today.year, 1, 10, 2, 0)
    for index, evaluation in enumerate(cycle.evaluations):
        evaluation.summary_submitted_at = january - timedelta(days=5) + timedelta(hours=index)
        evaluation.mentor_scored_at = evaluation.mentor_scored_at and january + timedelta(hours=index)
        evaluation.dept_scored_at = evaluation.dept_scored_at and january + timedelta(days=3)
        evaluation.graded_at = january + timedelta(days=10)
    cycle.created_at = january - timedelta(days=20)
    cycle.finalised_at = january + timedelta(days=15)
    # Last January's notices were read long ago: the demo inbox starts clean.
    db.session.execute(db.delete(Notification).where(Notification.id > last_note))


@demo_step(91)
def demo_quarter_comments(ctx: DemoContext) -> None:
    trainee, mentor = ctx.users["trainee"].person, ctx.users["mentor"].person
    day = ctx.today
    for text in ("本季度协助办理案件数量充足，审查报告条理清楚。下季度重点练习证据审查，争取独立起草一份起诉书。",
                 "积极参加案例研析，发言有见地。注意文书细节，避免身份信息等低级错误。"):
        day = day - timedelta(days=92)
        db.session.add(QuarterComment(person_id=trainee.id, year=day.year, quarter=quarter_of(day),
                                      mentor_id=mentor.id, text=text))
