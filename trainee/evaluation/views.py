from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from trainee import policy
from trainee.core.dimensions import Dimension
from trainee.core.errors import DomainError, NotFound
from trainee.core.forms import show_domain_error as _show_errors
from trainee.core.params import as_id, as_int
from trainee.core.time import local_today, quarter_of, utcnow
from trainee.evaluation import operations as ops
from trainee.evaluation import quarterly
from trainee.evaluation.forms import CycleForm, DeptScoreForm, MentorScoreForm, QuarterCommentForm, SummaryForm
from trainee.evaluation.models import CohortBasis, CycleStatus, Evaluation, EvaluationCycle, Grade, QuarterComment
from trainee.extensions import db
from trainee.org.models import Department
from trainee.org.queries import units_in_scope
from trainee.points.operations import veto_message
from trainee.points.queries import cohort_distributions

bp = Blueprint("evaluation", __name__, url_prefix="/evaluation")


# --- annual evaluation --------------------------------------------------------------------------

@bp.route("/")
@login_required
def index():
    cycles = []
    if policy.can(current_user, "evaluation.manage"):
        cycles = [c for c in db.session.execute(select(EvaluationCycle).order_by(EvaluationCycle.year.desc(),
                                                                                 EvaluationCycle.id.desc())).scalars()
                  if policy.can(current_user, "evaluation.manage", c)]
    mine, to_score, dept = [], [], []
    if current_user.person_id:
        base = select(Evaluation).join(EvaluationCycle).options(joinedload(Evaluation.person), joinedload(Evaluation.cycle))
        mine = db.session.execute(base.where(Evaluation.person_id == current_user.person_id)
                                  .order_by(EvaluationCycle.year.desc())).scalars().all()
        to_score = db.session.execute(base.where(Evaluation.mentor_id == current_user.person_id,
                                                 EvaluationCycle.status == CycleStatus.OPEN)
                                      .order_by(Evaluation.id)).scalars().all()
        if current_user.person and current_user.person.department_id and policy.can(current_user, "quarterly.overview"):
            dept = [e for e in db.session.execute(base.where(
                Evaluation.department_id == current_user.person.department_id,
                EvaluationCycle.status == CycleStatus.OPEN).order_by(Evaluation.id)).scalars()
                if policy.can(current_user, "evaluation.dept_score", e)]
    mentees = _mentee_quarter_status(current_user)
    return render_template("evaluation/index.html", cycles=cycles, mine=mine, to_score=to_score, dept=dept,
                           mentees=mentees, quarter=(local_today().year, quarter_of(local_today())))


def _mentee_quarter_status(user):
    """Current primary mentees with whether this quarter's comment is written (for mentors)."""
    from trainee.mentoring.models import AssignmentKind, MentorAssignment

    if not user.person_id:
        return []
    today = local_today()
    mentees = db.session.execute(select(MentorAssignment).where(
        MentorAssignment.mentor_id == user.person_id, MentorAssignment.kind == AssignmentKind.PRIMARY,
        MentorAssignment.end_date.is_(None)).options(joinedload(MentorAssignment.trainee))).scalars().all()
    written = set(db.session.execute(select(QuarterComment.person_id).where(
        QuarterComment.year == today.year, QuarterComment.quarter == quarter_of(today),
        QuarterComment.person_id.in_([m.trainee_id for m in mentees]))).scalars()) if mentees else set()
    return [(m.trainee, m.trainee_id in written) for m in mentees]


@bp.route("/cycles/new", methods=["GET", "POST"])
@login_required
def cycle_new():
    """Open a cycle for units, or for the people ticked on the people list (it posts here with `from_list`)."""
    policy.require(current_user, "evaluation.manage")
    form = CycleForm()
    units = units_in_scope(current_user)
    form.unit_ids.choices = [(u.id, u.short_name) for u in units]
    selection = _ticked_people()
    if selection is not None:
        form.unit_ids.validators = []  # the scope is the selection
    arriving = request.method == "GET" or request.form.get("from_list")
    if arriving:
        form = CycleForm(formdata=None)
        form.unit_ids.choices = [(u.id, u.short_name) for u in units]
        form.year.data = local_today().year
        form.name.data = _("%(y)s 年度检察官助理综合评价", y=local_today().year)
        form.unit_ids.data = [u.id for u in units]
    elif form.validate_on_submit():
        try:
            cycle = ops.open_cycle(current_user, year=form.year.data, name=form.name.data, unit_ids=form.unit_ids.data,
                                   cohort_basis=CohortBasis[form.cohort_basis.data],
                                   weights=(form.weight_quant.data, form.weight_mentor.data, form.weight_dept.data),
                                   quota_pct=form.excellent_quota_pct.data,
                                   summary_min_length=form.summary_min_length.data,
                                   person_ids=[p.id for p in selection] if selection is not None else None)
        except DomainError as error:
            _show_errors(form, error)
        else:
            flash(_("已开启，并已通知范围内的检察官助理撰写述职。"), "success")
            return redirect(url_for("evaluation.cycle_detail", cycle_id=cycle.id))
    if selection is not None and not selection:
        flash(_("请先在人员名单中勾选要参加考评的人员。"), "error")
    return render_template("evaluation/cycle_form.html", form=form, selection=selection)


def _ticked_people():
    """People posted as `person_ids` (bulk action), each visible to the user; None when opening by unit."""
    if request.method != "POST" or "person_ids" not in request.form and not request.form.get("from_list"):
        return None
    ids = [as_id(v) for v in request.form.getlist("person_ids")]
    return [policy.get_visible_person(current_user, i) for i in dict.fromkeys(i for i in ids if i)]


def _get_cycle(cycle_id: int) -> EvaluationCycle:
    cycle = db.session.get(EvaluationCycle, cycle_id)
    if cycle is None or not policy.can(current_user, "evaluation.manage", cycle):
        raise NotFound("没有找到该考评，或您无权查看。")
    return cycle


@bp.route("/cycles/<int:cycle_id>")
@login_required
def cycle_detail(cycle_id: int):
    """HR (for the evaluation committee): progress, ranking by composite, proposal and grades."""
    cycle = _get_cycle(cycle_id)
    rows = ops.figures(cycle)
    proposal = ops.scoring.propose(rows, cycle.excellent_quota_pct) if not cycle.locked else {}
    groups = {}
    for row in rows:
        groups.setdefault(row.cohort, []).append(row)
    cohorts = [(ops.cohort_label(cycle, key), members, ops.scoring.quota(len(members), cycle.excellent_quota_pct),
                sum(1 for m in members if m.evaluation.grade is Grade.EXCELLENT))
               for key, members in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0))]
    progress = {"total": len(rows), "summary": sum(1 for r in rows if r.evaluation.summary_submitted_at),
                "mentor": sum(1 for r in rows if r.evaluation.mentor_score is not None),
                "dept": sum(1 for r in rows if r.evaluation.dept_score is not None),
                "graded": sum(1 for r in rows if r.evaluation.grade is not None)}
    return render_template("evaluation/cycle.html", cycle=cycle, cohorts=cohorts, proposal=proposal,
                           progress=progress, grades=list(Grade))


@bp.route("/cycles/<int:cycle_id>/grades", methods=["POST"])
@login_required
def cycle_grades(cycle_id: int):
    cycle = _get_cycle(cycle_id)
    use_proposal = request.form.get("use_proposal") == "1"
    grades = {}
    if use_proposal:
        proposal = ops.scoring.propose(ops.figures(cycle), cycle.excellent_quota_pct)
        grades = {eid: Grade[name] for eid, name in proposal.items()}
    else:
        for key, value in request.form.items():
            if key.startswith("grade_") and as_id(key[6:]):
                grades[as_id(key[6:])] = Grade[value] if value in Grade.__members__ else None
    try:
        changed = ops.assign_grades(current_user, cycle, grades)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("已保存 %(n)s 人的等次。", n=changed), "success")
    return redirect(url_for("evaluation.cycle_detail", cycle_id=cycle.id))


@bp.route("/cycles/<int:cycle_id>/finalise", methods=["POST"])
@login_required
def cycle_finalise(cycle_id: int):
    cycle = _get_cycle(cycle_id)
    try:
        ops.finalise(current_user, cycle)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("已定档锁定，并已通知每位检察官助理。"), "success")
    return redirect(url_for("evaluation.cycle_detail", cycle_id=cycle.id))


def _get_evaluation(evaluation_id: int) -> Evaluation:
    evaluation = db.session.get(Evaluation, evaluation_id)
    if evaluation is None or not policy.can(current_user, "evaluation.view", evaluation):
        raise NotFound("没有找到该考评，或您无权查看。")
    return evaluation


def _render_evaluation(evaluation, summary_form=None, mentor_form=None, dept_form=None, status=200):
    cycle = evaluation.cycle
    summary_form = summary_form or SummaryForm(text=evaluation.self_summary)
    mentor_form = mentor_form or MentorScoreForm(score=evaluation.mentor_score, comment=evaluation.mentor_comment)
    dept_form = dept_form or DeptScoreForm(score=evaluation.dept_score)
    summary_form.text.render_kw = {"data-count-min": cycle.summary_min_length}
    show_result = cycle.locked or policy.can(current_user, "evaluation.manage", cycle)
    return render_template("evaluation/evaluation.html", e=evaluation, cycle=cycle, summary_form=summary_form,
                           mentor_form=mentor_form, dept_form=dept_form, show_result=show_result,
                           veto=veto_message(evaluation.person, cycle.year)), status


@bp.route("/<int:evaluation_id>")
@login_required
def evaluation_detail(evaluation_id: int):
    return _render_evaluation(_get_evaluation(evaluation_id))


@bp.route("/<int:evaluation_id>/summary", methods=["POST"])
@login_required
def evaluation_summary(evaluation_id: int):
    evaluation = _get_evaluation(evaluation_id)
    policy.require(current_user, "evaluation.summary", evaluation)
    form = SummaryForm()
    if form.validate_on_submit():
        try:
            ops.submit_summary(current_user, evaluation, form.text.data)
        except DomainError as error:
            _show_errors(form, error)
        else:
            flash(_("述职已提交。"), "success")
            return redirect(url_for("evaluation.evaluation_detail", evaluation_id=evaluation.id))
    return _render_evaluation(evaluation, summary_form=form, status=422)


@bp.route("/<int:evaluation_id>/mentor", methods=["POST"])
@login_required
def evaluation_mentor(evaluation_id: int):
    evaluation = _get_evaluation(evaluation_id)
    policy.require(current_user, "evaluation.mentor_score", evaluation)
    form = MentorScoreForm()
    if form.validate_on_submit():
        try:
            ops.mentor_score(current_user, evaluation, form.score.data, form.comment.data)
        except DomainError as error:
            _show_errors(form, error)
        else:
            flash(_("导师评分已保存。"), "success")
            return redirect(url_for("evaluation.evaluation_detail", evaluation_id=evaluation.id))
    return _render_evaluation(evaluation, mentor_form=form, status=422)


@bp.route("/<int:evaluation_id>/dept", methods=["POST"])
@login_required
def evaluation_dept(evaluation_id: int):
    evaluation = _get_evaluation(evaluation_id)
    policy.require(current_user, "evaluation.dept_score", evaluation)
    form = DeptScoreForm()
    if form.validate_on_submit():
        try:
            ops.dept_score(current_user, evaluation, form.score.data)
        except DomainError as error:
            _show_errors(form, error)
        else:
            flash(_("部门评分已保存。"), "success")
            return redirect(url_for("evaluation.evaluation_detail", evaluation_id=evaluation.id))
    return _render_evaluation(evaluation, dept_form=form, status=422)


# --- quarterly analysis -------------------------------------------------------------------------

def _quarter_args():
    today = local_today()
    year_raw, quarter_raw = request.args.get("year", ""), request.args.get("quarter", "")
    year = as_int(year_raw, 2000, today.year, default=today.year)
    quarter = int(quarter_raw) if quarter_raw in ("1", "2", "3", "4") else quarter_of(today)
    if year == today.year and quarter > quarter_of(today):
        quarter = quarter_of(today)
    return year, quarter


@bp.route("/quarterly")
@login_required
def quarter_overview():
    policy.require(current_user, "quarterly.overview")
    year, quarter = _quarter_args()
    unit_id, department_id = as_id(request.args.get("unit")), as_id(request.args.get("department"))
    attention_only = request.args.get("attention") == "1"
    rows = quarterly.overview(current_user, year, quarter, unit_id, department_id, attention_only)
    units = units_in_scope(current_user) if current_user.has_role(*_hr_roles()) else []
    departments = db.session.execute(select(Department).where(Department.unit_id.in_([u.id for u in units]))
                                     .order_by(Department.unit_id, Department.id)).scalars().all() if units else []
    return render_template("evaluation/quarter_overview.html", rows=rows, year=year, quarter=quarter, units=units,
                           departments=departments, unit_id=unit_id, department_id=department_id,
                           attention_only=attention_only, dimensions=list(Dimension),
                           checklist_enabled=bool(quarterly.QUARTER_FACTS), years=_years())


def _hr_roles():
    from trainee.auth.models import Role

    return (Role.HR,)


def _years():
    today = local_today()
    return list(range(today.year, today.year - 5, -1))


@bp.route("/quarterly/people/<int:person_id>", methods=["GET", "POST"])
@login_required
def quarter_person(person_id: int):
    person = policy.get_visible_person(current_user, person_id)
    policy.require(current_user, "points.view", person)
    year, quarter = _quarter_args()
    comment = db.session.execute(select(QuarterComment).where(
        QuarterComment.person_id == person.id, QuarterComment.year == year, QuarterComment.quarter == quarter)
    ).scalar_one_or_none()
    form = QuarterCommentForm(text=comment.text if comment else None)
    status = 200
    if request.method == "POST":
        policy.require(current_user, "quarterly.comment", person)
        if form.validate_on_submit():
            try:
                ops.save_quarter_comment(current_user, person, year, quarter, form.text.data)
            except DomainError as error:
                _show_errors(form, error)
                status = 422
            else:
                flash(_("带教评语已保存并推送给本人。"), "success")
                return redirect(url_for("evaluation.quarter_person", person_id=person.id, year=year, quarter=quarter))
        else:
            status = 422
    if comment is not None and comment.read_at is None and current_user.person_id == person.id:
        comment.read_at = utcnow()  # reading is not a change to a record: not audited
        db.session.commit()
    rows = quarterly.overview(current_user, year, quarter, person_id=person.id)
    row = rows[0] if rows else quarterly.QuarterRow(person, None, {
        **{d.name: 0 for d in Dimension}, "total": 0})
    distributions = cohort_distributions(person, year, quarter)
    return render_template("evaluation/quarter_person.html", person=person, year=year, quarter=quarter, row=row,
                           distributions=distributions, comment=comment, form=form, dimensions=list(Dimension),
                           checklist_enabled=bool(quarterly.QUARTER_FACTS), years=_years()), status

