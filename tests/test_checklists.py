"""双学铸魂 (issue #4): the must-study checklists — assignment, reflection, review, reminders, HR completion."""
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from tests.test_training_progress import QueryCounter, add_activities
from trainee.checklists import operations as ops
from trainee.checklists import queries
from trainee.checklists.models import AssignmentStatus, ChecklistAssignment, ChecklistCategory, ChecklistItem
from trainee.core.errors import DomainError, PermissionDenied, ValidationFailed
from trainee.core.time import add_months, local_today
from trainee.notifications.models import Notification
from trainee.org.models import Person, PersonStatus, Position
from trainee.points.models import PointsEntry, SourceType
from trainee.training.models import Stage, StageRecord, TransitionStatus
from trainee.training.progress import person_progress


def assignments_of(db, person, *, stage=None, category=None):
    query = (db.select(ChecklistAssignment).join(ChecklistItem).join(Stage)
             .where(ChecklistAssignment.person_id == person.id).order_by(ChecklistItem.order))
    if stage:
        query = query.where(Stage.code == stage)
    if category:
        query = query.where(ChecklistItem.category == category)
    return db.session.execute(query).scalars().all()


def text_for(item, extra=0):
    return "学习心得：结合办案体会深入学习条文。" * ((item.min_chars + extra) // 17 + 1)


def confirm(db, demo, assignment, mentor="mentor"):
    """Take an assignment of a demo trainee to CONFIRMED through the operations."""
    trainee_user = assignment.person.user
    if assignment.status in (AssignmentStatus.PENDING, AssignmentStatus.RETURNED):
        ops.save_reflection(trainee_user, assignment, text_for(assignment.item), submit=True)
    ops.review(demo[mentor], assignment, confirm=True)


def current_s1_trainees(db):
    return db.session.execute(
        db.select(Person).join(StageRecord, StageRecord.person_id == Person.id).join(Stage)
        .where(StageRecord.end_date.is_(None), Stage.code == "S1", Person.position == Position.ASSISTANT,
               Person.status == PersonStatus.ACTIVE)).scalars().all()


# --- the default list ------------------------------------------------------------------------------

def test_default_list_has_21_items_7_political_14_business_over_stages_one_and_two(app, db):
    items = db.session.execute(db.select(ChecklistItem).join(Stage)).scalars().all()
    assert len(items) == 21
    assert sum(i.category is ChecklistCategory.POLITICAL for i in items) == 7
    assert sum(i.category is ChecklistCategory.BUSINESS for i in items) == 14
    assert {i.stage.code for i in items} == {"S1", "S2"}
    titles = {i.title for i in items}
    assert "《习近平法治思想学习纲要》" in titles and "《人民检察院刑事诉讼法律文书格式样本》" in titles
    from trainee.reference import load_reference

    load_reference()  # idempotent
    assert db.session.execute(db.select(db.func.count(ChecklistItem.id))).scalar() == 21


# --- assignment rules --------------------------------------------------------------------------------

def test_entering_a_stage_assigns_its_items_due_from_the_stage_start(app, db, demo):
    from trainee.training.operations import place_in_stage

    person = demo["trainee2"].person
    assert assignments_of(db, person, stage="S2") == []
    on = local_today() - timedelta(days=10)
    place_in_stage(demo["hr"], person, "S2", reason="具有多年检察辅助工作经历", on_date=on)
    given = assignments_of(db, person, stage="S2")
    assert len(given) == 10  # 3 political + 7 business
    assert all(a.status is AssignmentStatus.PENDING for a in given)
    assert all(a.due_date == add_months(on, a.item.due_months) for a in given)
    notes = db.session.execute(db.select(Notification).where(
        Notification.user_id == demo["trainee2"].id, Notification.kind == "checklist_assigned")).scalars().all()
    assert len(notes) == 1


def test_adding_an_item_mid_stage_assigns_everyone_already_in_it_due_from_today(app, db, demo):
    s1 = db.session.execute(db.select(Stage).where(Stage.code == "S1")).scalar_one()
    inside = current_s1_trainees(db)
    assert inside
    item, count = ops.create_item(demo["hr"], {
        "category": "BUSINESS", "stage_id": s1.id, "title": "《人民检察院办理未成年人刑事案件的规定》",
        "source": "最高人民检察院", "min_chars": 300, "due_months": 3})
    assert count == len(inside)
    rows = db.session.execute(db.select(ChecklistAssignment).where(ChecklistAssignment.item_id == item.id)).scalars().all()
    assert {a.person_id for a in rows} == {p.id for p in inside}
    assert all(a.due_date == add_months(local_today(), 3) for a in rows)
    # Someone entering stage 1 later counts from their own start.
    assert ops.due_date_for(local_today() + timedelta(days=40), item) == add_months(local_today() + timedelta(days=40), 3)
    # Stage-2 trainees do not get it.
    assert not [a for a in assignments_of(db, demo["trainee"].person) if a.item_id == item.id]


def test_only_city_hr_or_admin_manage_items_and_bad_items_are_refused(app, db, demo):
    s1 = db.session.execute(db.select(Stage).where(Stage.code == "S1")).scalar_one()
    data = {"category": "POLITICAL", "stage_id": s1.id, "title": "新条目", "source": "", "min_chars": 300,
            "due_months": 6}
    with pytest.raises(PermissionDenied):
        ops.create_item(demo["hr_yuhu"], data)
    with pytest.raises(PermissionDenied):
        ops.create_item(demo["mentor"], data)
    for bad, field in (({"category": "X"}, "category"), ({"min_chars": 10}, "min_chars"),
                       ({"due_months": 0}, "due_months"), ({"title": "  "}, "title"),
                       ({"title": "<b>x</b>"}, "title"), ({"title": "《中国共产党章程》"}, "title")):
        with pytest.raises(ValidationFailed) as error:
            ops.create_item(demo["admin"], {**data, **bad})
        assert field in error.value.field_errors


def test_retired_item_is_no_longer_required_nor_overdue(app, db, demo):
    person = demo["trainee"].person
    overdue = [a for a in assignments_of(db, person) if a.is_overdue(local_today())]
    assert overdue
    item = overdue[0].item
    ops.retire_item(demo["hr"], item)
    assert item.active is False
    assert all(a.item_id != item.id for a in queries.due_soon(person, local_today())[0])
    assert ops.sync_assignments() == 0
    with pytest.raises(DomainError):
        ops.save_reflection(demo["trainee"], overdue[0], text_for(item), submit=True)


def test_exemption_needs_a_reason_and_the_item_then_does_not_count(app, db, demo):
    person = demo["trainee2"].person
    political = assignments_of(db, person, stage="S1", category=ChecklistCategory.POLITICAL)
    target = next(a for a in political if a.status is AssignmentStatus.RETURNED)
    with pytest.raises(ValidationFailed):
        ops.exempt(demo["hr"], target, "   ")
    with pytest.raises(PermissionDenied):
        ops.exempt(demo["mentor"], target, "理由")
    with pytest.raises(PermissionDenied):
        ops.exempt(demo["hr_yuhu"], target, "理由")
    ops.exempt(demo["hr"], target, "已在党校系统学习")
    assert target.status is AssignmentStatus.EXEMPT and target.exempt_reason == "已在党校系统学习"
    with pytest.raises(DomainError):
        ops.save_reflection(demo["trainee2"], target, text_for(target.item), submit=True)
    confirmed = next(a for a in political if a.status is AssignmentStatus.CONFIRMED)
    with pytest.raises(DomainError):
        ops.exempt(demo["hr"], confirmed, "理由")
    progress = person_progress(person)
    req = next(r for r in progress.transition("T1").requirements if r.requirement.kind.name == "CHECKLIST")
    assert req.progress.target == len(political) - 1


# --- requirements T1 / T2 ------------------------------------------------------------------------------

def test_t1_and_t2_turn_ready_when_the_stage_one_items_are_confirmed(app, db, demo):
    person = demo["trainee2"].person
    add_activities(db, person, "CASE_ANALYSIS", 3)
    add_activities(db, person, "DOC_DRAFT", 10)
    add_activities(db, person, "TRAINING", 5)
    progress = person_progress(person)
    assert progress.transition("T1").status is TransitionStatus.IN_PROGRESS
    assert progress.transition("T2").status is TransitionStatus.IN_PROGRESS
    for a in assignments_of(db, person, stage="S1", category=ChecklistCategory.POLITICAL):
        if a.status is not AssignmentStatus.CONFIRMED:
            confirm(db, demo, a)
    progress = person_progress(person)
    assert progress.transition("T1").status is TransitionStatus.READY
    assert progress.transition("T2").status is TransitionStatus.IN_PROGRESS
    for a in assignments_of(db, person, stage="S1", category=ChecklistCategory.BUSINESS):
        if a.status not in (AssignmentStatus.CONFIRMED, AssignmentStatus.EXEMPT):
            confirm(db, demo, a)
    progress = person_progress(person)
    assert progress.transition("T2").status is TransitionStatus.READY


def test_checklist_requirement_is_batch_loaded_for_many_trainees(app, db, demo):
    from trainee.training.progress import progress_for_many, reset_model_cache

    people = db.session.execute(db.select(Person).where(Person.position == Position.ASSISTANT)).scalars().all()
    reset_model_cache()
    with QueryCounter(db.engine) as few:
        progress_for_many(people[:3])
    reset_model_cache()
    with QueryCounter(db.engine) as many:
        progress_for_many(people)
    assert many.count == few.count


# --- the trainee's reflection: bad input, attachment, lock --------------------------------------------------

def _pending(db, demo, username="trainee"):
    return next(a for a in assignments_of(db, demo[username].person) if a.status is AssignmentStatus.PENDING)


def test_too_short_blank_or_markup_reflection_is_refused_with_the_text_kept(app, db, demo, as_role):
    a = _pending(db, demo)
    client = as_role("trainee")
    url = f"/checklists/assignments/{a.id}"
    short = "学习体会很深刻。"
    r = client.post(url, data={"reflection": short, "action": "submit"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert f"不少于 {a.item.min_chars} 字" in html and short in html
    r = client.post(url, data={"reflection": " \n\t　 ", "action": "submit"})
    assert r.status_code == 422 and "不能只有空白" in r.get_data(as_text=True)
    markup = "<p>心得</p><script>alert(1)</script>" + "字" * a.item.min_chars
    r = client.post(url, data={"reflection": markup, "action": "submit"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "HTML 等标记" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    db.session.refresh(a)
    assert a.status is AssignmentStatus.PENDING and a.reflection == ""


def test_draft_then_submit_notifies_the_mentor_and_mentor_confirms(app, db, demo, as_role):
    a = _pending(db, demo)
    client = as_role("trainee")
    url = f"/checklists/assignments/{a.id}"
    assert client.post(url, data={"reflection": "先写一部分", "action": "save"}).status_code == 302
    db.session.refresh(a)
    assert a.status is AssignmentStatus.PENDING and a.reflection == "先写一部分"
    page = client.get(url).get_data(as_text=True)
    assert f'data-count-min="{a.item.min_chars}"' in page and "先写一部分" in page
    assert client.post(url, data={"reflection": text_for(a.item), "action": "submit"}).status_code == 302
    db.session.refresh(a)
    assert a.status is AssignmentStatus.SUBMITTED
    assert db.session.execute(db.select(Notification).where(
        Notification.user_id == demo["mentor"].id, Notification.kind == "checklist_submitted")).first()
    # Someone else's mentor, and the trainee, may not review.
    assert as_role("head").post(f"{url}/review", data={"decision": "confirm"}).status_code == 403
    assert client.post(f"{url}/review", data={"decision": "confirm"}).status_code == 403
    r = as_role("mentor").post(f"{url}/review", data={"decision": "return", "comment": ""})
    assert r.status_code == 422 and "请填写退回意见" in r.get_data(as_text=True)
    assert as_role("mentor").post(f"{url}/review", data={"decision": "confirm"}).status_code == 302
    db.session.refresh(a)
    assert a.status is AssignmentStatus.CONFIRMED and a.confirmed_on == local_today()
    assert a.reviewer_id == demo["mentor"].person_id


def test_a_confirmed_item_is_locked(app, db, demo, as_role):
    a = next(x for x in assignments_of(db, demo["trainee"].person) if x.status is AssignmentStatus.CONFIRMED)
    before = a.reflection
    r = as_role("trainee").post(f"/checklists/assignments/{a.id}",
                                data={"reflection": text_for(a.item, 50), "action": "submit"})
    assert r.status_code == 409 and "已锁定" in r.get_data(as_text=True)
    db.session.refresh(a)
    assert a.reflection == before and a.status is AssignmentStatus.CONFIRMED
    with pytest.raises(DomainError):
        ops.save_reflection(demo["trainee"], a, text_for(a.item), submit=False)
    page = as_role("trainee").get(f"/checklists/assignments/{a.id}").get_data(as_text=True)
    assert "<textarea" not in page and "已锁定" in page


def test_attachment_is_checked_by_content_and_served_only_to_those_who_see_the_record(app, db, demo, as_role):
    from trainee.competitions.demo import certificate_png

    a = _pending(db, demo)
    client = as_role("trainee")
    url = f"/checklists/assignments/{a.id}"
    fake = {"reflection": "草稿", "action": "save", "attachment": (io.BytesIO(b"not a pdf"), "心得.pdf")}
    r = client.post(url, data=fake, content_type="multipart/form-data")
    assert r.status_code == 422 and "不是有效的 PDF、DOCX、JPG、PNG 文件" in r.get_data(as_text=True)
    good = {"reflection": "草稿", "action": "save", "attachment": (io.BytesIO(certificate_png()), "笔记.png")}
    assert client.post(url, data=good, content_type="multipart/form-data").status_code == 302
    db.session.refresh(a)
    assert a.attachment is not None and a.attachment.original_name == "笔记.png"
    served = as_role("mentor").get(f"{url}/attachment")
    assert served.status_code == 200 and served.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served.headers["Content-Security-Policy"]
    assert as_role("trainee2").get(f"{url}/attachment").status_code == 404


def test_mentor_note_from_an_angle_is_visible_to_the_trainee(app, db, demo, as_role):
    a = next(x for x in assignments_of(db, demo["trainee"].person) if x.status is AssignmentStatus.SUBMITTED)
    url = f"/checklists/assignments/{a.id}"
    r = as_role("mentor").post(f"{url}/notes", data={"angle": "THEORETICAL", "text": "请联系刑事诉讼基本原理。"})
    assert r.status_code == 302
    assert as_role("mentor").post(f"{url}/notes", data={"angle": "", "text": "x"}).status_code == 422
    page = as_role("trainee").get(url).get_data(as_text=True)
    assert "理论维度" in page and "请联系刑事诉讼基本原理。" in page
    assert db.session.execute(db.select(Notification).where(
        Notification.user_id == demo["trainee"].id, Notification.kind == "checklist_note")).first()


# --- points ------------------------------------------------------------------------------------------

def test_confirmation_writes_a_points_entry_and_an_hr_correction_reverses_it(app, db, demo):
    from trainee.points.ledger import year_totals

    a = _pending(db, demo)
    person_id = a.person_id
    year = local_today().year
    before = year_totals([person_id], year)[person_id]
    confirm(db, demo, a)
    entries = db.session.execute(db.select(PointsEntry).where(PointsEntry.source_type == SourceType.CHECKLIST,
                                                              PointsEntry.source_id == a.id)).scalars().all()
    assert len(entries) == 1 and entries[0].points > 0 and entries[0].rule_key == a.item.category.name
    assert year_totals([person_id], year)[person_id] == before + entries[0].points
    with pytest.raises(PermissionDenied):
        ops.revoke_confirmation(demo["mentor"], a, "误确认")
    ops.revoke_confirmation(demo["hr"], a, "心得系抄袭，退回重写")
    assert a.status is AssignmentStatus.RETURNED and a.confirmed_on is None
    entries = db.session.execute(db.select(PointsEntry).where(PointsEntry.source_type == SourceType.CHECKLIST,
                                                              PointsEntry.source_id == a.id)).scalars().all()
    assert len(entries) == 2 and sum(e.points for e in entries) == 0
    assert year_totals([person_id], year)[person_id] == before


def test_demo_confirmations_are_in_the_ledger(app, db, demo):
    confirmed = db.session.execute(db.select(db.func.count(ChecklistAssignment.id)).where(
        ChecklistAssignment.status == AssignmentStatus.CONFIRMED)).scalar()
    entries = db.session.execute(db.select(db.func.count(PointsEntry.id)).where(
        PointsEntry.source_type == SourceType.CHECKLIST)).scalar()
    assert confirmed > 50 and entries == confirmed


# --- reminders -----------------------------------------------------------------------------------------

def test_reminder_sweep_reminds_seven_days_before_and_when_overdue_and_is_idempotent(app, db, demo):
    today = local_today()
    person = demo["trainee2"].person
    soon, late = [a for a in assignments_of(db, person) if a.status is AssignmentStatus.PENDING][:2]
    soon.due_date, late.due_date = today + timedelta(days=7), today - timedelta(days=1)
    db.session.commit()

    def notes(kind):
        return db.session.execute(db.select(db.func.count(Notification.id)).where(Notification.kind == kind)).scalar()

    first = ops.remind(today)
    assert first["due_soon"] >= 1 and first["overdue"] >= 1
    keys = set(db.session.execute(db.select(Notification.key).where(Notification.key.is_not(None))).scalars())
    assert f"checklist-due7:{soon.id}:{soon.due_date.isoformat()}" in keys
    assert f"checklist-overdue:{late.id}:{late.due_date.isoformat()}" in keys
    assert any(k.startswith(f"checklist-overdue-mentor:{late.id}:") for k in keys)
    counts = notes("checklist_due"), notes("checklist_overdue")
    second = ops.remind(today)
    assert second == {"assigned": 0, "due_soon": 0, "overdue": 0}
    assert (notes("checklist_due"), notes("checklist_overdue")) == counts
    # Not yet within seven days: no reminder; a moved due date is a new reminder.
    soon.due_date = today + timedelta(days=8)
    db.session.commit()
    assert ops.remind(today)["due_soon"] == 0
    assert ops.remind(today + timedelta(days=1))["due_soon"] == 1


def test_remind_command_runs_twice_without_duplicates(app, db, demo):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["remind"])
    assert first.exit_code == 0, first.output
    total = db.session.execute(db.select(db.func.count(Notification.id))).scalar()
    second = runner.invoke(args=["remind"])
    assert second.exit_code == 0 and "due_soon 0" in second.output and "overdue 0" in second.output
    assert db.session.execute(db.select(db.func.count(Notification.id))).scalar() == total


def test_sweep_assigns_items_to_trainees_already_in_a_stage(app, db, demo):
    person = demo["trainee2"].person
    db.session.execute(db.delete(ChecklistAssignment).where(ChecklistAssignment.person_id == person.id))
    db.session.commit()
    assert ops.remind()["assigned"] == 11  # the stage-1 items
    assert len(assignments_of(db, person)) == 11


# --- pages: home, mentor, HR completion and export ------------------------------------------------------

def test_trainee_home_lists_overdue_and_soon_due_items(app, db, demo, as_role):
    a = _pending(db, demo, "trainee2")
    a.due_date = local_today() + timedelta(days=20)
    db.session.commit()
    html = as_role("trainee2").get("/home").get_data(as_text=True)
    assert "双学必学清单" in html and a.item.title in html and "30 天内到期" in html and "已逾期" in html


def test_mentor_sees_the_overdue_items_of_mentees(app, db, demo, as_role):
    overdue = [a for a in assignments_of(db, demo["trainee"].person) if a.is_overdue(local_today())]
    html = as_role("mentor").get("/checklists/mentees").get_data(as_text=True)
    assert overdue and overdue[0].item.title in html and demo["trainee"].person.name in html
    other = as_role("mentor02").get("/checklists/mentees").get_data(as_text=True)
    assert demo["trainee"].person.name not in other


def test_hr_completion_counts_by_unit_department_and_item(app, db, demo, as_role):
    today = local_today()
    r = as_role("hr").get("/checklists/completion")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    for text in ("按单位", "按部门", "按条目", "雨湖区院", "《中华人民共和国刑法》"):
        assert text in html
    data = queries.completion(demo["hr"], queries.CompletionFilter(), today)
    assert all(data["totals"][s] > 0 for s in queries.STATES)
    yuhu = queries.completion(demo["hr_yuhu"], queries.CompletionFilter(), today)
    assert [u.short_name for u, _c in yuhu["units"]] == ["雨湖区院"]
    overdue = as_role("hr").get("/checklists/completion?state=overdue").get_data(as_text=True)
    assert "已逾期" in overdue


def test_hr_export_opens_in_openpyxl_with_the_right_rows(app, db, demo, as_role):
    today = local_today()
    r = as_role("hr").get("/checklists/completion.xlsx?state=overdue")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(r.data))
    assert book.sheetnames == ["明细", "按单位", "按部门", "按条目"]
    sheet = book["明细"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["工号", "姓名", "单位"] and "应完成日期" in header and "确认导师" in header
    assert sheet.freeze_panes == "A2" and sheet.column_dimensions["G"].width >= 30
    expected = [a for a in queries.completion_rows(demo["hr"], queries.CompletionFilter(state="overdue"), today)]
    assert sheet.max_row - 1 == len(expected) > 0
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert {(r[0], r[6]) for r in rows} == {(a.person.staff_no, a.item.title) for a in expected}
    assert all(r[8] == "已逾期" for r in rows)
    due_col = header.index("应完成日期") + 1
    cell = sheet.cell(row=2, column=due_col)
    assert cell.is_date and cell.number_format == "yyyy-mm-dd"
    by_unit = book["按单位"]
    assert [c.value for c in by_unit[1]] == ["单位", "已确认", "未完成", "已逾期", "免学", "合计"]
    assert sum(row[3] for row in by_unit.iter_rows(min_row=2, values_only=True)) == len(expected)


def test_hr_completion_page_query_count_is_constant_as_data_grows(app, db, demo, as_role):
    client = as_role("hr")
    client.get("/checklists/completion")
    cache = app.extensions["fragments"]
    cache.clear()  # each unit's counts made afresh in both views (kept ones ask nothing: compare like with like)
    with QueryCounter(db.engine) as few:
        assert client.get("/checklists/completion").status_code == 200
    s1 = db.session.execute(db.select(Stage).where(Stage.code == "S1")).scalar_one()
    for n in range(4):
        ops.create_item(demo["hr"], {"category": "BUSINESS", "stage_id": s1.id, "title": f"新增条目{n}",
                                     "source": "", "min_chars": 300, "due_months": 1 + n})
    for a in assignments_of(db, demo["trainee2"].person)[:3]:
        if a.status is AssignmentStatus.SUBMITTED:
            ops.review(demo["mentor"], a, confirm=True)
    cache.clear()
    with QueryCounter(db.engine) as many:
        assert client.get("/checklists/completion?page=1").status_code == 200
    assert many.count == few.count, (few.count, many.count)


def _completion_body(html: str) -> str:
    return html[html.find("<h1"):html.find("</main>")]


def test_completion_counts_kept_per_unit_equal_fresh_and_only_a_changed_unit_is_counted_again(app, db, demo,
                                                                                               as_role):
    """Each unit's counts are kept while nothing in it changes: after a confirmation in one unit, only that
    unit's are counted again, and the page equals one counted afresh (also for a district's HR, whose scope
    is one unit, and with filters)."""
    cache = app.extensions["fragments"]
    city, district = as_role("hr"), as_role("hr_yuhu")

    def views():
        return {(name, query): _completion_body(client.get(f"/checklists/completion{query}").get_data(as_text=True))
                for name, client in (("city", city), ("district", district))
                for query in ("", "?state=overdue", "?state=pending")}

    views()
    waiting = [a for a in assignments_of(db, demo["trainee2"].person) if a.status is AssignmentStatus.SUBMITTED]
    assert waiting, "the demo has a reflection waiting for its mentor"
    ops.review(demo["mentor"], waiting[0], confirm=True)
    before = cache.misses
    city.get("/checklists/completion")
    assert cache.misses - before == 1  # the confirmed trainee's unit only; the other units' counts were kept
    served = views()
    cache.clear()
    assert served == views()
    assert queries.completion(demo["hr"], queries.CompletionFilter(), local_today())["totals"][queries.DONE] > 0


def test_overview_shows_the_overdue_figure_and_links_to_the_list(app, db, demo, as_role, api_token, client):
    html = as_role("hr").get("/reports/overview").get_data(as_text=True)
    assert "逾期未完成的必学清单条目" in html and "/checklists/completion?state=overdue" in html
    body = client.get("/api/v1/reports/overview", headers=api_token("hr")).get_json()
    today = local_today()
    expected = queries.completion(demo["hr"], queries.CompletionFilter(), today)["totals"]["overdue"]
    assert body["checklist_items_overdue"] == expected > 0


def test_quarter_facts_count_due_and_overdue_items(app, db, demo):
    from trainee.core.time import quarter_of
    from trainee.evaluation.quarterly import checklist_facts

    today = local_today()
    person = demo["trainee"].person
    facts = checklist_facts([person.id], today.year, quarter_of(today))
    open_overdue = sum(1 for a in assignments_of(db, person) if a.is_overdue(today) and a.item.active)
    assert facts[person.id]["overdue"] >= open_overdue > 0


def test_dossier_section_lists_items_status_and_confirming_mentor(app, db, demo, as_role):
    person = demo["trainee"].person
    html = as_role("hr").get(f"/people/{person.id}/dossier").get_data(as_text=True)
    assert "双学铸魂必学清单" in html and "本节数据尚未启用" not in html.split("双学铸魂必学清单", 2)[-1][:400]
    confirmed = next(a for a in assignments_of(db, person) if a.status is AssignmentStatus.CONFIRMED)
    assert confirmed.item.title in html and confirmed.reviewer.name in html


# --- API -----------------------------------------------------------------------------------------------

def test_api_lists_items_with_status_due_and_confirmed_dates(app, db, demo, client, api_token):
    person = demo["trainee"].person
    r = client.get(f"/api/v1/trainees/{person.id}/checklist", headers=api_token("mentor"))
    assert r.status_code == 200
    body = r.get_json()
    assert body["person_id"] == person.id and len(body["items"]) == len(queries.person_assignments(person))
    confirmed = next(i for i in body["items"] if i["status"] == "CONFIRMED")
    assert confirmed["confirmed_on"] and confirmed["confirmed_by"] and confirmed["due_date"]
    assert {i["status"] for i in body["items"]} >= {"CONFIRMED", "SUBMITTED", "RETURNED", "EXEMPT", "PENDING"}
    assert body["summary"]["overdue"] == sum(1 for i in body["items"] if i["overdue"])
    assert client.get(f"/api/v1/trainees/{person.id}/checklist", headers=api_token("trainee2")).status_code == 404
    assert client.get(f"/api/v1/trainees/{person.id}/checklist").status_code == 401


def test_quarterly_pages_show_the_checklist_figures(app, db, demo, as_role):
    html = as_role("hr").get("/evaluation/quarterly").get_data(as_text=True)
    assert "双学清单的到期与逾期情况将在清单功能启用后显示" not in html
    assert "逾期" in html and "到期" in html


@pytest.mark.browser
def test_browser_live_count_then_submit_and_mentor_confirms(live_server, browser_page, demo, db):
    from tests.conftest import browser_login

    page, base = browser_page, live_server
    a = _pending(db, demo, "trainee2")
    browser_login(page, base, "trainee2")
    page.click("nav.mainnav >> text=双学清单")
    page.click(f"text={a.item.title}")
    page.fill("#reflection", "学 习")
    assert page.inner_text("[data-count-for=reflection]") == f"2 / {a.item.min_chars}"
    page.fill("#reflection", text_for(a.item))
    assert "ok" in page.get_attribute("[data-count-for=reflection]", "class")
    page.click("button[value=submit]")
    page.wait_for_load_state()
    assert "已提交导师确认" in page.inner_text("main")
    page.click("form[action$='/logout'] button")
    browser_login(page, base, "mentor")
    page.goto(f"{base}/checklists/mentees")
    page.click(f"text={a.item.title}")
    page.select_option("#decision", "confirm")
    page.click("form[action$='/review'] button[type=submit]")
    page.wait_for_load_state()
    assert "已确认" in page.inner_text("main")


def test_a_new_primary_mentor_reviews_waiting_reflections_and_is_told(app, db, demo):
    from trainee.mentoring.operations import assign_primary_mentor

    person = demo["trainee"].person
    waiting = next(a for a in assignments_of(db, person) if a.status is AssignmentStatus.SUBMITTED)
    new_mentor = demo["mentor02"].person
    new_mentor.mentor_capacity = 10
    db.session.commit()
    assign_primary_mentor(demo["hr"], person, new_mentor, local_today(), "导师调整")
    assert db.session.execute(db.select(Notification).where(
        Notification.user_id == demo["mentor02"].id, Notification.kind == "checklist_submitted")).first()
    with pytest.raises(PermissionDenied):
        ops.review(demo["mentor"], waiting, confirm=True)
    ops.review(demo["mentor02"], waiting, confirm=True)
    assert waiting.reviewer_id == new_mentor.id


@pytest.mark.parametrize("first_people", [200, 2])
def test_completion_pages_put_together_are_the_whole_ordered_list(app, db, demo, monkeypatch, first_people):
    """The page is found person by person (counts of the first people, then of everyone): every page size
    and filter gives exactly the slice of the full ordered list, nothing lost or repeated at the seams."""
    monkeypatch.setattr(queries, "FIRST_PEOPLE", first_people)
    today = local_today()
    for flt in (queries.CompletionFilter(), queries.CompletionFilter(state="pending"),
                queries.CompletionFilter(state="overdue")):
        full = [a.id for a in queries.completion_rows(demo["hr"], flt, today)]
        assert full
        for size in (7, 50):
            pages = [queries.completion_rows(demo["hr"], flt, today, limit=size, offset=start)
                     for start in range(0, len(full) + size, size)]
            assert [a.id for page in pages for a in page] == full
            assert pages[-1] == []


def test_hr_lifts_an_exemption_given_in_error_and_the_item_counts_again(app, db, demo, as_role):
    from trainee.audit import AuditEntry


    person = demo["trainee2"].person
    political = assignments_of(db, person, stage="S1", category=ChecklistCategory.POLITICAL)
    target = next(a for a in political if a.status is AssignmentStatus.RETURNED)
    reflection = target.reflection
    ops.exempt(demo["hr"], target, "误以为已在党校学习")
    with pytest.raises(DomainError):
        ops.lift_exemption(demo["hr"], next(a for a in political if a.status is AssignmentStatus.CONFIRMED), "理由")
    with pytest.raises(PermissionDenied):
        ops.lift_exemption(demo["mentor"], target, "理由")
    with pytest.raises(PermissionDenied):
        ops.lift_exemption(demo["hr_yuhu"], target, "理由")
    with pytest.raises(ValidationFailed):
        ops.lift_exemption(demo["hr"], target, "  ")

    page = as_role("hr").get(f"/checklists/assignments/{target.id}").get_data(as_text=True)
    assert "取消免学" in page
    response = as_role("hr").post(f"/checklists/assignments/{target.id}/lift-exemption",
                                  data={"lift-reason": "党校课程与本条目不同"})
    assert response.status_code == 302
    db.session.refresh(target)
    assert target.status is AssignmentStatus.PENDING and target.exempt_reason is None
    assert target.due_date == ops.due_date_for(local_today(), target.item) and target.reflection == reflection
    assert db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "checklist.exemption_lifted",
                                                          AuditEntry.object_id == target.id)).scalar_one()
    assert db.session.execute(db.select(Notification).where(
        Notification.user_id == demo["trainee2"].id, Notification.text.contains("取消"))).scalars().first()
    ops.save_reflection(demo["trainee2"], target, text_for(target.item), submit=True)  # open for study again
    progress = person_progress(person)
    req = next(r for r in progress.transition("T1").requirements if r.requirement.kind.name == "CHECKLIST")
    assert req.progress.target == len(political)


def test_completion_lists_units_and_departments_in_organisation_order_not_text_order(app, db, demo, as_role,
                                                                                    older_and_tenth_unit):
    """A city with ten or more units: /1/3/ comes before /1/10/ (as text it would come after), for the units'
    rows, the departments' rows, the department filter and the administrator's list of units."""
    from trainee.org.models import Department
    from trainee.org.queries import departments_in_scope

    small, big = older_and_tenth_unit
    new_department = Department(unit_id=big.id, name="新设部门")
    db.session.add(new_department)
    moved = db.session.get(Person, demo["trainee2"].person_id)  # with must-study items assigned
    moved.unit_id, moved.department_id = big.id, None
    db.session.flush()
    moved.department_id = new_department.id
    db.session.commit()
    data = queries.completion(demo["hr"], queries.CompletionFilter(), local_today())
    unit_ids = [u.id for u, _counts in data["units"]]
    assert big.id in unit_ids and unit_ids.index(small.id) < unit_ids.index(big.id)
    department_units = [d.unit_id for d, _counts in data["departments"] if d is not None]
    assert department_units.index(small.id) < department_units.index(big.id)
    in_filter = [row.unit for row in departments_in_scope(demo["hr"])]
    assert in_filter.index(small.short_name) < in_filter.index("新设院")
    html = as_role("hr").get("/checklists/completion").get_data(as_text=True)
    table = html[html.find("按单位"):]
    assert table.index(small.short_name) < table.index("新设院")
    units_page = as_role("admin").get("/admin/units").get_data(as_text=True)  # and the administrator's unit list
    assert units_page.index(small.name) < units_page.index("测试新设区院")
