"""Printing, registering and verifying dossiers; starting and cancelling batch jobs."""
import hashlib
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy.exc import IntegrityError

from trainee import audit, policy
from trainee.core.db import write_transaction
from trainee.core.errors import DomainError, NotFound, ValidationFailed
from trainee.core.ops import transaction
from trainee.core.time import local_today, utcnow
from trainee.dossiers import render, sections
from trainee.dossiers.models import (
    CODE_LENGTH,
    DossierJob,
    DossierPrint,
    DossierVariant,
    JobStatus,
    new_code,
    normalise_code,
)
from trainee.extensions import db
from trainee.org.models import Department, Person, PersonStatus, Position, Unit

PDF_VARIANTS = {DossierVariant.STANDARD: None, DossierVariant.PDFA: "pdf/a-3b"}
JOB_RETENTION = timedelta(days=7)
MAX_VERIFY_UPLOAD = 30 * 1024 * 1024


@dataclass
class PrintedDossier:
    record: DossierPrint
    data: bytes

    @property
    def filename(self) -> str:
        suffix = "-PDFA" if self.record.variant is DossierVariant.PDFA else ""
        return f"成长档案-{self.record.person.staff_no}-{self.record.person_name}{suffix}.pdf"


def parse_variant(raw: str | None) -> DossierVariant:
    if raw in (None, "", "standard"):
        return DossierVariant.STANDARD
    if raw in ("pdfa", "PDFA", "pdf/a-3b"):
        return DossierVariant.PDFA
    raise ValidationFailed("未知的档案版本，可选 standard 或 pdfa。", {"variant": ["可选 standard 或 pdfa。"]})


def _actor_name(actor) -> str:
    return actor.display_name if actor is not None else "system"


def produce(actor, person: Person, variant: DossierVariant = DossierVariant.STANDARD, *,
            job: DossierJob | None = None, system: bool = False) -> PrintedDossier:
    """Render one dossier, register it (code, SHA-256, pages) and audit the print, in one transaction.

    Permission is checked here for single prints; a batch job checked its scope when it was started;
    `system` is the server command line (`flask dossier`), recorded as printed by "system".
    """
    if job is None and not system:
        policy.require(actor, "dossier.print", person)
    for _attempt in range(3):
        code = new_code()
        ctx = sections.DossierContext(today=local_today(), code=code, printed_by=_actor_name(actor))
        html = render.render_html(person, ctx, pdf=True)
        pdf = render.html_to_pdf(html, variant=PDF_VARIANTS[variant])
        record = DossierPrint(
            code=code, person=person, person_name=person.name, unit_name=person.unit.name,
            printed_by_id=actor.id if actor is not None else None, printed_by_name=_actor_name(actor),
            printed_at=utcnow(), variant=variant, sha256=hashlib.sha256(pdf.data).hexdigest(),
            page_count=pdf.pages, byte_count=len(pdf.data), job_id=job.id if job else None,
            font_note=pdf.glyphs.summary()[:300] or None)
        try:
            # Rendering only read; the write takes the lock just for the insert (SQLite: BEGIN IMMEDIATE).
            with write_transaction():
                db.session.add(record)
                db.session.flush()
                audit.record("dossier.printed", record, actor=actor, unit_id=person.unit_id,
                             after={"person_id": person.id, "code": code, "variant": variant.name,
                                    "sha256": record.sha256, "pages": pdf.pages, "job_id": record.job_id},
                             summary=f"打印成长档案 {person.name}（{variant.label}，{pdf.pages} 页）")
        except IntegrityError:  # the same 80-bit code twice: practically never, but never a wrong record
            continue
        return PrintedDossier(record, pdf.data)
    raise DomainError("生成核验码失败，请重试。")


@dataclass
class Verification:
    record: DossierPrint | None
    code: str
    file_checked: bool = False
    file_matches: bool | None = None
    file_sha256: str | None = None


def verify(raw_code: str, upload: bytes | None = None) -> Verification:
    """Look a code up; with a file, compare its SHA-256 with the registered one."""
    code = normalise_code(raw_code)
    if not code:
        raise ValidationFailed("请输入核验码。", {"code": ["请输入核验码。"]})
    if len(code) != CODE_LENGTH:
        raise ValidationFailed(f"核验码应为 {CODE_LENGTH} 位字母或数字（可含连字符）。",
                               {"code": [f"核验码应为 {CODE_LENGTH} 位。"]})
    record = db.session.execute(db.select(DossierPrint).where(DossierPrint.code == code)).scalar_one_or_none()
    result = Verification(record=record, code=code)
    if upload is not None:
        if not upload.startswith(b"%PDF-"):
            raise ValidationFailed("上传的文件不是 PDF 文件。", {"file": ["请上传打印得到的 PDF 文件。"]})
        result.file_checked = True
        result.file_sha256 = hashlib.sha256(upload).hexdigest()
        result.file_matches = record is not None and result.file_sha256 == record.sha256
    return result


# --- batch ---------------------------------------------------------------------------------------

def batch_people(scope_kind: str, scope_id: int, unit_id: int | None = None) -> tuple[str, Unit, list[Person]]:
    """The active trainees of a unit (without its child units), a department, or one stage within a unit
    (scope_id = the stage's id, unit_id = the unit), in staff-number order."""
    from trainee.points.queries import current_stage_codes
    from trainee.training.models import Stage

    query = db.select(Person).where(Person.position == Position.ASSISTANT, Person.status == PersonStatus.ACTIVE)
    stage = None
    if scope_kind in ("unit", "stage"):
        unit = db.session.get(Unit, scope_id if scope_kind == "unit" else unit_id or 0)
        if unit is None:
            raise NotFound("没有找到该单位。")
        label, query = unit.name, query.where(Person.unit_id == unit.id)
        if scope_kind == "stage":
            stage = db.session.get(Stage, scope_id)
            if stage is None:
                raise ValidationFailed("请选择培养阶段。", {"stage_id": ["请选择培养阶段。"]})
            label = f"{unit.name} {stage.name}"
    elif scope_kind == "department":
        department = db.session.get(Department, scope_id)
        if department is None:
            raise NotFound("没有找到该部门。")
        unit = department.unit
        label, query = f"{unit.name} {department.name}", query.where(Person.department_id == department.id)
    else:
        raise ValidationFailed("请选择打印范围：单位、部门或阶段。", {"scope": ["请选择单位、部门或阶段。"]})
    people = list(db.session.execute(query.order_by(Person.staff_no)).scalars())
    if stage is not None:
        codes = current_stage_codes([p.id for p in people])
        people = [p for p in people if codes.get(p.id) == stage.code]
    return label, unit, people


def start_batch(actor, scope_kind: str, scope_id: int, variant: DossierVariant,
                unit_id: int | None = None) -> DossierJob:
    label, unit, people = batch_people(scope_kind, scope_id, unit_id)
    policy.require(actor, "dossier.batch", unit)
    people = [p for p in people if policy.can(actor, "dossier.print", p)]
    if not people:
        raise ValidationFailed(f"{label}没有在培的检察官助理，无需打印。", {"scope": ["所选范围内没有在培人员。"]})
    from trainee.dossiers import jobs

    with transaction():
        job = DossierJob(created_by_id=actor.id, scope_kind=scope_kind, scope_id=scope_id, scope_label=label,
                         unit_id=unit.id, variant=variant, person_ids=[p.id for p in people], total=len(people),
                         status=JobStatus.QUEUED, runner=jobs.runner_name(current_app))
        db.session.add(job)
        db.session.flush()
        audit.record("dossier.batch_started", job, actor=actor, unit_id=unit.id,
                     after={"scope": f"{scope_kind}:{scope_id}", "total": len(people), "variant": variant.name},
                     summary=f"批量打印成长档案：{label}（{len(people)} 人）")
    jobs.launch(current_app, job.id)
    jobs.purge_expired(current_app)  # downloads are kept 7 days; each new batch clears the expired ones
    return job


def cancel_batch(actor, job: DossierJob) -> DossierJob:
    policy.require(actor, "dossier.job.view", job)
    if job.status.finished:
        raise DomainError("该任务已结束，无法取消。")
    with transaction():
        job.cancel_requested = True
        if job.status is JobStatus.QUEUED:
            job.status, job.finished_at = JobStatus.CANCELLED, utcnow()
        audit.record("dossier.batch_cancelled", job, actor=actor, unit_id=job.unit_id,
                     summary=f"取消批量打印：{job.scope_label}")
    return job


def visible_jobs(actor, limit: int = 50) -> list[DossierJob]:
    jobs = db.session.execute(db.select(DossierJob).order_by(DossierJob.id.desc()).limit(200)).scalars()
    return [j for j in jobs if policy.can(actor, "dossier.job.view", j)][:limit]


def get_job(actor, job_id: int) -> DossierJob:
    job = db.session.get(DossierJob, job_id)
    if job is None or not policy.can(actor, "dossier.job.view", job):
        raise NotFound("没有找到该任务，或您无权查看。")
    return job


def job_expired(job: DossierJob) -> bool:
    return job.expires_at is not None and job.expires_at <= utcnow()
