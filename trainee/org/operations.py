"""Changes to units, departments and people. Each checks permission, validates, audits and commits."""
from sqlalchemy import func

from trainee import audit, policy
from trainee.core.errors import DomainError, ValidationFailed
from trainee.core.ops import transaction
from trainee.extensions import db
from trainee.org.models import Department, Person, Unit

PERSON_FIELDS = ("staff_no", "name", "gender", "unit_id", "department_id", "position", "rank", "hire_date",
                 "birth_date", "education", "school", "major", "legal_qualification",
                 "legal_qualification_no", "status")
UNIT_FIELDS = ("code", "name", "short_name", "level", "parent_id")


def _check_department(unit_id: int, department_id: int | None) -> None:
    if department_id is None:
        return
    department = db.session.get(Department, department_id)
    if department is None or department.unit_id != unit_id:
        raise ValidationFailed("所选部门不属于所选单位。", {"department_id": ["所选部门不属于所选单位。"]})


def _check_staff_no(staff_no: str, person_id: int | None) -> None:
    existing = db.session.execute(db.select(Person.id).where(Person.staff_no == staff_no)).scalar()
    if existing is not None and existing != person_id:
        raise ValidationFailed("工号已存在。", {"staff_no": ["工号已存在。"]})


def create_person(actor, data: dict) -> Person:
    unit = db.session.get(Unit, data["unit_id"])
    policy.require(actor, "person.create", unit)
    _check_department(data["unit_id"], data.get("department_id"))
    _check_staff_no(data["staff_no"], None)
    person = Person(**{k: v for k, v in data.items() if k in PERSON_FIELDS})
    with transaction():
        db.session.add(person)
        db.session.flush()
        audit.record("person.created", person, after=audit.snapshot(person, PERSON_FIELDS),
                     summary=f"新增人员 {person.name}")
    return person


def update_person(actor, person: Person, data: dict) -> Person:
    policy.require(actor, "person.edit", person)
    if data.get("expected_version", person.version) != person.version:
        raise DomainError("此记录已被他人修改，请刷新页面后重试。")
    target_unit = db.session.get(Unit, data.get("unit_id", person.unit_id))
    if target_unit is None or not policy.in_unit_scope(actor, target_unit):
        raise ValidationFailed("所选单位不在您的管理范围内。", {"unit_id": ["所选单位不在您的管理范围内。"]})
    _check_department(target_unit.id, data.get("department_id", person.department_id))
    _check_staff_no(data.get("staff_no", person.staff_no), person.id)
    before = audit.snapshot(person, PERSON_FIELDS)
    with transaction():
        for key, value in data.items():
            if key in PERSON_FIELDS:
                setattr(person, key, value)
        db.session.flush()
        audit.record("person.updated", person, before=before, after=audit.snapshot(person, PERSON_FIELDS),
                     summary=f"修改人员 {person.name}")
    return person


def _unit_path(unit: Unit) -> str:
    return (unit.parent.path if unit.parent else "/") + f"{unit.id}/"


def save_unit(actor, unit: Unit | None, data: dict) -> Unit:
    policy.require(actor, "admin.units")
    parent = db.session.get(Unit, data["parent_id"]) if data.get("parent_id") else None
    if unit is not None:
        policy.require(actor, "unit.manage", unit)
    moved = unit is None or (parent.id if parent else None) != unit.parent_id
    if moved and not policy.can(actor, "unit.manage", parent):
        raise ValidationFailed("上级单位不在您的管理范围内。", {"parent_id": ["上级单位不在您的管理范围内。"]})
    clash = db.session.execute(db.select(Unit.id).where(Unit.code == data["code"])).scalar()
    if clash is not None and (unit is None or clash != unit.id):
        raise ValidationFailed("单位代码已存在。", {"code": ["单位代码已存在。"]})
    if unit is not None and data.get("parent_id"):
        parent = db.session.get(Unit, data["parent_id"])
        if parent is None or parent.path.startswith(unit.path):
            raise ValidationFailed("上级单位不能是本单位或其下级单位。", {"parent_id": ["上级单位无效。"]})
    before = audit.snapshot(unit, UNIT_FIELDS) if unit else None
    with transaction():
        if unit is None:
            unit = Unit(path="/")
            db.session.add(unit)
        for key in UNIT_FIELDS:
            if key in data:
                setattr(unit, key, data[key])
        db.session.flush()
        db.session.refresh(unit, ["parent"])
        old_path, unit.path = unit.path, _unit_path(unit)
        if old_path not in ("/", unit.path):  # moved: re-root the paths of every descendant
            db.session.execute(db.update(Unit).where(Unit.path.startswith(old_path), Unit.id != unit.id)
                               .values(path=func.replace(Unit.path, old_path, unit.path)))
        audit.record("unit.saved", unit, before=before, after=audit.snapshot(unit, UNIT_FIELDS),
                     summary=f"保存单位 {unit.name}", unit_id=unit.id)
    return unit


def save_department(actor, department: Department | None, data: dict) -> Department:
    policy.require(actor, "admin.units")
    if department is not None:
        policy.require(actor, "unit.manage", department.unit)
    if not policy.can(actor, "unit.manage", db.session.get(Unit, data["unit_id"])):
        raise ValidationFailed("所选单位不在您的管理范围内。", {"unit_id": ["所选单位不在您的管理范围内。"]})
    clash = db.session.execute(db.select(Department.id).where(
        Department.unit_id == data["unit_id"], Department.name == data["name"])).scalar()
    if clash is not None and (department is None or clash != department.id):
        raise ValidationFailed("该单位已有同名部门。", {"name": ["该单位已有同名部门。"]})
    fields = ("unit_id", "name", "kind")
    before = audit.snapshot(department, fields) if department else None
    with transaction():
        if department is None:
            department = Department()
            db.session.add(department)
        for key in fields:
            setattr(department, key, data[key])
        db.session.flush()
        audit.record("department.saved", department, before=before, after=audit.snapshot(department, fields),
                     summary=f"保存部门 {department.name}", unit_id=department.unit_id)
    return department
