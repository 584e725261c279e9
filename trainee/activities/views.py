"""Pages of the progress log: the trainee's list and form, an entry with its history, the mentor's queue,
read-only lists for HR, heads and mentors, and evidence downloads. Handlers are thin: load, check, one
operation, redirect or render."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from trainee import policy
from trainee.activities import operations as ops
from trainee.activities import queries
from trainee.activities import uploads as evidence_files
from trainee.activities.forms import (
    ActivityForm,
    ApproveForm,
    BulkApproveForm,
    EvidenceForm,
    ReturnForm,
    RevokeForm,
    SubmitForm,
    VersionForm,
)
from trainee.activities.models import Activity, ActivityStatus
from trainee.core.errors import DomainError, NotFound
from trainee.core.forms import show_domain_error as _show_errors
from trainee.core.params import as_id
from trainee.core.time import local_today
from trainee.extensions import db

bp = Blueprint("activities", __name__, url_prefix="/activities")

ACTION_FORMS = {"submit": SubmitForm, "withdraw": VersionForm, "approve": ApproveForm, "return": ReturnForm,
                "revoke": RevokeForm, "delete": VersionForm}
SUCCESS = {"submit": _l("已提交，等待导师审核。"), "withdraw": _l("已撤回为草稿，可修改后再提交。"),
           "approve": _l("已审核通过。"), "return": _l("已退回，并已通知本人修改。"),
           "revoke": _l("已撤销，积分已冲销，并已通知本人。"), "delete": _l("草稿已删除。")}


def _visible(activity_id: int) -> Activity:
    activity = db.session.get(Activity, activity_id)
    if activity is None or not policy.can(current_user, "activity.view", activity):
        raise NotFound("没有找到这条工作纪实，或您无权查看。")
    return activity


def _choices(form: ActivityForm) -> None:
    from trainee.training.models import Transition

    form.type.choices = [("", _("— 请选择 —"))] + [(t.code, t.name) for t in ops.active_types()]
    if form.type.data and form.type.data not in dict(form.type.choices):  # a retired type of an old entry
        form.type.choices.append((form.type.data, form.type.data))
    transitions = db.session.execute(db.select(Transition).order_by(Transition.order)).scalars().all()
    form.transition.choices = [("", _("— 请选择 —"))] + [(t.code, f"{t.code} {t.name}") for t in transitions]
    form.date.render_kw = {"max": local_today().isoformat()}


def _own_person():
    person = current_user.person
    if person is None or not person.is_trainee:
        abort(404)
    return person


# --- the trainee's list, form and entry -----------------------------------------------------------

@bp.route("/")
@login_required
def mine():
    return _list_page(_own_person(), own=True, endpoint="activities.mine", base={})


@bp.route("/people/<int:person_id>")
@login_required
def person_list(person_id: int):
    person = policy.get_visible_person(current_user, person_id)
    policy.require(current_user, "activity.list", person)
    return _list_page(person, own=policy.is_self(current_user, person), endpoint="activities.person_list",
                      base={"person_id": person.id})


def _list_page(person, *, own: bool, endpoint: str, base: dict):
    filters = queries.Filters.from_args(request.args)
    page = db.paginate(queries.person_entries(person.id, filters), per_page=current_app.config["PAGE_SIZE"],
                       error_out=False)
    return render_template("activities/list.html", person=person, own=own, page=page, filters=filters,
                           endpoint=endpoint, base=base, page_args={**filters.args(), **base},
                           counts=queries.status_counts(person.id), years=queries.years_of(person.id),
                           types=ops.active_types(), statuses=list(ActivityStatus),
                           transitions=[f"T{i}" for i in range(1, 10)],
                           may_create=policy.can(current_user, "activity.create", person))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    person = current_user.person
    policy.require(current_user, "activity.create", person)
    form = ActivityForm()
    _choices(form)
    status = 200
    if request.method == "GET":
        form.date.data = local_today()
        if request.args.get("transition", "").upper() in {f"T{i}" for i in range(1, 10)}:
            form.transition.data = request.args["transition"].upper()
        if request.args.get("type") in {code for code, _label in form.type.choices}:
            form.type.data = request.args["type"]
    elif form.validate_on_submit():
        submit = "save_submit" in request.form
        try:
            activity = ops.create(current_user, person, form.data_for_ops(), submit=submit,
                                  files=request.files.getlist("files"))
        except DomainError as error:
            _show_errors(form, error)
            status = error.status
        else:
            flash(_("已提交，等待导师审核。") if submit else _("已保存为草稿。"), "success")
            return redirect(url_for("activities.detail", activity_id=activity.id))
    else:
        status = 422
    return render_template("activities/form.html", form=form, activity=None, person=person), status


@bp.route("/<int:activity_id>/edit", methods=["GET", "POST"])
@login_required
def edit(activity_id: int):
    activity = _visible(activity_id)
    policy.require(current_user, "activity.edit", activity)
    if ("edit" not in ops.allowed_actions(current_user, activity)) and request.method == "GET":
        flash(_("这条记录当前为「%(s)s」，不能修改。", s=activity.status.label), "error")
        return redirect(url_for("activities.detail", activity_id=activity.id))
    form = ActivityForm(obj=None)
    _choices(form)
    status = 200
    if request.method == "GET":
        form.date.data, form.type.data = activity.date, activity.type.code
        form.transition.data = activity.transition.code if activity.transition else ""
        form.title.data, form.description.data, form.case_no.data = activity.title, activity.description, activity.case_no
        form.hours.data = "" if activity.hours is None else f"{activity.hours:g}"
        form.no_classified_confirmed.data = activity.no_classified_confirmed
        form.version.data = activity.version
    elif form.validate_on_submit():
        submit = "save_submit" in request.form
        try:
            # A missing version is refused like a stale one would be: the form must say what it was built from.
            ops.update(current_user, activity, form.data_for_ops(), version=form.version.data or "missing",
                       submit=submit, files=request.files.getlist("files"))
        except ops.StaleVersion as error:
            # Keep what was typed; the form now carries the current version, so saving again is a deliberate
            # overwrite after looking at the entry (the link to it opens in the flash below).
            db.session.rollback()
            current = db.session.get(Activity, activity_id)
            form.version.data = current.version
            flash(error.message + _("（当前状态：%(s)s。核对后再次保存将以您填写的内容为准。）", s=current.status.label),
                  "error")
            status = 409
        except DomainError as error:
            db.session.rollback()
            _show_errors(form, error)
            status = error.status
        else:
            flash(_("已重新提交，等待导师审核。") if submit else _("已保存。"), "success")
            return redirect(url_for("activities.detail", activity_id=activity.id))
    else:
        status = 422
    return render_template("activities/form.html", form=form, activity=activity, person=activity.person), status


def _render_detail(activity: Activity, status: int = 200, forms: dict | None = None):
    actions = ops.allowed_actions(current_user, activity)
    forms = dict(forms or {})
    for action in actions:
        if action in ACTION_FORMS and action not in forms:
            form = ACTION_FORMS[action](formdata=None)
            form.version.data = activity.version
            if action == "submit":
                form.no_classified_confirmed.data = activity.no_classified_confirmed
            forms[action] = form
    evidence_form = EvidenceForm(formdata=None) if "edit" in actions else None
    return render_template("activities/detail.html", activity=activity, actions=actions, forms=forms,
                           evidence_form=evidence_form, history=queries.history(activity),
                           max_evidence=ops.MAX_EVIDENCE, days_waiting=queries.days_waiting(activity),
                           overdue_days=queries.OVERDUE_DAYS), status


@bp.route("/<int:activity_id>")
@login_required
def detail(activity_id: int):
    return _render_detail(_visible(activity_id))


def _act(activity_id: int, action: str):
    activity = _visible(activity_id)
    policy.require(current_user, ops.ACTION_RULES[action], activity)
    form = ACTION_FORMS[action]()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
        return _render_detail(activity, 422, {action: form})
    version = form.version.data
    try:
        if action == "submit":
            ops.submit(current_user, activity, version=version, confirmed=form.no_classified_confirmed.data)
        elif action == "withdraw":
            ops.withdraw(current_user, activity, version=version)
        elif action == "approve":
            ops.approve(current_user, activity, version=version, comment=form.comment.data)
        elif action == "return":
            ops.return_entry(current_user, activity, version=version, comment=form.comment.data)
        elif action == "revoke":
            ops.revoke(current_user, activity, version=version, reason=form.reason.data)
        elif action == "delete":
            owner = activity.person_id
            ops.delete(current_user, activity, version=version)
            flash(str(SUCCESS[action]), "success")
            return redirect(url_for("activities.person_list", person_id=owner))
    except DomainError as error:
        db.session.rollback()
        _show_errors(form, error)
        return _render_detail(db.session.get(Activity, activity_id), error.status, {action: form})
    flash(str(SUCCESS[action]), "success")
    if action in ("approve", "return") and request.form.get("next") == "queue":
        return redirect(url_for("activities.review_queue"))
    return redirect(url_for("activities.detail", activity_id=activity.id))


@bp.route("/<int:activity_id>/submit", methods=["POST"])
@login_required
def submit(activity_id: int):
    return _act(activity_id, "submit")


@bp.route("/<int:activity_id>/withdraw", methods=["POST"])
@login_required
def withdraw(activity_id: int):
    return _act(activity_id, "withdraw")


@bp.route("/<int:activity_id>/approve", methods=["POST"])
@login_required
def approve(activity_id: int):
    return _act(activity_id, "approve")


@bp.route("/<int:activity_id>/return", methods=["POST"])
@login_required
def return_entry(activity_id: int):
    return _act(activity_id, "return")


@bp.route("/<int:activity_id>/revoke", methods=["POST"])
@login_required
def revoke(activity_id: int):
    return _act(activity_id, "revoke")


@bp.route("/<int:activity_id>/delete", methods=["POST"])
@login_required
def delete(activity_id: int):
    return _act(activity_id, "delete")


# --- evidence -------------------------------------------------------------------------------------

@bp.route("/<int:activity_id>/files", methods=["POST"])
@login_required
def upload_files(activity_id: int):
    activity = _visible(activity_id)
    policy.require(current_user, "activity.edit", activity)
    form = EvidenceForm()
    try:
        rows = ops.add_evidence(current_user, activity, request.files.getlist("files"),
                                confirmed=bool(form.no_classified_confirmed.data))
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _render_detail(db.session.get(Activity, activity_id), error.status)
    flash(_("已上传 %(n)s 个附件。", n=len(rows)), "success")
    return redirect(url_for("activities.detail", activity_id=activity.id) + "#evidence")


def _visible_evidence(evidence_id: int):
    evidence = queries.evidence_of(evidence_id)
    if evidence is None or not policy.can(current_user, "activity.view", evidence.activity):
        raise NotFound("没有找到此附件，或您无权查看。")
    return evidence


@bp.route("/evidence/<int:evidence_id>")
@login_required
def evidence(evidence_id: int):
    item = _visible_evidence(evidence_id)
    if not evidence_files.path_of(item).exists():
        raise NotFound("附件文件不存在。")
    return evidence_files.send(item)


@bp.route("/evidence/<int:evidence_id>/delete", methods=["POST"])
@login_required
def evidence_delete(evidence_id: int):
    item = _visible_evidence(evidence_id)
    activity_id = item.activity_id
    try:
        ops.remove_evidence(current_user, item)
    except DomainError as error:
        db.session.rollback()
        if error.status in (403, 404):
            raise
        flash(error.message, "error")
    else:
        flash(_("附件已删除。"), "success")
    return redirect(url_for("activities.detail", activity_id=activity_id) + "#evidence")


# --- the mentor's review queue --------------------------------------------------------------------

@bp.route("/review")
@login_required
def review_queue():
    policy.require(current_user, "activity.queue")
    return _queue_page()


def _queue_page(status: int = 200, form: BulkApproveForm | None = None):
    raw_person = request.args.get("person_id", "")
    person_id = as_id(raw_person)
    type_code = (request.args.get("type") or "")[:32] or None
    query = queries.review_queue(current_user.person_id, person_id=person_id, type_code=type_code)
    page = db.paginate(query, per_page=current_app.config["PAGE_SIZE"], error_out=False)
    today = local_today()
    return render_template("activities/queue.html", page=page, today=today,
                           waiting={a.id: queries.days_waiting(a, today) for a in page.items},
                           mentees=queries.mentee_people(current_user.person_id), types=ops.active_types(),
                           person_id=person_id, type_code=type_code, overdue_days=queries.OVERDUE_DAYS,
                           bulk_form=form or BulkApproveForm(formdata=None),
                           summary=queries.queue_summary(current_user.person_id)), status


@bp.route("/review/approve", methods=["POST"])
@login_required
def bulk_approve():
    policy.require(current_user, "activity.queue")
    form = BulkApproveForm()
    selection = []
    for raw in request.form.getlist("ids"):
        if as_id(raw):
            selection.append((as_id(raw), as_id(request.form.get(f"version_{raw}"))))
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
        return _queue_page(422, form)
    try:
        chosen = ops.bulk_approve(current_user, selection, comment=form.comment.data)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _queue_page(error.status, form)
    flash(_("已批量通过 %(n)s 条记录。", n=len(chosen)), "success")
    return redirect(url_for("activities.review_queue"))
