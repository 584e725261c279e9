from datetime import datetime, timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from trainee import policy
from trainee.admin.forms import UserForm
from trainee.audit import AuditEntry
from trainee.auth import operations as auth_ops
from trainee.auth.models import Role, User
from trainee.core.errors import DomainError, NotFound
from trainee.core.forms import show_domain_error as _show_errors
from trainee.core.params import as_id
from trainee.extensions import db
from trainee.org import operations as org_ops
from trainee.org.forms import DepartmentForm, UnitForm
from trainee.org.models import Department, Person, Unit, UnitLevel
from trainee.org.queries import organisation_order

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _admins_only():
    policy.require(current_user, "admin.access")


def _get(model, object_id):
    obj = db.session.get(model, object_id)
    if obj is None:
        raise NotFound("对象不存在。")
    return obj


@bp.route("/users")
def users():
    q = (request.args.get("q") or "").strip()[:50]
    query = db.select(User).options(joinedload(User.person), joinedload(User.unit)).order_by(User.username).where(
        User.unit_id.in_(policy.scoped_unit_ids(current_user)))
    if q:
        query = query.outerjoin(Person, User.person_id == Person.id).where(
            db.or_(User.username.like(f"%{q}%"), Person.name.like(f"%{q}%")))
    page = db.paginate(query, per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("admin/users.html", page=page, q=q)


def _scoped_units():
    return organisation_order(db.session.execute(
        db.select(Unit).where(Unit.id.in_(policy.scoped_unit_ids(current_user)))).scalars().all())


def _user_form_choices(form):
    form.unit_id.choices = [(u.id, u.name) for u in _scoped_units()]
    without_account = db.select(Person).outerjoin(User, User.person_id == Person.id).where(
        User.id.is_(None), Person.unit_id.in_(policy.scoped_unit_ids(current_user)))
    people = db.session.execute(without_account.order_by(Person.staff_no).limit(500)).scalars().all()
    form.person_id.choices = [("", "—")] + [(p.id, f"{p.name}（{p.staff_no}）") for p in people]


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    form = UserForm()
    _user_form_choices(form)
    if form.validate_on_submit():
        if not form.password.data:
            form.password.errors = [_("新用户须设置初始密码。")]
        else:
            try:
                user = auth_ops.create_user(
                    current_user, username=form.username.data, password=form.password.data,
                    unit=db.session.get(Unit, form.unit_id.data),
                    person=db.session.get(Person, form.person_id.data) if form.person_id.data else None,
                    roles=[Role[r] for r in form.roles.data])
            except DomainError as error:
                _show_errors(form, error)
            else:
                flash(_("已创建用户 %(name)s，首次登录须修改密码。", name=user.username), "success")
                return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    user = _get(User, user_id)
    if not policy.can(current_user, "user.manage", user):
        raise NotFound("对象不存在。")
    form = UserForm(obj=user)
    _user_form_choices(form)
    if user.person:
        form.person_id.choices.append((user.person.id, user.person.name))
    if request.method == "GET":
        form.roles.data = [r.name for r in user.roles]
        form.person_id.data = user.person_id
    if form.validate_on_submit():
        try:
            auth_ops.update_user(current_user, user, roles=[Role[r] for r in form.roles.data],
                                 active=form.active.data, unit=db.session.get(Unit, form.unit_id.data))
            if form.password.data:
                auth_ops.set_password(current_user, user, form.password.data, must_change=True)
        except DomainError as error:
            _show_errors(form, error)
        else:
            flash(_("已保存。"), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user)


@bp.route("/units")
def units():
    all_units = organisation_order(db.session.execute(
        db.select(Unit).options(joinedload(Unit.departments)).where(Unit.id.in_(policy.scoped_unit_ids(current_user)))
    ).unique().scalars().all())
    return render_template("admin/units.html", units=all_units)


def _unit_choices(form, exclude: Unit | None = None):
    options = _scoped_units()
    form.parent_id.choices = [("", "—")] + [(u.id, u.name) for u in options
                                            if exclude is None or not u.path.startswith(exclude.path)]


@bp.route("/units/new", methods=["GET", "POST"])
@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
def unit_edit(unit_id: int | None = None):
    unit = _get(Unit, unit_id) if unit_id else None
    if unit is not None and not policy.can(current_user, "unit.manage", unit):
        raise NotFound("对象不存在。")
    form = UnitForm(obj=unit)
    if request.method == "GET" and unit:
        form.level.data = unit.level.name
    _unit_choices(form, unit)
    if form.validate_on_submit():
        data = {"code": form.code.data, "name": form.name.data, "short_name": form.short_name.data,
                "level": UnitLevel[form.level.data], "parent_id": form.parent_id.data}
        try:
            org_ops.save_unit(current_user, unit, data)
        except DomainError as error:
            _show_errors(form, error)
        else:
            flash(_("已保存。"), "success")
            return redirect(url_for("admin.units"))
    return render_template("admin/unit_form.html", form=form, unit=unit)


@bp.route("/departments/new", methods=["GET", "POST"])
@bp.route("/departments/<int:department_id>", methods=["GET", "POST"])
def department_edit(department_id: int | None = None):
    from trainee.org.models import DepartmentKind

    department = _get(Department, department_id) if department_id else None
    if department is not None and not policy.can(current_user, "unit.manage", department.unit):
        raise NotFound("对象不存在。")
    form = DepartmentForm(obj=department)
    form.unit_id.choices = [(u.id, u.name) for u in _scoped_units()]
    if request.method == "GET":
        if department:
            form.kind.data = department.kind.name
        elif as_id(request.args.get("unit")):
            form.unit_id.data = as_id(request.args["unit"])
    if form.validate_on_submit():
        data = {"unit_id": form.unit_id.data, "name": form.name.data.strip(), "kind": DepartmentKind[form.kind.data]}
        try:
            org_ops.save_department(current_user, department, data)
        except DomainError as error:
            _show_errors(form, error)
        else:
            flash(_("已保存。"), "success")
            return redirect(url_for("admin.units"))
    return render_template("admin/department_form.html", form=form, department=department)


@bp.route("/audit")
def audit_log():
    args = request.args
    query = db.select(AuditEntry).options(joinedload(AuditEntry.actor)).order_by(AuditEntry.id.desc())
    if current_user.unit.parent_id is not None:  # a district administrator sees the trail of their units only
        query = query.where(AuditEntry.unit_id.in_(policy.scoped_unit_ids(current_user)))
    if args.get("actor"):
        query = query.where(AuditEntry.actor_name == args["actor"][:50])
    if args.get("action"):
        query = query.where(AuditEntry.action.startswith(args["action"][:64]))
    if args.get("object_type"):
        query = query.where(AuditEntry.object_type == args["object_type"][:40])
    if as_id(args.get("object_id")):
        query = query.where(AuditEntry.object_id == as_id(args["object_id"]))
    for name, op in (("since", "ge"), ("until", "lt")):
        try:
            day = datetime.strptime(args.get(name, ""), "%Y-%m-%d")
        except ValueError:
            continue
        # Days are local (UTC+8); the column is UTC.
        bound = day - timedelta(hours=8) + (timedelta(days=1) if op == "lt" else timedelta())
        query = query.where(AuditEntry.at >= bound if op == "ge" else AuditEntry.at < bound)
    page = db.paginate(query, per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("admin/audit.html", page=page, args=args)
