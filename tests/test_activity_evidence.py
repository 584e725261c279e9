"""Evidence of the progress log: content checks (magic bytes, Office zips with the right member, zip bombs),
size and count limits, clean names, who downloads, response headers, removal only while editable."""
import io
import struct
import zipfile
import zlib
from datetime import date

import pytest

from trainee.activities import operations as ops
from trainee.activities.models import Activity, ActivityStatus, ActivityType, Evidence
from trainee.core import uploads

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


def png() -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"\x00\xff\x00\x00" * 1
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def office(member: str | None, extra: dict | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        if member:
            archive.writestr(member, "<document/>")
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """A .docx-shaped zip with a member that unpacks to 50 MB of zeros (a thousand times its packed size)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
        with archive.open("word/media/zeros.bin", "w", force_zip64=True) as member:
            block = b"\x00" * (1024 * 1024)
            for _ in range(50):
                member.write(block)
    return buffer.getvalue()


DOCX, XLSX = office("word/document.xml"), office("xl/workbook.xml")


@pytest.fixture
def draft(demo, db):
    type_id = db.session.execute(db.select(ActivityType.id).where(ActivityType.code == "SIMPLE_CASE")).scalar()
    activity = Activity(person_id=demo["trainee"].person_id, type_id=type_id, date=date(2025, 3, 1),
                        title="附件测试", status=ActivityStatus.DRAFT)
    db.session.add(activity)
    db.session.commit()
    return activity


def upload(client, activity, *files, confirm=True):
    data = {"files": [(io.BytesIO(content), name) for name, content in files]}
    if confirm:
        data["no_classified_confirmed"] = "y"
    return client.post(f"/activities/{activity.id}/files", data=data, content_type="multipart/form-data")


def names(db, activity):
    return [e.original_name for e in db.session.execute(db.select(Evidence).where(
        Evidence.activity_id == activity.id).order_by(Evidence.id)).scalars()]


ALLOWED = [("判决书.pdf", PDF), ("照片.jpg", JPG), ("照片.jpeg", JPG), ("截图.png", png()), ("审查报告.docx", DOCX),
           ("统计表.xlsx", XLSX)]


def test_each_allowed_kind_is_accepted_by_its_content(as_role, db, draft):
    client = as_role("trainee")
    for name, content in ALLOWED:
        for evidence in db.session.execute(db.select(Evidence).where(Evidence.activity_id == draft.id)).scalars():
            db.session.delete(evidence)
        db.session.commit()
        response = upload(client, draft, (name, content))
        assert response.status_code == 302, name
        (evidence,) = db.session.execute(db.select(Evidence).where(Evidence.activity_id == draft.id)).scalars()
        assert evidence.original_name == name and evidence.size == len(content) and len(evidence.sha256) == 64


REFUSED = [
    ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 60),  # a renamed executable
    ("report.docx", office(None)),  # a zip without word/document.xml
    ("report.docx", XLSX),  # a spreadsheet named as a document
    ("sheet.xlsx", DOCX),
    ("archive.docx", b"PK\x03\x04not really a zip"),
    ("bomb.docx", zip_bomb()),
    ("photo.png", JPG),  # content and name disagree
    ("notes.txt", b"hello"), ("page.html", PDF), ("vector.svg", b"<svg/>"), ("empty.pdf", b""),
]


def test_files_are_refused_when_the_content_is_not_what_is_allowed(as_role, db, draft):
    client = as_role("trainee")
    stored = len(list(uploads.directory("evidence").iterdir()))
    for name, content in REFUSED:
        response = upload(client, draft, (name, content))
        assert response.status_code == 422, name
        assert names(db, draft) == []
    assert len(list(uploads.directory("evidence").iterdir())) == stored


def test_a_file_over_the_limit_is_a_413_with_a_clear_page(app, as_role, db, draft):
    app.config["MAX_UPLOAD_FILE_BYTES"] = 2048
    response = upload(as_role("trainee"), draft, ("ok.pdf", PDF), ("big.pdf", PDF + b"0" * 4096))
    assert response.status_code == 413 and "big.pdf" in response.get_data(as_text=True)
    assert names(db, draft) == []  # all or nothing


def test_at_most_five_files_per_entry(as_role, db, draft):
    client = as_role("trainee")
    assert upload(client, draft, *[(f"{i}.pdf", PDF) for i in range(3)]).status_code == 302
    response = upload(client, draft, *[(f"x{i}.pdf", PDF) for i in range(3)])
    assert response.status_code == 422 and "最多 5 个" in response.get_data(as_text=True)
    assert len(names(db, draft)) == 3
    assert upload(client, draft, ("4.pdf", PDF), ("5.pdf", PDF)).status_code == 302
    assert len(names(db, draft)) == 5
    assert upload(client, draft, ("6.pdf", PDF)).status_code == 422


def test_the_no_classified_confirmation_is_required(as_role, db, draft):
    response = upload(as_role("trainee"), draft, ("a.pdf", PDF), confirm=False)
    assert response.status_code == 422 and "涉密" in response.get_data(as_text=True) and names(db, draft) == []


@pytest.mark.parametrize(("raw", "clean"), [
    ("C:\\Users\\li\\判决书.pdf", "判决书.pdf"), ("../../etc/passwd.pdf", "passwd.pdf"),
    ("a<b>c\".pdf", "a_b_c_.pdf"), ("\x00\x1fname\u202e.pdf", "name.pdf"), (".hidden.pdf", "hidden.pdf"),
    ("x" * 300 + ".pdf", "x" * 190 + ".pdf")])
def test_names_are_cleaned_for_display(raw, clean):
    assert uploads.clean_name(raw, "pdf") == clean


def test_files_are_stored_by_random_names_outside_static(app, as_role, db, draft):
    upload(as_role("trainee"), draft, ("审查报告.pdf", PDF))
    (evidence,) = db.session.execute(db.select(Evidence).where(Evidence.activity_id == draft.id)).scalars()
    assert evidence.stored_name != "审查报告.pdf" and len(evidence.stored_name) == 36
    path = uploads.path_of("evidence", evidence.stored_name)
    assert path.read_bytes() == PDF and "static" not in path.parts


def test_headers_images_inline_everything_else_attachment_never_sniffed(as_role, db, draft):
    kinds = [("a.png", png(), True), ("a.jpg", JPG, True), ("a.pdf", PDF, False), ("a.docx", DOCX, False),
             ("a.xlsx", XLSX, False)]
    upload(as_role("trainee"), draft, *[(name, content) for name, content, _inline in kinds])
    mentor = as_role("mentor")
    rows = db.session.execute(db.select(Evidence).where(Evidence.activity_id == draft.id)
                              .order_by(Evidence.id)).scalars().all()
    for evidence, (name, content, inline) in zip(rows, kinds, strict=True):
        response = mentor.get(f"/activities/evidence/{evidence.id}")
        assert response.status_code == 200 and response.data == content, name
        assert response.headers["Content-Disposition"].startswith("inline" if inline else "attachment"), name
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response.headers["Content-Security-Policy"]
        assert response.mimetype == evidence.content_type


def test_who_may_download(as_role, demo, db, draft):
    upload(as_role("trainee"), draft, ("a.pdf", PDF))
    (evidence,) = db.session.execute(db.select(Evidence).where(Evidence.activity_id == draft.id)).scalars()
    expected = {"trainee": 200, "mentor": 200, "head": 200, "hr": 200, "admin": 200, "trainee2": 404,
                "hr_yuhu": 404, "mentor02": 404, "zl005": 404}
    got = {u: as_role(u).get(f"/activities/evidence/{evidence.id}").status_code for u in expected}
    assert got == expected


def test_evidence_is_removed_only_while_the_entry_is_editable(as_role, demo, db, draft):
    client = as_role("trainee")
    upload(client, draft, ("a.pdf", PDF), ("b.pdf", PDF))
    first, second = db.session.execute(db.select(Evidence).where(Evidence.activity_id == draft.id)
                                       .order_by(Evidence.id)).scalars().all()
    stored = uploads.path_of("evidence", first.stored_name)
    assert client.post(f"/activities/evidence/{first.id}/delete").status_code == 302
    assert names(db, draft) == ["b.pdf"] and not stored.exists()
    draft = db.session.get(Activity, draft.id)
    draft.transition_id = 4
    draft.no_classified_confirmed = True
    db.session.commit()
    ops.submit(demo["trainee"], draft, version=None)
    client.post(f"/activities/evidence/{second.id}/delete")
    assert names(db, draft) == ["b.pdf"]  # submitted: the evidence stays
    assert upload(client, draft, ("c.pdf", PDF)).status_code == 409


def test_new_entry_with_files_in_one_step_and_nothing_left_behind_on_error(as_role, db):
    from tests.test_activities import form

    client = as_role("trainee")
    data = {**form(save_submit="1"), "files": [(io.BytesIO(PDF), "证明.pdf"), (io.BytesIO(png()), "照片.png")]}
    assert client.post("/activities/new", data=data, content_type="multipart/form-data").status_code == 302
    activity = db.session.execute(db.select(Activity).where(Activity.title == "指导下办理何某盗窃案")).scalar_one()
    assert activity.status is ActivityStatus.SUBMITTED and names(db, activity) == ["证明.pdf", "照片.png"]
    before = len(list(uploads.directory("evidence").iterdir()))
    bad = {**form(title="带坏附件的记录"), "files": [(io.BytesIO(PDF), "ok.pdf"), (io.BytesIO(b"MZ"), "bad.pdf")]}
    response = client.post("/activities/new", data=bad, content_type="multipart/form-data")
    assert response.status_code == 422 and "带坏附件的记录" in response.get_data(as_text=True)
    assert not db.session.execute(db.select(Activity).where(Activity.title == "带坏附件的记录")).first()
    assert len(list(uploads.directory("evidence").iterdir())) == before
