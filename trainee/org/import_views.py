"""Import of people: template download, upload → preview (every row validated) → commit all or none."""
from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from trainee import policy
from trainee.core.errors import DomainError
from trainee.org import importer
from trainee.org.views import bp


@bp.route("/import/template.xlsx")
@login_required
def import_template():
    policy.require(current_user, "people.import")
    return Response(importer.template_workbook(),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=people-import-template.xlsx; "
                                                    "filename*=UTF-8''%E4%BA%BA%E5%91%98%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"})


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_upload():
    policy.require(current_user, "people.import")
    if request.method == "GET":
        return render_template("org/import_upload.html", limits=importer)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("请选择要导入的 .xlsx 或 .csv 文件。"), "error")
        return render_template("org/import_upload.html", limits=importer), 422
    data = upload.stream.read(importer.MAX_BYTES + 1)
    try:
        plan = importer.plan_import(current_user, importer.read_table(upload.filename, data))
    except DomainError as error:
        flash(error.message, "error")
        return render_template("org/import_upload.html", limits=importer), 422
    token = importer.store_upload(current_user, upload.filename, data) if plan.ok else None
    return render_template("org/import_preview.html", plan=plan, token=token, filename=upload.filename)


@bp.route("/import/commit", methods=["POST"])
@login_required
def import_commit():
    policy.require(current_user, "people.import")
    token = request.form.get("token", "")
    try:
        filename, data = importer.load_upload(current_user, token)
        # Validated again against the database as it is now: nothing stale is written.
        plan = importer.plan_import(current_user, importer.read_table(filename, data))
        if not plan.ok:
            return render_template("org/import_preview.html", plan=plan, token=None, filename=filename), 422
        counts = importer.commit_import(current_user, plan, filename)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("org.import_upload"))
    importer.discard_upload(token)
    flash(_("导入完成：新增 %(c)s 人，更新 %(u)s 人，无变化 %(n)s 人。", c=counts["create"], u=counts["update"],
            n=counts["unchanged"]), "success")
    return redirect(url_for("org.people_list"))
