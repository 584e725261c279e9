from pathlib import Path

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import CombinedMultiDict

from trainee import policy
from trainee.core.errors import DomainError, ValidationFailed
from trainee.core.params import as_id
from trainee.core.time import local_today
from trainee.dossiers import fonts, render, sections
from trainee.dossiers import operations as ops
from trainee.dossiers.forms import BatchForm, VerifyForm
from trainee.extensions import db, limiter
from trainee.org.models import Department
from trainee.org.queries import units_in_scope
from trainee.training.models import Stage

bp = Blueprint("dossiers", __name__)


def pdf_response(printed: ops.PrintedDossier):
    response = current_app.response_class(printed.data, mimetype="application/pdf")
    from urllib.parse import quote

    response.headers["Content-Disposition"] = (f"attachment; filename=\"dossier-{printed.record.code}.pdf\"; "
                                               f"filename*=UTF-8''{quote(printed.filename)}")
    response.headers["X-Dossier-Code"] = printed.record.display_code
    response.headers["X-Dossier-Pages"] = str(printed.record.page_count)
    return response


@bp.route("/people/<int:person_id>/dossier")
@login_required
def preview(person_id: int):
    person = policy.get_visible_person(current_user, person_id)
    policy.require(current_user, "dossier.print", person)
    ctx = sections.DossierContext(today=local_today())
    html = render.render_html(person, ctx, preview=True, **preview_links(person))
    glyphs = fonts.check_text(render.visible_text(html))
    if glyphs.missing:  # again with the warning bar (only when the system fallback font lacks them too)
        html = render.render_html(person, ctx, preview=True, glyphs=glyphs, **preview_links(person))
    return html


def preview_links(person) -> dict:
    return {"back_url": url_for("org.person_detail", person_id=person.id),
            "pdf_url": url_for("dossiers.pdf", person_id=person.id),
            "pdfa_url": url_for("dossiers.pdf", person_id=person.id, variant="pdfa")}


@bp.route("/people/<int:person_id>/dossier.pdf")
@login_required
def pdf(person_id: int):
    person = policy.get_visible_person(current_user, person_id)
    variant = ops.parse_variant(request.args.get("variant"))
    return pdf_response(ops.produce(current_user, person, variant))


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def verify():
    """Public: anyone holding a paper copy may check its code; only name, unit and print date are shown."""
    formdata = CombinedMultiDict((request.files, request.form)) if request.method == "POST" else request.args
    form = VerifyForm(formdata, meta={"csrf": False})  # public and side-effect free: no session, no CSRF token
    result = None
    if form.code.data:
        upload = None
        if request.method == "POST" and form.file.data:
            upload = request.files["file"].read(ops.MAX_VERIFY_UPLOAD + 1)
            if len(upload) > ops.MAX_VERIFY_UPLOAD:
                form.file.errors = [_("文件过大。")]
                upload = None
        try:
            result = ops.verify(form.code.data, upload)
        except ValidationFailed as error:
            for name, messages in error.field_errors.items():
                getattr(form, name).errors = list(getattr(form, name).errors or []) + messages
            flash(error.message, "error")
    status = 200 if result is None or result.record is not None else 404
    return render_template("dossiers/verify.html", form=form, result=result), status


# --- batch ---------------------------------------------------------------------------------------

def _fill_batch_choices(form: BatchForm) -> None:
    units = units_in_scope(current_user)
    form.unit_id.choices = [("", "—")] + [(str(u.id), u.name) for u in units]
    departments = db.session.execute(db.select(Department).where(Department.unit_id.in_([u.id for u in units]))
                                     .order_by(Department.unit_id, Department.id)).scalars().all()
    form.department_id.choices = [("", "—")] + [(str(d.id), f"{d.unit.short_name} · {d.name}") for d in departments]
    stages = db.session.execute(db.select(Stage).order_by(Stage.order)).scalars().all()
    form.stage_id.choices = [("", "—")] + [(str(s.id), s.name) for s in stages]


@bp.route("/dossiers/batch", methods=["GET", "POST"])
@login_required
def batch():
    policy.require(current_user, "dossier.batch")
    form = BatchForm()
    _fill_batch_choices(form)
    if form.validate_on_submit():
        kind = form.scope.data
        # unit: the unit; department: the department; stage: the stage, within the chosen unit
        needed = {"unit": ["unit_id"], "department": ["department_id"], "stage": ["stage_id", "unit_id"]}.get(kind, [])
        try:
            missing = [name for name in needed if as_id(getattr(form, name).data) is None]
            if missing:
                raise ValidationFailed(_("请选择要打印的单位、部门或阶段。"), {name: [_("请选择。")] for name in missing})
            scope_id = as_id(getattr(form, needed[0]).data)
            unit_id = as_id(form.unit_id.data) if kind == "stage" else None
            job = ops.start_batch(current_user, kind, scope_id, ops.parse_variant(form.variant.data), unit_id=unit_id)
        except DomainError as error:
            for name, messages in error.field_errors.items():
                target = getattr(form, name, None) or form.scope
                target.errors = list(target.errors or []) + messages
            flash(error.message, "error")
        else:
            flash(_("已开始批量打印，共 %(n)s 人。", n=job.total), "success")
            return redirect(url_for("dossiers.job", job_id=job.id))
    return render_template("dossiers/batch.html", form=form, jobs=ops.visible_jobs(current_user, 20))


@bp.route("/dossiers/jobs")
@login_required
def jobs():
    policy.require(current_user, "dossier.batch")
    return render_template("dossiers/jobs.html", jobs=ops.visible_jobs(current_user), expired=ops.job_expired)


@bp.route("/dossiers/jobs/<int:job_id>")
@login_required
def job(job_id: int):
    job = ops.get_job(current_user, job_id)
    return render_template("dossiers/job.html", job=job, expired=ops.job_expired(job))


def job_json(job) -> dict:
    return {"id": job.id, "status": job.status.value, "status_label": str(job.status.label), "total": job.total,
            "done": job.done, "failed": job.failed, "percent": job.percent, "finished": job.status.finished,
            "error": job.error, "download_url": url_for("dossiers.job_download", job_id=job.id)
            if job.result_path and not ops.job_expired(job) else None}


@bp.route("/dossiers/jobs/<int:job_id>/status.json")
@login_required
def job_status(job_id: int):
    return jsonify(job_json(ops.get_job(current_user, job_id)))


@bp.route("/dossiers/jobs/<int:job_id>/download")
@login_required
def job_download(job_id: int):
    job = ops.get_job(current_user, job_id)
    if not job.result_path or ops.job_expired(job) or not Path(job.result_path).is_file():
        abort(404)
    return send_file(job.result_path, mimetype="application/zip", as_attachment=True,
                     download_name=job.result_name or f"dossiers-{job.id}.zip")


@bp.route("/dossiers/jobs/<int:job_id>/cancel", methods=["POST"])
@login_required
def job_cancel(job_id: int):
    job = ops.get_job(current_user, job_id)
    try:
        ops.cancel_batch(current_user, job)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("已请求取消。"), "success")
    return redirect(url_for("dossiers.job", job_id=job.id))
