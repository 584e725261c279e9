from flask import jsonify

from trainee.api.core import operation, require_user

ME = {"type": "object", "properties": {
    "id": {"type": "integer"}, "username": {"type": "string"}, "name": {"type": "string"},
    "roles": {"type": "array", "items": {"type": "string"}},
    "unit": {"type": "object", "properties": {"code": {"type": "string"}, "name": {"type": "string"}}},
    "person_id": {"type": ["integer", "null"]}}}


@operation("/v1/me", summary="当前用户", responses={"200": {"description": "当前用户",
                                                        "content": {"application/json": {"schema": ME}}}})
def me():
    user = require_user()
    return jsonify(id=user.id, username=user.username, name=user.display_name,
                   roles=sorted(r.value for r in user.roles), person_id=user.person_id,
                   unit={"code": user.unit.code, "name": user.unit.name})
