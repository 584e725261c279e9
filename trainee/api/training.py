"""The training model and trainee progress: /api/v1/model, /api/v1/trainees, /api/v1/trainees/<id>."""
from flask import current_app, jsonify, request
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from trainee import policy
from trainee.api.core import int_arg, operation, require_user
from trainee.core.errors import PermissionDenied, ValidationFailed
from trainee.extensions import db
from trainee.org.models import Department, Person, Position, Unit
from trainee.training import progress as engine
from trainee.training.models import Stage, StageRecord
from trainee.web.kept import kept_data

REQUIREMENT = {"type": "object", "properties": {"kind": {"type": "string"}, "params": {"type": "object"},
                                                 "label": {"type": "string"}}}
MODEL = {"type": "object", "properties": {"stages": {"type": "array", "items": {"type": "object", "properties": {
    "code": {"type": "string"}, "name": {"type": "string"}, "theme": {"type": "string"},
    "min_months": {"type": "integer"},
    "transitions": {"type": "array", "items": {"type": "object", "properties": {
        "code": {"type": "string"}, "name": {"type": "string"}, "aim": {"type": "string"},
        "requirements": {"type": "array", "items": REQUIREMENT}}}}}}}}}
TRAINEE_ITEM = {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                                  "staff_no": {"type": "string"}, "unit": {"type": "object"},
                                                  "stage": {"type": ["string", "null"]}}}
TRAINEE_PAGE = {"type": "object", "properties": {"items": {"type": "array", "items": TRAINEE_ITEM},
                                                  "page": {"type": "integer"}, "pages": {"type": "integer"},
                                                  "total": {"type": "integer"}}}
TRAINEE = {"type": "object", "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "staff_no": {"type": "string"},
    "unit": {"type": "object"}, "department": {"type": ["string", "null"]}, "stage": {"type": ["string", "null"]},
    "status": {"type": "string"}, "qualified": {"type": "boolean"}, "mentor": {"type": ["object", "null"]},
    "transitions": {"type": "array", "items": {"type": "object", "properties": {
        "code": {"type": "string"}, "status": {"type": "string"}, "achieved_on": {"type": ["string", "null"]},
        "requirements": {"type": "array", "items": {"type": "object", "properties": {
            "label": {"type": "string"}, "kind": {"type": "string"}, "done": {"type": "number"},
            "target": {"type": "number"}, "met": {"type": "boolean"}, "available": {"type": "boolean"}}}}}}},
    "points": {"type": "object"}}}


def _number(value):
    return int(value) if float(value).is_integer() else float(value)


@operation("/v1/model", summary="三阶九转培养模型：阶段、转变与要求",
           responses={"200": {"description": "培养模型", "content": {"application/json": {"schema": MODEL}}}})
def training_model():
    require_user()
    return jsonify(stages=[{
        "code": s.code, "name": s.name, "theme": s.theme, "min_months": s.min_months,
        "transitions": [{"code": t.code, "name": t.name, "aim": t.aim,
                         "requirements": [{"kind": r.kind.value, "params": r.params, "label": r.label}
                                          for r in t.requirements]} for t in s.transitions]}
        for s in engine.load_model()])


def _current_stage():
    return (select(StageRecord.person_id, Stage.code.label("stage_code"))
            .join(Stage, Stage.id == StageRecord.stage_id).where(StageRecord.end_date.is_(None)).subquery())


@operation("/v1/trainees", summary="检察官助理列表（按权限范围）", params=[
    {"name": "unit", "in": "query", "schema": {"type": "string"}, "description": "单位代码（含下级单位）"},
    {"name": "department", "in": "query", "schema": {"type": "integer"}, "description": "部门 id"},
    {"name": "stage", "in": "query", "schema": {"type": "string", "enum": ["S1", "S2", "S3"]}},
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}}],
    responses={"200": {"description": "一页检察官助理", "content": {"application/json": {"schema": TRAINEE_PAGE}}}})
def trainees():
    user = require_user()
    if not policy.can(user, "trainees.list"):
        raise PermissionDenied("您无权查看检察官助理列表。")
    current = _current_stage()
    query = (select(Person, current.c.stage_code).outerjoin(current, current.c.person_id == Person.id)
             .where(policy.person_scope_filter(user), Person.position == Position.ASSISTANT))
    if request.args.get("unit"):
        unit = db.session.execute(select(Unit).where(Unit.code == request.args["unit"][:32])).scalar_one_or_none()
        if unit is None:
            raise ValidationFailed("单位代码不存在。", {"unit": ["单位代码不存在。"]})
        query = query.where(Person.unit_id.in_(select(Unit.id).where(Unit.path.startswith(unit.path))))
    department = int_arg("department")
    if department is not None:
        if db.session.get(Department, department) is None:
            raise ValidationFailed("部门不存在。", {"department": ["部门不存在。"]})
        query = query.where(Person.department_id == department)
    stage = request.args.get("stage")
    if stage:
        if stage not in ("S1", "S2", "S3"):
            raise ValidationFailed("阶段须为 S1、S2 或 S3。", {"stage": ["无效的阶段。"]})
        query = query.where(current.c.stage_code == stage)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    per_page = current_app.config["PAGE_SIZE"]
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(int_arg("page", 1), pages)
    rows = db.session.execute(query.options(joinedload(Person.unit)).order_by(Person.unit_id, Person.staff_no)
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return jsonify(items=[{"id": p.id, "name": p.name, "staff_no": p.staff_no,
                           "unit": {"code": p.unit.code, "name": p.unit.name}, "stage": code} for p, code in rows],
                   page=page, pages=pages, total=total)


def trainee_json(person, progress) -> dict:
    from trainee.training.views import primary_mentor

    assignment = primary_mentor(person)
    mentor = assignment.mentor if assignment else None
    return {
        "id": person.id, "name": person.name, "staff_no": person.staff_no,
        "unit": {"code": person.unit.code, "name": person.unit.name},
        "department": person.department.name if person.department else None,
        "stage": progress.current.stage.code if progress.current else None,
        "status": person.status.value, "qualified": progress.qualified,
        "mentor": {"id": mentor.id, "name": mentor.name, "staff_no": mentor.staff_no,
                   "since": assignment.start_date.isoformat()} if mentor else None,
        "transitions": [{
            "code": tv.code, "status": tv.status.value,
            "achieved_on": tv.state.decided_on.isoformat() if tv.state and tv.state.decided_on
            and tv.status.value == "achieved" else None,
            "requirements": [{"label": rv.requirement.label, "kind": rv.requirement.kind.value,
                              "done": _number(rv.progress.done), "target": _number(rv.progress.target),
                              "met": rv.progress.met, "available": rv.progress.available}
                             for rv in tv.requirements]} for tv in progress.transitions],
        "points": engine.points_summary(person),
    }


@operation("/v1/trainees/<int:person_id>", summary="一名检察官助理的培养进度",
           responses={"200": {"description": "培养进度", "content": {"application/json": {"schema": TRAINEE}}}})
def trainee_detail(person_id: int):
    user = require_user()
    person = policy.get_visible_person(user, person_id)
    policy.require(user, "progress.view", person)
    # The same figures for every viewer allowed to see them (checked above): kept while the trainee's data holds.
    return jsonify(kept_data("api-trainee", [person.id], lambda: trainee_json(person, engine.person_progress(person))))
