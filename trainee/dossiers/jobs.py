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
    from trainee.dossiers.models import DossierJob, JobStatus
    from trainee.dossiers.operations import JOB_RETENTION

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
    folder = job_dir(current_app, job_id)
    target, partial = folder / "dossiers.zip", folder / "dossiers.part"
    errors: list[str] = []
    processes = min(int(current_app.config.get("DOSSIER_PROCESSES") or 1), len(job.person_ids))
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as archive:
            results = _rendered_in_pool(job, processes) if processes > 1 else _rendered_here(job)
            cancelled = _collect(job_id, results, archive, errors, save)
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


def _collect(job_id, results, archive, errors, save) -> bool:
    """Write each rendered dossier into the ZIP as it arrives and count it; True when cancelled.

    `results` yields (person name, filename, bytes or the exception); it is a generator, so closing it
    (on cancellation) stops the rendering that has not started."""
    from trainee.dossiers.models import DossierJob

    try:
        for name, filename, data in results:
            if isinstance(data, BaseException):  # one person's failure is reported, the rest go on
                errors.append(f"{name}：{type(data).__name__}: {str(data)[:200]}")
                save(failed=lambda j: j.failed + 1, error="\n".join(errors)[:4000])
            else:
                archive.writestr(filename, data)
                save(done=lambda j: j.done + 1)
            db.session.rollback()  # a fresh read: sees a cancellation requested meanwhile
            if db.session.get(DossierJob, job_id).cancel_requested:
                return True
    finally:
        results.close()
    return False


def _rendered_here(job):
    """Render one person after the other in this thread."""
    from trainee.auth.models import User
    from trainee.org.models import Person

    actor = db.session.get(User, job.created_by_id)
    job_id, variant = job.id, job.variant
    for person_id in list(job.person_ids):
        yield _render_one(job_id, person_id, actor, variant, Person, User)


def _render_one(job_id, person_id, actor, variant, Person, User):
    from trainee.dossiers.models import DossierJob
    from trainee.dossiers.operations import produce

    person = db.session.get(Person, person_id)
    name = person.name if person is not None else str(person_id)
    try:
        if person is None:
            raise LookupError(f"人员 {person_id} 不存在")
        printed = produce(actor, person, variant, job=db.session.get(DossierJob, job_id))
        return name, printed.filename, printed.data
    except Exception as error:
        db.session.rollback()
        log.exception("dossier job %s: person %s failed", job_id, person_id)
        return name, None, error


def _rendered_in_pool(job, processes: int):
    """Render in `processes` worker processes (spawned: no inherited DB connections or threads), in order.

    Each worker builds the app once from this app's configuration and renders and registers dossiers
    (produce() writes in its own short transaction). At most `processes` renders run ahead of the ZIP."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    settings = _portable_config(current_app.config)
    pool = ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_worker_init, initargs=(settings,))
    person_ids, pending = list(job.person_ids), []
    try:
        for person_id in person_ids:
            pending.append(pool.submit(_worker_render, job.id, person_id, job.created_by_id, job.variant.name))
            if len(pending) > processes:
                yield pending.pop(0).result()
        while pending:
            yield pending.pop(0).result()
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


def _portable_config(config) -> dict:
    """The app's settings that can be sent to a worker process (plain values only)."""
    import pickle  # nosec B403 — our own config values, sent to our own child process

    settings = {}
    for key, value in config.items():
        if key.isupper():
            try:
                pickle.dumps(value)
            except Exception:  # noqa: BLE001, S112 — unpicklable settings stay behind
                continue
            settings[key] = value
    settings["DOSSIER_PROCESSES"] = 1
    return settings


_WORKER_APP = None


def _worker_init(settings: dict) -> None:
    global _WORKER_APP
    from trainee import create_app
    from trainee.config import Config

    config = Config()
    for key, value in settings.items():
        setattr(config, key, value)
    _WORKER_APP = create_app(config)


def _worker_render(job_id: int, person_id: int, actor_id: int, variant_name: str):
    from trainee.auth.models import User
    from trainee.dossiers.models import DossierVariant
    from trainee.org.models import Person

    with _WORKER_APP.app_context():
        try:
            actor = db.session.get(User, actor_id)
            name, filename, data = _render_one(job_id, person_id, actor, DossierVariant[variant_name], Person, User)
            if isinstance(data, BaseException):  # exceptions may not pickle: send a plain one with the text
                data = RuntimeError(f"{type(data).__name__}: {data}")
            return name, filename, data
        finally:
            db.session.remove()


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
