"""Admin editing of the 三阶九转 model: stage and transition texts, minimum months, requirements.

Codes S1–S3 / T1–T9 are stable; requirements are retired, never deleted. Every change is audited.
"""
import json

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from trainee import audit, policy
from trainee.core.errors import DomainError, NotFound, ValidationFailed
from trainee.core.ops import transaction
from trainee.extensions import db
from trainee.training.forms import RequirementForm, StageForm, TransitionForm
from trainee.training.models import Requirement, RequirementKind, Stage, Transition
from trainee.training.progress import load_model, reset_model_cache

bp = Blueprint("training_admin", __name__, url_prefix="/admin/training")

STAGE_FIELDS = ("name", "theme", "description", "min_months")
TRANSITION_FIELDS = ("name", "aim", "description")
REQUIREMENT_FIELDS = ("kind", "label", "params", "order", "active")
LEVELS = ("UNIT", "CITY", "PROVINCE", "NATIONAL")


@bp.before_request
@login_required
def _admins_only():
    policy.require(current_user, "training.admin")


def _get(model, object_id):
    obj = db.session.get(model, object_id)
    if obj is None:
        raise NotFound("对象不存在。")
    return obj


def _int(params, key, minimum, errors, maximum=10_000):
    value = params.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        errors.append(f"{key} 须为 {minimum} 到 {maximum} 之间的整数")


def validate_params(kind: RequirementKind, params) -> dict:
    """Check a requirement's params against its kind; raise ValidationFailed with a clear message."""
    from trainee.activities.models import ActivityType

    if not isinstance(params, dict):
        raise ValidationFailed("参数须为 JSON 对象。", {"params": ["参数须为 JSON 对象。"]})
    allowed = {
        RequirementKind.ACTIVITY_COUNT: {"types", "count"}, RequirementKind.CHECKLIST: {"category", "stage"},
        RequirementKind.ROTATION: {"departments", "months"}, RequirementKind.POINTS: {"points", "dimension"},
        RequirementKind.COMPETITION: {"count", "min_level"}, RequirementKind.PLAN: set(),
        RequirementKind.MENTORING: {"count"}, RequirementKind.MANUAL: {"milestone"},
    }[kind]
    errors = [f"未知参数 {key}" for key in params if key not in allowed]
    missing = [key for key in allowed if key not in params and not (kind is RequirementKind.POINTS and key == "dimension")]
    errors += [f"缺少参数 {key}" for key in missing]
    if not errors:
        if kind is RequirementKind.ACTIVITY_COUNT:
            codes = set(db.session.execute(db.select(ActivityType.code)).scalars())
            types = params["types"]
            if not isinstance(types, list) or not types or any(t not in codes for t in types):
                errors.append("types 须为已有工作类型代码的列表，如 [\"ASSIST_CASE\"]")
            _int(params, "count", 1, errors)
        elif kind is RequirementKind.CHECKLIST:
            if params["category"] not in ("POLITICAL", "BUSINESS"):
                errors.append("category 须为 POLITICAL 或 BUSINESS")
            if params["stage"] not in ("S1", "S2", "S3"):
                errors.append("stage 须为 S1、S2 或 S3")
        elif kind is RequirementKind.ROTATION:
            _int(params, "departments", 1, errors, 20)
            _int(params, "months", 0, errors, 60)
        elif kind is RequirementKind.POINTS:
            points = params["points"]
            if isinstance(points, bool) or not isinstance(points, (int, float)) or not 0 < points <= 10_000:
                errors.append("points 须为大于 0 的数")
            if params.get("dimension") not in (None, "D1", "D2", "D3", "D4"):
                errors.append("dimension 须为 D1–D4 或 null")
        elif kind is RequirementKind.COMPETITION:
            _int(params, "count", 1, errors, 100)
            if params["min_level"] not in LEVELS:
                errors.append("min_level 须为 " + "/".join(LEVELS))
        elif kind is RequirementKind.MENTORING:
            _int(params, "count", 1, errors, 20)
        elif kind is RequirementKind.MANUAL:
            milestone = params["milestone"]
            if not isinstance(milestone, str) or not milestone.strip() or len(milestone) > 100 or "<" in milestone:
                errors.append("milestone 须为 1–100 字的文字")
    if errors:
        message = "参数有误：" + "；".join(errors) + "。"
        raise ValidationFailed(message, {"params": [message]})
    return params


def _errors(form, error: DomainError):
    for field, messages in error.field_errors.items():
        if hasattr(form, field):
            getattr(form, field).errors = list(getattr(form, field).errors) + messages
    flash(error.message, "error")


@bp.route("/")
def model():
    retired = db.session.execute(db.select(Requirement).where(Requirement.active.is_(False))
                                 .order_by(Requirement.transition_id, Requirement.order)).scalars().all()
    return render_template("training/admin_model.html", stages=load_model(), retired=retired,
                           as_json=lambda value: json.dumps(value, ensure_ascii=False))


@bp.route("/stages/<int:stage_id>", methods=["GET", "POST"])
def stage_edit(stage_id: int):
    stage = _get(Stage, stage_id)
    form = StageForm(obj=stage)
    if form.validate_on_submit():
        if "<" in (form.name.data + form.theme.data + (form.description.data or "")):
            form.name.errors = [_("不能包含尖括号等标记字符。")]
        else:
            before = audit.snapshot(stage, STAGE_FIELDS)
            with transaction():
                stage.name, stage.theme = form.name.data.strip(), form.theme.data.strip()
                stage.description, stage.min_months = (form.description.data or "").strip(), form.min_months.data
                audit.record("training_model.stage_edited", stage, before=before,
                             after=audit.snapshot(stage, STAGE_FIELDS), summary=f"修改阶段 {stage.code}")
            reset_model_cache()
            flash(_("已保存。"), "success")
            return redirect(url_for("training_admin.model"))
    return render_template("training/admin_form.html", form=form, title=_("编辑阶段 %(code)s", code=stage.code))


@bp.route("/transitions/<int:transition_id>", methods=["GET", "POST"])
def transition_edit(transition_id: int):
    transition = _get(Transition, transition_id)
    form = TransitionForm(obj=transition)
    if form.validate_on_submit():
        if "<" in (form.name.data + (form.aim.data or "") + (form.description.data or "")):
            form.name.errors = [_("不能包含尖括号等标记字符。")]
        else:
            before = audit.snapshot(transition, TRANSITION_FIELDS)
            with transaction():
                transition.name = form.name.data.strip()
                transition.aim, transition.description = (form.aim.data or "").strip(), (form.description.data or "").strip()
                audit.record("training_model.transition_edited", transition, before=before,
                             after=audit.snapshot(transition, TRANSITION_FIELDS), summary=f"修改转变 {transition.code}")
            reset_model_cache()
            flash(_("已保存。"), "success")
            return redirect(url_for("training_admin.model"))
    return render_template("training/admin_form.html", form=form,
                           title=_("编辑转变 %(code)s", code=transition.code))


def _save_requirement(form, requirement, transition):
    try:
        kind = RequirementKind[form.kind.data]
        try:
            params = json.loads(form.params.data or "{}")
        except ValueError:
            raise ValidationFailed("参数不是有效的 JSON。", {"params": ["参数不是有效的 JSON。"]}) from None
        params = validate_params(kind, params)
        label = form.label.data.strip()
        if "<" in label or ">" in label:
            raise ValidationFailed("显示名称不能包含尖括号。", {"label": ["不能包含尖括号等标记字符。"]})
        before = audit.snapshot(requirement, REQUIREMENT_FIELDS) if requirement else None
        with transaction():
            if requirement is None:
                requirement = Requirement(transition_id=transition.id, active=True)
                db.session.add(requirement)
            requirement.kind, requirement.params, requirement.label = kind, params, label
            requirement.order = form.order.data or 0
            db.session.flush()
            audit.record("training_model.requirement_saved", requirement, before=before,
                         after=audit.snapshot(requirement, REQUIREMENT_FIELDS),
                         summary=f"保存 {transition.code} 的要求：{label}")
    except DomainError as error:
        _errors(form, error)
        return None
    reset_model_cache()
    return requirement


@bp.route("/transitions/<int:transition_id>/requirements/new", methods=["GET", "POST"])
def requirement_new(transition_id: int):
    transition = _get(Transition, transition_id)
    form = RequirementForm()
    if form.validate_on_submit() and _save_requirement(form, None, transition):
        flash(_("已添加要求。"), "success")
        return redirect(url_for("training_admin.model"))
    return render_template("training/admin_form.html", form=form, params_help=True,
                           title=_("为 %(code)s 添加要求", code=transition.code))


@bp.route("/requirements/<int:requirement_id>", methods=["GET", "POST"])
def requirement_edit(requirement_id: int):
    requirement = _get(Requirement, requirement_id)
    form = RequirementForm(obj=requirement)
    if not form.is_submitted():
        form.kind.data = requirement.kind.name
        form.params.data = json.dumps(requirement.params, ensure_ascii=False)
    if form.validate_on_submit() and _save_requirement(form, requirement, requirement.transition):
        flash(_("已保存。"), "success")
        return redirect(url_for("training_admin.model"))
    return render_template("training/admin_form.html", form=form, params_help=True, requirement=requirement,
                           title=_("编辑要求：%(label)s", label=requirement.label))


@bp.route("/requirements/<int:requirement_id>/retire", methods=["POST"])
def requirement_retire(requirement_id: int):
    requirement = _get(Requirement, requirement_id)
    before = audit.snapshot(requirement, REQUIREMENT_FIELDS)
    with transaction():
        requirement.active = not requirement.active
        audit.record("training_model.requirement_retired" if not requirement.active
                     else "training_model.requirement_restored", requirement, before=before,
                     after=audit.snapshot(requirement, REQUIREMENT_FIELDS),
                     summary=f"{'停用' if not requirement.active else '恢复'}要求：{requirement.label}")
    reset_model_cache()
    flash(_("已停用此要求。") if not requirement.active else _("已恢复此要求。"), "success")
    return redirect(url_for("training_admin.model"))
