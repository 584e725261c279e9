"""Annual evaluation (cycles, self-summary, scores, percentile, composite, quota, veto, finalisation)
and quarterly analysis (mentor comments, who needs attention)."""
from decimal import Decimal
from types import SimpleNamespace

import pytest

from trainee.audit import AuditEntry
from trainee.core.errors import DomainError, ValidationFailed
from trainee.core.time import local_today, quarter_of
from trainee.evaluation import operations as ops
from trainee.evaluation import scoring
from trainee.evaluation.models import CycleStatus, Evaluation, EvaluationCycle, Grade, QuarterComment
from trainee.notifications.models import Notification

SUMMARY = "本年度认真履行检察官助理职责，协助办案、起草文书、参加培训，" * 12


# --- pure rules ---------------------------------------------------------------------------------

def test_percentiles_rank_ties_equally_and_span_zero_to_hundred():
    p = scoring.percentiles({"a": 10, "b": 20, "c": 20, "d": 40})
    assert p["a"] == 0 and p["d"] == 100 and p["b"] == p["c"] == Decimal("50.00")


def test_percentile_edge_cases_cohort_of_one_empty_and_all_equal():
    assert scoring.percentiles({"only": 3}) == {"only": Decimal("100.00")}
    assert scoring.percentiles({}) == {}
    assert set(scoring.percentiles({"a": 5, "b": 5, "c": 5}).values()) == {Decimal("50.00")}


def test_composite_uses_the_weights_and_waits_for_every_part():
    assert scoring.composite(Decimal(50), 80, 90, (60, 20, 20)) == Decimal("64.00")
    assert scoring.composite(Decimal(100), 0, 0, (100, 0, 0)) == Decimal("100.00")
    assert scoring.composite(None, 80, 90, (60, 20, 20)) is None
    assert scoring.composite(Decimal(50), None, 90, (60, 20, 20)) is None


def test_quota_rounds_down():
    assert [scoring.quota(n, 20) for n in (0, 1, 4, 5, 9, 10, 14)] == [0, 0, 0, 1, 1, 2, 2]


def test_proposal_gives_excellent_to_the_best_without_a_veto():
    rows = [SimpleNamespace(id=i, cohort="c", composite=Decimal(90 - i), veto=(i == 0)) for i in range(10)]
    proposal = scoring.propose(rows, 20)
    assert [i for i, g in proposal.items() if g == "EXCELLENT"] == [1, 2]
    assert proposal[0] == "COMPETENT"


# --- workflow -----------------------------------------------------------------------------------

def _open_xt(demo, **kw):
    units = [demo["hr"].unit_id]
    return ops.open_cycle(demo["hr"], year=local_today().year, name="本年度综合评价", unit_ids=units, **kw)


def _evaluation_of(cycle, user):
    return next(e for e in cycle.evaluations if e.person_id == user.person_id)


def _complete(demo, db, cycle):
    """Every evaluation gets a summary, a mentor score and a department score (directly, for speed)."""
    for index, e in enumerate(cycle.evaluations):
        e.self_summary, e.summary_submitted_at = SUMMARY, e.created_at
        e.mentor_score, e.dept_score = 70 + index, 75 + index
    db.session.commit()


def test_hr_opens_a_cycle_for_the_units_in_scope_and_trainees_are_notified(demo, db):
    from trainee.org.models import Person, PersonStatus, Position

    active = db.session.execute(db.select(db.func.count(Person.id)).where(
        Person.unit_id == demo["hr"].unit_id, Person.position == Position.ASSISTANT,
        Person.status == PersonStatus.ACTIVE)).scalar()
    cycle = _open_xt(demo)
    assert len(cycle.evaluations) == active >= 10 and cycle.status is CycleStatus.OPEN
    trainee = _evaluation_of(cycle, demo["trainee"])
    assert trainee.stage_code == "S2" and trainee.mentor_id == demo["mentor"].person_id
    assert db.session.execute(db.select(Notification).where(Notification.user_id == demo["trainee"].id,
                                                            Notification.kind == "evaluation")).first()
    assert db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "evaluation.cycle_opened")).first()
    with pytest.raises(ValidationFailed, match="考评未开启") as error:
        _open_xt(demo)
    assert "已经开启" in str(error.value.field_errors)


def test_opening_refuses_bad_weights_units_out_of_scope_and_future_years(demo, db):
    with pytest.raises(ValidationFailed) as error:
        _open_xt(demo, weights=(50, 20, 20))
    assert "合计 100" in error.value.field_errors["weight_quant"][0]
    city = demo["hr"].unit_id
    with pytest.raises(ValidationFailed):
        ops.open_cycle(demo["hr_yuhu"], year=local_today().year, name="x", unit_ids=[city])
    with pytest.raises(ValidationFailed):
        ops.open_cycle(demo["hr"], year=local_today().year + 1, name="x", unit_ids=[city])
    from trainee.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        ops.open_cycle(demo["mentor"], year=local_today().year, name="x", unit_ids=[city])
    assert db.session.execute(db.select(db.func.count(EvaluationCycle.id))).scalar() == 1  # the demo's last year


def test_open_cycle_form_shows_chinese_errors_and_saves_nothing(as_role, demo, db):
    response = as_role("hr").post("/evaluation/cycles/new", data={
        "year": local_today().year, "name": "<script>", "unit_ids": [demo["hr"].unit_id], "cohort_basis": "UNIT",
        "weight_quant": 60, "weight_mentor": 30, "weight_dept": 20, "excellent_quota_pct": 20, "summary_min_length": 300})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "不能包含尖括号" in text
    response = as_role("hr").post("/evaluation/cycles/new", data={
        "year": local_today().year, "name": "本年度", "unit_ids": [demo["hr"].unit_id], "cohort_basis": "UNIT",
        "weight_quant": 60, "weight_mentor": 30, "weight_dept": 20, "excellent_quota_pct": 20, "summary_min_length": 300})
    assert "合计 100" in response.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(EvaluationCycle.id))).scalar() == 1


def test_summary_then_mentor_then_department_through_the_pages(as_role, demo, db):
    cycle = _open_xt(demo)
    e = _evaluation_of(cycle, demo["trainee"])
    url = f"/evaluation/{e.id}"
    response = as_role("mentor").post(url + "/mentor", data={"score": 88, "comment": "工作认真，进步明显，继续努力。"})
    assert response.status_code == 422 and "尚未提交述职" in response.get_data(as_text=True)
    response = as_role("trainee").post(url + "/summary", data={"text": "太短了"})
    assert response.status_code == 422 and "述职不少于 300 字" in response.get_data(as_text=True)
    assert as_role("trainee2").post(url + "/summary", data={"text": SUMMARY}).status_code == 404
    assert as_role("trainee").post(url + "/summary", data={"text": SUMMARY}).status_code == 302
    assert as_role("mentor").post(url + "/mentor", data={"score": 101, "comment": "工作认真，进步明显，继续努力。"}).status_code == 422
    assert as_role("trainee").post(url + "/mentor", data={"score": 100, "comment": "自己给自己打满分可以吗？"}).status_code == 403
    assert as_role("mentor").post(url + "/mentor", data={"score": 88, "comment": "工作认真，进步明显，继续努力。"}).status_code == 302
    assert as_role("mentor").post(url + "/dept", data={"score": 90}).status_code == 403
    assert as_role("head").post(url + "/dept", data={"score": 0}).status_code == 302
    db.session.refresh(e)
    assert (e.mentor_score, e.dept_score) == (88, 0) and e.summary_submitted_at is not None
    actions = set(db.session.execute(db.select(AuditEntry.action)).scalars())
    assert {"evaluation.summary_submitted", "evaluation.mentor_scored", "evaluation.dept_scored"} <= actions
    page = as_role("trainee").get(url).get_data(as_text=True)
    assert "工作认真，进步明显" in page and "综合得分" not in page  # results only after finalisation


def test_quota_and_veto_are_enforced_with_clear_messages(demo, db, as_role):
    cycle = _open_xt(demo)
    _complete(demo, db, cycle)
    rows = ops.figures(cycle)
    places = scoring.quota(len([r for r in rows if r.cohort == rows[0].cohort]), 20)
    same = [r for r in rows if r.cohort == rows[0].cohort]
    with pytest.raises(ValidationFailed, match="优秀名额"):
        ops.assign_grades(demo["hr"], cycle, {r.id: Grade.EXCELLENT for r in same[:places + 1]})
    as_role("hr").post("/points/negative/new", data={
        "person_id": demo["trainee"].person_id, "item_code": "THREE_RULES", "occurred_on": local_today().isoformat(),
        "reason": "违反防止干预司法“三个规定”。", "evidence": "督察通报第1号"})
    e = _evaluation_of(cycle, demo["trainee"])
    with pytest.raises(ValidationFailed, match="一票否决"):
        ops.assign_grades(demo["hr"], cycle, {e.id: Grade.EXCELLENT})
    page = as_role("hr").get(f"/evaluation/cycles/{cycle.id}").get_data(as_text=True)
    assert "一票否决" in page and "违反“三个规定”" in page
    response = as_role("hr").post(f"/evaluation/cycles/{cycle.id}/grades", data={f"grade_{e.id}": "EXCELLENT"})
    assert response.status_code == 302
    db.session.refresh(e)
    assert e.grade is None


def test_finalising_needs_every_grade_then_locks_and_notifies(demo, db, as_role):
    cycle = _open_xt(demo)
    with pytest.raises(DomainError, match="未定等次"):
        ops.finalise(demo["hr"], cycle)
    _complete(demo, db, cycle)
    response = as_role("hr").post(f"/evaluation/cycles/{cycle.id}/grades", data={"use_proposal": "1"})
    assert response.status_code == 302
    assert as_role("hr").post(f"/evaluation/cycles/{cycle.id}/finalise").status_code == 302
    db.session.refresh(cycle)
    assert cycle.status is CycleStatus.FINALISED
    assert all(e.grade is not None and e.quant_score is not None and e.composite is not None for e in cycle.evaluations)
    excellent = [e for e in cycle.evaluations if e.grade is Grade.EXCELLENT]
    assert len(excellent) <= scoring.quota(len(cycle.evaluations), 20) * 3  # per stage cohort
    e = _evaluation_of(cycle, demo["trainee"])
    with pytest.raises(DomainError, match="已定档锁定"):
        ops.dept_score(demo["head"], e, 60)
    assert db.session.execute(db.select(Notification).where(Notification.user_id == demo["trainee"].id,
                                                            Notification.text.contains("已定档"))).first()
    page = as_role("trainee").get(f"/evaluation/{e.id}").get_data(as_text=True)
    assert "综合得分" in page and ops.GRADE_ZH[e.grade.name] in page
    assert ops.results_for(demo["trainee"].person_id)[0].cycle_id == cycle.id


def test_rankings_are_for_hr_only(as_role, demo, db):
    cycle = db.session.execute(db.select(EvaluationCycle)).scalars().first()  # the demo's finalised year
    assert as_role("hr").get(f"/evaluation/cycles/{cycle.id}").status_code == 200
    for role in ("trainee", "mentor", "head", "admin"):
        assert as_role(role).get(f"/evaluation/cycles/{cycle.id}").status_code == 404
    page = as_role("trainee").get("/evaluation/").get_data(as_text=True)
    assert "百分位" not in page and "序" not in page


def test_demo_has_last_years_finalised_cycle_with_the_veto_respected(demo, db):
    cycle = db.session.execute(db.select(EvaluationCycle)).scalars().one()
    assert cycle.year == local_today().year - 1 and cycle.locked
    vetoed = [e for e in cycle.evaluations if e.veto]
    assert vetoed and all(e.grade is not Grade.EXCELLENT for e in vetoed)
    assert db.session.execute(db.select(db.func.count(Evaluation.id)).where(Evaluation.grade.is_(None))).scalar() == 0


# --- quarterly ----------------------------------------------------------------------------------

def test_mentor_writes_a_quarter_comment_that_reaches_the_trainee(as_role, demo, db):
    trainee = demo["trainee"].person
    today = local_today()
    url = f"/evaluation/quarterly/people/{trainee.id}?year={today.year}&quarter={quarter_of(today)}"
    assert as_role("trainee").post(url, data={"text": "自己给自己写评语可以吗？"}).status_code == 403
    assert as_role("mentor").post(url, data={"text": "短"}).status_code == 422
    assert as_role("mentor").post(url, data={"text": "本季度协助办案积极，文书规范，继续加强证据审查。"}).status_code == 302
    comment = db.session.execute(db.select(QuarterComment).where(QuarterComment.year == today.year,
                                                                 QuarterComment.quarter == quarter_of(today))).scalar_one()
    assert comment.mentor_id == demo["mentor"].person_id
    assert db.session.execute(db.select(Notification).where(Notification.user_id == demo["trainee"].id,
                                                            Notification.kind == "quarter_comment")).first()
    page = as_role("trainee").get(url).get_data(as_text=True)
    assert "继续加强证据审查" in page and "中位数" in page
    db.session.refresh(comment)
    assert comment.read_at is not None


def test_quarter_overview_flags_people_who_need_attention(as_role, demo, db):
    page = as_role("hr").get("/evaluation/quarterly?attention=1").get_data(as_text=True)
    assert "本季度无积分" in page
    head = as_role("head").get("/evaluation/quarterly").get_data(as_text=True)
    assert demo["trainee"].person.name in head
    assert as_role("trainee").get("/evaluation/quarterly").status_code == 403
