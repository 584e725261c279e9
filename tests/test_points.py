"""Points: rules, the append-only ledger, caps, reversals, the aggregate, recalculation, pages and API."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.points_helpers import approve, make_trainee, revoke
from trainee.audit import AuditEntry
from trainee.core.time import local_today
from trainee.points import ledger
from trainee.points.models import PointsEntry, RecalcRun, RuleSet, SourceType
from trainee.points.recalc import recalculate

PROPERTY = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                          HealthCheck.too_slow])
CAPPED = {"ASSIST_CASE": Decimal(30), "DOC_DRAFT": Decimal(20), "RECEPTION": Decimal(10)}
CODES = ["ASSIST_CASE", "DOC_DRAFT", "RECEPTION", "COURT", "SUGGESTION"]


def _year_total(person, year=2025):
    return ledger.totals(person.id, year)["total"]


def _ledger_sum(person):
    return Decimal(ledger.db.session.execute(ledger.select(ledger.func.coalesce(ledger.func.sum(PointsEntry.points), 0))
                                             .where(PointsEntry.person_id == person.id)).scalar_one())


# --- the approval receiver ----------------------------------------------------------------------

def test_an_approved_activity_writes_one_entry_with_its_rule_version(app, db):
    person = make_trainee()
    activity = approve(person, "COURT", date(2025, 3, 3), title="出庭支持公诉")
    entry = db.session.execute(db.select(PointsEntry).where(PointsEntry.source_id == activity.id)).scalar_one()
    assert entry.source_type is SourceType.ACTIVITY and entry.points == 3 and entry.dimension.name == "D1"
    assert entry.rule_set.version == 1 and entry.quarter == 1 and "出庭支持公诉" in entry.note
    assert _year_total(person) == 3


def test_approving_the_same_activity_twice_counts_once(app, db):
    person = make_trainee()
    activity = approve(person, "COURT", date(2025, 3, 3))
    from trainee import signals

    signals.activity_approved.send(activity, actor=None)
    db.session.commit()
    assert _year_total(person) == 3


def test_points_roll_back_with_a_failed_approval(app, db):
    person = make_trainee()
    db.session.commit()
    approve(person, "COURT", date(2025, 3, 3), commit=False)
    db.session.rollback()
    assert db.session.execute(db.select(PointsEntry)).first() is None
    assert _year_total(person) == 0


def test_over_the_quarter_cap_is_recorded_as_capped_with_the_reason(app, db):
    person = make_trainee()
    for day in range(1, 13):
        approve(person, "RECEPTION", date(2025, 1, day), commit=False)  # 0.5 each, cap 10 → 20 fit
    for day in range(1, 23):
        approve(person, "RECEPTION", date(2025, 2, day), commit=False)
    db.session.commit()
    entries = db.session.execute(db.select(PointsEntry).order_by(PointsEntry.occurred_on, PointsEntry.id)).scalars().all()
    assert sum(e.points for e in entries) == 10
    capped = [e for e in entries if e.capped]
    assert len(capped) == 14 and all(e.points == 0 and e.base_points == Decimal("0.5") for e in capped)
    assert "每季度上限 10 分" in capped[0].cap_reason
    approve(person, "RECEPTION", date(2025, 4, 1))  # a new quarter starts from zero
    assert ledger.totals(person.id, 2025)["by_quarter"][1]["D1"] == Decimal("0.5")


def test_revocation_writes_a_reversing_entry_and_restores_the_total(app, db):
    person = make_trainee()
    approve(person, "SUGGESTION", date(2025, 5, 5))
    before = _year_total(person)
    activity = approve(person, "COURT", date(2025, 5, 6))
    revoke(activity, reason="重复登记")
    rows = db.session.execute(db.select(PointsEntry).where(PointsEntry.source_id == activity.id)
                              .order_by(PointsEntry.id)).scalars().all()
    assert [r.points for r in rows] == [3, -3] and rows[1].reversal_of_id == rows[0].id and "重复登记" in rows[1].note
    assert _year_total(person) == before


def test_ledger_entries_cannot_be_edited_or_deleted(app, db):
    person = make_trainee()
    approve(person, "COURT", date(2025, 3, 3))
    entry = db.session.execute(db.select(PointsEntry)).scalar_one()
    entry.points = 99
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.execute(db.select(PointsEntry)).scalar_one())
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()


def test_other_features_award_through_the_ledger_function(app, db):
    person = make_trainee()
    entry = ledger.award(person, SourceType.COMPETITION, 7, rule_key="NATIONAL:FIRST", occurred_on=date(2025, 6, 1),
                         note="全国检察机关业务竞赛")
    honour = ledger.award(person, SourceType.HONOUR, 8, rule_key="MODEL:PROVINCE", occurred_on=date(2025, 6, 2))
    pool = ledger.award(person, SourceType.TALENT_POOL, 9, rule_key="NATIONAL", occurred_on=date(2025, 6, 3))
    checklist = ledger.award(person, SourceType.CHECKLIST, 10, rule_key="POLITICAL", occurred_on=date(2025, 6, 4))
    db.session.commit()
    assert (entry.points, honour.points, pool.points, checklist.points) == (20, 15, 15, 1)
    assert entry.dimension.name == "D3" and honour.note == "省级检察业务标兵"
    from trainee.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        ledger.award(person, SourceType.COMPETITION, 11, rule_key="MOON:FIRST", occurred_on=date(2025, 6, 1))


def test_checklist_and_competition_signals_write_entries(app, db):
    from types import SimpleNamespace

    from trainee import signals

    person = make_trainee()
    signals.checklist_confirmed.send(SimpleNamespace(id=5, person_id=person.id, category="BUSINESS",
                                                     item=SimpleNamespace(title="《刑事诉讼法》"),
                                                     confirmed_on=date(2025, 4, 2)), actor=None)
    signals.competition_result_recorded.send(SimpleNamespace(id=6, person_ids=[person.id], level="CITY", award="FIRST",
                                                             date=date(2025, 4, 3), title="优秀法律文书评选"), actor=None)
    db.session.commit()
    assert _year_total(person) == 6


# --- versioned rules ----------------------------------------------------------------------------

def _new_version(db, effective, assist_points="2"):
    from trainee.auth.models import Role, User, UserRole
    from trainee.points.operations import save_rule_set
    from trainee.points.rules import RuleBook

    admin = db.session.execute(db.select(User).join(UserRole).where(UserRole.role == Role.ADMIN)).scalars().first()
    if admin is None:
        from tests.points_helpers import make_unit

        admin = User(username="padmin", password_hash="x", unit=make_unit(), role_rows=[UserRole(role=Role.ADMIN)])
        db.session.add(admin)
        db.session.flush()
    base = RuleBook().version_on(effective)
    return save_rule_set(admin, base, {"effective_from": effective, "note": "提高协助办案分值",
                                       "activity": {"ASSIST_CASE": {"points": assist_points, "dimension": "D1",
                                                                    "quarter_cap": "30", "year_cap": "100"}}})


def test_a_new_rule_version_does_not_rewrite_history_but_applies_from_its_date(app, db):
    person = make_trainee()
    old = approve(person, "ASSIST_CASE", date(2025, 2, 1))
    _new_version(db, date(2025, 3, 1))
    approve(person, "ASSIST_CASE", date(2025, 3, 5))
    late = approve(person, "ASSIST_CASE", date(2025, 2, 20))  # approved later, occurred before: old rules
    rows = {e.source_id: e for e in db.session.execute(db.select(PointsEntry)).scalars()}
    assert rows[old.id].points == 1 and rows[old.id].rule_set.version == 1
    assert rows[late.id].points == 1
    assert sorted(e.points for e in rows.values()) == [1, 1, 2]
    assert db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "points.rules.saved")).first()


def test_a_backdated_version_changes_history_only_through_a_logged_recalculation(app, db):
    person = make_trainee()
    approve(person, "ASSIST_CASE", date(2025, 2, 1))
    _new_version(db, date(2025, 1, 1))
    assert _year_total(person) == 1
    run = recalculate(date(2025, 1, 1), echo=lambda *_: None)
    assert run.changed == 1 and "1 → 2" in run.log and _year_total(person) == 2
    assert recalculate(date(2025, 1, 1), echo=lambda *_: None).changed == 0
    assert db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "points.recalculated")).first()


def test_rule_form_refuses_bad_numbers_and_saves_nothing(as_role, db):
    before = db.session.execute(db.select(db.func.count(RuleSet.id))).scalar()
    response = as_role("admin").post("/points/rules/new", data={
        "effective_from": "2030-01-01", "note": "<script>", "act_ASSIST_CASE_points": "-3",
        "act_ASSIST_CASE_dimension": "D1"})
    text = response.get_data(as_text=True)
    assert "不能包含尖括号" in text
    response = as_role("admin").post("/points/rules/new", data={
        "effective_from": "2030-01-01", "note": "试行", "act_ASSIST_CASE_points": "-3", "act_ASSIST_CASE_dimension": "D1"})
    assert "须为 0–1000 之间" in response.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(RuleSet.id))).scalar() == before


def test_admin_saves_a_new_version_through_the_form(as_role, db):
    client = as_role("admin")
    page = client.get("/points/rules/new").get_data(as_text=True)
    assert "act_ASSIST_CASE_points" in page and "neg_THREE_RULES_veto" in page
    response = client.post("/points/rules/new", data={
        "effective_from": "2031-01-01", "note": "新增事项", "new_name": "泄露案件信息", "new_deduction": "5",
        "new_veto": "y", **{f"act_{c}_dimension": "D1" for c in ["ASSIST_CASE"]}})
    assert response.status_code == 302, response.get_data(as_text=True)
    latest = db.session.execute(db.select(RuleSet).order_by(RuleSet.version.desc())).scalars().first()
    assert latest.version == 2 and any(r.name == "泄露案件信息" and r.veto for r in latest.negative_rules)
    # unchanged fields were kept (the form posts them all; here they fall back to the base version)
    assert len(latest.activity_rules) == 20


# --- properties ---------------------------------------------------------------------------------

operations = st.lists(st.tuples(st.sampled_from(CODES), st.integers(0, 364), st.booleans()), min_size=1, max_size=40)


@PROPERTY
@given(ops=operations)
def test_caps_are_never_exceeded_and_the_aggregate_equals_the_ledger(app, db, ops):
    person = make_trainee()
    for code, offset, revoke_it in ops:
        activity = approve(person, code, date(2025, 1, 1) + timedelta(days=offset), commit=False)
        if revoke_it:
            revoke(activity, commit=False)
    db.session.commit()
    rows = db.session.execute(db.select(PointsEntry).where(PointsEntry.person_id == person.id)).scalars().all()
    for code, cap in CAPPED.items():
        for quarter in (1, 2, 3, 4):
            assert sum(e.points for e in rows if e.rule_key == code and e.quarter == quarter) <= cap
    assert ledger.ledger_vs_aggregate([person.id]) == []
    assert _year_total(person) == _ledger_sum(person)


@PROPERTY
@given(ops=operations, extra=st.tuples(st.sampled_from(CODES), st.integers(0, 364)))
def test_a_reversal_cancels_exactly(app, db, ops, extra):
    person = make_trainee()
    for code, offset, _ in ops:
        approve(person, code, date(2025, 1, 1) + timedelta(days=offset), commit=False)
    before = ledger.totals(person.id, 2025)
    activity = approve(person, extra[0], date(2025, 1, 1) + timedelta(days=extra[1]), commit=False)
    revoke(activity, commit=False)
    db.session.commit()
    assert ledger.totals(person.id, 2025) == before


@PROPERTY
@given(ops=operations, start=st.integers(0, 364))
def test_recalculation_is_idempotent_and_keeps_caps_and_totals_consistent(app, db, ops, start):
    person = make_trainee()
    for code, offset, revoke_it in ops:
        activity = approve(person, code, date(2025, 1, 1) + timedelta(days=offset), commit=False)
        if revoke_it:
            revoke(activity, commit=False)
    db.session.commit()
    total = _year_total(person)
    from_date = date(2025, 1, 1) + timedelta(days=start)
    recalculate(from_date, echo=lambda *_: None)
    assert _year_total(person) == total  # same rules, same facts: same total
    assert recalculate(from_date, echo=lambda *_: None).changed == 0
    assert ledger.ledger_vs_aggregate([person.id]) == []


# --- maintenance commands -----------------------------------------------------------------------

def test_verify_command_reports_a_drifted_aggregate_and_rebuild_repairs_it(app, db):
    person = make_trainee()
    approve(person, "COURT", date(2025, 3, 3))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["points", "verify"]).exit_code == 0
    db.session.execute(db.text("UPDATE points_totals SET points = points + 1"))
    db.session.commit()
    result = runner.invoke(args=["points", "verify"])
    assert result.exit_code != 0 and "不一致" in result.output
    assert runner.invoke(args=["points", "rebuild-totals"]).exit_code == 0
    assert runner.invoke(args=["points", "verify"]).exit_code == 0


def test_recalc_command_logs_its_run_and_backfills_missing_entries(app, db):
    from trainee.activities.models import Activity, ActivityStatus, ActivityType

    person = make_trainee()
    kind = db.session.execute(db.select(ActivityType).where(ActivityType.code == "COURT")).scalar_one()
    db.session.add(Activity(person_id=person.id, type=kind, date=date(2025, 3, 3), title="漏记",
                            status=ActivityStatus.APPROVED))
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["points", "recalc", "--from", "2025-01-01", "--unit", "PT"])
    assert result.exit_code == 0 and "变更 1 条" in result.output
    assert _year_total(person) == 3
    assert "变更 0 条" in runner.invoke(args=["points", "recalc", "--from", "2025-01-01"]).output
    assert db.session.execute(db.select(db.func.count(RecalcRun.id))).scalar() == 2
    assert runner.invoke(args=["points", "recalc", "--from", "2025-01-01", "--unit", "NOPE"]).exit_code != 0
    assert runner.invoke(args=["points", "recalc", "--from", "yesterday"]).exit_code != 0


# --- page and API -------------------------------------------------------------------------------

def _give_trainee_points(demo, db):
    trainee = demo["trainee"].person
    today = local_today()
    approve(trainee, "COURT", today, title="出庭支持公诉")
    for person in [demo["trainee"].person] + [p for p in _cohort(db, trainee)][:4]:
        approve(person, "SUGGESTION", today, title="检察建议")
    return trainee


def _cohort(db, trainee):
    from trainee.org.models import Person
    from trainee.points.queries import cohort_ids

    return [db.session.get(Person, pid) for pid in cohort_ids(trainee) if pid != trainee.id]


def test_points_page_shows_totals_chart_entries_and_cohort_without_names(as_role, demo, db):
    trainee = _give_trainee_points(demo, db)
    others = _cohort(db, trainee)
    page = as_role("trainee").get(f"/points/people/{trainee.id}").get_data(as_text=True)
    assert "<svg" in page and "出庭支持公诉" in page and "中位数" in page and "文书质量瑕疵" in page
    assert all(p.name not in page for p in others)
    import re

    assert not re.search(r"第\s*\d+\s*名|名次", page)


def test_small_cohorts_show_no_distribution(as_role, demo, db):
    page = as_role("trainee2").get(f"/points/people/{demo['trainee2'].person_id}").get_data(as_text=True)
    from trainee.points.queries import cohort_ids

    if len(cohort_ids(demo["trainee2"].person)) < 3:
        assert "人数不足 3 人" in page


def test_api_returns_points_in_the_documented_shape(client, demo, db, api_token):
    trainee = _give_trainee_points(demo, db)
    body = client.get(f"/api/v1/trainees/{trainee.id}/points?year={local_today().year}",
                      headers=api_token("trainee")).get_json()
    assert set(body) >= {"total", "by_dimension", "by_quarter", "entries"}
    assert len(body["by_quarter"]) == 4 and set(body["by_dimension"]) == {"D1", "D2", "D3", "D4"}
    assert body["total"] == sum(e["points"] for e in body["entries"])
    assert {"source", "rule_version", "capped", "reversal_of"} <= set(body["entries"][0])
    assert "name" not in str(body["cohort"])
    assert client.get(f"/api/v1/trainees/{trainee.id}/points?year=abc", headers=api_token("trainee")).status_code == 422
    assert client.get(f"/api/v1/trainees/{trainee.id}/points", headers=api_token("trainee2")).status_code == 404
    assert client.get("/api/v1/trainees/999999/points", headers=api_token("hr")).status_code == 404


# --- the progress engine ------------------------------------------------------------------------

def test_points_requirement_counts_points_earned_in_the_stage(demo, db):
    from trainee.training.models import Requirement, RequirementKind
    from trainee.training.progress import person_progress
    from trainee.training.requirements import evaluate

    trainee = demo["trainee"].person
    requirement = db.session.execute(db.select(Requirement).where(Requirement.kind == RequirementKind.POINTS)).scalar_one()
    before = evaluate(requirement, person_progress(trainee).ctx)
    assert before.available and not before.met and before.target == 60
    for _ in range(13):
        approve(trainee, "RESEARCH", local_today(), commit=False)  # 13 × 5 = 65 points in stage 2
    db.session.commit()
    after = evaluate(requirement, person_progress(trainee).ctx)
    assert after.met and after.done == before.done + 65 and "60" in after.text


def test_a_veto_blocks_promotion_in_the_progress_engine(as_role, demo, db):
    from trainee.training.progress import points_summary, promotion_blockers

    trainee = demo["trainee"].person
    assert not any("一票否决" in r for r in promotion_blockers(trainee))
    as_role("hr").post("/points/negative/new", data={
        "person_id": trainee.id, "item_code": "THREE_RULES", "occurred_on": local_today().isoformat(),
        "reason": "违反防止干预司法“三个规定”。", "evidence": "督察通报第1号"})
    assert any("一票否决" in r and "不能晋阶" in r for r in promotion_blockers(trainee))
    assert set(points_summary(trainee)["by_dimension"]) == {"D1", "D2", "D3", "D4"}


def test_bulk_generator_writes_a_consistent_ledger_and_aggregate(app, db):
    from trainee.bulk import generate

    stats = generate(trainees=60, years=2, echo=lambda *_: None)
    assert stats["bulk_points"] > 60
    assert ledger.ledger_vs_aggregate() == []
    rows = db.session.execute(db.select(PointsEntry.person_id, PointsEntry.rule_key, PointsEntry.year,
                                        PointsEntry.quarter, ledger.func.sum(PointsEntry.points))
                              .group_by(PointsEntry.person_id, PointsEntry.rule_key, PointsEntry.year,
                                        PointsEntry.quarter)).all()
    assert all(total <= CAPPED.get(key, Decimal(10**6)) for _p, key, _y, _q, total in rows)
