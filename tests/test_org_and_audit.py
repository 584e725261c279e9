from trainee.audit import AuditEntry
from trainee.org.models import Person

VALID = {"staff_no": "XT9001", "name": "张喆", "unit_id": None, "department_id": "", "position": "ASSISTANT",
         "status": "ACTIVE", "hire_date": "2024-09-01", "rank": "五级检察官助理", "education": "MASTER"}


def form(demo, **changes):
    data = dict(VALID, unit_id=demo["hr"].unit_id)
    data.update(changes)
    return data


def test_hr_creates_a_person_and_the_audit_trail_records_it(as_role, demo, db):
    response = as_role("hr").post("/people/new", data=form(demo))
    assert response.status_code == 302
    person = db.session.execute(db.select(Person).where(Person.staff_no == "XT9001")).scalar_one()
    entry = db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "person.created")).scalar_one()
    assert entry.object_id == person.id and entry.actor_name == "hr"
    assert entry.changes["name"] == [None, "张喆"]


def test_editing_a_person_records_before_and_after(as_role, demo, db):
    person = demo["trainee"].person
    client = as_role("hr")
    client.post(f"/people/{person.id}/edit", data=form(demo, staff_no=person.staff_no, name=person.name,
                                                     rank="二级检察官助理", unit_id=person.unit_id,
                                                     department_id=person.department_id))
    entry = db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "person.updated")).scalar_one()
    assert entry.changes["rank"] == ["三级检察官助理", "二级检察官助理"]


def test_bad_input_is_refused_with_messages_and_kept_in_the_form(as_role, demo, db):
    client = as_role("hr")
    cases = [dict(name=""), dict(name="<script>alert(1)</script>"), dict(staff_no="x' OR 1=1 --"),
             dict(hire_date="2024-13-45"), dict(hire_date="2999-01-01"), dict(name="名" * 60), dict(unit_id="999999")]
    before = db.session.execute(db.select(db.func.count(Person.id))).scalar()
    for changes in cases:
        response = client.post("/people/new", data=form(demo, **changes))
        page = response.get_data(as_text=True)
        assert response.status_code == 200, changes
        assert 'class="error"' in page, changes
        assert "XT9001" in page or "staff_no" in changes  # what was typed is still there
    assert db.session.execute(db.select(db.func.count(Person.id))).scalar() == before


def test_duplicate_staff_number_is_refused(as_role, demo):
    taken = demo["trainee"].person.staff_no
    page = as_role("hr").post("/people/new", data=form(demo, staff_no=taken)).get_data(as_text=True)
    assert "工号已存在" in page


def test_district_hr_cannot_create_people_in_the_city_unit(as_role, demo, db):
    city = demo["hr"].unit_id
    response = as_role("hr_yuhu").post("/people/new", data=form(demo, unit_id=city))
    assert response.status_code == 200  # the unit is not a valid choice
    assert db.session.execute(db.select(Person).where(Person.staff_no == "XT9001")).first() is None


def test_person_form_cannot_move_someone_out_of_scope(as_role, demo, db):
    person = demo["hr_yuhu"].person
    client = as_role("hr_yuhu")
    client.post(f"/people/{person.id}/edit", data=form(demo, staff_no=person.staff_no, unit_id=demo["hr"].unit_id))
    db.session.refresh(person)
    assert person.unit_id == demo["hr_yuhu"].unit_id


def test_admin_audit_page_filters_by_action(as_role, demo):
    client = as_role("admin")
    as_role("hr").post("/people/new", data=form(demo))
    page = client.get("/admin/audit?action=person.").get_data(as_text=True)
    assert "person.created" in page and "张喆" in page


def test_admin_creates_a_user_who_must_change_the_password(as_role, demo, db):
    from trainee.auth.models import User

    response = as_role("admin").post("/admin/users/new", data={
        "username": "newhr", "password": "Start1234", "unit_id": demo["hr"].unit_id, "roles": ["HR"], "active": "y"})
    assert response.status_code == 302
    user = db.session.execute(db.select(User).where(User.username == "newhr")).scalar_one()
    assert user.must_change_password and user.roles == {__import__("trainee.auth.models").auth.models.Role.HR}
    assert db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "user.created")).first()


def test_admin_cannot_remove_own_admin_role(as_role, demo, db):
    admin = demo["admin"]
    page = as_role("admin").post(f"/admin/users/{admin.id}", data={
        "username": "admin", "unit_id": admin.unit_id, "roles": ["HR"], "active": "y"}).get_data(as_text=True)
    assert "不能移除自己的管理员角色" in page


def test_error_pages_are_in_chinese_in_the_layout(client, demo):
    page = client.get("/definitely-missing").get_data(as_text=True)
    assert "页面不存在" in page and "三阶九转" in page


def test_saving_a_stale_person_form_is_refused_and_changes_nothing(as_role, demo, db):
    person = demo["trainee"].person
    stale_version = person.version
    base = form(demo, staff_no=person.staff_no, name=person.name, unit_id=person.unit_id,
                department_id=person.department_id, version=str(stale_version))
    first = as_role("hr").post(f"/people/{person.id}/edit", data=dict(base, rank="二级检察官助理"))
    assert first.status_code == 302
    second = as_role("hr").post(f"/people/{person.id}/edit", data=dict(base, rank="一级检察官助理"))
    assert "已被他人修改" in second.get_data(as_text=True)
    db.session.refresh(person)
    assert person.rank == "二级检察官助理" and person.version == stale_version + 1


@__import__("pytest").mark.skipif(not __import__("os").environ.get("TEST_DATABASE_URL"),
                                  reason="PostgreSQL only: SQLite writers are serialised by BEGIN IMMEDIATE")
def test_concurrent_write_of_the_same_row_gives_409_not_a_lost_update(app, demo, db):
    """Two sessions load the same row; the second flush hits the version check."""
    from sqlalchemy.orm import Session
    from sqlalchemy.orm.exc import StaleDataError

    person_id = demo["trainee"].person.id
    with Session(db.engine) as one, Session(db.engine) as two:
        a, b = one.get(Person, person_id), two.get(Person, person_id)
        a.rank = "A"
        one.commit()
        b.rank = "B"
        try:
            two.commit()
            raise AssertionError("the stale write was accepted")
        except StaleDataError:
            two.rollback()
    db.session.expire_all()
    assert db.session.get(Person, person_id).rank == "A"
