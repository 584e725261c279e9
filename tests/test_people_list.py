"""The HR people list: filters, partial search, whitelisted sorting, pagination, constant query count,
and the bulk action that assigns a primary mentor."""
from datetime import date, timedelta

from sqlalchemy import event

from trainee.audit import AuditEntry
from trainee.mentoring.models import AssignmentKind, MentorAssignment
from trainee.org.models import Person, Position


def test_partial_chinese_search_finds_people_by_name_and_staff_number(as_role, demo):
    trainee = demo["trainee"].person  # 李思远
    client = as_role("hr")
    page = client.get("/people/?q=思远").get_data(as_text=True)
    assert "李思远" in page and "王雨萱" not in page
    page = client.get(f"/people/?q={trainee.staff_no[-3:]}").get_data(as_text=True)
    assert trainee.staff_no in page


def test_search_wildcards_are_taken_literally(as_role, demo):
    page = as_role("hr").get("/people/?q=%25").get_data(as_text=True)
    assert "共 0 人" in page


def test_filters_by_unit_department_mentor_status_and_qualification(as_role, demo, db):
    client = as_role("hr")
    mentor = demo["mentor"].person
    page = client.get(f"/people/?mentor={mentor.id}").get_data(as_text=True)
    assert "李思远" in page and "王雨萱" in page and "共 3 人" in page
    yuhu = demo["hr_yuhu"].unit
    page = client.get(f"/people/?unit={yuhu.id}&position=ASSISTANT").get_data(as_text=True)
    expected = db.session.execute(db.select(db.func.count(Person.id)).where(
        Person.unit_id == yuhu.id, Person.position == Position.ASSISTANT)).scalar()
    assert f"共 {expected} 人" in page
    dept = demo["trainee"].person.department_id
    page = client.get(f"/people/?department={dept}&lq=1&status=ACTIVE").get_data(as_text=True)
    expected = db.session.execute(db.select(db.func.count(Person.id)).where(
        Person.department_id == dept, Person.legal_qualification.is_(True))).scalar()
    assert f"共 {expected} 人" in page


def test_sorting_accepts_only_whitelisted_columns(as_role, demo):
    client = as_role("hr")
    asc = client.get("/people/?sort=hire_date&position=ASSISTANT").get_data(as_text=True)
    desc = client.get("/people/?sort=hire_date&dir=desc&position=ASSISTANT").get_data(as_text=True)
    assert 'aria-sort="ascending"' in asc and 'aria-sort="descending"' in desc
    assert asc != desc
    response = client.get("/people/?sort=password_hash;drop table people&dir=desc")
    assert response.status_code == 200 and "aria-sort" not in response.get_data(as_text=True)


def test_pagination_links_keep_the_filters(app, as_role, demo):
    app.config["PAGE_SIZE"] = 5
    page = as_role("hr").get("/people/?position=ASSISTANT&sort=name").get_data(as_text=True)
    assert "page=2" in page and "position=ASSISTANT" in page.split("page=2")[0].rsplit("href=", 1)[1]


def test_the_list_uses_the_same_number_of_queries_for_10_and_100_people(app, as_role, demo, db):
    from trainee.demo import DISTRICTS  # noqa: F401  (the demo world is loaded)

    client = as_role("hr")
    mentor = demo["mentor"].person

    def add_people(n, prefix):
        for i in range(n):
            p = Person(staff_no=f"{prefix}{i:04d}", name=f"测试{prefix}{i}", unit_id=mentor.unit_id,
                       department_id=mentor.department_id, position=Position.ASSISTANT)
            db.session.add(p)
            db.session.flush()
            db.session.add(MentorAssignment(trainee_id=p.id, mentor_id=mentor.id, kind=AssignmentKind.PRIMARY,
                                            start_date=date(2024, 1, 1)))
        db.session.commit()

    def count_queries(url):
        statements = []

        def listener(*args):
            statements.append(args[2])
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    app.config["PAGE_SIZE"] = 200
    add_people(10, "QA")
    few = count_queries("/people/?q=测试")
    add_people(90, "QB")
    many = count_queries("/people/?q=测试")
    assert "共 100 人" in client.get("/people/?q=测试").get_data(as_text=True)
    assert few == many, (few, many)


def test_district_hr_sees_only_their_own_unit(as_role, demo):
    page = as_role("hr_yuhu").get("/people/").get_data(as_text=True)
    assert "雨湖区院" in page and "李思远" not in page


def _bulk(client, ids, mentor, **extra):
    data = {"person_ids": [str(i) for i in ids], "mentor_id": str(mentor),
            "start_date": date.today().isoformat(), "reason": "导师调整"}
    data.update(extra)
    return client.post("/people/bulk/assign-mentor?position=ASSISTANT", data=data)


def _free_mentor(demo, db):
    """A city mentor (not `mentor`) given room for more mentees; returns (person, current load)."""
    person = demo["mentor02"].person
    n = db.session.execute(db.select(db.func.count(MentorAssignment.id)).where(
        MentorAssignment.mentor_id == person.id, MentorAssignment.end_date.is_(None))).scalar()
    person.mentor_capacity = n + 5
    db.session.commit()
    return person, n


def test_hr_assigns_a_mentor_to_the_selection_ending_the_old_assignment_with_audit(as_role, demo, db):
    mentor, _load = _free_mentor(demo, db)
    trainee = demo["trainee"].person
    response = _bulk(as_role("hr"), [trainee.id], mentor.id)
    assert response.status_code == 302 and "position=ASSISTANT" in response.headers["Location"]
    rows = db.session.execute(db.select(MentorAssignment).where(MentorAssignment.trainee_id == trainee.id)
                              .order_by(MentorAssignment.id)).scalars().all()
    assert rows[0].end_date == date.today() and rows[0].end_reason == "导师调整"
    assert rows[-1].mentor_id == mentor.id and rows[-1].end_date is None
    actions = set(db.session.execute(db.select(AuditEntry.action)).scalars())
    assert {"mentoring.ended", "mentoring.assigned", "mentoring.bulk_assigned"} <= actions


def test_bulk_assignment_beyond_capacity_changes_nothing(as_role, demo, db):
    mentor, load = _free_mentor(demo, db)
    mentor.mentor_capacity = load + 1
    db.session.commit()
    others = db.session.execute(db.select(Person).where(
        Person.position == Position.ASSISTANT, Person.unit_id == demo["hr"].unit_id).limit(2)).scalars().all()
    before = db.session.execute(db.select(db.func.count(MentorAssignment.id))).scalar()
    response = _bulk(as_role("hr"), [p.id for p in others], mentor.id)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "带教名额已满" in page
    assert page.count("checked") >= 2  # the selection is kept
    assert db.session.execute(db.select(db.func.count(MentorAssignment.id))).scalar() == before


def test_bulk_assignment_refuses_bad_input_with_chinese_messages(as_role, demo, db):
    mentor, _ = _free_mentor(demo, db)
    trainee = demo["trainee2"].person
    client = as_role("hr")
    before = db.session.execute(db.select(db.func.count(MentorAssignment.id))).scalar()
    cases = [dict(reason=""), dict(reason="<script>x</script>"), dict(start_date="2024-02-30"),
             dict(start_date=(date.today() + timedelta(days=3)).isoformat()), dict(reason="长" * 201),
             dict(mentor_id="999999"), dict(mentor_id=str(trainee.id))]
    for changes in cases:
        response = _bulk(client, [trainee.id], mentor.id, **changes)
        assert response.status_code == 422, changes
        assert 'class="error"' in response.get_data(as_text=True) or "flash-error" in response.get_data(as_text=True)
    assert _bulk(client, [], mentor.id).status_code == 422
    assert db.session.execute(db.select(db.func.count(MentorAssignment.id))).scalar() == before


def test_district_hr_cannot_assign_mentors_to_people_outside_their_unit(as_role, demo, db):
    trainee = demo["trainee"].person  # city unit
    mentor = demo["mentor05"].person
    response = _bulk(as_role("hr_yuhu"), [trainee.id], mentor.id)
    assert response.status_code in (404, 422)
    assert db.session.execute(db.select(MentorAssignment).where(
        MentorAssignment.trainee_id == trainee.id, MentorAssignment.mentor_id == mentor.id)).first() is None


def test_only_hr_may_use_the_bulk_action(as_role, demo):
    for role in ("admin", "head", "mentor", "trainee"):
        assert _bulk(as_role(role), [demo["trainee"].person.id], demo["mentor"].person.id).status_code == 403, role


def test_assign_primary_mentor_keeps_history_and_enforces_default_capacity(app, demo, db):
    from trainee.core.errors import DomainError
    from trainee.mentoring.operations import assign_primary_mentor

    hr = demo["hr"]
    mentor = Person(staff_no="XT8888", name="新导师", unit_id=hr.unit_id, position=Position.PROSECUTOR)
    db.session.add(mentor)  # no capacity set: the default (3) applies
    db.session.commit()
    candidates = db.session.execute(db.select(Person).where(
        Person.position == Position.ASSISTANT, Person.unit_id == hr.unit_id)).scalars().all()
    assigned, refused = 0, None
    for person in candidates:
        current = db.session.execute(db.select(MentorAssignment).where(
            MentorAssignment.trainee_id == person.id, MentorAssignment.end_date.is_(None))).scalar()
        if current and current.mentor_id == mentor.id:
            continue
        try:
            assign_primary_mentor(hr, person, mentor, date.today(), "调整")
            assigned += 1
        except DomainError as error:
            refused = error.message
            break
    active = db.session.execute(db.select(db.func.count(MentorAssignment.id)).where(
        MentorAssignment.mentor_id == mentor.id, MentorAssignment.end_date.is_(None))).scalar()
    assert active == 3 and "上限 3 人" in refused


def test_stage_filter_lists_only_people_currently_in_that_stage(as_role, demo, db):
    from trainee.training.models import Stage, StageRecord

    client = as_role("hr")
    for n in (1, 2, 3):
        expected = db.session.execute(db.select(db.func.count(StageRecord.id)).join(Stage).where(
            StageRecord.end_date.is_(None), Stage.code == f"S{n}")).scalar()
        assert f"共 {expected} 人" in client.get(f"/people/?stage={n}").get_data(as_text=True), n
    page = client.get("/people/?stage=2&q=李思远").get_data(as_text=True)
    assert "李思远" in page  # `trainee` is in stage 2
    assert "共 0 人" in client.get("/people/?stage=2&q=王雨萱").get_data(as_text=True)
