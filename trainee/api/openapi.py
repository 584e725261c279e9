from flask import jsonify

from trainee.api.core import OPERATIONS, bp

ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "fields": {"type": "object"}}}}}


def document() -> dict:
    paths: dict = {}
    for op in OPERATIONS:
        paths.setdefault("/api" + op["path"], {})[op["method"]] = op["spec"]
    return {
        "openapi": "3.1.0",
        "info": {"title": "三阶九转 检察官助理培养系统 API", "version": "1.0.0",
                 "description": "与页面相同的权限与业务规则。使用 POST /api/v1/tokens 获取令牌，"
                                "以 Authorization: Bearer <token> 调用。"},
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": ERROR},
            "responses": {"Error": {"description": "错误", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Error"}}}}},
        },
    }


@bp.route("/openapi.json")
def openapi_json():
    return jsonify(document())
