from flask import jsonify, request

from trainee import policy
from trainee.api.core import operation, require_user
from trainee.core.errors import NotFound, PermissionDenied
from trainee.extensions import db
from trainee.org.models import Unit
from trainee.reports.overview import as_json, overview, scope_path, scope_units
from trainee.web.kept import kept_for_units

OVERVIEW = {"type": "object", "properties": {
    "as_of": {"type": "string", "format": "date"}, "units": {"type": "array"},
    "people_by_unit": {"type": "array"}, "people_by_position": {"type": "array"},
    "legal_qualification": {"type": "object"}, "trainees_by_stage_and_unit": {"type": "array"},
    "mentor_load": {"type": "object"}, "transitions_achieved_by_quarter": {"type": "array"},
    "promotions_pending": {"type": "integer"}, "checklist_items_overdue": {"type": "integer"},
    "entries_waiting_over_7_days_by_mentor": {"type": "array"},
    "no_approved_activity_this_quarter": {"type": "object"}}}


@operation("/v1/reports/overview", summary="政治部统计概览（按权限范围）", params=[
    {"name": "unit", "in": "query", "schema": {"type": "string"}, "description": "单位代码（含下级单位）"}],
    responses={"200": {"description": "统计数据", "content": {"application/json": {"schema": OVERVIEW}}}})
def reports_overview():
    user = require_user()
    if not policy.can(user, "reports.view"):
        raise PermissionDenied("您无权查看统计数据。")
    unit = None
    if request.args.get("unit"):
        unit = db.session.execute(db.select(Unit).where(Unit.code == request.args["unit"][:32])).scalar_one_or_none()
        if unit is None or not policy.in_unit_scope(user, unit):
            raise NotFound("单位不存在或不在您的管理范围内。")
    from trainee.core.time import local_today

    today = local_today()
    # Plain JSON data, kept per scope and day (the same for everyone who sees that scope).
    data = kept_for_units(("api.reports.overview", scope_path(user, unit), today),
                          [u.id for u in scope_units(user, unit)], lambda: as_json(overview(user, unit, today)))
    return jsonify(data)
