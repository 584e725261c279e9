from flask import jsonify

from trainee import policy
from trainee.api.core import int_arg, operation, require_user
from trainee.core.time import local_today
from trainee.points.queries import _num, entry_json, points_summary

POINTS = {"type": "object", "required": ["total", "by_dimension", "by_quarter", "entries"], "properties": {
    "person_id": {"type": "integer"}, "year": {"type": "integer"}, "total": {"type": "number"},
    "by_dimension": {"type": "object", "properties": {d: {"type": "number"} for d in ("D1", "D2", "D3", "D4")}},
    "by_quarter": {"type": "array", "items": {"type": "object", "properties": {
        "quarter": {"type": "integer"}, "D1": {"type": "number"}, "D2": {"type": "number"},
        "D3": {"type": "number"}, "D4": {"type": "number"}, "total": {"type": "number"}}}},
    "cohort": {"type": "object", "description": "同单位同阶段的人数、中位数与四分位（不足 3 人时为 null），不含姓名和排名"},
    "entries": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "integer"}, "occurred_on": {"type": "string", "format": "date"},
        "source": {"type": "object"}, "note": {"type": "string"}, "dimension": {"type": "string"},
        "rule_version": {"type": ["integer", "null"]}, "base_points": {"type": "number"},
        "points": {"type": "number"}, "capped": {"type": "boolean"}, "cap_reason": {"type": ["string", "null"]},
        "reversal_of": {"type": ["integer", "null"]}, "reversed": {"type": "boolean"}}}}}}


@operation("/v1/trainees/<int:person_id>/points", summary="检察官助理的年度积分（合计、维度、季度、明细）",
           params=[{"name": "year", "in": "query", "schema": {"type": "integer", "minimum": 2000},
                    "description": "年度，默认本年"}],
           responses={"200": {"description": "积分", "content": {"application/json": {"schema": POINTS}}}})
def trainee_points(person_id: int):
    user = require_user()
    person = policy.get_visible_person(user, person_id)
    policy.require(user, "points.view", person)
    year = int_arg("year", local_today().year, minimum=2000)
    s = points_summary(person, year)
    return jsonify(person_id=person.id, year=year, total=_num(s["total"]),
                   by_dimension={k: _num(v) for k, v in s["by_dimension"].items()},
                   by_quarter=[{k: _num(v) if k != "quarter" else v for k, v in q.items()} for q in s["by_quarter"]],
                   cohort={k: v.as_dict() for k, v in s["cohort"].items()},
                   entries=[entry_json(e, s["reversed"]) for e in s["entries"]])
