"""Certificate uploads: PDF, JPEG or PNG, checked by content (not by name), ≤ MAX_UPLOAD_FILE_BYTES.

Stored under UPLOAD_DIR/certificates by a random name through the shared trainee.core.uploads helper;
served only through a view that checks who may see the person's record.
"""
from pathlib import Path

from trainee.competitions.models import Certificate
from trainee.core import uploads
from trainee.core.errors import ValidationFailed
from trainee.extensions import db

AREA = "certificates"
ALLOWED = ("pdf", "jpg", "png")


def path_of(certificate: Certificate) -> Path:
    return uploads.path_of(AREA, certificate.stored_name)


def check(storage, field: str = "certificate") -> uploads.CheckedFile:
    """Read and check an uploaded certificate, or ValidationFailed with a message for the field."""
    if not (storage.filename or "").strip():
        raise ValidationFailed("请选择证书文件。", {field: ["请选择证书文件。"]})
    try:
        return uploads.check(storage, allowed=ALLOWED, field=field, what="证书文件")
    except uploads.FileTooLarge as error:
        raise ValidationFailed(error.message, error.field_errors) from None
    except ValidationFailed as error:
        if "空文件" in error.message:
            raise
        message = "证书须为 PDF、JPG 或 PNG 文件（按文件内容检查）。"
        raise ValidationFailed(message, {field: [message]}) from None


def store(checked: uploads.CheckedFile, person, actor) -> Certificate:
    """Write a checked file and add its Certificate row to the session (caller commits)."""
    certificate = Certificate(person_id=person.id, original_name=checked.name,
                              stored_name=uploads.store(checked, AREA), content_type=checked.kind.content_type,
                              size=checked.size, sha256=checked.sha256, uploaded_by_id=getattr(actor, "id", None))
    db.session.add(certificate)
    return certificate
