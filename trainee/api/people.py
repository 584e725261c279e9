from flask import current_app, jsonify, request

from trainee import policy
from trainee.api.core import int_arg, operation, require_user
from trainee.core.errors import PermissionDenied
from trainee.extensions import db
from trainee.org.models import Unit
from trainee.org.queries import PeopleFilter, paginate_people

PERSON = {"type": "object", "properties": {
    "id": {"type": "integer"}, "staff_no": {"type": "string"}, "name": {"type": "string"},
    "unit": {"type": "object"}, "department": {"type": ["string", "null"]}, "position": {"type": "string"},
    "rank": {"type": ["string", "null"]}, "hire_date": {"type": ["string", "null"], "format": "date"},
    "legal_qualification": {"type": "boolean"}, "status": {"type": "string"}}}
PAGE = {"type": "object", "properties": {"items": {"type": "array", "items": PERSON}, "page": {"type": "integer"},
                                         "pages": {"type": "integer"}, "total": {"type": "integer"}}}


def person_json(person) -> dict:
    return {"id": person.id, "staff_no": person.staff_no, "name": person.name,
            "unit": {"code": person.unit.code, "name": person.unit.name},
            "department": person.department.name if person.department else None,
            "position": person.position.name, "rank": person.rank,
            "hire_date": person.hire_date.isoformat() if person.hire_date else None,
            "legal_qualification": person.legal_qualification, "status": person.status.name}


@operation("/v1/people", summary="人员列表（按权限范围）", params=[
    {"name": "unit", "in": "query", "schema": {"type": "string"}, "description": "单位代码（含下级单位）"},
    {"name": "role", "in": "query", "schema": {"type": "string", "enum": ["trainee", "mentor", "dept_head", "hr", "admin"]}},
    {"name": "q", "in": "query", "schema": {"type": "string"}},
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}}],
    responses={"200": {"description": "一页人员", "content": {"application/json": {"schema": PAGE}}}})
def people():
    user = require_user()
    if not policy.can(user, "people.list"):
        raise PermissionDenied("您无权查看人员列表。")
    flt = PeopleFilter(q=(request.args.get("q") or "")[:50], role=request.args.get("role") or None)
    if request.args.get("unit"):
        unit = db.session.execute(db.select(Unit).where(Unit.code == request.args["unit"][:32])).scalar_one_or_none()
        flt.unit_id = unit.id if unit else -1
    items, page, pages, total = paginate_people(user, flt, int_arg("page", 1), current_app.config["PAGE_SIZE"])
    return jsonify(items=[person_json(p) for p in items], page=page, pages=pages, total=total)
