"""Certificate uploads: PDF, JPEG or PNG, checked by content (not by name), ≤ MAX_UPLOAD_FILE_BYTES.

Stored under UPLOAD_DIR/certificates by a random name; served only through a view that checks who
may see the person's record. (Small on purpose: swap for a shared upload helper once main has one.)
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


def directory() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "certificates"
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(certificate: Certificate) -> Path:
    return directory() / certificate.stored_name


def check(storage, field: str = "certificate") -> tuple[bytes, str, str, str]:
    """Read and check an uploaded file; (data, content type, extension, clean original name) or ValidationFailed."""
    name = os.path.basename((storage.filename or "").replace("\\", "/")).strip()[:200]
    ext = EXTENSIONS.get(name.rsplit(".", 1)[-1].lower()) if "." in name else None
    limit = current_app.config["MAX_UPLOAD_FILE_BYTES"]
    data = storage.stream.read(limit + 1)
    if not name or not data:
        raise ValidationFailed("请选择证书文件。", {field: ["请选择证书文件。"]})
    if len(data) > limit:
        message = f"证书文件不超过 {limit // (1024 * 1024)} MB。"
        raise ValidationFailed(message, {field: [message]})
    sniffed = next(((ctype, kind) for magic, ctype, kind in SIGNATURES if data.startswith(magic)), None)
    if ext is None or sniffed is None or sniffed[1] != ext:
        message = "证书须为 PDF、JPG 或 PNG 文件（按文件内容检查）。"
        raise ValidationFailed(message, {field: [message]})
    return data, sniffed[0], ext, name


def store(checked: tuple, person, actor) -> Certificate:
    """Write a checked file and add its Certificate row to the session (caller commits)."""
    data, content_type, ext, name = checked
    stored = f"{secrets.token_hex(16)}.{ext}"
    (directory() / stored).write_bytes(data)
    certificate = Certificate(person_id=person.id, original_name=name, stored_name=stored, content_type=content_type,
                              size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                              uploaded_by_id=getattr(actor, "id", None))
    db.session.add(certificate)
    return certificate
