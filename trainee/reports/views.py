from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from trainee import policy
from trainee.core.params import as_id, as_int
from trainee.extensions import db
from trainee.org.models import Unit
from trainee.org.queries import PeopleFilter
from trainee.reports import exports
from trainee.reports.overview import WAITING_BUCKETS, overview, scope_path, scope_units, waiting_page
from trainee.web.kept import kept_for_units

bp = Blueprint("reports", __name__, url_prefix="/reports")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(data: bytes, ascii_name: str, chinese_name: str) -> Response:
    from urllib.parse import quote

    return Response(data, mimetype=XLSX, headers={
        "Content-Disposition": f"attachment; filename={ascii_name}; filename*=UTF-8''{quote(chinese_name)}"})


def _unit_arg():
    unit_id = as_id(request.args.get("unit"))
    unit = db.session.get(Unit, unit_id) if unit_id else None
    return unit if unit is not None and policy.in_unit_scope(current_user, unit) else None


@bp.route("/overview")
@login_required
def overview_page():
    from trainee.core.time import local_today
    from trainee.org.queries import units_in_scope
    from trainee.web import select_locale

    policy.require(current_user, "reports.view")
    unit, today = _unit_arg(), local_today()
    may_export = policy.can(current_user, "reports.export")

    def render():
        return render_template("reports/_overview_body.html", data=overview(current_user, unit, today), unit=unit,
                               units_all=units_in_scope(current_user), people_url=url_for("org.people_list"),
                               may_export=may_export)

    # The body shows the figures of the units in view and a picker of the user's own units: kept for both.
    key = ("reports.overview", current_user.unit.path, scope_path(current_user, unit), unit.id if unit else None,
           select_locale(), today, may_export)
    body = kept_for_units(key, [u.id for u in scope_units(current_user, unit)], render)
    return render_template("reports/overview.html", body=Markup(body))  # noqa: S704  # nosec B704 (autoescaped template output)


@bp.route("/waiting-reviews")
@login_required
def waiting_reviews():
    """The list behind the overview's "waiting over 7 days" figure: mentors and how much waits on them."""
    from trainee.core.time import local_today, to_local

    policy.require(current_user, "reports.view")
    unit, today = _unit_arg(), local_today()
    low, high = as_id(request.args.get("min")) or 1, as_id(request.args.get("max"))
    rows, page, pages, total = waiting_page(current_user, unit, low, high, as_id(request.args.get("page")) or 1,
                                            current_app.config["PAGE_SIZE"], today)
    # Days waited counted by date, as the figure counts them.
    rows = [(mentor_id, name, unit_name, count, (today - to_local(oldest).date()).days)
            for mentor_id, name, unit_name, count, oldest in rows]
    args = {k: v for k, v in {"unit": unit.id if unit else None, "min": low, "max": high}.items() if v is not None}
    return render_template("reports/waiting_reviews.html", rows=rows, unit=unit, low=low, high=high, total=total,
                           page=page, pages=pages, args=args, buckets=WAITING_BUCKETS)


@bp.route("/people.xlsx")
@login_required
def people_xlsx():
    policy.require(current_user, "reports.export")
    return _xlsx(exports.people_workbook(current_user, PeopleFilter.from_args(request.args)),
                 "people.xlsx", "人员名单.xlsx")


@bp.route("/progress.xlsx")
@login_required
def progress_xlsx():
    policy.require(current_user, "reports.export")
    return _xlsx(exports.progress_workbook(current_user, PeopleFilter.from_args(request.args)),
                 "progress.xlsx", "转变进度.xlsx")


@bp.route("/points.xlsx")
@login_required
def points_xlsx():
    policy.require(current_user, "reports.export")
    from trainee.core.time import local_today

    raw = request.args.get("year", "")
    year = as_int(raw, 2000, 2100, default=local_today().year)
    return _xlsx(exports.points_workbook(current_user, PeopleFilter.from_args(request.args), year),
                 f"points-{year}.xlsx", f"积分-{year}年.xlsx")


@bp.route("/evaluation/<int:cycle_id>.xlsx")
@login_required
def evaluation_xlsx(cycle_id: int):
    from trainee.core.errors import NotFound
    from trainee.evaluation.models import EvaluationCycle

    cycle = db.session.get(EvaluationCycle, cycle_id)
    if cycle is None or not policy.can(current_user, "evaluation.manage", cycle):
        raise NotFound("没有找到该考评，或您无权查看。")
    return _xlsx(exports.evaluation_workbook(current_user, cycle), f"evaluation-{cycle.year}-{cycle.id}.xlsx",
                 f"{cycle.year}年度综合评价-{cycle.id}.xlsx")
