from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from trainee import policy
from trainee.core.errors import DomainError
from trainee.core.forms import show_domain_error as _apply_errors
from trainee.core.params import as_id
from trainee.extensions import db
from trainee.org import operations as ops
from trainee.org.forms import BulkAssignMentorForm, PersonForm
from trainee.org.models import Department, Person, PersonStatus, Position
from trainee.org.queries import (
    MENTOR_PICKER_LIMIT,
    PeopleFilter,
    current_mentors,
    current_stages,
    departments_in_scope,
    find_mentor,
    mentor_choice,
    paginate_people,
    search_mentors,
    units_in_scope,
)

bp = Blueprint("org", __name__, url_prefix="/people")


def _fill_choices(form: PersonForm) -> None:
    units = units_in_scope(current_user)
    form.unit_id.choices = [(u.id, u.name) for u in units]
    departments = db.session.execute(
        db.select(Department).where(Department.unit_id.in_([u.id for u in units])).order_by(Department.id)
    ).scalars().all()
    form.department_id.choices = [("", "—")] + [(d.id, f"{d.unit.short_name} · {d.name}") for d in departments]


def _mentor_filter(flt: PeopleFilter):
    """The mentor filter's picker: (the chosen mentor, an error). Without the picker's script the form sends only
    the typed text (`mentor_q`), which is resolved here into `flt.mentor_id`."""
    if not policy.can(current_user, "people.pick_mentor"):
        return None, None
    if flt.mentor_id:
        return mentor_choice(current_user, flt.mentor_id), None
    text = (request.args.get("mentor_q") or "").strip()
    if not text:
        return None, None
    choice, error = find_mentor(current_user, text)
    if choice is None:
        return None, _("%(error)s未按导师筛选。", error=error)
    flt.mentor_id = choice.id
    return choice, None


def _render_list(bulk_form: BulkAssignMentorForm | None = None, selected=()):
    flt = PeopleFilter.from_args(request.args)
    mentor, mentor_error = _mentor_filter(flt)
    page = request.args.get("page", "1")
    items, page, pages, total = paginate_people(current_user, flt, as_id(page, 1),
                                                current_app.config["PAGE_SIZE"])
    if policy.can(current_user, "people.bulk_assign_mentor") and bulk_form is None:
        bulk_form = BulkAssignMentorForm(formdata=None)
    return render_template("org/people_list.html", items=items, page=page, pages=pages, total=total, flt=flt,
                           units=units_in_scope(current_user), departments=departments_in_scope(current_user),
                           positions=Position, statuses=PersonStatus, mentor=mentor, mentor_error=mentor_error,
                           mentor_of=current_mentors(items), stage_of=current_stages(items),
                           bulk_form=bulk_form, selected={int(i) for i in selected})


@bp.route("/")
@login_required
def people_list():
    policy.require(current_user, "people.list")
    return _render_list()


@bp.route("/mentors.json")
@login_required
def mentor_search():
    """The mentor picker's search: up to 20 mentors in scope whose name or staff number contains `q`."""
    policy.require(current_user, "people.pick_mentor")
    found = search_mentors(current_user, request.args.get("q", ""), limit=MENTOR_PICKER_LIMIT + 1)
    return jsonify(results=[{"id": m.id, "label": m.label, "name": m.name, "staff_no": m.staff_no, "unit": m.unit,
                             "load": m.load, "capacity": m.capacity} for m in found[:MENTOR_PICKER_LIMIT]],
                   more=len(found) > MENTOR_PICKER_LIMIT)


@bp.route("/bulk/assign-mentor", methods=["POST"])
@login_required
def bulk_assign_mentor():
    """Bulk action: assign one primary mentor to the ticked people (all or none)."""
    from trainee.mentoring.operations import bulk_assign_primary_mentor

    policy.require(current_user, "people.bulk_assign_mentor")
    form = BulkAssignMentorForm()
    selected = [as_id(v) for v in request.form.getlist("person_ids") if as_id(v)]
    if not selected:
        flash(_("请先勾选要分配导师的人员。"), "error")
    elif form.validate_on_submit() and form.resolve_mentor(current_user):
        people = [policy.get_visible_person(current_user, int(i)) for i in selected]
        mentor = db.session.get(Person, form.chosen_mentor.id)
        try:
            bulk_assign_primary_mentor(current_user, people, mentor, form.start_date.data, form.reason.data)
        except DomainError as error:
            _apply_errors(form, error)
        else:
            flash(_("已为 %(n)s 人分配带教导师 %(name)s。", n=len(people), name=mentor.name), "success")
            return redirect(url_for("org.people_list", **PeopleFilter.from_args(request.args).args()))
    else:
        flash(_("分配导师未完成，请检查下方的错误。"), "error")
    return _render_list(form, selected), 422


@bp.route("/<int:person_id>")
@login_required
def person_detail(person_id: int):
    person = policy.get_visible_person(current_user, person_id)
    return render_template("org/person_detail.html", person=person)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def person_new():
    policy.require(current_user, "person.create")
    form = PersonForm()
    _fill_choices(form)
    if form.validate_on_submit():
        try:
            person = ops.create_person(current_user, form.to_data())
        except DomainError as error:
            _apply_errors(form, error)
        else:
            flash(_("已新增人员 %(name)s。", name=person.name), "success")
            return redirect(url_for("org.person_detail", person_id=person.id))
    return render_template("org/person_form.html", form=form, person=None)


@bp.route("/<int:person_id>/edit", methods=["GET", "POST"])
@login_required
def person_edit(person_id: int):
    person = policy.get_visible_person(current_user, person_id)
    policy.require(current_user, "person.edit", person)
    form = PersonForm(obj=person)
    if request.method == "GET":
        form.position.data = person.position.name
        form.status.data = person.status.name
        form.education.data = person.education.name if person.education else ""
    _fill_choices(form)
    if form.validate_on_submit():
        try:
            ops.update_person(current_user, person, form.to_data())
        except DomainError as error:
            _apply_errors(form, error)
        else:
            flash(_("已保存。"), "success")
            return redirect(url_for("org.person_detail", person_id=person.id))
    return render_template("org/person_form.html", form=form, person=person)
