"""HR reports: the overview figures against hand-built data, the JSON API, the .xlsx exports reopened
with openpyxl, scope (district HR sees only their units) and a constant number of queries."""
import io
from datetime import date, timedelta

import openpyxl
from sqlalchemy import event

from trainee.activities.models import Activity, ActivityStatus, ActivityType
from trainee.core.time import local_today, utcnow
from trainee.org.models import Person, Position, Unit
from trainee.training.models import Transition, TransitionState, TransitionStatus


def test_overview_figures_match_hand_counted_data(app, demo, db, api_token, client):
    yuhu = db.session.execute(db.select(Unit).where(Unit.code == "YH")).scalar_one()
    trainees = db.session.execute(db.select(Person).where(
        Person.unit_id == yuhu.id, Person.position == Position.ASSISTANT)).scalars().all()
    with_lq = sum(1 for p in trainees if p.legal_qualification)
    # one approved entry this quarter, one entry waiting 10 days, one transition achieved today
    kind = db.session.execute(db.select(ActivityType)).scalars().first()
    busy, waiting = trainees[0], trainees[1]
    db.session.add(Activity(person_id=busy.id, type_id=kind.id, date=local_today(), title="t",
                            status=ActivityStatus.APPROVED))
    mentor = demo["mentor05"].person
    db.session.add(Activity(person_id=waiting.id, type_id=kind.id, date=local_today(), title="w",
                            status=ActivityStatus.SUBMITTED, reviewer_id=mentor.id,
                            submitted_at=utcnow() - timedelta(days=10)))
    t1 = db.session.execute(db.select(Transition).where(Transition.code == "T1")).scalar_one()
    db.session.execute(db.delete(TransitionState))  # the demo's sign-off history: start from a clean slate
    db.session.add(TransitionState(person_id=busy.id, transition_id=t1.id, status=TransitionStatus.ACHIEVED,
                                   decided_on=local_today()))
    db.session.commit()

    data = client.get("/api/v1/reports/overview?unit=YH", headers=api_token("hr")).get_json()
    assert [u["code"] for u in data["units"]] == ["YH"]
    assert data["people_by_unit"][0]["trainees"] == len(trainees)
    lq = data["legal_qualification"]["by_unit"][0]
    assert (lq["total"], lq["with"]) == (len(trainees), with_lq)
    assert sum(data["trainees_by_stage_and_unit"][0]["counts"].values()) == len(trainees)
    assert data["transitions_achieved_by_quarter"][-1]["count"] == 1
    assert data["entries_waiting_over_7_days_by_mentor"] == [{"mentor_id": mentor.id, "mentor": mentor.name,
                                                             "count": 1}]
    assert data["no_approved_activity_this_quarter"]["total"] == len(trainees) - 1
    # the idle list behind the figure has the same count
    page = client.get(f"/people/?idle=1&unit={yuhu.id}")
    assert page.status_code in (302, 401)  # anonymous client: the page needs sign-in


def test_district_hr_sees_only_their_units_and_cannot_ask_for_others(client, demo, api_token):
    data = client.get("/api/v1/reports/overview", headers=api_token("hr_yuhu")).get_json()
    assert [u["code"] for u in data["units"]] == ["YH"]
    assert client.get("/api/v1/reports/overview?unit=XT", headers=api_token("hr_yuhu")).status_code == 404
    assert client.get("/api/v1/reports/overview", headers=api_token("mentor")).status_code == 403
    city = client.get("/api/v1/reports/overview", headers=api_token("hr")).get_json()
    assert len(city["units"]) == 6


def test_overview_page_lists_units_in_organisation_order_and_links_each_figure(as_role, demo):
    page = as_role("hr").get("/reports/overview").get_data(as_text=True)
    positions = [page.index(name) for name in ("湘潭市院", "雨湖区院", "岳塘区院", "湘潭县院", "湘乡市院", "韶山市院")]
    assert positions == sorted(positions)
    assert "/people/?" in page and "stage=2" in page and "idle=1" in page and "lq=0" in page
    assert "<svg" in page and "<script" not in page.split("<main")[1]


def test_overview_uses_a_constant_number_of_queries(app, demo, db, as_role):
    client = as_role("hr")

    def count():
        statements = []

        def listener(*args):
            statements.append(args[2])
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/reports/overview").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    few = count()
    unit_id = demo["hr"].unit_id
    for i in range(60):
        db.session.add(Person(staff_no=f"QX{i:04d}", name=f"量{i}", unit_id=unit_id, position=Position.ASSISTANT,
                              legal_qualification=i % 2 == 0))
    db.session.commit()
    assert count() == few


def test_hr_home_shows_the_overview_widget(as_role, demo):
    page = as_role("hr").get("/home").get_data(as_text=True)
    assert "统计概览" in page and "/reports/overview" in page


def open_xlsx(response):
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return openpyxl.load_workbook(io.BytesIO(response.data))


def test_people_export_follows_the_filters_with_chinese_headers_frozen_row_and_date_cells(as_role, demo, db):
    trainee = demo["trainee"].person
    wb = open_xlsx(as_role("hr").get(f"/reports/people.xlsx?q={trainee.name}"))
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    assert headers[:7] == ["工号", "姓名", "性别", "单位", "部门", "培养阶段", "带教导师"]
    assert ws.freeze_panes == "A2" and ws.column_dimensions["D"].width >= 20
    assert ws.max_row == 2
    row = {h: c for h, c in zip(headers, ws[2], strict=True)}
    assert row["工号"].value == trainee.staff_no and row["带教导师"].value == demo["mentor"].person.name
    assert row["培养阶段"].value == "中阶"
    assert row["入职日期"].is_date and row["入职日期"].value.date() == trainee.hire_date
    assert row["入职日期"].number_format == "yyyy-mm-dd"
    assert row["法律职业资格"].value in ("是", "否")


def test_people_export_respects_scope(as_role, demo):
    ws = open_xlsx(as_role("hr_yuhu").get("/reports/people.xlsx")).worksheets[0]
    units = {ws.cell(row=r, column=4).value for r in range(2, ws.max_row + 1)}
    assert units == {"湘潭市雨湖区人民检察院"}


def test_progress_export_has_one_column_per_transition_and_achievement_dates(as_role, demo, db):
    trainee = demo["trainee"].person
    t4 = db.session.execute(db.select(Transition).where(Transition.code == "T4")).scalar_one()
    db.session.execute(db.delete(TransitionState))  # the demo's sign-off history: start from a clean slate
    db.session.add(TransitionState(person_id=trainee.id, transition_id=t4.id, status=TransitionStatus.ACHIEVED,
                                   decided_on=date(2025, 3, 1)))
    db.session.commit()
    ws = open_xlsx(as_role("hr").get(f"/reports/progress.xlsx?q={trainee.staff_no}")).worksheets[0]
    headers = [c.value for c in ws[1]]
    assert headers[4].startswith("T1") and headers[12].startswith("T9") and headers[-1] == "已达成转数"
    assert ws.freeze_panes == "A2"
    assert ws.cell(row=2, column=headers.index(next(h for h in headers if h.startswith("T4"))) + 1).is_date
    assert ws.cell(row=2, column=len(headers)).value == 1


def test_formula_like_text_is_exported_as_text(as_role, demo, db):
    person = demo["trainee"].person
    person.school = "=HYPERLINK(\"http://x\")"
    db.session.commit()
    ws = open_xlsx(as_role("hr").get(f"/reports/people.xlsx?q={person.staff_no}")).worksheets[0]
    assert all(not str(c.value or "").startswith("=") for c in ws[2])


def test_waiting_reviews_at_city_scale_are_a_distribution_with_the_list_behind_it(app, demo, db, as_role, api_token):
    """Over ten mentors with entries waiting > 7 days: mentors grouped by how much waits on them, and a
    paginated list in organisation order behind each group (not one bar per mentor, not a ranking)."""
    db.session.execute(db.update(Activity).where(Activity.status == ActivityStatus.SUBMITTED)
                       .values(submitted_at=utcnow()))  # the demo's waiting entries: not overdue here
    trainee = demo["trainee"].person
    kind = db.session.execute(db.select(ActivityType)).scalars().first()
    reviewers = db.session.execute(db.select(Person).where(Person.position != Position.ASSISTANT)
                                   .order_by(Person.id).limit(11)).scalars().all()
    counts = [1, 1, 1, 1, 2, 3, 3, 4, 7, 8, 9]
    for reviewer, n in zip(reviewers, counts, strict=True):
        for i in range(n):
            db.session.add(Activity(person_id=trainee.id, type_id=kind.id, date=local_today(), title=f"w{i}",
                                    status=ActivityStatus.SUBMITTED, reviewer_id=reviewer.id,
                                    submitted_at=utcnow() - timedelta(days=10 + i)))
    db.session.add(Activity(person_id=trainee.id, type_id=kind.id, date=local_today(), title="recent",
                            status=ActivityStatus.SUBMITTED, reviewer_id=reviewers[0].id,
                            submitted_at=utcnow() - timedelta(days=2)))  # not yet 7 days: not counted
    db.session.commit()

    data = as_role("hr").get("/api/v1/reports/overview", headers=api_token("hr")).get_json()
    assert data["mentors_by_entries_waiting_over_7_days"] == [
        {"low": 1, "high": 1, "mentors": 4, "entries": 4}, {"low": 2, "high": 3, "mentors": 3, "entries": 8},
        {"low": 4, "high": 7, "mentors": 2, "entries": 11}, {"low": 8, "high": None, "mentors": 2, "entries": 17}]
    assert len(data["entries_waiting_over_7_days_by_mentor"]) == 11

    hr = as_role("hr")
    page = hr.get("/reports/overview").get_data(as_text=True)
    assert "/reports/waiting-reviews?" in page and "查看全部 11 位导师的名单" in page

    listing = hr.get("/reports/waiting-reviews?min=8").get_data(as_text=True)
    heavy = [r for r, n in zip(reviewers, counts, strict=True) if n >= 8]
    assert all(r.name in listing for r in heavy)
    assert "共 2 位导师" in listing and ">9<" in listing and "18 天" in listing  # 9 entries, oldest 10 + 8 days
    everyone = hr.get("/reports/waiting-reviews").get_data(as_text=True)
    assert "共 11 位导师" in everyone
    yuhu_expected = 11 if trainee.unit.code == "YH" else 0
    assert f"共 {yuhu_expected} 位导师" in as_role("hr_yuhu").get("/reports/waiting-reviews").get_data(as_text=True)
    assert hr.get("/reports/waiting-reviews?min=x&max=&page=999").status_code == 200
    assert hr.get("/reports/waiting-reviews?min=²&page=²").status_code == 200  # a digit, but not an ASCII one


def test_chart_labels_are_cut_to_fit_left_of_the_bars_whole_in_chinese():
    from trainee.reports.charts import fit_label

    assert fit_label("测试10区院") == "测试10区院" and fit_label("司法行政人员") == "司法行政人员"
    cut = fit_label("Judicial administrative staff")
    assert cut.endswith("…") and len(cut) < 20


def test_the_waiting_list_puts_units_in_organisation_order_not_text_order(app, demo, db, as_role,
                                                                         older_and_tenth_unit):
    """A city with ten or more units: /1/3/ comes before /1/10/ (as text it would come after)."""
    db.session.execute(db.update(Activity).where(Activity.status == ActivityStatus.SUBMITTED)
                       .values(submitted_at=utcnow()))  # only the entries below wait over 7 days
    trainee = demo["trainee"].person
    small, big = older_and_tenth_unit
    kind = db.session.execute(db.select(ActivityType)).scalars().first()
    for unit, name in ((big, "甲新设院导师"), (small, "乙老院导师")):
        reviewer = Person(staff_no=f"W{unit.id}", name=name, unit_id=unit.id, position=Position.PROSECUTOR)
        db.session.add(reviewer)
        db.session.flush()
        db.session.add(Activity(person_id=trainee.id, type_id=kind.id, date=local_today(), title="等待",
                                status=ActivityStatus.SUBMITTED, reviewer_id=reviewer.id,
                                submitted_at=utcnow() - timedelta(days=10)))
    db.session.commit()
    listing = as_role("hr").get("/reports/waiting-reviews").get_data(as_text=True)
    assert listing.index("乙老院导师") < listing.index("甲新设院导师")
