"""Pages of the training feature: progress, sign-off, promotion, career. Thin: operations do the work."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy.orm import selectinload

from trainee import policy
from trainee.core.errors import DomainError, NotFound
from trainee.extensions import db
from trainee.mentoring.models import AssignmentKind, MentorAssignment
from trainee.org.models import Department
from trainee.training import operations as ops
from trainee.training import progress as engine
from trainee.training.forms import (
    CareerEventForm,
    CommentForm,
    DecisionForm,
    ManualSignForm,
    PlacementForm,
    PlanForm,
    RotationForm,
)
from trainee.training.models import CareerEvent, DevelopmentPlan, PromotionRequest, Rotation
from trainee.web.kept import kept_html

bp = Blueprint("training", __name__)


def primary_mentor(person):
    return db.session.execute(db.select(MentorAssignment).where(
        MentorAssignment.trainee_id == person.id, MentorAssignment.kind == AssignmentKind.PRIMARY,
        MentorAssignment.end_date.is_(None))).scalars().first()


def _visible_trainee(person_id: int):
    person = policy.get_visible_person(current_user, person_id)
    policy.require(current_user, "progress.view", person)
    return person


def _render_progress(person, status=200, kept=None, forms=None):
    """The progress page. A plain view (no form to refill) reuses the kept main part (trainee/web/kept.py)."""
    def render():
        return _progress_body(person, kept or {}, forms or {})

    if status == 200 and not kept and not forms:
        body = kept_html("progress", [person.id], render)
    else:
        body = Markup(render())  # noqa: S704  # nosec B704 (the output of an autoescaped template)
    return render_template("training/progress.html", person=person, body=body), status


def _progress_body(person, kept: dict, forms: dict) -> str:
    assignment = primary_mentor(person)
    requests = db.session.execute(db.select(PromotionRequest).where(PromotionRequest.person_id == person.id)
                                  .order_by(PromotionRequest.id.desc())).scalars().all()
    progress = engine.person_progress(person)
    may = {"submit": policy.can(current_user, "transition.submit", person),
           "sign": policy.can(current_user, "transition.sign", person),
           "recommend": policy.can(current_user, "promotion.recommend", person),
           "decide": policy.can(current_user, "promotion.decide", person),
           "place": policy.can(current_user, "promotion.place", person)}
    return render_template(
        "training/_progress_body.html", person=person, progress=progress, events=engine.history(person),
        mentor=assignment.mentor if assignment else None, read_only=policy.is_read_only(person),
        viewer_past_mentor=policy.was_mentor(current_user, person) and not policy.is_current_mentor(current_user, person),
        has_career=True, requests=requests, kept=kept, may=may,
        blockers=engine.promotion_blockers(person, progress=progress) if progress.current else [],
        placement_form=forms.get("placement") or PlacementForm(prefix="place"),
        decision_form=forms.get("decision") or DecisionForm(prefix="decide"),
    )


@bp.route("/trainees/<int:person_id>/progress")
@login_required
def progress_page(person_id: int):
    return _render_progress(_visible_trainee(person_id))


@bp.route("/my/progress")
@login_required
def my_progress():
    if current_user.person is None or not current_user.person.is_trainee:
        abort(404)
    return redirect(url_for("training.progress_page", person_id=current_user.person_id))


def _done(person, message, anchor=""):
    flash(message, "success")
    return redirect(url_for("training.progress_page", person_id=person.id) + (f"#{anchor}" if anchor else ""))


@bp.route("/trainees/<int:person_id>/transitions/<code>/submit", methods=["POST"])
@login_required
def transition_submit(person_id: int, code: str):
    person = _visible_trainee(person_id)
    try:
        ops.submit_transition(current_user, person, code)
    except DomainError as error:
        flash(error.message, "error")
        return _render_progress(person, error.status)
    return _done(person, _("已提交导师确认。"), code)


@bp.route("/trainees/<int:person_id>/transitions/<code>/decide", methods=["POST"])
@login_required
def transition_decide(person_id: int, code: str):
    person = _visible_trainee(person_id)
    form = CommentForm()
    achieve = request.form.get("decision") == "achieve"
    try:
        ops.decide_transition(current_user, person, code, achieve=achieve, comment=form.comment.data or "")
    except DomainError as error:
        flash(error.message, "error")
        return _render_progress(person, error.status, kept={f"decide-{code}": form.comment.data or ""})
    return _done(person, _("已确认达成。") if achieve else _("已退回。"), code)


@bp.route("/trainees/<int:person_id>/requirements/<int:requirement_id>/sign", methods=["POST"])
@login_required
def manual_sign(person_id: int, requirement_id: int):
    person = _visible_trainee(person_id)
    form = ManualSignForm()
    try:
        ops.sign_manual(current_user, person, requirement_id, evidence=form.evidence.data or "",
                        activity_id=form.activity_id.data if form.activity_id.data else None)
    except DomainError as error:
        flash(error.message, "error")
        return _render_progress(person, error.status, kept={f"manual-{requirement_id}": form.evidence.data or ""})
    return _done(person, _("已确认。"))


@bp.route("/trainees/<int:person_id>/promotion/recommend", methods=["POST"])
@login_required
def promotion_recommend(person_id: int):
    person = _visible_trainee(person_id)
    form = CommentForm()
    try:
        ops.recommend_promotion(current_user, person, form.comment.data or "")
    except DomainError as error:
        flash(error.message, "error")
        return _render_progress(person, error.status, kept={"recommend": form.comment.data or ""})
    return _done(person, _("已推荐晋阶，等待政治部审批。"))


@bp.route("/promotions/<int:request_id>/decide", methods=["POST"])
@login_required
def promotion_decide(request_id: int):
    promotion = db.session.get(PromotionRequest, request_id)
    if promotion is None:
        raise NotFound("没有这份晋阶推荐。")
    person = _visible_trainee(promotion.person_id)
    form = DecisionForm(prefix="decide")
    approve = request.form.get("decision") == "approve"
    if not form.validate():
        flash(_("请检查填写的内容。"), "error")
        return _render_progress(person, 422, forms={"decision": form})
    try:
        ops.decide_promotion(current_user, promotion, approve=approve, comment=form.comment.data or "",
                             on_date=form.on_date.data)
    except DomainError as error:
        flash(error.message, "error")
        return _render_progress(person, error.status, forms={"decision": form})
    return _done(person, _("已批准晋阶。") if approve else _("已退回晋阶推荐。"))


@bp.route("/trainees/<int:person_id>/placement", methods=["POST"])
@login_required
def placement(person_id: int):
    person = _visible_trainee(person_id)
    form = PlacementForm(prefix="place")
    if not form.validate():
        flash(_("请检查填写的内容。"), "error")
        return _render_progress(person, 422, forms={"placement": form})
    try:
        ops.place_in_stage(current_user, person, form.stage.data, reason=form.reason.data, on_date=form.on_date.data)
    except DomainError as error:
        for field, messages in error.field_errors.items():
            if hasattr(form, field):
                getattr(form, field).errors = list(getattr(form, field).errors) + messages
        flash(error.message, "error")
        return _render_progress(person, error.status, forms={"placement": form})
    return _done(person, _("已直接定阶。"))


# --- career: events, rotations, development plan -------------------------------------------------------

def _render_career(person, status=200, **forms):
    events = db.session.execute(db.select(CareerEvent).where(CareerEvent.person_id == person.id)
                                .order_by(CareerEvent.date.desc(), CareerEvent.id.desc())).scalars().all()
    rotations = db.session.execute(db.select(Rotation).where(Rotation.person_id == person.id)
                                   .options(selectinload(Rotation.department))
                                   .order_by(Rotation.start_date.desc())).scalars().all()
    plans = db.session.execute(db.select(DevelopmentPlan).where(DevelopmentPlan.person_id == person.id)
                               .order_by(DevelopmentPlan.year.desc())).scalars().all()
    rotation_form = forms.get("rotation") or RotationForm(prefix="rot")
    rotation_form.department_id.choices = [(d.id, d.name) for d in db.session.execute(
        db.select(Department).where(Department.unit_id == person.unit_id).order_by(Department.id)).scalars()]
    plan_form = forms.get("plan")
    if plan_form is None:
        current = next((p for p in plans if p.year == _this_year()), None)
        plan_form = PlanForm(prefix="plan", obj=current)
        if current is not None:
            plan_form.direction.data, plan_form.track.data = current.direction.name, current.track.name
    return render_template("training/career.html", person=person, events=events, rotations=rotations, plans=plans,
                           event_form=forms.get("event") or CareerEventForm(prefix="ev"),
                           rotation_form=rotation_form, plan_form=plan_form, review_form=CommentForm(prefix="rev"),
                           read_only=policy.is_read_only(person), this_year=_this_year()), status


def _this_year():
    from trainee.core.time import local_today

    return local_today().year


def _career_done(person, message):
    flash(message, "success")
    return redirect(url_for("training.career_page", person_id=person.id))


def _field_errors(form, error):
    for field, messages in error.field_errors.items():
        if hasattr(form, field):
            getattr(form, field).errors = list(getattr(form, field).errors) + messages
    flash(error.message, "error")


@bp.route("/trainees/<int:person_id>/career")
@login_required
def career_page(person_id: int):
    return _render_career(_visible_trainee(person_id))


@bp.route("/trainees/<int:person_id>/career/events", methods=["POST"])
@login_required
def career_event_new(person_id: int):
    person = _visible_trainee(person_id)
    policy.require(current_user, "career.record", person)
    form = CareerEventForm(prefix="ev")
    if not form.validate():
        flash(_("请检查填写的内容。"), "error")
        return _render_career(person, 422, event=form)
    try:
        ops.record_career_event(current_user, person, kind=form.kind.data, on_date=form.date.data,
                                doc_no=form.doc_no.data, note=form.note.data)
    except DomainError as error:
        _field_errors(form, error)
        return _render_career(person, error.status, event=form)
    return _career_done(person, _("已记录职业事件。"))


@bp.route("/trainees/<int:person_id>/rotations", methods=["POST"])
@login_required
def rotation_new(person_id: int):
    person = _visible_trainee(person_id)
    policy.require(current_user, "rotation.create", person)
    form = RotationForm(prefix="rot")
    form.department_id.choices = [(d.id, d.name) for d in db.session.execute(
        db.select(Department).where(Department.unit_id == person.unit_id)).scalars()]
    if not form.validate():
        flash(_("请检查填写的内容。"), "error")
        return _render_career(person, 422, rotation=form)
    try:
        ops.create_rotation(current_user, person, department_id=form.department_id.data,
                            start_date=form.start_date.data, end_date=form.end_date.data, note=form.note.data)
    except DomainError as error:
        _field_errors(form, error)
        return _render_career(person, error.status, rotation=form)
    return _career_done(person, _("已登记轮岗，等待接收部门负责人确认。"))


@bp.route("/rotations/<int:rotation_id>/confirm", methods=["POST"])
@login_required
def rotation_confirm(rotation_id: int):
    rotation = db.session.get(Rotation, rotation_id)
    if rotation is None or not (policy.can(current_user, "person.view", rotation.person)
                                or policy.can(current_user, "rotation.confirm", rotation)):
        raise NotFound("没有这条轮岗记录。")
    confirm = request.form.get("decision") != "reject"
    try:
        ops.confirm_rotation(current_user, rotation, confirm=confirm)
    except DomainError as error:
        if error.status in (403, 404):
            raise
        flash(error.message, "error")
        return redirect(request.referrer or url_for("web.home"))
    flash(_("已确认轮岗。") if confirm else _("已标记为未确认。"), "success")
    return redirect(url_for("web.home"))


@bp.route("/trainees/<int:person_id>/plan", methods=["POST"])
@login_required
def plan_save(person_id: int):
    person = _visible_trainee(person_id)
    policy.require(current_user, "plan.edit", person)
    form = PlanForm(prefix="plan")
    if not form.validate():
        flash(_("请检查填写的内容。"), "error")
        return _render_career(person, 422, plan=form)
    submit = request.form.get("action") == "submit"
    try:
        ops.save_plan(current_user, person, direction=form.direction.data, track=form.track.data,
                      goals_1y=form.goals_1y.data, goals_2y=form.goals_2y.data, goals_3y=form.goals_3y.data,
                      submit=submit)
    except DomainError as error:
        _field_errors(form, error)
        return _render_career(person, error.status, plan=form)
    return _career_done(person, _("已提交导师审核。") if submit else _("已保存草稿。"))


@bp.route("/plans/<int:plan_id>/review", methods=["POST"])
@login_required
def plan_review(plan_id: int):
    plan = db.session.get(DevelopmentPlan, plan_id)
    if plan is None:
        raise NotFound("没有这份发展规划。")
    person = _visible_trainee(plan.person_id)
    form = CommentForm(prefix="rev")
    approve = request.form.get("decision") == "approve"
    try:
        ops.review_plan(current_user, plan, approve=approve, comment=form.comment.data or "")
    except DomainError as error:
        flash(error.message, "error")
        return _render_career(person, error.status)
    return _career_done(person, _("已审核通过。") if approve else _("已退回。"))
