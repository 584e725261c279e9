"""The dossier registry (every printed PDF) and batch jobs."""
import secrets

from flask_babel import lazy_gettext as _l

from trainee.core.db import LabelledEnum, enum_column
from trainee.core.time import utcnow
from trainee.extensions import db

# No 0/O, 1/I/L: a code read aloud or typed from paper is unambiguous. 16 characters = 80 bits.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 16


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str:
    """'abcd-efgh jkmn pqrs' -> 'ABCDEFGHJKMNPQRS' (separators and case do not matter)."""
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())[:40]


def format_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


class DossierVariant(LabelledEnum):
    STANDARD = ("standard", _l("标准版"))
    PDFA = ("pdfa", _l("归档版（PDF/A-3b）"))


class JobStatus(LabelledEnum):
    QUEUED = ("queued", _l("排队中"))
    RUNNING = ("running", _l("生成中"))
    DONE = ("done", _l("已完成"))
    FAILED = ("failed", _l("失败"))
    CANCELLED = ("cancelled", _l("已取消"))

    @property
    def finished(self) -> bool:
        return self in (JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED)


class DossierPrint(db.Model):
    __tablename__ = "dossier_prints"
    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(CODE_LENGTH), nullable=False, unique=True)
    person_id = db.Column(db.Integer, db.ForeignKey("people.id"), nullable=False, index=True)
    # Name and unit as printed: the verification page shows what the paper shows, even after a transfer.
    person_name = db.Column(db.String(50), nullable=False)
    unit_name = db.Column(db.String(100), nullable=False)
    printed_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)
    printed_by_name = db.Column(db.String(50), nullable=False)
    printed_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    variant = enum_column(DossierVariant, nullable=False, default=DossierVariant.STANDARD)
    sha256 = db.Column(db.String(64), nullable=False, index=True)
    page_count = db.Column(db.Integer, nullable=False)
    byte_count = db.Column(db.Integer, nullable=False)
    job_id = db.Column(db.Integer, db.ForeignKey("dossier_jobs.id"), index=True)
    # Characters drawn by the system fallback font or missing altogether (empty when all were bundled).
    font_note = db.Column(db.String(300))

    person = db.relationship("Person")
    printed_by = db.relationship("User")

    @property
    def display_code(self) -> str:
        return format_code(self.code)


class DossierJob(db.Model):
    __tablename__ = "dossier_jobs"
    id = db.Column(db.Integer, primary_key=True)
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False, index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    # The scope chosen by HR: a unit (with its departments) or one department (or, later, a stage).
    scope_kind = db.Column(db.String(20), nullable=False)
    scope_id = db.Column(db.Integer, nullable=False)
    scope_label = db.Column(db.String(150), nullable=False)
    unit_id = db.Column(db.Integer, db.ForeignKey("units.id"), nullable=False, index=True)
    variant = enum_column(DossierVariant, nullable=False, default=DossierVariant.STANDARD)
    person_ids = db.Column(db.JSON, nullable=False, default=list)
    status = enum_column(JobStatus, nullable=False, default=JobStatus.QUEUED, index=True)
    total = db.Column(db.Integer, nullable=False, default=0)
    done = db.Column(db.Integer, nullable=False, default=0)
    failed = db.Column(db.Integer, nullable=False, default=0)
    error = db.Column(db.Text)
    cancel_requested = db.Column(db.Boolean, nullable=False, default=False)
    runner = db.Column(db.String(10), nullable=False, default="thread")
    result_path = db.Column(db.String(500))
    result_name = db.Column(db.String(200))
    started_at = db.Column(db.DateTime)
    finished_at = db.Column(db.DateTime)
    expires_at = db.Column(db.DateTime)

    created_by = db.relationship("User")
    unit = db.relationship("Unit")

    @property
    def percent(self) -> int:
        return int(100 * (self.done + self.failed) / self.total) if self.total else 0
