from flask import jsonify, request

from trainee import policy
from trainee.api.core import int_arg, operation, require_user
from trainee.competitions import queries
from trainee.core.errors import ValidationFailed

COMPETITION = {"type": "object", "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "kind": {"type": "string"}, "level": {"type": "string"},
    "organiser": {"type": "string"}, "start_date": {"type": "string", "format": "date"},
    "end_date": {"type": ["string", "null"], "format": "date"},
    "format": {"type": "string", "enum": ["INDIVIDUAL", "TEAM"]},
    "knockout": {"type": "boolean"}, "unit": {"type": "string"}, "entries": {"type": "integer"},
    "results": {"type": "integer"}}}
RESULT = {"type": ["object", "null"], "properties": {
    "award": {"type": "string"}, "award_label": {"type": "string"}, "status": {"type": "string"},
    "date": {"type": "string", "format": "date"}}}
RECORD = {"type": "object", "properties": {
    "person_id": {"type": "integer"},
    "competitions": {"type": "array", "items": {"type": "object", "properties": {
        "competition": COMPETITION, "work_title": {"type": ["string", "null"]}, "team": {"type": ["string", "null"]},
        "result": RESULT}}},
    "honours": {"type": "array", "items": {"type": "object"}},
    "talent_pool": {"type": "array", "items": {"type": "object"}}}}


def competition_json(c, entries=None, results=None) -> dict:
    data = {"id": c.id, "name": c.name, "kind": c.kind.name, "level": c.level.name, "organiser": c.organiser,
            "start_date": c.start_date.isoformat(), "end_date": c.end_date.isoformat() if c.end_date else None,
            "format": c.format.name, "knockout": c.knockout, "unit": c.unit.code, "external": c.is_external}
    if entries is not None:
        data.update(entries=entries, results=results)
    return data


def _result_json(r):
    if r is None:
        return None
    return {"award": r.award.name, "award_label": str(r.award.label), "status": r.status.name,
            "date": r.date.isoformat(), "level": r.level.name}


@operation("/v1/competitions", summary="竞赛列表（本单位及上级单位举办的；可按年度筛选）", params=[
    {"name": "year", "in": "query", "schema": {"type": "integer", "minimum": 1990, "maximum": 2100}}],
    responses={"200": {"description": "竞赛", "content": {"application/json": {"schema": {
        "type": "object", "properties": {"items": {"type": "array", "items": COMPETITION}}}}}}})
def competitions():
    user = require_user()
    policy.require(user, "competition.list")
    year = int_arg("year", None, minimum=1990)
    if year is not None and year > 2100:
        raise ValidationFailed("参数 year 须为 1990–2100 的年份。", {"year": ["无效的年份。"]})
    level = request.args.get("level")
    rows = queries.competitions_for(user, year, level if level in ("UNIT", "CITY", "PROVINCE", "NATIONAL") else None)
    return jsonify(items=[competition_json(c, n, r) for c, n, r in rows])


@operation("/v1/trainees/<int:person_id>/competitions", summary="某人的竞赛、荣誉与人才库记录",
           responses={"200": {"description": "记录", "content": {"application/json": {"schema": RECORD}}}})
def trainee_competitions(person_id: int):
    user = require_user()
    person = policy.get_visible_person(user, person_id)
    policy.require(user, "competition.record", person)
    rec = queries.person_record(person)
    return jsonify(
        person_id=person.id,
        competitions=[{"competition": competition_json(e.competition), "work_title": e.work_title,
                       "team": e.team.name if e.team else None, "result": _result_json(e.current_result)}
                      for e in rec.entries],
        honours=[{"id": h.id, "title": h.title, "level": h.level.name, "date": h.date.isoformat(), "issuer": h.issuer,
                  "status": h.status.name} for h in rec.honours],
        talent_pool=[{"id": t.id, "level": t.level.name, "field": t.field, "date": t.date.isoformat(),
                      "status": t.status.name} for t in rec.talents])
