"""Evidence files of the progress log: the shared upload helper (trainee.core.uploads) with evidence's kinds,
limit and storage area. Files live under UPLOAD_DIR/evidence by random names, never under static/."""
from pathlib import Path

from trainee.core import uploads

AREA = "evidence"
KINDS = ("pdf", "docx", "xlsx", "jpg", "png")
MAX_PER_ENTRY = 5


def check(storage) -> uploads.CheckedFile:
    return uploads.check(storage, allowed=KINDS, field="files", what="附件")


def path_of(evidence) -> Path:
    return uploads.path_of(AREA, evidence.stored_name)


def send(evidence):
    """Images inline (the queue opens them in place); PDF and Office files only as downloads."""
    return uploads.send(AREA, evidence.stored_name, evidence.content_type, evidence.original_name)
