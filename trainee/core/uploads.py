"""Uploaded files, shared by every feature: checked by content (magic bytes, and for Office files the zip
members), size-capped, stored under UPLOAD_DIR/<area> by a random name, never under static/.

A feature names the kinds it accepts; `check()` reads the upload and returns a `CheckedFile`, `store()`
writes it and returns the random stored name, `send()` serves it with safe headers.
"""
import hashlib
import io
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, send_file

from trainee.core.errors import ValidationFailed


class FileTooLarge(ValidationFailed):
    """One file above MAX_UPLOAD_FILE_BYTES: the page answers 413 with a clear message."""

    status = 413
    code = "too_large"


@dataclass(frozen=True)
class Kind:
    ext: str
    content_type: str
    label: str
    inline: bool  # safe to show in the browser (images); everything else is a download


KINDS = {
    "pdf": Kind("pdf", "application/pdf", "PDF", False),
    "jpg": Kind("jpg", "image/jpeg", "JPG", True),
    "png": Kind("png", "image/png", "PNG", True),
    "docx": Kind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX", False),
    "xlsx": Kind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX", False),
}
EXTENSIONS = {"pdf": "pdf", "jpg": "jpg", "jpeg": "jpg", "png": "png", "docx": "docx", "xlsx": "xlsx"}
OFFICE_MEMBERS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
ZIP_MAX_MEMBERS = 2000
ZIP_MAX_UNPACKED = 200 * 1024 * 1024  # a zip bomb declares far more than a real document
ZIP_MAX_RATIO = 200


@dataclass(frozen=True)
class CheckedFile:
    data: bytes
    kind: Kind
    name: str  # the cleaned original name, for display only

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def clean_name(raw: str | None, ext: str | None = None) -> str:
    """A display name without path, control or markup characters, at most 200 characters."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'[<>:"|?*&;`$%{}\[\]\']', "_", name).strip(" .")
    if not name or (ext and not name.lower().endswith("." + ext) and "." not in name):
        name = f"{name or '文件'}.{ext}" if ext else name
    if len(name) > 200:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[:190] + dot + suffix[:9]) if dot else name[:200]
    return name


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"PK\x03\x04"):
        return _office_kind(data)
    return None


def _office_kind(data: bytes) -> str | None:
    """docx or xlsx when the zip is a sane Office document; None for other zips and for zip bombs."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if not infos or len(infos) > ZIP_MAX_MEMBERS:
        return None
    unpacked = sum(i.file_size for i in infos)
    if unpacked > ZIP_MAX_UNPACKED or any(i.compress_size and i.file_size / i.compress_size > ZIP_MAX_RATIO
                                          for i in infos if i.file_size > 1024 * 1024):
        return None
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names:
        return None
    return next((kind for kind, member in OFFICE_MEMBERS.items() if member in names), None)


def check(storage, *, allowed: tuple[str, ...], field: str, what: str = "文件") -> CheckedFile:
    """Read and check one uploaded file (a werkzeug FileStorage): its content must be one of `allowed` kinds
    and agree with its extension. Raises ValidationFailed (FileTooLarge above the size limit)."""
    raw_name = storage.filename or ""
    ext = EXTENSIONS.get(raw_name.rsplit(".", 1)[-1].lower()) if "." in raw_name else None
    limit = current_app.config["MAX_UPLOAD_FILE_BYTES"]
    data = storage.stream.read(limit + 1)
    if not raw_name.strip() or not data:
        message = f"请选择{what}。" if not raw_name.strip() else f"{what}“{clean_name(raw_name)}”是空文件。"
        raise ValidationFailed(message, {field: [message]})
    if len(data) > limit:
        message = f"{what}“{clean_name(raw_name)}”超过 {limit // (1024 * 1024) or 1} MB，请压缩或拆分后再上传。"
        raise FileTooLarge(message, {field: [message]})
    sniffed = _sniff(data)
    if ext is None or sniffed is None or sniffed != ext or sniffed not in allowed:
        labels = "、".join(KINDS[k].label for k in allowed)
        message = f"“{clean_name(raw_name)}”不是有效的 {labels} 文件（按文件内容检查，不看扩展名）。"
        raise ValidationFailed(message, {field: [message]})
    return CheckedFile(data=data, kind=KINDS[sniffed], name=clean_name(raw_name, sniffed))


def directory(area: str) -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / area
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(checked: CheckedFile, area: str) -> str:
    """Write the file under a random name and return that name (the caller records it in its row)."""
    stored = f"{secrets.token_hex(16)}.{checked.kind.ext}"
    (directory(area) / stored).write_bytes(checked.data)
    return stored


def path_of(area: str, stored_name: str) -> Path:
    return directory(area) / Path(stored_name).name


def remove(area: str, stored_name: str) -> None:
    path_of(area, stored_name).unlink(missing_ok=True)


def send(area: str, stored_name: str, content_type: str, download_name: str, *, inline_ok: bool = True):
    """Serve a stored file: images inline (when `inline_ok`), everything else as an attachment; never sniffed."""
    kind = next((k for k in KINDS.values() if k.content_type == content_type), None)
    inline = inline_ok and kind is not None and kind.inline
    response = send_file(path_of(area, stored_name), mimetype=content_type, as_attachment=not inline,
                         download_name=download_name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
