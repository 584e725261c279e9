from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from trainee import policy
from trainee.core.dimensions import Dimension
from trainee.core.errors import DomainError, NotFound
from trainee.core.forms import show_domain_error as _show_errors
from trainee.core.params import as_id, as_int
from trainee.core.time import local_today
from trainee.extensions import db
from trainee.org.models import Person, PersonStatus, Position
from trainee.points import operations as ops
from trainee.points.charts import quarter_chart
from trainee.points.forms import AppealForm, DecisionForm, NegativeForm, rule_set_data, rule_set_form
from trainee.points.ledger import fmt
from trainee.points.models import NegativeRecord, NegativeStatus, RuleSet
from trainee.points.queries import cohort_distributions, points_summary, years_with_points
from trainee.points.rules import RuleBook

bp = Blueprint("points", __name__, url_prefix="/points")


def _year_arg() -> int:
    raw = request.args.get("year", "")
    today = local_today()
    return as_int(raw, 2000, today.year + 1, default=today.year)


@bp.route("/me")
@login_required
def mine():
    if current_user.person is None or not current_user.person.is_trainee:
        return redirect(url_for("web.home"))
    return redirect(url_for("points.person_points", person_id=current_user.person_id))


@bp.route("/people/<int:person_id>")
@login_required
def person_points(person_id: int):
    person = policy.get_visible_person(current_user, person_id)
    policy.require(current_user, "points.view", person)
    year = _year_arg()
    summary = points_summary(person, year)
    quarter_medians = [cohort_distributions(person, year, q)["total"].median for q in (1, 2, 3, 4)]
    chart = quarter_chart(summary["by_quarter"], quarter_medians)
    years = sorted(set(years_with_points(person.id)) | {local_today().year}, reverse=True)
    negatives = db.session.execute(db.select(NegativeRecord).where(NegativeRecord.person_id == person.id)
                                   .order_by(NegativeRecord.occurred_on.desc())).scalars().all()
    return render_template("points/person.html", person=person, s=summary, chart=chart, years=years,
                           dimensions=list(Dimension), negatives=negatives,
                           veto=ops.veto_message(person, year))


# --- negative list ------------------------------------------------------------------------------

def _scoped_trainees():
    return db.session.execute(db.select(Person).where(
        policy.person_scope_filter(current_user), Person.position == Position.ASSISTANT,
        Person.status == PersonStatus.ACTIVE).options(joinedload(Person.unit)).order_by(Person.unit_id, Person.name)
    ).scalars().all()


@bp.route("/negative")
@login_required
def negative_list():
    policy.require(current_user, "negative.list")
    status = request.args.get("status")
    query = (db.select(NegativeRecord).join(Person, NegativeRecord.person_id == Person.id)
             .where(policy.person_scope_filter(current_user)).options(joinedload(NegativeRecord.person))
             .order_by(NegativeRecord.occurred_on.desc(), NegativeRecord.id.desc()))
    if status in NegativeStatus.__members__:
        query = query.where(NegativeRecord.status == NegativeStatus[status])
    page = db.paginate(query, per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("points/negative_list.html", page=page, statuses=NegativeStatus, status=status)


@bp.route("/negative/new", methods=["GET", "POST"])
@login_required
def negative_new():
    policy.require(current_user, "negative.record")
    form = NegativeForm()
    people = [p for p in _scoped_trainees() if policy.can(current_user, "negative.record", p)]
    form.person_id.choices = [("", "—")] + [(p.id, f"{p.name}（{p.unit.short_name} {p.staff_no}）") for p in people]
    rule_set = RuleBook().version_on(local_today())
    items = [r for r in rule_set.negative_rules if r.active] if rule_set else []
    form.item_code.choices = [("", "—")] + [
        (r.code, f"{r.name}（{_('一票否决') if r.veto else '−' + fmt(r.deduction)}）") for r in items]
    if request.method == "GET":
        form.occurred_on.data = local_today()
        if as_id(request.args.get("person_id")):
            form.person_id.data = as_id(request.args.get("person_id"))
    if form.validate_on_submit():
        person = next((p for p in people if p.id == form.person_id.data), None)
        if person is None:
            form.person_id.errors = [_("请选择您管理范围内的检察官助理。")]
        else:
            try:
                record = ops.record_negative(current_user, person, item_code=form.item_code.data,
                                             occurred_on=form.occurred_on.data, reason=form.reason.data,
                                             evidence=form.evidence.data)
            except DomainError as error:
                _show_errors(form, error)
            else:
                flash(_("已记录，并已通知本人（可在 15 日内申诉）。"), "success")
                return redirect(url_for("points.negative_detail", record_id=record.id))
    return render_template("points/negative_form.html", form=form, items=items)


def _get_record(record_id: int) -> NegativeRecord:
    record = db.session.get(NegativeRecord, record_id)
    if record is None or not policy.can(current_user, "negative.view", record):
        raise NotFound("没有找到该记录，或您无权查看。")
    return record


@bp.route("/negative/<int:record_id>")
@login_required
def negative_detail(record_id: int):
    record = _get_record(record_id)
    return render_template("points/negative_detail.html", r=record, appeal_form=AppealForm(),
                           decision_form=DecisionForm(), today=local_today())


@bp.route("/negative/<int:record_id>/appeal", methods=["POST"])
@login_required
def negative_appeal(record_id: int):
    record = _get_record(record_id)
    policy.require(current_user, "negative.appeal", record)
    form = AppealForm()
    if form.validate_on_submit():
        try:
            ops.appeal_negative(current_user, record, form.statement.data)
        except DomainError as error:
            _show_errors(form, error)
        else:
            flash(_("申诉已提交，政治部处理后会通知您。"), "success")
            return redirect(url_for("points.negative_detail", record_id=record.id))
    return render_template("points/negative_detail.html", r=record, appeal_form=form, decision_form=DecisionForm(),
                           today=local_today()), 422


@bp.route("/negative/<int:record_id>/decide", methods=["POST"])
@login_required
def negative_decide(record_id: int):
    record = _get_record(record_id)
    policy.require(current_user, "negative.decide", record)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            ops.decide_appeal(current_user, record, uphold=form.decision.data == "uphold", comment=form.comment.data)
        except DomainError as error:
            _show_errors(form, error)
        else:
            flash(_("已作出处理决定并通知本人。"), "success")
            return redirect(url_for("points.negative_detail", record_id=record.id))
    return render_template("points/negative_detail.html", r=record, appeal_form=AppealForm(), decision_form=form,
                           today=local_today()), 422


# --- rules --------------------------------------------------------------------------------------

@bp.route("/rules")
@login_required
def rules():
    policy.require(current_user, "points.rules.view")
    versions = db.session.execute(db.select(RuleSet).order_by(RuleSet.effective_from.desc())).scalars().all()
    current = RuleBook().version_on(local_today())
    return render_template("points/rules.html", versions=versions, current=current)


@bp.route("/rules/<int:rule_set_id>")
@login_required
def rule_set(rule_set_id: int):
    policy.require(current_user, "points.rules.view")
    version = db.session.get(RuleSet, rule_set_id) or abort(404)
    return render_template("points/rule_set.html", v=version, matrix=_matrix(version))


def _matrix(version):
    from trainee.points.models import Award, AwardCategory, Level

    cells = {(r.category, r.level, r.award): r for r in version.award_rules}
    competition = [(level, [cells.get((AwardCategory.COMPETITION, level, a.name)) for a in Award])
                   for level in reversed(Level)]
    honours = [(cat, [cells.get((cat, level, "")) for level in reversed(Level)])
               for cat in (AwardCategory.MODEL, AwardCategory.EXPERT, AwardCategory.TALENT_POOL)]
    return {"awards": list(Award), "levels": list(reversed(Level)), "competition": competition, "honours": honours}


@bp.route("/rules/new", methods=["GET", "POST"])
@login_required
def rules_new():
    policy.require(current_user, "points.rules.edit")
    base = RuleBook().version_on(local_today())
    if base is None:
        abort(404)
    form = rule_set_form(base)()
    if request.method == "GET":
        form.effective_from.data = local_today()
    if form.validate_on_submit():
        try:
            version = ops.save_rule_set(current_user, base, rule_set_data(form, base))
        except DomainError as error:
            _show_errors(form, error)
        else:
            flash(_("已保存新版本 v%(v)s。此前的积分记录不变；如需按新规则重算，请运行重算。", v=version.version), "success")
            return redirect(url_for("points.rule_set", rule_set_id=version.id))
    return render_template("points/rules_form.html", form=form, base=base, matrix=_matrix(base))
