"""Issue #8 leftovers: points and evaluation exports (reopened with openpyxl, checked cell by cell) and the
people list's bulk action that opens an annual evaluation for the ticked people."""
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from trainee.audit import AuditEntry
from trainee.core.dimensions import Dimension
from trainee.core.errors import ValidationFailed
from trainee.core.time import local_today
from trainee.evaluation import operations as ops
from trainee.evaluation.models import Evaluation, EvaluationCycle
from trainee.org.models import Person, Position
from trainee.points.models import PointsTotal


def open_xlsx(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return openpyxl.load_workbook(io.BytesIO(response.data))


def _set_totals(db, person, year, figures):
    db.session.execute(db.delete(PointsTotal).where(PointsTotal.person_id == person.id, PointsTotal.year == year))
    for (quarter, dimension), points in figures.items():
        db.session.add(PointsTotal(person_id=person.id, year=year, quarter=quarter, dimension=dimension,
                                   points=Decimal(points)))
    db.session.commit()


def test_points_export_has_quarters_dimensions_and_totals_per_trainee(as_role, demo, db):
    person = demo["trainee"].person
    _set_totals(db, person, 2025, {(1, "D1"): "10", (1, "D3"): "2.5", (3, "D1"): "4", (4, "D4"): "5"})
    wb = open_xlsx(as_role("hr").get(f"/reports/points.xlsx?year=2025&q={person.staff_no}"))
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    assert ws.title == "2025年积分" and ws.freeze_panes == "A2"
    assert headers[:5] == ["工号", "姓名", "单位", "部门", "培养阶段"]
    assert headers[5:9] == ["第1季度", "第2季度", "第3季度", "第4季度"]
    assert headers[9:13] == [f"{d.name} {d.label}" for d in Dimension] and headers[-1] == "全年合计"
    assert ws.max_row == 2
    row = dict(zip(headers, [c.value for c in ws[2]], strict=True))
    assert row["工号"] == person.staff_no
    assert (row["第1季度"], row["第2季度"], row["第3季度"], row["第4季度"]) == (12.5, 0, 4, 5)
    assert row["D1 职能发挥"] == 14 and row["D3 自身建设"] == 2.5 and row["D4 综合评价"] == 5
    assert row["全年合计"] == 21.5
    long = wb["明细（透视用）"]
    assert [c.value for c in long[1]] == ["工号", "姓名", "年度", "季度", "维度", "积分"]
    assert long.max_row == 5 and long.cell(row=2, column=5).value == "D1 职能发挥"


def test_points_export_respects_scope_and_refuses_trainees(as_role, demo):
    ws = open_xlsx(as_role("hr_yuhu").get("/reports/points.xlsx")).worksheets[0]
    assert {ws.cell(row=r, column=3).value for r in range(2, ws.max_row + 1)} == {"雨湖区院"}
    assert as_role("trainee").get("/reports/points.xlsx").status_code == 403
    assert as_role("mentor").get("/reports/points.xlsx").status_code == 403


def _open_for(demo, people, year=None):
    return ops.open_cycle(demo["hr"], year=year or local_today().year, name="测试考评",
                          person_ids=[p.id for p in people])


def test_evaluation_export_lists_every_evaluation_with_scores_and_grade(as_role, demo, db):
    trainee = demo["trainee"].person
    cycle = _open_for(demo, [trainee, demo["trainee2"].person])
    evaluation = next(e for e in cycle.evaluations if e.person_id == trainee.id)
    ops.submit_summary(demo["trainee"], evaluation, "本年度认真学习办案。" * 40)
    ops.mentor_score(demo["mentor"], evaluation, 88, "工作扎实，办案规范，进步明显。")
    wb = open_xlsx(as_role("hr").get(f"/reports/evaluation/{cycle.id}.xlsx"))
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    assert headers[:2] == ["工号", "姓名"] and headers[-1] == "等次" and ws.freeze_panes == "A2"
    assert ws.max_row == 3
    rows = {ws.cell(row=r, column=1).value: dict(zip(headers, [c.value for c in ws[r]], strict=True))
            for r in range(2, 4)}
    mine = rows[trainee.staff_no]
    assert mine["姓名"] == trainee.name and mine["导师评分"] == 88 and mine["部门评分"] is None
    assert mine["带教导师"] == demo["mentor"].person.name
    assert "进行中" in wb["说明"].cell(row=2, column=1).value
    # out of scope: Yuhu's HR does not get Xiangtan's cycle; a trainee gets nothing
    assert as_role("hr_yuhu").get(f"/reports/evaluation/{cycle.id}.xlsx").status_code == 404
    assert as_role("trainee").get(f"/reports/evaluation/{cycle.id}.xlsx").status_code == 404


def test_bulk_action_opens_a_cycle_for_exactly_the_ticked_people(as_role, demo, db):
    client = as_role("hr")
    ticked = [demo["trainee"].person, demo["trainee2"].person]
    ids = [str(p.id) for p in ticked]
    page = client.post("/evaluation/cycles/new", data={"from_list": "1", "person_ids": ids})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "勾选的 2 人" in html and ticked[0].name in html and "考评未开启" not in html
    year = local_today().year
    done = client.post("/evaluation/cycles/new", data={
        "person_ids": ids, "year": year, "name": "选定人员年度考评", "cohort_basis": "UNIT", "weight_quant": 60,
        "weight_mentor": 20, "weight_dept": 20, "excellent_quota_pct": 20, "summary_min_length": 300})
    assert done.status_code == 302, done.get_data(as_text=True)
    cycle = db.session.execute(db.select(EvaluationCycle).where(EvaluationCycle.name == "选定人员年度考评")).scalar_one()
    assert sorted(e.person_id for e in cycle.evaluations) == sorted(p.id for p in ticked)
    assert db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "evaluation.cycle_opened",
                                                          AuditEntry.object_id == cycle.id)).first()
    # the same people again: refused with their names, nothing written
    again = client.post("/evaluation/cycles/new", data={
        "person_ids": ids, "year": year, "name": "重复", "cohort_basis": "UNIT", "weight_quant": 60,
        "weight_mentor": 20, "weight_dept": 20, "excellent_quota_pct": 20, "summary_min_length": 300})
    assert again.status_code == 200 and "已经开启" in again.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(Evaluation.id)).join(EvaluationCycle).where(
        Evaluation.person_id == ticked[0].id, EvaluationCycle.year == year)).scalar() == 1


def test_bulk_cycle_refuses_people_out_of_scope_and_non_trainees(as_role, demo, db):
    cycles_before = db.session.execute(db.select(db.func.count(EvaluationCycle.id))).scalar()
    outsider = db.session.execute(db.select(Person).where(Person.unit_id != demo["hr_yuhu"].unit_id,
                                                          Person.position == Position.ASSISTANT)).scalars().first()
    response = as_role("hr_yuhu").post("/evaluation/cycles/new", data={"from_list": "1",
                                                                        "person_ids": [str(outsider.id)]})
    assert response.status_code == 404
    mentor = demo["mentor"].person
    with pytest.raises(ValidationFailed) as error:
        _open_for(demo, [mentor])
    assert "不是在培的检察官助理" in str(error.value.field_errors)
    with pytest.raises(ValidationFailed):
        _open_for(demo, [])
    assert db.session.execute(db.select(db.func.count(EvaluationCycle.id))).scalar() == cycles_before


def test_people_list_offers_the_bulk_evaluation_action_to_hr_only(as_role):
    assert "开启年度考评" in as_role("hr").get("/people/").get_data(as_text=True)
    assert "开启年度考评" not in as_role("head").get("/people/").get_data(as_text=True)


def test_unit_cycles_still_refuse_a_second_cycle_for_the_same_people(demo, db):
    units = [demo["hr"].unit_id]
    ops.open_cycle(demo["hr"], year=local_today().year, name="A", unit_ids=units)
    with pytest.raises(ValidationFailed, match="考评未开启"):
        ops.open_cycle(demo["hr"], year=local_today().year, name="B", unit_ids=units)


def test_a_past_years_cycle_compares_people_by_the_stage_they_were_in_at_that_years_end(demo, db):
    from tests.points_helpers import make_trainee
    from trainee.training.models import Stage, StageRecord

    year = local_today().year - 1
    person = make_trainee(unit=db.session.get(Person, demo["trainee"].person_id).unit, stage="S1")
    record = db.session.execute(db.select(StageRecord).where(StageRecord.person_id == person.id)).scalar_one()
    promoted = date(year + 1, 1, 15)  # moved to 中阶 after the evaluated year
    record.end_date = promoted
    s2 = db.session.execute(db.select(Stage).where(Stage.code == "S2")).scalar_one()
    db.session.add(StageRecord(person_id=person.id, stage_id=s2.id, start_date=promoted))
    db.session.commit()
    cycle = ops.open_cycle(demo["hr"], year=year, name="上年度补评", person_ids=[person.id])
    assert cycle.evaluations[0].stage_code == "S1"
