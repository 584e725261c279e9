from flask import current_app, jsonify

from trainee.api.core import json_body, operation
from trainee.auth import operations as auth_ops
from trainee.extensions import limiter

TOKEN_REQUEST = {"username": (str, True, 50), "password": (str, True, 200), "name": (str, False, 100)}
TOKEN_BODY = {"type": "object", "required": ["username", "password"], "additionalProperties": False,
              "properties": {"username": {"type": "string", "maxLength": 50},
                             "password": {"type": "string", "maxLength": 200},
                             "name": {"type": "string", "maxLength": 100}}}
TOKEN_RESPONSE = {"type": "object", "properties": {"token": {"type": "string"},
                                                    "expires_in_hours": {"type": "integer"}}}


@operation("/v1/tokens", "POST", auth=False, summary="用用户名和密码换取 API 令牌", body=TOKEN_BODY,
           responses={"201": {"description": "令牌（只返回这一次）",
                              "content": {"application/json": {"schema": TOKEN_RESPONSE}}},
                      "429": {"$ref": "#/components/responses/Error"}})
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
def create_token():
    data = json_body(TOKEN_REQUEST)
    user = auth_ops.authenticate(data["username"], data["password"])
    raw = auth_ops.issue_token(user, data.get("name") or "API")
    return jsonify(token=raw, expires_in_hours=current_app.config["API_TOKEN_TTL_HOURS"]), 201
