"""Batch dossier jobs: render each person's dossier and pack a ZIP, reporting progress in DossierJob.

With REDIS_URL set a job goes to the RQ queue "dossiers", served by `flask --app app dossier-worker`
(`make worker`); without it, the job runs in a background thread of the web process. Either way the
same `run_job()` does the work. A failure on one person is recorded in the job and the rest go on.
"""
import logging
import os
import threading
import zipfile
from pathlib import Path

from flask import current_app

from trainee.core.db import write_transaction
from trainee.core.time import local_today, utcnow
from trainee.extensions import db

log = logging.getLogger(__name__)
QUEUE_NAME = "dossiers"
THREADS: dict[int, threading.Thread] = {}  # job id -> thread (tests join them)


def runner_name(app) -> str:
    return "rq" if app.config.get("REDIS_URL") else "thread"


def job_dir(app, job_id: int) -> Path:
    base = app.config.get("DOSSIER_JOB_DIR") or Path(app.config["INSTANCE_DIR"]) / "dossier_jobs"
    path = Path(base) / str(job_id)
    path.mkdir(parents=True, exist_ok=True)
    return path


def queue(app):
    from redis import Redis
    from rq import Queue

    return Queue(app.config.get("DOSSIER_QUEUE", QUEUE_NAME), connection=Redis.from_url(app.config["REDIS_URL"]))


def launch(app, job_id: int) -> None:
    if runner_name(app) == "rq":
        queue(app).enqueue(rq_run_job, job_id, job_timeout=3600, result_ttl=86400, failure_ttl=7 * 86400)
        return
    app = app._get_current_object() if hasattr(app, "_get_current_object") else app
    thread = threading.Thread(target=_thread_main, args=(app, job_id), name=f"dossier-job-{job_id}", daemon=True)
    THREADS[job_id] = thread
    thread.start()


def _thread_main(app, job_id: int) -> None:
    with app.app_context():
        try:
            run_job(job_id)
        finally:
            db.session.remove()


def rq_run_job(job_id: int) -> None:
    """RQ entry point: inside the worker command's app context, or a fresh app."""
    from flask import has_app_context

    if has_app_context():
        try:
            run_job(job_id)
        finally:
            db.session.remove()
        return
    from trainee import create_app

    with create_app().app_context():
        try:
            run_job(job_id)
        finally:
            db.session.remove()


def _zip_name(job) -> str:
    return f"{job.scope_label}-成长档案-{local_today().isoformat()}.zip".replace(" ", "-")


def run_job(job_id: int) -> None:
    from trainee.auth.models import User
    from trainee.dossiers.models import DossierJob, JobStatus
    from trainee.dossiers.operations import JOB_RETENTION, produce
    from trainee.org.models import Person

    def save(**changes):
        """Write job fields in a short write transaction (never holding a lock while rendering)."""
        with write_transaction():
            job = db.session.get(DossierJob, job_id)
            for key, value in changes.items():
                setattr(job, key, value(job) if callable(value) else value)
        return job

    job = db.session.get(DossierJob, job_id)
    if job is None or job.status is not JobStatus.QUEUED:
        return
    save(status=JobStatus.RUNNING, started_at=utcnow())
    job = db.session.get(DossierJob, job_id)
    actor = db.session.get(User, job.created_by_id)
    variant, person_ids = job.variant, list(job.person_ids)
    folder = job_dir(current_app, job_id)
    target, partial = folder / "dossiers.zip", folder / "dossiers.part"
    errors: list[str] = []
    cancelled = False
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as archive:
            for person_id in person_ids:
                db.session.rollback()  # a fresh read: sees a cancellation requested meanwhile
                job = db.session.get(DossierJob, job_id)
                if job.cancel_requested:
                    cancelled = True
                    break
                person = db.session.get(Person, person_id)
                try:
                    if person is None:
                        raise LookupError(f"人员 {person_id} 不存在")
                    printed = produce(actor, person, variant, job=job)
                    archive.writestr(printed.filename, printed.data)
                    save(done=lambda j: j.done + 1)
                except Exception as error:  # one person's failure is reported, the rest go on
                    db.session.rollback()
                    log.exception("dossier job %s: person %s failed", job_id, person_id)
                    name = person.name if person is not None else str(person_id)
                    errors.append(f"{name}：{type(error).__name__}: {str(error)[:200]}")
                    save(failed=lambda j: j.failed + 1, error="\n".join(errors)[:4000])
        os.replace(partial, target)
    except Exception as error:
        log.exception("dossier job %s failed", job_id)
        partial.unlink(missing_ok=True)
        save(status=JobStatus.FAILED, finished_at=utcnow(),
             error="\n".join([*errors, f"{type(error).__name__}: {error}"])[:4000])
        return
    job = db.session.get(DossierJob, job_id)
    if cancelled:
        target.unlink(missing_ok=True)
        save(status=JobStatus.CANCELLED, finished_at=utcnow())
    elif job.done == 0:
        target.unlink(missing_ok=True)
        save(status=JobStatus.FAILED, finished_at=utcnow())
    else:
        now = utcnow()
        save(status=JobStatus.DONE, finished_at=now, result_path=str(target), result_name=_zip_name(job),
             expires_at=now + JOB_RETENTION)


def purge_expired(app) -> int:
    """Delete the ZIP files of jobs older than the retention period (the job rows stay, as history)."""
    from trainee.dossiers.models import DossierJob

    removed = 0
    expired = db.session.execute(db.select(DossierJob).where(
        DossierJob.expires_at <= utcnow(), DossierJob.result_path.is_not(None))).scalars()
    for job_id, path in [(j.id, j.result_path) for j in expired]:
        Path(path).unlink(missing_ok=True)
        with write_transaction():
            db.session.get(DossierJob, job_id).result_path = None
        removed += 1
    return removed
