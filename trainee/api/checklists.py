from flask import jsonify

from trainee import policy
from trainee.api.core import operation, require_user
from trainee.checklists import queries
from trainee.core.time import local_today

ITEM = {"type": "object", "properties": {
    "id": {"type": "integer", "description": "the person's assignment id"},
    "item_id": {"type": "integer"}, "title": {"type": "string"}, "source": {"type": "string"},
    "category": {"type": "string", "enum": ["POLITICAL", "BUSINESS"]}, "stage": {"type": "string"},
    "status": {"type": "string", "enum": ["PENDING", "SUBMITTED", "RETURNED", "CONFIRMED", "EXEMPT"]},
    "overdue": {"type": "boolean"}, "due_date": {"type": "string", "format": "date"},
    "confirmed_on": {"type": ["string", "null"], "format": "date"}, "confirmed_by": {"type": ["string", "null"]},
    "min_chars": {"type": "integer"}, "item_active": {"type": "boolean"},
    "exempt_reason": {"type": ["string", "null"]}}}
CHECKLIST = {"type": "object", "properties": {
    "person_id": {"type": "integer"}, "as_of": {"type": "string", "format": "date"},
    "summary": {"type": "object", "properties": {s: {"type": "integer"} for s in queries.STATES}},
    "items": {"type": "array", "items": ITEM}}}


def assignment_json(a, today) -> dict:
    return {"id": a.id, "item_id": a.item_id, "title": a.item.title, "source": a.item.source,
            "category": a.item.category.name, "stage": a.item.stage.code, "status": a.status.name,
            "overdue": a.is_overdue(today), "due_date": a.due_date.isoformat(),
            "confirmed_on": a.confirmed_on.isoformat() if a.confirmed_on else None,
            "confirmed_by": a.reviewer.name if a.confirmed_on and a.reviewer else None,
            "min_chars": a.item.min_chars, "item_active": a.item.active, "exempt_reason": a.exempt_reason}


@operation("/v1/trainees/<int:person_id>/checklist", summary="某人的双学必学清单：各条目状态、应完成日期、确认日期",
           responses={"200": {"description": "清单", "content": {"application/json": {"schema": CHECKLIST}}}})
def trainee_checklist(person_id: int):
    user = require_user()
    person = policy.get_visible_person(user, person_id)
    policy.require(user, "checklist.view", person)
    today = local_today()
    assignments = queries.person_assignments(person)
    summary = dict.fromkeys(queries.STATES, 0)
    for a in assignments:
        summary[queries.state_of(a, today)] += 1
    return jsonify(person_id=person.id, as_of=today.isoformat(), summary=summary,
                   items=[assignment_json(a, today) for a in assignments])
