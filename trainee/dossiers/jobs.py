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

    job = db.session.get(DossierJob, job_id)
    if job is None or job.status is not JobStatus.QUEUED:
        return
    job.status, job.started_at = JobStatus.RUNNING, utcnow()
    db.session.commit()
    actor = db.session.get(User, job.created_by_id)
    folder = job_dir(current_app, job.id)
    target = folder / "dossiers.zip"
    errors: list[str] = []
    try:
        with zipfile.ZipFile(target.with_suffix(".part"), "w", compression=zipfile.ZIP_STORED) as archive:
            for person_id in list(job.person_ids):
                db.session.refresh(job)
                if job.cancel_requested:
                    break
                person = db.session.get(Person, person_id)
                try:
                    if person is None:
                        raise LookupError(f"人员 {person_id} 不存在")
                    printed = produce(actor, person, job.variant, job=job)
                    archive.writestr(printed.filename, printed.data)
                    job.done += 1
                except Exception as error:  # one person's failure is reported, the rest go on
                    db.session.rollback()
                    log.exception("dossier job %s: person %s failed", job.id, person_id)
                    name = person.name if person is not None else str(person_id)
                    errors.append(f"{name}：{type(error).__name__}: {str(error)[:200]}")
                    job = db.session.get(DossierJob, job_id)
                    job.failed += 1
                job.error = "\n".join(errors) or None
                db.session.commit()
        os.replace(target.with_suffix(".part"), target)
    except Exception as error:
        db.session.rollback()
        log.exception("dossier job %s failed", job_id)
        job = db.session.get(DossierJob, job_id)
        job.status, job.finished_at = JobStatus.FAILED, utcnow()
        job.error = "\n".join([*errors, f"{type(error).__name__}: {error}"])[:4000]
        db.session.commit()
        return
    db.session.refresh(job)
    job.finished_at = utcnow()
    if job.cancel_requested:
        job.status = JobStatus.CANCELLED
        target.unlink(missing_ok=True)
    elif job.done == 0:
        job.status = JobStatus.FAILED
        target.unlink(missing_ok=True)
    else:
        job.status = JobStatus.DONE
        job.result_path, job.result_name = str(target), _zip_name(job)
        job.expires_at = job.finished_at + JOB_RETENTION
    db.session.commit()


def purge_expired(app) -> int:
    """Delete the ZIP files of jobs older than the retention period (the job rows stay, as history)."""
    from trainee.dossiers.models import DossierJob

    removed = 0
    expired = db.session.execute(db.select(DossierJob).where(
        DossierJob.expires_at <= utcnow(), DossierJob.result_path.is_not(None))).scalars()
    for job in expired:
        Path(job.result_path).unlink(missing_ok=True)
        job.result_path = None
        removed += 1
    db.session.commit()
    return removed
