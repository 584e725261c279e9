"""Certificate uploads: PDF, JPEG or PNG, checked by content (not by name), ≤ MAX_UPLOAD_FILE_BYTES.

Stored under UPLOAD_DIR/certificates by a random name; served only through a view that checks who
may see the person's record. `check` and `save` are the shared upload helpers: other features (checklist
attachments) call them with their own label and folder.
"""
import hashlib
import os
import secrets
from pathlib import Path

from flask import current_app

from trainee.competitions.models import Certificate
from trainee.core.errors import ValidationFailed
from trainee.extensions import db

SIGNATURES = [(b"%PDF-", "application/pdf", "pdf"), (b"\xff\xd8\xff", "image/jpeg", "jpg"),
              (b"\x89PNG\r\n\x1a\n", "image/png", "png")]
EXTENSIONS = {"pdf": "pdf", "jpg": "jpg", "jpeg": "jpg", "png": "png"}


def directory(folder: str = "certificates") -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / folder
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(certificate: Certificate) -> Path:
    return directory() / certificate.stored_name


def check(storage, field: str = "certificate", label: str = "证书") -> tuple[bytes, str, str, str]:
    """Read and check an uploaded file; (data, content type, extension, clean original name) or ValidationFailed."""
    name = os.path.basename((storage.filename or "").replace("\\", "/")).strip()[:200]
    ext = EXTENSIONS.get(name.rsplit(".", 1)[-1].lower()) if "." in name else None
    limit = current_app.config["MAX_UPLOAD_FILE_BYTES"]
    data = storage.stream.read(limit + 1)
    if not name or not data:
        raise ValidationFailed(f"请选择{label}文件。", {field: [f"请选择{label}文件。"]})
    if len(data) > limit:
        message = f"{label}文件不超过 {limit // (1024 * 1024)} MB。"
        raise ValidationFailed(message, {field: [message]})
    sniffed = next(((ctype, kind) for magic, ctype, kind in SIGNATURES if data.startswith(magic)), None)
    if ext is None or sniffed is None or sniffed[1] != ext:
        message = f"{label}须为 PDF、JPG 或 PNG 文件（按文件内容检查）。"
        raise ValidationFailed(message, {field: [message]})
    return data, sniffed[0], ext, name


def save(checked: tuple, folder: str) -> str:
    """Write a checked file under UPLOAD_DIR/folder by a random name; returns the stored name."""
    data, _content_type, ext, _name = checked
    stored = f"{secrets.token_hex(16)}.{ext}"
    (directory(folder) / stored).write_bytes(data)
    return stored


def store(checked: tuple, person, actor) -> Certificate:
    """Write a checked file and add its Certificate row to the session (caller commits)."""
    data, content_type, ext, name = checked
    stored = save(checked, "certificates")
    certificate = Certificate(person_id=person.id, original_name=name, stored_name=stored, content_type=content_type,
                              size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                              uploaded_by_id=getattr(actor, "id", None))
    db.session.add(certificate)
    return certificate
