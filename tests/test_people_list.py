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


def _bulk(client, ids, mentor_id, **extra):
    """Post the bulk action as the picker's script does (`mentor_id`); `mentor=` is the typed text, as without it."""
    data = {"person_ids": [str(i) for i in ids], "mentor_id": str(mentor_id),
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
             dict(mentor_id="999999"), dict(mentor_id=str(trainee.id)), dict(mentor_id="", mentor=""),
             dict(mentor_id="", mentor=trainee.staff_no)]
    for changes in cases:
        response = _bulk(client, [trainee.id], **{"mentor_id": mentor.id, **changes})
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


# --- the mentor picker: a search in scope instead of every mentor as an <option> --------------------------------

def _search(client, q):
    response = client.get("/people/mentors.json", query_string={"q": q})
    assert response.status_code == 200, response.status_code
    return response.get_json()


def test_mentor_search_matches_part_of_a_chinese_name_or_a_staff_number(as_role, demo):
    mentor = demo["mentor"].person  # 陈志刚, 4 places
    client = as_role("hr")
    found = _search(client, "志刚")["results"]
    assert [m["id"] for m in found] == [mentor.id]
    assert found[0]["label"] == f"陈志刚 {mentor.staff_no}（{mentor.unit.short_name}，现带 3 / 4）"
    found = _search(client, mentor.staff_no[-3:].lower())["results"]
    assert mentor.id in [m["id"] for m in found]
    assert _search(client, mentor.staff_no)["results"][0]["id"] == mentor.id  # the exact staff number first
    assert _search(client, "%")["results"] == []  # wildcards are taken literally
    assert _search(client, "王雨萱")["results"] == []  # a trainee is not a mentor


def test_mentor_search_stays_in_the_users_scope(as_role, demo):
    city_mentor, yuhu_mentor = demo["mentor"].person, demo["mentor05"].person
    found = {m["id"] for m in _search(as_role("hr_yuhu"), "")["results"]}
    assert yuhu_mentor.id in found and city_mentor.id not in found
    assert _search(as_role("hr_yuhu"), city_mentor.staff_no)["results"] == []
    head_sees = {m["id"] for m in _search(as_role("head"), "")["results"]}  # 第一检察部 of the city only
    assert city_mentor.id in head_sees and demo["mentor02"].person.id not in head_sees


def test_mentor_search_is_refused_to_roles_without_the_picker(as_role, app):
    for role in ("admin", "mentor", "trainee"):
        assert as_role(role).get("/people/mentors.json?q=陈").status_code == 403, role
    assert app.test_client().get("/people/mentors.json?q=陈").status_code in (302, 401)


def test_mentor_search_returns_at_most_20_and_says_there_are_more(as_role, demo, db):
    from trainee.auth.models import Role, User, UserRole

    unit_id = demo["hr"].unit_id
    for i in range(25):
        person = Person(staff_no=f"DS{i:04d}", name=f"导师{i:02d}", unit_id=unit_id, position=Position.PROSECUTOR)
        db.session.add(person)
        db.session.flush()
        user = User(username=f"ds{i}", password_hash="x", person_id=person.id, unit_id=unit_id)
        db.session.add(user)
        db.session.flush()
        db.session.add(UserRole(user_id=user.id, role=Role.MENTOR))
    db.session.commit()
    data = _search(as_role("hr"), "导师")
    assert len(data["results"]) == 20 and data["more"] is True
    data = _search(as_role("hr"), "导师2")
    assert {m["label"].split()[0] for m in data["results"]} == {f"导师{i}" for i in range(20, 25)}
    assert data["more"] is False


def test_the_list_has_no_mentor_options_and_shows_the_chosen_mentors_label(as_role, demo):
    mentor = demo["mentor"].person
    page = as_role("hr").get(f"/people/?mentor={mentor.id}").get_data(as_text=True)
    assert "共 3 人" in page
    assert demo["mentor02"].person.name not in page  # mentors are searched, not listed
    assert f'value="陈志刚 {mentor.staff_no}（' in page and f'name="mentor" value="{mentor.id}" disabled' in page
    assert 'data-picker="/people/mentors.json"' in page


def test_without_script_the_mentor_filter_takes_a_staff_number(as_role, demo):
    mentor = demo["mentor"].person
    client = as_role("hr")
    page = client.get(f"/people/?mentor_q={mentor.staff_no}").get_data(as_text=True)
    assert "共 3 人" in page and f"mentor={mentor.id}" in page  # links and export keep the resolved mentor
    label = f"陈志刚 {mentor.staff_no}（{mentor.unit.short_name}，现带 3 / 4）"
    assert "共 3 人" in client.get("/people/", query_string={"mentor_q": label}).get_data(as_text=True)
    page = client.get("/people/?mentor_q=ZZ9999&position=ASSISTANT").get_data(as_text=True)
    assert "没有工号或姓名为“ZZ9999”的带教导师" in page and "未按导师筛选" in page
    assert 'value="ASSISTANT" selected' in page


def test_without_script_hr_assigns_a_mentor_by_typing_the_staff_number(as_role, demo, db):
    mentor, _load = _free_mentor(demo, db)
    trainee = demo["trainee"].person
    response = _bulk(as_role("hr"), [trainee.id], "", mentor=mentor.staff_no.lower())
    assert response.status_code == 302
    assert db.session.execute(db.select(MentorAssignment).where(
        MentorAssignment.trainee_id == trainee.id, MentorAssignment.end_date.is_(None))).scalar().mentor_id == mentor.id


def test_an_unknown_staff_number_keeps_the_rest_of_the_form_with_a_chinese_message(as_role, demo, db):
    trainee = demo["trainee"].person
    before = db.session.execute(db.select(db.func.count(MentorAssignment.id))).scalar()
    response = _bulk(as_role("hr"), [trainee.id], "", mentor="XT9999", reason="科室调整")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "您的管理范围内没有工号或姓名为“XT9999”的带教导师。" in page
    assert 'value="XT9999"' in page and 'value="科室调整"' in page and page.count("checked") >= 1
    assert db.session.execute(db.select(db.func.count(MentorAssignment.id))).scalar() == before


def test_a_district_hr_cannot_type_the_staff_number_of_a_city_mentor(as_role, demo, db):
    yuhu_trainee = db.session.execute(db.select(Person).where(
        Person.unit_id == demo["hr_yuhu"].unit_id, Person.position == Position.ASSISTANT)).scalars().first()
    city_mentor = demo["mentor"].person
    response = _bulk(as_role("hr_yuhu"), [yuhu_trainee.id], "", mentor=city_mentor.staff_no)
    assert response.status_code == 422 and "您的管理范围内没有工号或姓名为" in response.get_data(as_text=True)
    response = _bulk(as_role("hr_yuhu"), [yuhu_trainee.id], city_mentor.id)  # a forged id is refused too
    assert response.status_code == 422 and "所选导师不存在或不在您的管理范围内" in response.get_data(as_text=True)
