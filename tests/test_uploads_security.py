"""Evidence files: checked by content, size-capped, stored outside the web root under random names, served only
to those who may see the entry and only as a download (never rendered inline as HTML); names sanitised."""
import io
from datetime import date
from pathlib import Path

import pytest

pytest.importorskip("trainee.activities.uploads", reason="evidence uploads arrive with the activities feature")

from trainee.activities.models import Activity, ActivityStatus, ActivityType, Evidence  # noqa: E402

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
POLYGLOT = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n"
HOSTILE = [("x.pdf", b"<html><script>alert(1)</script></html>"), ("x.png", b"<svg onload=alert(1)></svg>"),
           ("x.html", PDF), ("x.pdf.html", PDF), ("x.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
           ("x.exe", b"MZ\x90\x00"), ("x.pdf", b"")]


@pytest.fixture
def draft(demo, db):
    type_id = db.session.execute(db.select(ActivityType.id).where(ActivityType.code == "SIMPLE_CASE")).scalar()
    activity = Activity(person_id=demo["trainee"].person_id, type_id=type_id, date=date(2025, 3, 1),
                        title="上传安全测试", status=ActivityStatus.DRAFT)
    db.session.add(activity)
    db.session.commit()
    return activity


def upload(client, activity, name, content):
    return client.post(f"/activities/{activity.id}/files", data={
        "files": [(io.BytesIO(content), name)], "no_classified_confirmed": "y"}, content_type="multipart/form-data")


def _evidence(db, activity):
    return db.session.execute(db.select(Evidence).where(Evidence.activity_id == activity.id)).scalars().all()


@pytest.mark.parametrize(("name", "content"), HOSTILE)
def test_files_that_are_not_what_they_claim_are_refused(as_role, db, draft, name, content):
    upload(as_role("trainee"), draft, name, content)
    assert _evidence(db, draft) == []


def test_size_is_capped(app, as_role, db, draft):
    app.config["MAX_UPLOAD_FILE_BYTES"] = 1024
    response = upload(as_role("trainee"), draft, "big.pdf", PDF + b"0" * 2048)
    assert response.status_code == 413 and _evidence(db, draft) == []


def test_stored_outside_the_web_root_under_a_random_name_with_a_clean_label(app, as_role, db, draft):
    upload(as_role("trainee"), draft, "../../static/<script>evil</script>.pdf", PDF)
    (evidence,) = _evidence(db, draft)
    assert "/" not in evidence.original_name and "<" not in evidence.original_name
    assert ".." not in evidence.original_name.split(".")[0:1]
    stored = next(Path(app.config["UPLOAD_DIR"]).rglob(evidence.stored_name))
    assert Path(app.static_folder).resolve() not in stored.resolve().parents
    assert "evil" not in evidence.stored_name
    assert not list(Path(app.static_folder).rglob("*evil*"))


def test_evidence_is_served_only_to_those_who_may_see_the_entry_and_only_as_a_download(app, as_role, demo, db,
                                                                                      draft):
    upload(as_role("trainee"), draft, "polyglot.pdf", POLYGLOT)
    (evidence,) = _evidence(db, draft)
    url = f"/activities/evidence/{evidence.id}"
    expected = {"trainee": 200, "mentor": 200, "head": 200, "hr": 200, "trainee2": 404, "hr_yuhu": 404,
                "zl005": 404, "zl013": 404}
    for username, status in expected.items():
        response = as_role(username).get(url)
        assert response.status_code == status, (username, response.status_code)
        if status == 200:
            assert response.headers["Content-Disposition"].startswith("attachment")
            assert response.mimetype == "application/pdf"
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert "text/html" not in response.headers["Content-Type"]
        else:
            assert b"<script>" not in response.data and b"polyglot" not in response.data
    assert app.test_client().get(url).status_code == 302


def test_nobody_else_attaches_files_to_or_deletes_them_from_someone_elses_entry(as_role, demo, db, draft):
    for username in ("trainee2", "mentor", "hr", "zl005"):
        upload(as_role(username), draft, "x.pdf", PDF)
    assert _evidence(db, draft) == []
    upload(as_role("trainee"), draft, "mine.pdf", PDF)
    (evidence,) = _evidence(db, draft)
    for username in ("trainee2", "mentor", "hr", "zl005"):
        as_role(username).post(f"/activities/evidence/{evidence.id}/delete")
    assert len(_evidence(db, draft)) == 1
