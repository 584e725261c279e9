from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from trainee import policy
from trainee.core.errors import DomainError
from trainee.core.params import as_id
from trainee.extensions import db
from trainee.org import operations as ops
from trainee.org.forms import PersonForm
from trainee.org.models import Department, PersonStatus, Position
from trainee.org.queries import PeopleFilter, paginate_people, units_in_scope

bp = Blueprint("org", __name__, url_prefix="/people")


def _fill_choices(form: PersonForm) -> None:
    units = units_in_scope(current_user)
    form.unit_id.choices = [(u.id, u.name) for u in units]
    departments = db.session.execute(
        db.select(Department).where(Department.unit_id.in_([u.id for u in units])).order_by(Department.id)
    ).scalars().all()
    form.department_id.choices = [("", "—")] + [(d.id, f"{d.unit.short_name} · {d.name}") for d in departments]


def _apply_errors(form, error: DomainError) -> None:
    for field, messages in error.field_errors.items():
        if hasattr(form, field):
            getattr(form, field).errors = list(getattr(form, field).errors) + messages
    flash(error.message, "error")


@bp.route("/")
@login_required
def people_list():
    policy.require(current_user, "people.list")
    flt = PeopleFilter.from_args(request.args)
    page = request.args.get("page", "1")
    items, page, pages, total = paginate_people(current_user, flt, as_id(page, 1),
                                                current_app.config["PAGE_SIZE"])
    return render_template("org/people_list.html", items=items, page=page, pages=pages, total=total, flt=flt,
                           units=units_in_scope(current_user), positions=Position, statuses=PersonStatus)


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
