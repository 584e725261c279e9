"""Ids in URLs, form fields and JSON bodies are checked against the caller's scope; fields the caller may not set
(status, points, role, unit_id, someone else's person/trainee id) cannot be slipped into a form or a request."""
from trainee.auth.models import ApiToken, Role, User
from trainee.mentoring.models import MentorAssignment
from trainee.notifications.models import Notification
from trainee.org.models import Person, Unit


def _unit(db, code):
    return db.session.execute(db.select(Unit).where(Unit.code == code)).scalar_one()


def test_district_hr_cannot_move_a_person_into_another_unit(as_role, demo, db):
    person = demo["zl013"].person  # 雨湖
    city = _unit(db, "XT")
    client = as_role("hr_yuhu")
    form = client.get(f"/people/{person.id}/edit")
    assert form.status_code == 200
    data = {"staff_no": person.staff_no, "name": person.name, "gender": person.gender or "", "unit_id": city.id,
            "position": person.position.name, "status": person.status.name, "version": person.version}
    client.post(f"/people/{person.id}/edit", data=data)
    assert db.session.get(Person, person.id).unit_id == person.unit_id


def test_district_hr_cannot_create_a_person_in_another_unit(as_role, db):
    before = db.session.execute(db.select(db.func.count(Person.id))).scalar_one()
    as_role("hr_yuhu").post("/people/new", data={"staff_no": "EVIL01", "name": "越权", "unit_id": _unit(db, "XT").id,
                                                 "position": "ASSISTANT", "status": "ACTIVE"})
    assert db.session.execute(db.select(db.func.count(Person.id))).scalar_one() == before


def test_bulk_mentor_assignment_refuses_people_out_of_scope(as_role, demo, db):
    outsider = demo["trainee"].person  # 市院: out of 雨湖's sight
    before = db.session.execute(db.select(MentorAssignment).where(
        MentorAssignment.trainee_id == outsider.id, MentorAssignment.end_date.is_(None))).scalars().all()
    mentor = db.session.execute(db.select(Person).join(User, User.person_id == Person.id).where(
        User.username == "mentor05")).scalar_one_or_none() or demo["mentor"].person
    response = as_role("hr_yuhu").post("/people/bulk/assign-mentor", data={
        "person_ids": [outsider.id], "mentor_id": mentor.id, "start_date": "2025-01-01", "reason": "越权"})
    assert response.status_code in (403, 404, 422)
    after = db.session.execute(db.select(MentorAssignment).where(
        MentorAssignment.trainee_id == outsider.id, MentorAssignment.end_date.is_(None))).scalars().all()
    assert [a.id for a in after] == [a.id for a in before]


def test_nobody_revokes_or_reads_someone_elses_token_or_note(as_role, demo, db, api_token):
    headers = api_token("hr")
    token = db.session.execute(db.select(ApiToken).where(ApiToken.user_id == demo["hr"].id)).scalars().first()
    assert as_role("trainee").post(f"/account/tokens/{token.id}/revoke").status_code == 404
    assert db.session.get(ApiToken, token.id).revoked_at is None
    note = Notification(user_id=demo["hr"].id, kind="test", text="机密通知", link="/home")
    db.session.add(note)
    db.session.commit()
    response = as_role("trainee").post(f"/notifications/{note.id}/open")
    assert response.status_code == 302 and db.session.get(Notification, note.id).read_at is None
    assert "机密通知" not in as_role("trainee").get("/notifications/").get_data(as_text=True)
    assert as_role("hr").get("/api/v1/me", headers=headers).status_code == 200


def test_a_user_cannot_give_themselves_roles_or_another_unit(as_role, demo, db):
    trainee = demo["trainee"]
    client = as_role("trainee")
    response = client.post(f"/admin/users/{trainee.id}", data={"username": "trainee", "unit_id": _unit(db, "XT").id,
                                                               "roles": ["ADMIN", "HR"], "active": "y"})
    assert response.status_code == 403
    assert db.session.get(User, trainee.id).roles == {Role.TRAINEE}
    client.post("/account/password", data={"current_password": "demo1234", "new_password": "n3w-Passw0rd",
                                           "confirm": "n3w-Passw0rd", "roles": "ADMIN", "unit_id": 1,
                                           "must_change_password": "0"})
    assert db.session.get(User, trainee.id).roles == {Role.TRAINEE}


def test_api_bodies_refuse_unknown_fields_such_as_role_status_points(client, demo):
    for field, value in [("role", "admin"), ("roles", ["admin"]), ("status", "APPROVED"), ("points", 999),
                         ("unit_id", 1), ("person_id", 1), ("trainee_id", 1), ("is_admin", True)]:
        response = client.post("/api/v1/tokens", json={"username": "trainee", "password": "demo1234", field: value})
        assert response.status_code == 422, field
        assert field in response.get_json()["error"]["fields"]


def test_api_filters_cannot_widen_scope(client, demo, api_token):
    district = client.get("/api/v1/people?unit=XT", headers=api_token("hr_yuhu")).get_json()
    assert all(p["unit"]["code"] == "YH" for p in district["items"])
    mentor = client.get("/api/v1/trainees?unit=YH", headers=api_token("mentor"))
    assert mentor.status_code in (200, 422)
    if mentor.status_code == 200:
        assert mentor.get_json()["total"] == 0


def test_competition_entries_refuse_people_out_of_scope(as_role, demo, db):
    from trainee.audit import AuditEntry
    from trainee.competitions.models import Competition, CompetitionEntry

    individual = db.session.execute(db.select(Competition).where(Competition.team_size.is_(None))).scalars().first() \
        if hasattr(Competition, "team_size") else None
    competitions = db.session.execute(db.select(Competition)).scalars().all()
    individual = individual or next((c for c in competitions if not c.is_team), None)
    if individual is None:
        return
    before = db.session.execute(db.select(db.func.count(CompetitionEntry.id))).scalar_one()
    audits = db.session.execute(db.select(db.func.count(AuditEntry.id))).scalar_one()
    outsider = demo["trainee"].person  # 市院
    for username in ("hr_yuhu", "trainee", "mentor"):
        response = as_role(username).post(f"/competitions/{individual.id}/entries",
                                          data={"person_id": outsider.id, "work_title": "越权报名"})
        assert response.status_code in (403, 404, 422), (username, response.status_code)
    assert db.session.execute(db.select(db.func.count(CompetitionEntry.id))).scalar_one() == before
    assert db.session.execute(db.select(db.func.count(AuditEntry.id))).scalar_one() == audits
