"""The progress log through the API: the same operations and policy as the pages.

Only the fields of an entry are accepted in a body; status, person, reviewer and points are never
assignable (an unknown field is a 422), they follow from the operations.
"""
from flask import current_app, jsonify, request, url_for

from trainee import policy
from trainee.activities import operations as ops
from trainee.activities import queries
from trainee.activities.models import Activity
from trainee.api.core import int_arg, json_body, operation, require_user
from trainee.core.errors import NotFound, ValidationFailed
from trainee.extensions import db

ENTRY_FIELDS = {"date": (str, True, 10), "type": (str, True, 32), "title": (str, True, 200),
                "description": (str, False, 5000), "case_no": (str, False, 60), "hours": (object, False, None),
                "transition": (str, True, 3), "no_classified_confirmed": (bool, False, None),
                "submit": (bool, False, None)}
VERSION = {"version": (int, False, None)}
ENTRY_BODY = {"type": "object", "additionalProperties": False, "required": ["date", "type", "title", "transition"],
              "properties": {
                  "date": {"type": "string", "format": "date"}, "type": {"type": "string", "example": "ASSIST_CASE"},
                  "title": {"type": "string", "maxLength": 200}, "description": {"type": "string", "maxLength": 5000},
                  "case_no": {"type": "string", "maxLength": 60}, "hours": {"type": "number", "minimum": 0,
                                                                             "maximum": 24},
                  "transition": {"type": "string", "example": "T4"},
                  "no_classified_confirmed": {"type": "boolean", "description": "提交时必须为 true（不含涉密内容）"},
                  "submit": {"type": "boolean", "description": "true：创建后立即提交导师审核"}}}
ENTRY = {"type": "object", "properties": {
    "id": {"type": "integer"}, "person_id": {"type": "integer"}, "status": {"type": "string",
                                                                           "enum": ["draft", "submitted", "approved",
                                                                                    "returned", "revoked"]},
    "date": {"type": "string", "format": "date"}, "type": {"type": "object"}, "title": {"type": "string"},
    "description": {"type": "string"}, "case_no": {"type": ["string", "null"]}, "hours": {"type": ["number", "null"]},
    "transition": {"type": ["string", "null"]}, "reviewer": {"type": ["object", "null"]},
    "submitted_at": {"type": ["string", "null"]}, "reviewed_at": {"type": ["string", "null"]},
    "review_comment": {"type": ["string", "null"]}, "revoke_reason": {"type": ["string", "null"]},
    "version": {"type": "integer"}, "evidence": {"type": "array", "items": {"type": "object"}},
    "actions": {"type": "array", "items": {"type": "string"}}}}
PAGE = {"type": "object", "properties": {"items": {"type": "array", "items": ENTRY}, "page": {"type": "integer"},
                                         "pages": {"type": "integer"}, "total": {"type": "integer"}}}


def _json(content_schema, description="工作纪实"):
    return {"description": description, "content": {"application/json": {"schema": content_schema}}}


def _iso(value):
    return value.isoformat() if value is not None else None


def entry_json(activity: Activity, user) -> dict:
    return {
        "id": activity.id, "person_id": activity.person_id, "status": activity.status.value,
        "date": activity.date.isoformat(), "type": {"code": activity.type.code, "name": activity.type.name},
        "title": activity.title, "description": activity.description or "", "case_no": activity.case_no,
        "hours": float(activity.hours) if activity.hours is not None else None,
        "transition": activity.transition.code if activity.transition else None,
        "reviewer": {"id": activity.reviewer.id, "name": activity.reviewer.name} if activity.reviewer else None,
        "submitted_at": _iso(activity.submitted_at), "reviewed_at": _iso(activity.reviewed_at),
        "review_comment": activity.review_comment, "revoke_reason": activity.revoke_reason,
        "version": activity.version,
        "evidence": [{"id": e.id, "name": e.original_name, "content_type": e.content_type, "size": e.size,
                      "url": url_for("activities.evidence", evidence_id=e.id)} for e in activity.evidence],
        "actions": ops.allowed_actions(user, activity),
    }


def _visible(user, activity_id: int) -> Activity:
    activity = db.session.get(Activity, activity_id)
    if activity is None or not policy.can(user, "activity.view", activity):
        raise NotFound("没有找到这条工作纪实，或您无权查看。")
    return activity


def _page(user, person):
    policy.require(user, "activity.list", person)
    filters = queries.Filters.from_args(request.args)
    query = queries.person_entries(person.id, filters)
    page = db.paginate(query, page=int_arg("page", 1), per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return jsonify(items=[entry_json(a, user) for a in page.items], page=page.page, pages=page.pages or 1,
                   total=page.total)


FILTERS = [{"name": "status", "in": "query", "schema": {"type": "string",
                                                        "enum": ["DRAFT", "SUBMITTED", "APPROVED", "RETURNED",
                                                                 "REVOKED"]}},
           {"name": "type", "in": "query", "schema": {"type": "string"}},
           {"name": "year", "in": "query", "schema": {"type": "integer"}},
           {"name": "transition", "in": "query", "schema": {"type": "string"}},
           {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}}]


@operation("/v1/activities", summary="工作纪实列表：本人的，或 person_id 指定的（按权限范围）",
           params=[{"name": "person_id", "in": "query", "schema": {"type": "integer"}}] + FILTERS,
           responses={"200": _json(PAGE, "一页工作纪实")})
def activities():
    user = require_user()
    person_id = int_arg("person_id")
    if person_id is None:
        if user.person is None or not user.person.is_trainee:
            raise ValidationFailed("请用 person_id 指定人员。", {"person_id": ["必填。"]})
        return _page(user, user.person)
    return _page(user, policy.get_visible_person(user, person_id))


@operation("/v1/trainees/<int:person_id>/activities", summary="一名检察官助理的工作纪实",
           params=FILTERS, responses={"200": _json(PAGE, "一页工作纪实")})
def trainee_activities(person_id: int):
    user = require_user()
    return _page(user, policy.get_visible_person(user, person_id))


def _create(user, person):
    policy.require(user, "activity.create", person)  # before reading the body: who may, first
    body = json_body(ENTRY_FIELDS)
    activity = ops.create(user, person, body, submit=bool(body.get("submit")))
    return jsonify(entry_json(activity, user)), 201


@operation("/v1/activities", "POST", summary="登记工作纪实（草稿；submit=true 时立即提交审核）", body=ENTRY_BODY,
           responses={"201": _json(ENTRY)})
def activity_create():
    user = require_user()
    return _create(user, user.person)


@operation("/v1/trainees/<int:person_id>/activities", "POST", summary="为本人登记工作纪实", body=ENTRY_BODY,
           responses={"201": _json(ENTRY)})
def trainee_activity_create(person_id: int):
    user = require_user()
    return _create(user, policy.get_visible_person(user, person_id))


@operation("/v1/activities/<int:activity_id>", summary="一条工作纪实", responses={"200": _json(ENTRY)})
def activity_detail(activity_id: int):
    user = require_user()
    return jsonify(entry_json(_visible(user, activity_id), user))


def _move_body(extra: dict) -> dict:
    if not request.content_length and not request.data:
        return {}
    return json_body({**VERSION, **extra})


VERSION_BODY = {"type": "object", "additionalProperties": False,
                "properties": {"version": {"type": "integer", "description": "可选：页面所见版本，不符时 409"}}}


@operation("/v1/activities/<int:activity_id>/submit", "POST", summary="提交导师审核（草稿或已退回的记录）",
           body={**VERSION_BODY, "properties": {**VERSION_BODY["properties"],
                                                 "no_classified_confirmed": {"type": "boolean"}}},
           responses={"200": _json(ENTRY)})
def activity_submit(activity_id: int):
    user = require_user()
    activity = _visible(user, activity_id)
    body = _move_body({"no_classified_confirmed": (bool, False, None)})
    ops.submit(user, activity, version=body.get("version"), confirmed=body.get("no_classified_confirmed"))
    return jsonify(entry_json(activity, user))


@operation("/v1/activities/<int:activity_id>/approve", "POST", summary="导师审核通过",
           body={**VERSION_BODY, "properties": {**VERSION_BODY["properties"], "comment": {"type": "string"}}},
           responses={"200": _json(ENTRY)})
def activity_approve(activity_id: int):
    user = require_user()
    activity = _visible(user, activity_id)
    body = _move_body({"comment": (str, False, ops.COMMENT_MAX)})
    ops.approve(user, activity, version=body.get("version"), comment=body.get("comment"))
    return jsonify(entry_json(activity, user))


@operation("/v1/activities/<int:activity_id>/return", "POST", summary="导师退回修改（须写明意见）",
           body={**VERSION_BODY, "required": ["comment"],
                 "properties": {**VERSION_BODY["properties"], "comment": {"type": "string"}}},
           responses={"200": _json(ENTRY)})
def activity_return(activity_id: int):
    user = require_user()
    activity = _visible(user, activity_id)
    body = json_body({**VERSION, "comment": (str, False, ops.COMMENT_MAX)})
    ops.return_entry(user, activity, version=body.get("version"), comment=body.get("comment"))
    return jsonify(entry_json(activity, user))


@operation("/v1/activities/<int:activity_id>/revoke", "POST", summary="政治部撤销已通过的记录（须写明理由，积分冲销）",
           body={**VERSION_BODY, "required": ["reason"],
                 "properties": {**VERSION_BODY["properties"], "reason": {"type": "string"}}},
           responses={"200": _json(ENTRY)})
def activity_revoke(activity_id: int):
    user = require_user()
    activity = _visible(user, activity_id)
    body = json_body({**VERSION, "reason": (str, False, ops.REASON_MAX)})
    ops.revoke(user, activity, version=body.get("version"), reason=body.get("reason"))
    return jsonify(entry_json(activity, user))


@operation("/v1/activities/<int:activity_id>/files", "POST", summary="上传证明材料（multipart：files，no_classified_confirmed）",
           responses={"201": _json(ENTRY)})
def activity_files(activity_id: int):
    user = require_user()
    activity = _visible(user, activity_id)
    confirmed = (request.form.get("no_classified_confirmed") or "").lower() in ("1", "true", "y", "yes", "on")
    ops.add_evidence(user, activity, request.files.getlist("files"), confirmed=confirmed)
    return jsonify(entry_json(activity, user)), 201
