"""The JSON API's plumbing: Bearer authentication, body validation and the OpenAPI registry.

Each resource module declares its routes with `@operation(...)`, which also records the OpenAPI
description, so the document cannot drift from the routes (a test checks both ways).
"""
from functools import wraps

from flask import Blueprint, abort, request
from werkzeug.exceptions import BadRequest

from trainee.core.errors import PermissionDenied, ValidationFailed
from trainee.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)  # the API authenticates with Bearer tokens, never with the session cookie

OPERATIONS: list[dict] = []  # {"path", "method", "spec"}
MAX_INT = 2**31 - 1  # ids and counts are 32-bit in the database: larger values are refused, not overflowed


def operation(path: str, method: str = "GET", *, summary: str, auth: bool = True, params=None,
              body=None, responses=None, tags=("v1",)):
    """Register an API route and its OpenAPI description in one place."""
    def decorator(func):
        @wraps(func)
        def wrapper(*args, **kwargs):
            if auth:
                user = current_api_user()
                if user is None:
                    abort(401)
            return func(*args, **kwargs)

        openapi_path = path.replace("<int:", "{").replace("<", "{").replace(">", "}")
        spec = {"summary": summary, "operationId": func.__name__, "tags": list(tags),
                "responses": responses or {"200": {"description": "OK"}}}
        parameters = list(params or [])
        for segment in path.split("/"):
            if segment.startswith("<"):
                name = segment.strip("<>").split(":")[-1]
                parameters.append({"name": name, "in": "path", "required": True, "schema": {"type": "integer"}})
        if parameters:
            spec["parameters"] = parameters
        if body:
            spec["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
        if auth:
            spec["security"] = [{"bearer": []}]
            spec["responses"].setdefault("401", {"$ref": "#/components/responses/Error"})
        spec["responses"].setdefault("4XX", {"$ref": "#/components/responses/Error"})
        if not any(o["path"] == openapi_path and o["method"] == method.lower() for o in OPERATIONS):
            OPERATIONS.append({"path": openapi_path, "method": method.lower(), "spec": spec})
        bp.add_url_rule(path, endpoint=func.__name__, view_func=wrapper, methods=[method])
        return wrapper
    return decorator


def current_api_user():
    from trainee.web import bearer_user

    if not hasattr(request, "api_user"):
        request.api_user = bearer_user()
    return request.api_user


def require_user():
    user = current_api_user()
    if user is None:
        abort(401)
    return user


def json_body(schema: dict) -> dict:
    """Parse and validate a JSON object against a small schema {field: (type, required, max_len)}.

    Malformed JSON is 400; unknown fields, wrong types, missing or over-long values are 422.
    """
    try:
        data = request.get_json(force=False, silent=False)
    except BadRequest:
        raise ValidationFailed("请求体不是有效的 JSON。") from None
    if not isinstance(data, dict):
        raise ValidationFailed("请求体须为 JSON 对象。")
    errors = {}
    for name in data:
        if name not in schema:
            errors[name] = ["未知字段。"]
    for name, (kind, required, max_len) in schema.items():
        if name not in data or data[name] in (None, ""):
            if required:
                errors[name] = ["必填。"]
            continue
        value = data[name]
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            errors[name] = ["须为整数。"]
        elif kind is int and not -MAX_INT <= value <= MAX_INT:
            errors[name] = ["整数超出范围。"]
        elif kind is str and not isinstance(value, str):
            errors[name] = ["须为字符串。"]
        elif kind is bool and not isinstance(value, bool):
            errors[name] = ["须为布尔值。"]
        elif kind is str and max_len and len(value) > max_len:
            errors[name] = [f"不超过 {max_len} 个字符。"]
    if errors:
        raise ValidationFailed("请求字段有误。", errors)
    return data


def int_arg(name: str, default: int | None = None, *, minimum: int = 1) -> int | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9 or int(raw) < minimum:
        raise ValidationFailed(f"参数 {name} 须为不小于 {minimum} 的整数。", {name: ["无效的整数。"]})
    return int(raw)


def forbid(message: str = "您无权访问此资源。"):
    raise PermissionDenied(message)
