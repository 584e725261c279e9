"""Importing people from .xlsx and .csv: validation with row/column messages, preview, all-or-nothing commit,
update by staff number, refusal of unsafe files, and the CLI with the same rules."""
import io
import re
import zipfile

import openpyxl
import pytest

from trainee.audit import AuditEntry
from trainee.org.importer import COLUMNS
from trainee.org.models import Person

HEADERS = ["工号", "姓名", "性别", "单位", "部门", "岗位类别", "入职日期", "法律职业资格", "学历"]
GOOD = [["XT7001", "欧阳娜", "女", "XT", "第一检察部", "检察官助理", "2024-09-01", "是", "硕士研究生"],
        ["YH7002", "司马喆", "男", "雨湖区院", "第二检察部", "检察官助理", "2023/07/15", "否", "本科"]]


def xlsx_bytes(rows, headers=HEADERS):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(rows, encoding="utf-8", headers=HEADERS):
    lines = [",".join(headers)] + [",".join(r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def upload(client, data, name="people.xlsx"):
    return client.post("/people/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def token_of(page):
    match = re.search(r'name="token" value="([^"]+)"', page)
    return match.group(1) if match else None


def follow(client, response):
    assert response.status_code == 302
    return client.get(response.headers["Location"])


def count_people(db):
    return db.session.execute(db.select(db.func.count(Person.id))).scalar()


def test_template_has_the_chinese_columns_with_required_marks(as_role, demo):
    response = as_role("hr").get("/people/import/template.xlsx")
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(response.data))
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    assert headers[:4] == ["工号*", "姓名*", "性别", "单位*"] and len(headers) == len(COLUMNS)
    assert ws.freeze_panes == "A2"


def test_a_valid_xlsx_is_previewed_then_committed_with_an_audit_entry(as_role, demo, db):
    client = as_role("hr")
    before = count_people(db)
    page = upload(client, xlsx_bytes(GOOD)).get_data(as_text=True)
    assert "欧阳娜" in page and "司马喆" in page and "确认导入" in page
    assert count_people(db) == before  # the preview writes nothing
    response = client.post("/people/import/commit", data={"token": token_of(page)})
    assert response.status_code == 302
    assert count_people(db) == before + 2
    person = db.session.execute(db.select(Person).where(Person.staff_no == "YH7002")).scalar_one()
    assert person.unit.code == "YH" and person.department.name == "第二检察部" and not person.legal_qualification
    assert person.hire_date.isoformat() == "2023-07-15" and person.education.name == "BACHELOR"
    entry = db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "people.imported")).scalar_one()
    assert entry.changes["create"] == [None, 2] and entry.actor_name == "hr"
    created = db.session.execute(db.select(db.func.count(AuditEntry.id)).where(
        AuditEntry.action == "person.created")).scalar()
    assert created == 2


def test_the_same_token_cannot_be_committed_twice_or_by_someone_else(as_role, demo, db):
    client = as_role("hr")
    token = token_of(upload(client, xlsx_bytes(GOOD)).get_data(as_text=True))
    yuhu = as_role("hr_yuhu")
    other = follow(yuhu, yuhu.post("/people/import/commit", data={"token": token}))
    assert "已过期或不存在" in other.get_data(as_text=True)
    assert db.session.execute(db.select(Person).where(Person.staff_no == "XT7001")).first() is None
    client.post("/people/import/commit", data={"token": token})
    again = follow(client, client.post("/people/import/commit", data={"token": token}))
    assert "已过期或不存在" in again.get_data(as_text=True)
    bad = follow(client, client.post("/people/import/commit", data={"token": "../../secret_key"}))
    assert "已过期或不存在" in bad.get_data(as_text=True)


def test_gbk_csv_from_the_personnel_system_is_read(as_role, demo, db):
    client = as_role("hr")
    page = upload(client, csv_bytes(GOOD, "gbk"), "导出.csv").get_data(as_text=True)
    assert "欧阳娜" in page and "确认导入" in page
    client.post("/people/import/commit", data={"token": token_of(page)})
    assert db.session.execute(db.select(Person.name).where(Person.staff_no == "XT7001")).scalar() == "欧阳娜"


def test_utf8_csv_with_bom_is_read(as_role, demo):
    page = upload(as_role("hr"), b"\xef\xbb\xbf" + csv_bytes(GOOD), "people.csv").get_data(as_text=True)
    assert "司马喆" in page and "确认导入" in page


def test_errors_in_several_rows_are_all_reported_with_row_and_column_and_nothing_is_written(as_role, demo, db):
    rows = [GOOD[0],
            ["", "无工号", "男", "XT", "", "", "", "", ""],                             # row 3: staff no
            ["XT7003", "<b>x</b>", "男", "火星院", "", "", "2024-02-30", "也许", ""],  # row 4: name, unit, date, lq
            ["XT7001", "重复", "女", "XT", "不存在的部门", "", "2999-01-01", "", "小学"]]  # row 5: dup, dept…
    before = count_people(db)
    response = upload(as_role("hr"), xlsx_bytes(rows))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "确认导入" not in page and "未写入任何数据" in page
    expected = [("第 3 行", "工号", "工号不能为空"), ("第 4 行", "姓名", "尖括号"), ("第 4 行", "单位", "火星院"),
                ("第 4 行", "入职日期", "不是有效的日期"), ("第 4 行", "法律职业资格", "“是”或“否”"),
                ("第 5 行", "工号", "与第 2 行重复")]
    for row, column, text in expected:
        assert re.search(f"{row}</td><td>{column}</td><td[^>]*>[^<]*{re.escape(text)}", page), (row, column, text)
    assert count_people(db) == before


def test_reimport_updates_existing_people_by_staff_number_and_shows_the_changes(as_role, demo, db):
    person = demo["trainee"].person
    old_rank = person.rank
    rows = [[person.staff_no, person.name, "", "", "", "", "", "否" if person.legal_qualification else "是", ""]]
    headers = HEADERS[:]
    client = as_role("hr")
    page = upload(client, xlsx_bytes(rows, headers)).get_data(as_text=True)
    assert "法律职业资格：" in page and "built-in" not in page
    assert re.search(r'<div class="stat">1</div><div class="muted">更新', page)
    assert re.search(r"<del>(是|否)</del> → <ins>(否|是)</ins>", page)
    client.post("/people/import/commit", data={"token": token_of(page)})
    db.session.refresh(person)
    assert person.legal_qualification is (rows[0][7] == "是") and person.rank == old_rank  # blanks change nothing
    entry = db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "person.updated")).scalar_one()
    assert "legal_qualification" in entry.changes


def test_unchanged_rows_are_reported_as_unchanged(as_role, demo):
    person = demo["trainee"].person
    page = upload(as_role("hr"), xlsx_bytes([[person.staff_no, person.name]], ["工号", "姓名"])).get_data(as_text=True)
    assert "无变化" in page


def test_district_hr_cannot_import_into_or_update_other_units(as_role, demo, db):
    city_person = demo["trainee"].person
    rows = [["XT7101", "越权", "男", "XT", "", "", "", "", ""], [city_person.staff_no, "改名", "", "", "", "", "", "", ""]]
    page = upload(as_role("hr_yuhu"), xlsx_bytes(rows)).get_data(as_text=True)
    assert "不在您的管理范围内" in page and "管理范围以外的人员" in page and "确认导入" not in page


def zip_with(entries: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buf.getvalue()


CONTENT_TYPES = b'<Types><Override ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'


@pytest.mark.parametrize("name,data,message", [
    ("bomb.xlsx", zip_with({"[Content_Types].xml": CONTENT_TYPES, "xl/worksheets/sheet1.xml": b"0" * (30 * 1024 * 1024)}),
     "压缩炸弹"),
    ("macro.xlsx", zip_with({"[Content_Types].xml": CONTENT_TYPES, "xl/vbaProject.bin": b"\x00" * 100}), "宏"),
    ("macro.xlsm", xlsx_bytes(GOOD), "宏"),
    ("locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 600,
     "密码"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, ".xls"),
    ("broken.xlsx", b"PK\x03\x04 this is not really a zip", "已损坏"),
    ("notes.txt", b"hello", "只支持"),
    ("empty.csv", b"", "空"),
    ("big.csv", b"a" * (5 * 1024 * 1024 + 10), "5 MB"),
    ("many.csv", csv_bytes([[f"XT{i:05d}", "某人", "男", "XT", "", "", "", "", ""] for i in range(5001)]), "5000"),
    ("noheader.csv", "名字,电话\r\n张三,1\r\n".encode(), "缺少必填列"),
    ("latin.csv", "工号,姓名,单位\r\n".encode("utf-16"), "编码"),
])
def test_unsafe_or_malformed_files_are_refused_with_a_clear_message(as_role, demo, db, name, data, message):
    before = count_people(db)
    response = upload(as_role("hr"), data, name)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page, page[page.find("flash"):page.find("flash") + 200]
    assert count_people(db) == before


def test_5000_rows_are_accepted(as_role, demo):
    rows = [[f"XT{i:05d}", "某人", "男", "XT", "", "", "", "", ""] for i in range(5000)]
    page = upload(as_role("hr"), csv_bytes(rows), "many.csv").get_data(as_text=True)
    assert "确认导入" in page


def test_only_hr_and_admin_may_import(as_role, demo):
    for role in ("head", "mentor", "trainee"):
        assert as_role(role).get("/people/import").status_code == 403
        assert upload(as_role(role), xlsx_bytes(GOOD)).status_code == 403
    assert as_role("admin").get("/people/import").status_code == 200


def test_cli_dry_run_validates_and_writes_nothing_then_imports(app, demo, db, tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(GOOD, "gbk"))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import-people", str(path), "--dry-run"])
    assert result.exit_code == 0 and "新增 2" in result.output and "未写入" in result.output
    assert db.session.execute(db.select(Person).where(Person.staff_no == "XT7001")).first() is None
    result = runner.invoke(args=["import-people", str(path)])
    assert result.exit_code == 0, result.output
    assert db.session.execute(db.select(Person).where(Person.staff_no == "XT7001")).first() is not None


def test_cli_reports_row_errors_and_exits_non_zero(app, demo, db, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx_bytes([["", "无工号", "男", "XT", "", "", "", "", ""]]))
    result = app.test_cli_runner().invoke(args=["import-people", str(path)])
    assert result.exit_code != 0 and "第 2 行" in result.output and "工号" in result.output
