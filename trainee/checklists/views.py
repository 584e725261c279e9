from urllib.parse import quote

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from trainee import policy
from trainee.checklists import exports, queries
from trainee.checklists import operations as ops
from trainee.checklists.forms import ItemForm, NoteForm, ReasonForm, ReflectionForm, ReviewForm
from trainee.checklists.models import ChecklistItem
from trainee.core.errors import DomainError, NotFound, ValidationFailed
from trainee.core.forms import show_domain_error as _apply_errors
from trainee.core.params import as_id
from trainee.core.time import local_today
from trainee.extensions import db
from trainee.org.models import Department
from trainee.org.queries import units_in_scope
from trainee.training.models import Stage

bp = Blueprint("checklists", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _visible_assignment(assignment_id: int):
    assignment = queries.load_assignment(assignment_id)
    if assignment is None or not policy.can(current_user, "checklist.view", assignment.person):
        raise NotFound("没有找到此清单条目，或您无权查看。")
    return assignment


def _item(item_id: int) -> ChecklistItem:
    item = db.session.get(ChecklistItem, item_id)
    if item is None:
        raise NotFound("没有找到此清单条目。")
    return item


# --- the trainee's checklist --------------------------------------------------------------------------

@bp.route("/checklists/mine")
@login_required
def mine():
    person = current_user.person
    if person is None or not person.is_trainee:
        raise NotFound("您没有必学清单。")
    return redirect(url_for("checklists.person_page", person_id=person.id))


@bp.route("/trainees/<int:person_id>/checklist")
@login_required
def person_page(person_id: int):
    person = policy.get_visible_person(current_user, person_id)
    policy.require(current_user, "checklist.view", person)
    today = local_today()
    assignments = queries.person_assignments(person)
    states = {a.id: queries.state_of(a, today) for a in assignments}
    counts = {s: sum(1 for v in states.values() if v == s) for s in queries.STATES}
    return render_template("checklists/person.html", person=person, groups=queries.grouped(assignments),
                           states=states, counts=counts, labels=queries.STATE_LABELS, today=today)


def _assignment_forms(assignment, **given) -> dict:
    person = assignment.person
    forms = {}
    if policy.can(current_user, "checklist.study", person) and not assignment.locked:
        forms["reflection"] = given.get("reflection") or ReflectionForm(reflection=assignment.reflection)
    if policy.can(current_user, "checklist.review", person):
        forms["review"] = given.get("review") or ReviewForm(formdata=None)
        forms["note"] = given.get("note") or NoteForm(formdata=None)
    if policy.can(current_user, "checklist.exempt", person):
        forms["exempt"] = given.get("exempt") or ReasonForm(formdata=None, prefix="exempt")
        forms["revoke"] = given.get("revoke") or ReasonForm(formdata=None, prefix="revoke")
        forms["lift"] = given.get("lift") or ReasonForm(formdata=None, prefix="lift")
    return forms


def _render_assignment(assignment, status=200, **given):
    return render_template("checklists/assignment.html", a=assignment, person=assignment.person,
                           forms=_assignment_forms(assignment, **given), state=queries.state_of(assignment, local_today()),
                           labels=queries.STATE_LABELS, count=ops.count_chars(assignment.reflection)), status


@bp.route("/checklists/assignments/<int:assignment_id>", methods=["GET", "POST"])
@login_required
def assignment_page(assignment_id: int):
    assignment = _visible_assignment(assignment_id)
    if request.method == "GET":
        return _render_assignment(assignment)
    policy.require(current_user, "checklist.study", assignment.person)
    form = ReflectionForm()
    submit = request.form.get("action") == "submit"
    try:
        ops.save_reflection(current_user, assignment, form.reflection.data, submit=submit,
                            upload=request.files.get("attachment"))
    except DomainError as error:
        db.session.rollback()
        assignment = _visible_assignment(assignment_id)
        _apply_errors(form, error)
        return _render_assignment(assignment, error.status, reflection=form)
    flash(_("已提交导师确认。") if submit else _("已保存草稿。"), "success")
    return redirect(url_for("checklists.assignment_page", assignment_id=assignment.id))


def _post_action(assignment_id: int, action: str, form_key: str, form, run, success: str):
    assignment = _visible_assignment(assignment_id)
    policy.require(current_user, action, assignment.person)
    try:
        run(assignment, form)
    except DomainError as error:
        db.session.rollback()
        assignment = _visible_assignment(assignment_id)
        _apply_errors(form, error)
        return _render_assignment(assignment, error.status, **{form_key: form})
    flash(success, "success")
    return redirect(url_for("checklists.assignment_page", assignment_id=assignment.id))


@bp.route("/checklists/assignments/<int:assignment_id>/review", methods=["POST"])
@login_required
def review(assignment_id: int):
    form = ReviewForm()

    def run(assignment, form):
        decision = form.decision.data
        if decision not in ("confirm", "return"):
            raise ValidationFailed("请选择确认或退回。", {"decision": ["请选择确认或退回。"]})
        ops.review(current_user, assignment, confirm=decision == "confirm", comment=form.comment.data)
    return _post_action(assignment_id, "checklist.review", "review", form, run, _("已处理。"))


@bp.route("/checklists/assignments/<int:assignment_id>/notes", methods=["POST"])
@login_required
def add_note(assignment_id: int):
    form = NoteForm()
    return _post_action(assignment_id, "checklist.review", "note", form,
                        lambda a, f: ops.add_note(current_user, a, f.angle.data, f.text.data), _("已添加剖析意见。"))


@bp.route("/checklists/assignments/<int:assignment_id>/exempt", methods=["POST"])
@login_required
def exempt(assignment_id: int):
    form = ReasonForm(prefix="exempt")
    return _post_action(assignment_id, "checklist.exempt", "exempt", form,
                        lambda a, f: ops.exempt(current_user, a, f.reason.data), _("已免学。"))


@bp.route("/checklists/assignments/<int:assignment_id>/lift-exemption", methods=["POST"])
@login_required
def lift_exemption(assignment_id: int):
    form = ReasonForm(prefix="lift")
    return _post_action(assignment_id, "checklist.exempt", "lift", form,
                        lambda a, f: ops.lift_exemption(current_user, a, f.reason.data),
                        _("已取消免学：条目重新待学习。"))


@bp.route("/checklists/assignments/<int:assignment_id>/revoke", methods=["POST"])
@login_required
def revoke(assignment_id: int):
    form = ReasonForm(prefix="revoke")
    return _post_action(assignment_id, "checklist.correct", "revoke", form,
                        lambda a, f: ops.revoke_confirmation(current_user, a, f.reason.data),
                        _("已更正：条目退回学员，积分已冲销。"))


@bp.route("/checklists/assignments/<int:assignment_id>/attachment")
@login_required
def attachment(assignment_id: int):
    from trainee.core import uploads

    assignment = _visible_assignment(assignment_id)
    file = assignment.attachment
    if file is None or not uploads.path_of(ops.ATTACHMENT_AREA, file.stored_name).exists():
        raise NotFound("此条目没有附件。")
    return uploads.send(ops.ATTACHMENT_AREA, file.stored_name, file.content_type, file.original_name)


# --- the mentor ---------------------------------------------------------------------------------------

@bp.route("/checklists/mentees")
@login_required
def mentees():
    policy.require(current_user, "checklist.mentees")
    if current_user.person_id is None:
        overdue, waiting = [], []
    else:
        overdue, waiting = queries.mentee_items(current_user.person_id, local_today())
    return render_template("checklists/mentees.html", overdue=overdue, waiting=waiting, today=local_today())


# --- HR: items ----------------------------------------------------------------------------------------

@bp.route("/checklists/items")
@login_required
def items():
    policy.require(current_user, "checklist.items")
    return render_template("checklists/items.html", items=queries.items(include_retired=True),
                           can_manage=policy.can(current_user, "checklist.manage"))


def _item_form_choices(form: ItemForm) -> None:
    form.stage_id.choices = [("", "—")] + [(s.id, f"{s.code} {s.name}") for s in
                                           db.session.execute(select(Stage).order_by(Stage.order)).scalars()]


@bp.route("/checklists/items/new", methods=["GET", "POST"])
@login_required
def item_new():
    policy.require(current_user, "checklist.manage")
    form = ItemForm()
    _item_form_choices(form)
    if request.method == "GET":
        form.min_chars.data, form.due_months.data = 300, 6
    status = 200
    if request.method == "POST":
        try:
            item, count = ops.create_item(current_user, form.to_data())
        except DomainError as error:
            _apply_errors(form, error)
            status = error.status
        else:
            flash(_("已新增条目，并分配给当前在该阶段的 %(n)s 人（期限自今日起算）。", n=count), "success")
            return redirect(url_for("checklists.items"))
    return render_template("checklists/item_form.html", form=form, item=None), status


@bp.route("/checklists/items/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def item_edit(item_id: int):
    policy.require(current_user, "checklist.manage")
    item = _item(item_id)
    form = ItemForm(obj=item)
    _item_form_choices(form)
    if request.method == "GET":
        form.category.data = item.category.name
    status = 200
    if request.method == "POST":
        try:
            ops.update_item(current_user, item, form.to_data())
        except DomainError as error:
            db.session.rollback()
            _apply_errors(form, error)
            status = error.status
        else:
            flash(_("已保存。"), "success")
            return redirect(url_for("checklists.items"))
    return render_template("checklists/item_form.html", form=form, item=item), status


@bp.route("/checklists/items/<int:item_id>/retire", methods=["POST"])
@login_required
def item_retire(item_id: int):
    policy.require(current_user, "checklist.manage")
    item = _item(item_id)
    try:
        ops.retire_item(current_user, item)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("已停用：不再分配，也不再计入完成要求。"), "success")
    return redirect(url_for("checklists.items"))


# --- HR: completion --------------------------------------------------------------------------------------

def _completion_filter(units):
    """The filter asked for; a unit outside `units` (the user's, units_in_scope) is dropped."""
    flt = queries.CompletionFilter.from_args(request.args)
    if flt.unit_id and flt.unit_id not in {u.id for u in units}:
        flt.unit_id = None
    return flt


@bp.route("/checklists/completion")
@login_required
def completion():
    policy.require(current_user, "checklist.completion")
    units = units_in_scope(current_user)
    flt = _completion_filter(units)
    today = local_today()
    page = as_id(request.args.get("page")) or 1
    per_page = current_app.config["PAGE_SIZE"]
    data = queries.completion(current_user, flt, today, units)
    total = sum(data["totals"].values()) if not flt.state else data["totals"][flt.state]
    rows = queries.completion_rows(current_user, flt, today, limit=per_page, offset=(page - 1) * per_page)
    departments = db.session.execute(select(Department).where(Department.unit_id.in_([u.id for u in units]))
                                     .order_by(Department.unit_id, Department.id)).scalars().all()
    return render_template("checklists/completion.html", data=data, flt=flt, rows=rows, today=today,
                           states=queries.STATES, labels=queries.STATE_LABELS, units=units, departments=departments,
                           items=queries.items(), page=page, pages=max(1, -(-total // per_page)),
                           state_of=queries.state_of)


@bp.route("/checklists/completion.xlsx")
@login_required
def completion_xlsx():
    policy.require(current_user, "checklist.completion")
    data = exports.completion_workbook(current_user, _completion_filter(units_in_scope(current_user)), local_today())
    return Response(data, mimetype=XLSX, headers={
        "Content-Disposition": f"attachment; filename=checklist.xlsx; filename*=UTF-8''{quote('双学清单完成情况.xlsx')}"})
