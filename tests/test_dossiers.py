"""Progress dossiers: the PDF, its fonts, the registry and verification, batch jobs and PDF/A."""
import hashlib
import io
import os
import re
import shutil
import subprocess
import zipfile

import pytest

from trainee.audit import AuditEntry
from trainee.dossiers import fonts, jobs
from trainee.dossiers.models import DossierJob, DossierPrint, JobStatus
from trainee.org.models import Person, PersonStatus, Position

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext") or not shutil.which("pdffonts"),
                                   reason="poppler-utils (pdftotext, pdffonts) not installed")


def pdftotext(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def pdffonts(data: bytes, tmp_path) -> list[dict]:
    path = tmp_path / "f.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        # name, type (one or more words), encoding, emb, sub, uni, object id, generation
        rows.append({"name": parts[0], "type": " ".join(parts[1:-6]), "emb": parts[-5], "sub": parts[-4]})
    return rows


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def print_pdf(client, person_id, **params):
    response = client.get(f"/people/{person_id}/dossier.pdf", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    return response


def rename(db, person, name):
    person.name = name
    db.session.commit()


@needs_poppler
def test_a_trainee_prints_their_own_dossier_with_name_unit_page_footer_and_code(as_role, demo, db, tmp_path):
    person = demo["trainee"].person
    rename(db, person, "李喆堃")
    response = print_pdf(as_role("trainee"), person.id)
    data = response.data
    text = squash(pdftotext(data))
    record = db.session.execute(db.select(DossierPrint)).scalar_one()
    assert "李喆堃" in text and "湘潭市人民检察院" in text and "第一检察部" in text
    assert "基本情况" in text and "法律职业资格" in text and "带教经历" in text
    assert f"第1页/共{record.page_count}页" in text and f"第{record.page_count}页/共{record.page_count}页" in text
    # the code is on the cover and in every page footer
    assert text.count(record.display_code) >= record.page_count + 1
    assert response.headers["X-Dossier-Code"] == record.display_code
    assert record.sha256 == hashlib.sha256(data).hexdigest() and record.byte_count == len(data)
    assert record.printed_by_id == demo["trainee"].id and record.person_name == "李喆堃"
    assert not record.font_note  # every character came from the bundled subset
    entry = db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "dossier.printed")).scalar_one()
    assert entry.object_id == record.id and entry.actor_id == demo["trainee"].id


@needs_poppler
def test_the_pdf_embeds_only_subset_truetype_fonts_and_no_type3(as_role, demo, db, tmp_path):
    rename(db, demo["trainee"].person, "王赟昇")
    data = print_pdf(as_role("hr"), demo["trainee"].person.id).data
    rows = pdffonts(data, tmp_path)
    assert rows
    assert all(r["emb"] == "yes" and r["sub"] == "yes" for r in rows), rows
    assert not any("Type 3" in r["type"] for r in rows), rows
    assert any("Noto-Sans-SC" in r["name"] for r in rows)
    assert "王赟昇" in squash(pdftotext(data))


def test_the_bundled_font_check_knows_rare_name_characters_and_flags_traditional_ones():
    assert {ord(c) for c in "喆堃赟昇犇李"} <= fonts.bundled_codepoints()
    assert ord("蘭") not in fonts.bundled_codepoints()
    report = fonts.check_text("林蘭 李喆")
    assert "喆" not in report.via_fallback + report.missing
    assert "蘭" in report.via_fallback + report.missing


@needs_poppler
@pytest.mark.skipif(not fonts.fallback_codepoints(),
                    reason="system font Noto Sans CJK SC (fonts-noto-cjk) not installed")
def test_a_name_outside_the_subset_renders_through_the_system_fallback_font(as_role, demo, db, tmp_path):
    rename(db, demo["trainee"].person, "林蘭錦")
    data = print_pdf(as_role("trainee"), demo["trainee"].person.id).data
    assert "林蘭錦" in squash(pdftotext(data))
    rows = pdffonts(data, tmp_path)
    assert any("CJK" in r["name"] for r in rows), rows  # the fallback face, embedded
    assert all(r["emb"] == "yes" for r in rows)
    record = db.session.execute(db.select(DossierPrint)).scalar_one()
    assert "蘭" in record.font_note and "缺字" not in record.font_note


def test_without_the_fallback_font_missing_characters_are_logged_and_flagged(as_role, demo, db, monkeypatch, caplog):
    monkeypatch.setattr(fonts, "fallback_codepoints", lambda: frozenset())
    monkeypatch.setattr(fonts.log, "disabled", False)  # Alembic's fileConfig disables loggers created before it
    rename(db, demo["trainee"].person, "林蘭")
    client = as_role("trainee")
    preview = client.get(f"/people/{demo['trainee'].person.id}/dossier").get_data(as_text=True)
    assert "缺字提醒" in preview and "蘭" in preview
    with caplog.at_level("WARNING"):
        print_pdf(client, demo["trainee"].person.id)
    assert any("缺字" in r.getMessage() for r in caplog.records)
    record = db.session.execute(db.select(DossierPrint)).scalar_one()
    assert "缺字" in record.font_note and "蘭" in record.font_note


def test_the_preview_is_the_same_template_in_the_browser_with_user_text_escaped(as_role, demo, db):
    rename(db, demo["trainee"].person, '<img src="file:///etc/passwd">')
    response = as_role("mentor").get(f"/people/{demo['trainee'].person.id}/dossier")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<img src="file:///etc/passwd">' not in html and "&lt;img src=" in html
    assert "/static/css/dossier.css" in html and "<script>" not in html
    assert "本节数据尚未启用" in html  # sections of features not yet installed say so
    assert db.session.execute(db.select(DossierPrint)).first() is None  # a preview is not a print


def test_the_url_fetcher_serves_static_files_only(app):
    from trainee.dossiers.render import RefusedURL, StaticOnlyFetcher

    fetcher = StaticOnlyFetcher(app.static_folder)
    assert fetcher.fetch("app://trainee/static/css/dossier.css").read().startswith(b"/*")
    for url in ("file:///etc/passwd", "http://example.com/x.css", "https://example.com/font.ttf",
                "app://trainee/static/../../trainee/config.py", "app://evil/static/css/dossier.css",
                "data:text/css,body{}", "ftp://example.com/x", "app://trainee/etc/passwd"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert issubclass(RefusedURL, ValueError)


def test_an_html_injection_in_user_text_cannot_fetch_files(app, demo, db):
    from weasyprint import HTML

    from trainee.dossiers.render import BASE_URL, static_fetcher

    fetched = []

    class Spy(type(static_fetcher())):
        def fetch(self, url, headers=None):
            fetched.append(url)
            return super().fetch(url, headers)

    html = '<link rel="stylesheet" href="file:///etc/passwd"><img src="http://127.0.0.1:9/x.png"><p>x</p>'
    HTML(string=html, base_url=BASE_URL, url_fetcher=Spy(app.static_folder)).write_pdf()
    assert fetched  # WeasyPrint asked, the fetcher refused: nothing left the static folder


def test_verification_shows_who_when_and_whose_and_checks_the_file(as_role, demo, db, client):
    person = demo["trainee"].person
    data = print_pdf(as_role("hr"), person.id).data
    record = db.session.execute(db.select(DossierPrint)).scalar_one()
    page = client.get("/verify", query_string={"code": record.display_code.lower().replace("-", " ")})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert person.name in html and person.unit.name in html and "周立新" in html and "已登记" in html
    assert person.staff_no not in html  # minimal data, not the contents
    good = client.post("/verify", data={"code": record.display_code, "file": (io.BytesIO(data), "a.pdf")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "文件核对一致" in good
    tampered = bytearray(data)
    tampered[len(data) // 2] ^= 0x01
    bad = client.post("/verify", data={"code": record.display_code, "file": (io.BytesIO(bytes(tampered)), "a.pdf")},
                      content_type="multipart/form-data").get_data(as_text=True)
    assert "文件核对不一致" in bad
    not_pdf = client.post("/verify", data={"code": record.display_code, "file": (io.BytesIO(b"hello"), "a.txt")},
                          content_type="multipart/form-data").get_data(as_text=True)
    assert "不是 PDF" in not_pdf
    unknown = client.get("/verify", query_string={"code": "2222-3333-4444-5555"})
    assert unknown.status_code == 404 and "未登记" in unknown.get_data(as_text=True)
    short = client.get("/verify", query_string={"code": "ABC"}).get_data(as_text=True)
    assert "核验码应为 16 位" in short


def test_the_api_prints_the_same_dossier_with_the_same_rules(app, demo, api_token, db):
    client = app.test_client()
    person = demo["trainee"].person
    ok = client.get(f"/api/v1/trainees/{person.id}/dossier.pdf", headers=api_token("mentor"))
    assert ok.status_code == 200 and ok.data.startswith(b"%PDF-")
    assert client.get(f"/api/v1/trainees/{person.id}/dossier.pdf", headers=api_token("trainee2")).status_code == 404
    denied = client.get(f"/api/v1/trainees/{person.id}/dossier.pdf", headers=api_token("head"))
    assert denied.status_code == 403 and denied.json["error"]["code"] == "forbidden"
    bad = client.get(f"/api/v1/trainees/{person.id}/dossier.pdf?variant=docx", headers=api_token("hr"))
    assert bad.status_code == 422
    assert db.session.execute(db.select(db.func.count(DossierPrint.id))).scalar() == 1


def test_a_former_mentor_may_no_longer_print(as_role, demo, db):
    from trainee.mentoring.models import MentorAssignment

    person = demo["trainee"].person
    assignment = db.session.execute(
        db.select(MentorAssignment).where(MentorAssignment.trainee_id == person.id)).scalar_one()
    assignment.end_date = assignment.start_date
    db.session.commit()
    assert as_role("mentor").get(f"/people/{person.id}/dossier.pdf").status_code == 403


def test_the_archival_variant_is_pdfa_3b(as_role, demo, db):
    import pikepdf

    data = print_pdf(as_role("hr"), demo["trainee"].person.id, variant="pdfa").data
    with pikepdf.open(io.BytesIO(data)) as pdf:
        meta = pdf.open_metadata()
        assert meta.get("pdfaid:part") == "3" and meta.get("pdfaid:conformance") == "B"
        intents = pdf.Root.OutputIntents
        assert len(intents) >= 1 and str(intents[0].S) == "/GTS_PDFA1"
    record = db.session.execute(db.select(DossierPrint)).scalar_one()
    assert record.variant.name == "PDFA"


# --- batch ------------------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _local_jobs(app, tmp_path):
    """Batch jobs in a background thread (REDIS_URL only for the RQ test) with ZIPs under tmp_path."""
    app.config["REDIS_URL"] = None
    app.config["DOSSIER_JOB_DIR"] = str(tmp_path / "jobs")

def _department_of(demo):
    return demo["trainee"].person.department


def _wait(db, job_id):
    thread = jobs.THREADS.pop(job_id, None)
    if thread is not None:
        thread.join(120)
    db.session.commit()  # end the test's read snapshot: see what the job committed


def test_hr_prints_a_department_in_a_background_thread_and_downloads_the_zip(as_role, demo, db):
    department = _department_of(demo)
    client = as_role("hr")
    response = client.post("/dossiers/batch", data={"scope": "department", "department_id": str(department.id),
                                                    "unit_id": "", "variant": "standard"})
    assert response.status_code == 302, response.get_data(as_text=True)
    job = db.session.execute(db.select(DossierJob)).scalar_one()
    assert job.runner == "thread" and job.total >= 2
    _wait(db, job.id)
    job = db.session.get(DossierJob, job.id)
    assert job.status is JobStatus.DONE and job.done == job.total and job.failed == 0
    status = client.get(f"/dossiers/jobs/{job.id}/status.json").json
    assert status["finished"] and status["percent"] == 100 and status["download_url"]
    page = client.get(f"/dossiers/jobs/{job.id}").get_data(as_text=True)
    assert "下载 ZIP" in page and "data-job-poll" in page
    download = client.get(f"/dossiers/jobs/{job.id}/download")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(download.data)) as archive:
        names = archive.namelist()
        assert len(names) == job.total and all(n.endswith(".pdf") for n in names)
        first = archive.read(names[0])
    prints = db.session.execute(db.select(DossierPrint).where(DossierPrint.job_id == job.id)).scalars().all()
    assert len(prints) == job.total and hashlib.sha256(first).hexdigest() in {p.sha256 for p in prints}
    actions = set(db.session.execute(db.select(AuditEntry.action)).scalars())
    assert {"dossier.batch_started", "dossier.printed"} <= actions
    assert as_role("hr_yuhu").get(f"/dossiers/jobs/{job.id}/download").status_code == 404


def test_one_failure_is_reported_and_the_rest_are_printed(as_role, demo, db, monkeypatch):
    from trainee.dossiers import operations

    real = operations.produce
    victim = demo["trainee"].person.id

    def flaky(actor, person, variant, **kw):
        if person.id == victim:
            raise RuntimeError("模拟失败")
        return real(actor, person, variant, **kw)

    monkeypatch.setattr(operations, "produce", flaky)
    client = as_role("hr")
    client.post("/dossiers/batch", data={"scope": "department", "department_id": str(_department_of(demo).id),
                                         "variant": "standard"})
    job = db.session.execute(db.select(DossierJob)).scalar_one()
    _wait(db, job.id)
    job = db.session.get(DossierJob, job.id)
    assert job.status is JobStatus.DONE and job.failed == 1 and job.done == job.total - 1
    assert "模拟失败" in job.error and demo["trainee"].person.name in job.error


def test_an_empty_scope_is_refused_with_a_clear_message_and_no_job(as_role, demo, db):
    from trainee.org.models import Department

    office = db.session.execute(db.select(Department).where(Department.name == "办公室",
                                                            Department.unit_id == demo["hr"].unit_id)).scalar_one()
    response = as_role("hr").post("/dossiers/batch", data={"scope": "department", "department_id": str(office.id),
                                                           "variant": "standard"})
    assert response.status_code == 200 and "没有在培的检察官助理" in response.get_data(as_text=True)
    assert db.session.execute(db.select(DossierJob)).first() is None


def test_hr_of_a_district_cannot_batch_the_city_unit(as_role, demo, db):
    response = as_role("hr_yuhu").post("/dossiers/batch", data={"scope": "unit", "unit_id": str(demo["hr"].unit_id),
                                                                "variant": "standard"})
    assert response.status_code == 200 and "您无权执行此操作" in response.get_data(as_text=True)
    assert db.session.execute(db.select(DossierJob)).first() is None


def test_a_queued_job_can_be_cancelled(as_role, demo, db, monkeypatch):
    monkeypatch.setattr(jobs, "launch", lambda app, job_id: None)
    client = as_role("hr")
    client.post("/dossiers/batch", data={"scope": "unit", "unit_id": str(demo["hr"].unit_id), "variant": "standard"})
    job = db.session.execute(db.select(DossierJob)).scalar_one()
    assert client.post(f"/dossiers/jobs/{job.id}/cancel").status_code == 302
    assert db.session.get(DossierJob, job.id).status is JobStatus.CANCELLED
    assert "dossier.batch_cancelled" in set(db.session.execute(db.select(AuditEntry.action)).scalars())


@pytest.mark.redis
@pytest.mark.skipif(not os.environ.get("REDIS_URL"),
                    reason="REDIS_URL not set: the RQ path of batch dossiers is not tested")
def test_with_redis_the_batch_runs_on_an_rq_worker(app, as_role, demo, db):
    from rq import SimpleWorker

    app.config["REDIS_URL"] = os.environ["REDIS_URL"]
    app.config["DOSSIER_QUEUE"] = f"dossiers-test-{os.getpid()}-{id(app)}"
    client = as_role("hr")
    response = client.post("/dossiers/batch", data={"scope": "department",
                                                    "department_id": str(_department_of(demo).id),
                                                    "variant": "standard"})
    assert response.status_code == 302
    job = db.session.execute(db.select(DossierJob)).scalar_one()
    assert job.runner == "rq" and job.status is JobStatus.QUEUED
    job_id = job.id
    queue = jobs.queue(app)
    assert queue.count == 1
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    db.session.commit()
    job = db.session.get(DossierJob, job_id)
    assert job.status is JobStatus.DONE and job.done == job.total
    queue.delete(delete_jobs=True)


def test_the_command_line_prints_one_dossier(app, demo, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "one.pdf"
    result = runner.invoke(args=["dossier", demo["trainee"].person.staff_no, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-") and "核验码" in result.output
    result = runner.invoke(args=["dossier", "NOPE", "-o", str(out)])
    assert result.exit_code != 0 and "不存在" in result.output


@needs_poppler
def test_stages_transitions_work_summary_and_appendix_with_repeated_headers(as_role, demo, db):
    from trainee.activities.models import Activity, ActivityStatus
    from trainee.dossiers.sample import add_approved_activities

    person = demo["trainee"].person
    approved = db.session.execute(db.select(db.func.count(Activity.id)).where(
        Activity.person_id == person.id, Activity.status == ActivityStatus.APPROVED)).scalar()  # the demo's own
    add_approved_activities(person, entries=90, years=2)
    data = print_pdf(as_role("hr"), person.id).data
    pages = pdftotext(data).split("\f")
    text = squash("".join(pages))
    assert "阶段历程与九项转变" in text and "初阶" in text and "中阶" in text
    assert "学理思维转法理思维" in text and "合格履职转创新引领" in text
    assert f"审核通过的工作记录共{approved + 90}条" in text and "协助办案" in text
    appendix_pages = [p for p in pages if "案号" in p and "工时" in p]
    assert len(appendix_pages) >= 2  # the header row is repeated on every page of the appendix
    assert "本节数据尚未启用" in text  # checklists, points... not on main yet
    assert "竞赛与评选" in text and "人才库" in text


def test_a_stage_batch_takes_the_units_trainees_in_that_stage_only(as_role, demo, db, monkeypatch):
    from trainee.points.queries import current_stage_codes
    from trainee.training.models import Stage

    monkeypatch.setattr(jobs, "launch", lambda app, job_id: None)
    stage = db.session.execute(db.select(Stage).where(Stage.code == "S2")).scalar_one()
    unit_id = demo["hr"].unit_id
    client = as_role("hr")
    missing_unit = client.post("/dossiers/batch", data={"scope": "stage", "stage_id": str(stage.id),
                                                        "variant": "standard"})
    assert missing_unit.status_code == 200 and "请选择要打印的单位、部门或阶段" in missing_unit.get_data(as_text=True)
    response = client.post("/dossiers/batch", data={"scope": "stage", "stage_id": str(stage.id),
                                                    "unit_id": str(unit_id), "variant": "standard"})
    assert response.status_code == 302
    job = db.session.execute(db.select(DossierJob)).scalar_one()
    expected = db.session.execute(db.select(Person.id).where(
        Person.unit_id == unit_id, Person.position == Position.ASSISTANT,
        Person.status == PersonStatus.ACTIVE)).scalars().all()
    codes = current_stage_codes(expected)
    assert sorted(job.person_ids) == sorted(p for p in expected if codes.get(p) == "S2")
    assert demo["trainee"].person.id in job.person_ids and job.scope_label.endswith("中阶")


def test_expired_batch_downloads_are_purged_when_the_next_batch_starts(app, as_role, demo, db, monkeypatch, tmp_path):
    from datetime import timedelta

    from trainee.core.time import utcnow

    monkeypatch.setattr(jobs, "launch", lambda app, job_id: None)
    client = as_role("hr")
    client.post("/dossiers/batch", data={"scope": "unit", "unit_id": str(demo["hr"].unit_id), "variant": "standard"})
    old = db.session.execute(db.select(DossierJob)).scalar_one()
    archive = tmp_path / "old.zip"
    archive.write_bytes(b"PK")
    old.status, old.result_path, old.expires_at = JobStatus.DONE, str(archive), utcnow() - timedelta(days=1)
    db.session.commit()
    client.post("/dossiers/batch", data={"scope": "unit", "unit_id": str(demo["hr"].unit_id), "variant": "standard"})
    assert not archive.exists()
    old = db.session.get(DossierJob, old.id)
    assert old.result_path is None and old.status is JobStatus.DONE  # the row stays as history
    assert client.get(f"/dossiers/jobs/{old.id}/download").status_code in (404, 410)
    result = app.test_cli_runner().invoke(args=["dossier-purge"])
    assert result.exit_code == 0 and "0 个" in result.output


def test_a_batch_renders_in_a_pool_of_worker_processes(app, as_role, demo, db):
    """DOSSIER_PROCESSES=2: two spawned processes render and register; the ZIP and the registry agree."""
    app.config["DOSSIER_PROCESSES"] = 2
    client = as_role("hr")
    response = client.post("/dossiers/batch", data={"scope": "department",
                                                    "department_id": str(_department_of(demo).id),
                                                    "variant": "standard"})
    assert response.status_code == 302
    job = db.session.execute(db.select(DossierJob)).scalar_one()
    _wait(db, job.id)
    job = db.session.get(DossierJob, job.id)
    assert job.status is JobStatus.DONE and job.done == job.total >= 2 and job.failed == 0, job.error
    with zipfile.ZipFile(job.result_path) as archive:
        digests = {hashlib.sha256(archive.read(n)).hexdigest() for n in archive.namelist()}
    prints = db.session.execute(db.select(DossierPrint).where(DossierPrint.job_id == job.id)).scalars().all()
    assert len(prints) == job.total and {p.sha256 for p in prints} == digests


def test_the_mentor_section_lists_the_quarterly_comments(as_role, demo, db):
    from trainee.core.time import local_today, quarter_of
    from trainee.evaluation import operations as evaluation_ops

    today = local_today()
    evaluation_ops.save_quarter_comment(demo["mentor"], demo["trainee"].person, today.year, quarter_of(today),
                                        "本季度协助办案认真，文书起草规范，下季度加强出庭训练。")
    preview = as_role("hr").get(f"/people/{demo['trainee'].person.id}/dossier").get_data(as_text=True)
    assert "带教评语（季度）" in preview and "下季度加强出庭训练" in preview
    assert f"{today.year} Q{quarter_of(today)}" in preview and "尚未启用" not in preview.split("带教经历")[1][:3000]


@needs_poppler
def test_each_appendix_entry_is_one_line_with_date_hours_code_and_title_in_their_columns(as_role, demo, db):
    from datetime import date
    from decimal import Decimal

    from trainee.activities.models import Activity, ActivityStatus, ActivityType
    from trainee.training.models import Transition

    person = demo["trainee"].person
    kind = db.session.execute(db.select(ActivityType).order_by(ActivityType.order)).scalars().first()
    t3 = db.session.execute(db.select(Transition).where(Transition.code == "T3")).scalar_one()
    rows = [("甲案件附录检查", Decimal("12.5"), t3.id), ("乙案件没有转变", Decimal("2.0"), None),
            ("丙案件没有工时", None, t3.id)]
    for title, hours, transition_id in rows:
        db.session.add(Activity(person_id=person.id, type_id=kind.id, transition_id=transition_id, title=title,
                                date=date(2025, 3, 14), hours=hours, status=ActivityStatus.APPROVED))
    db.session.commit()
    data = print_pdf(as_role("hr"), person.id).data
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()
    lines = {title: next(line for line in text.splitlines() if title in line) for title, _, _ in rows}
    assert re.search(r"2025-03-14\s+12\.5\s+T3\s+甲案件附录检查$", lines["甲案件附录检查"])
    assert re.search(r"2025-03-14\s+2\.0\s+乙案件没有转变$", lines["乙案件没有转变"])
    assert re.search(r"2025-03-14\s+T3\s+丙案件没有工时$", lines["丙案件没有工时"])
    # Where the words are (in points): the hours end in one column, the codes start in another and the titles
    # in a third, with or without the other values (en spaces pad a missing digit: 0.06 em off at most).
    boxes = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=data, capture_output=True,
                           check=True).stdout.decode()
    words = {}
    for page, markup in enumerate(boxes.split("<page")):
        for x0, y0, x1, word in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', markup):
            words.setdefault((page, round(float(y0))), {})[word] = (float(x0), float(x1))
    row = {title: next(line for line in words.values() if title in line) for title, _, _ in rows}
    assert abs(row["甲案件附录检查"]["12.5"][1] - row["乙案件没有转变"]["2.0"][1]) < 0.6
    assert abs(row["甲案件附录检查"]["T3"][0] - row["丙案件没有工时"]["T3"][0]) < 0.6
    starts = [line[title][0] for title, line in row.items()]
    assert max(starts) - min(starts) < 0.6



def test_the_trimmed_user_agent_sheet_prints_the_dossiers_elements_as_weasyprints_own_does(app):
    """render.DossierHTML swaps WeasyPrint's HTML5 user agent sheet for print_ua.css through `_ua_stylesheets`,
    a hook with no public equivalent: it must still exist, and the elements the templates use (with the
    dossier's own sheet on top) must come out byte for byte as with WeasyPrint's full sheet."""
    from weasyprint import HTML

    from trainee.dossiers import render

    assert callable(getattr(HTML, "_ua_stylesheets", None)), "WeasyPrint dropped the hook DossierHTML overrides"
    page = ("<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>t</title></head><body class='dossier'>"
            "<section class='cover'><h1 class='cover-title'>档案</h1><p class='cover-sub'>副题</p>"
            "<nav class='toc'><h2>目录</h2><ol><li><a href='#s'>一、基本情况</a></li></ol></nav></section>"
            "<section class='dsec' id='s'><h2>一、基本情况</h2><h3>小节 <span class='muted small'>注</span></h3>"
            "<table class='grid'><colgroup><col><col></colgroup><thead><tr><th class='w-date'>日期</th><th>说明</th>"
            "</tr></thead><tbody><tr><td>2025-01-02</td><td><strong class='ok'>是</strong><br>第二行</td></tr>"
            "</tbody></table><table class='facts'><tr><th>姓名</th><td>李喆</td></tr></table>"
            "<ul class='highlights'><li><span class='hl-type'>类型</span> 标题</li></ul><p class='pending'>未启用</p>"
            "</section></body></html>")
    with app.app_context():
        font_config, style = render.print_style()
        documents = [cls(string=page, base_url=render.BASE_URL, url_fetcher=render.static_fetcher())
                     for cls in (render.DossierHTML, HTML)]
        assert documents[0]._ua_stylesheets() == [render.ua_style()]
        assert documents[0]._ua_stylesheets(forms=True) == documents[1]._ua_stylesheets(forms=True)
        trimmed, full = (doc.write_pdf(font_config=font_config, stylesheets=[style]) for doc in documents)
    assert trimmed == full
