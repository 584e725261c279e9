"""An administrator of a district unit manages that unit only: no city users, units, departments or audit entries,
and no way to move themselves or anyone else into the city's scope."""
import pytest

from trainee.auth.models import Role, User
from trainee.org.models import Department, Unit


@pytest.fixture
def district_admin(app, demo, db):
    from trainee.auth import operations as ops

    yh = db.session.execute(db.select(Unit).where(Unit.code == "YH")).scalar_one()
    user = ops.create_user(demo["admin"], username="admin_yh", password="adm1n-yuhu", unit=yh, roles=[Role.ADMIN],
                           must_change=False)
    client = app.test_client()
    from tests.conftest import login

    login(client, user)
    return client, user, yh


def test_a_district_admin_sees_only_their_units_users(district_admin, demo):
    client, _user, _yh = district_admin
    page = client.get("/admin/users?q=").get_data(as_text=True)
    assert "hr_yuhu" in page and ">hr<" not in page and "trainee2" not in page
    assert client.get(f"/admin/users/{demo['hr'].id}").status_code == 404
    assert client.get(f"/admin/users/{demo['hr_yuhu'].id}").status_code == 200


def test_a_district_admin_cannot_move_anyone_into_the_city_or_edit_city_units(district_admin, demo, db):
    client, user, yh = district_admin
    city = db.session.execute(db.select(Unit).where(Unit.code == "XT")).scalar_one()
    response = client.post(f"/admin/users/{user.id}", data={"username": "admin_yh", "unit_id": city.id,
                                                            "roles": ["ADMIN"], "active": "y"})
    assert response.status_code == 200
    assert db.session.get(User, user.id).unit_id == yh.id
    response = client.post(f"/admin/users/{demo['hr'].id}", data={"username": "hr", "unit_id": yh.id,
                                                                  "roles": ["ADMIN"], "active": "y"})
    assert response.status_code == 404 and Role.ADMIN not in db.session.get(User, demo["hr"].id).roles
    assert client.get(f"/admin/units/{city.id}").status_code == 404
    city_department = db.session.execute(db.select(Department).where(Department.unit_id == city.id)).scalars().first()
    assert client.get(f"/admin/departments/{city_department.id}").status_code == 404
    before = db.session.execute(db.select(db.func.count(Unit.id))).scalar_one()
    client.post("/admin/units/new", data={"code": "EVIL", "name": "顶级单位", "short_name": "顶级", "level": "CITY",
                                          "parent_id": ""})
    assert db.session.execute(db.select(db.func.count(Unit.id))).scalar_one() == before


def test_a_district_admin_reads_only_their_units_audit_trail(district_admin, db):
    from trainee import audit

    client, _user, yh = district_admin
    city = db.session.execute(db.select(Unit).where(Unit.code == "XT")).scalar_one()
    audit.record("test.city", summary="市院机密操作记录", unit_id=city.id)
    audit.record("test.district", summary="雨湖区院操作记录", unit_id=yh.id)
    db.session.commit()
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "雨湖区院操作记录" in page and "市院机密操作记录" not in page


def test_the_city_admin_still_manages_everything(as_role, demo, db):
    city_admin = as_role("admin")
    assert city_admin.get(f"/admin/users/{demo['hr_yuhu'].id}").status_code == 200
    assert "hr_yuhu" in city_admin.get("/admin/users").get_data(as_text=True)
