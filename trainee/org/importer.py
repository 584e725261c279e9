"""Import of people from .xlsx and .csv (UTF-8 or GBK/GB18030), as exported from the personnel system.

One implementation for the web page and the CLI: `read_table()` refuses unsafe or malformed files,
`plan_import()` validates every row and works out what would change (nothing is written), and
`commit_import()` writes all rows in one transaction or none, with an audit entry per person and one
for the import with its counts.
"""
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from trainee import audit, policy
from trainee.core.errors import ValidationFailed
from trainee.core.ops import transaction
from trainee.core.time import local_today
from trainee.extensions import db
from trainee.org.models import RANKS, Department, Education, Person, PersonStatus, Position, Unit
from trainee.org.operations import PERSON_FIELDS

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# Zip-bomb guards, checked on the archive directory before openpyxl inflates anything.
MAX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_RATIO = 100
MAX_ENTRIES = 500
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


class ImportRefused(ValidationFailed):
    """The file as a whole cannot be read (too big, encrypted, macros, zip bomb, malformed)."""


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    example: str = ""
    width: int = 14


COLUMNS = [
    Column("staff_no", "工号", True, "XT0101", 12),
    Column("name", "姓名", True, "张三", 10),
    Column("gender", "性别", False, "男", 6),
    Column("unit", "单位", True, "XT", 22),
    Column("department", "部门", False, "第一检察部", 16),
    Column("position", "岗位类别", False, "检察官助理", 12),
    Column("rank", "职级", False, "五级检察官助理", 16),
    Column("hire_date", "入职日期", False, "2024-09-01", 12),
    Column("birth_date", "出生日期", False, "1998-05-20", 12),
    Column("education", "学历", False, "硕士研究生", 12),
    Column("school", "毕业院校", False, "湘潭大学", 16),
    Column("major", "专业", False, "法学", 12),
    Column("legal_qualification", "法律职业资格", False, "是", 12),
    Column("legal_qualification_no", "法律职业资格证书编号", False, "A20244300000001", 22),
    Column("status", "状态", False, "在培", 8),
]
BY_HEADER = {c.header: c for c in COLUMNS}
FIELD_LABELS = {c.key: c.header for c in COLUMNS} | {"unit_id": "单位", "department_id": "部门"}
YES = {"是", "有", "已取得", "y", "yes", "true", "1"}
NO = {"否", "无", "未取得", "n", "no", "false", "0"}


# --- reading -------------------------------------------------------------------------------------

def _refuse(message: str):
    raise ImportRefused(message, {"file": [message]})


def _check_zip(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        _refuse("文件已损坏或不是有效的 Excel 工作簿（.xlsx）。")
    if len(entries) > MAX_ENTRIES:
        _refuse("工作簿内部文件过多，疑似异常文件，已拒绝。")
    total = 0
    for info in entries:
        name = info.filename.lower()
        if name.endswith("vbaproject.bin") or name.endswith(".bin") and "vba" in name:
            _refuse("工作簿包含宏（VBA），出于安全考虑不予导入。请另存为不含宏的 .xlsx 文件。")
        total += info.file_size
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            _refuse("工作簿压缩比异常（疑似“压缩炸弹”），已拒绝。")
        if total > MAX_UNCOMPRESSED:
            _refuse("工作簿解压后过大（超过 50 MB），已拒绝。")
    try:
        content_types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in archive.namelist() else b""
    except (zipfile.BadZipFile, OSError, RuntimeError):
        _refuse("文件已损坏或不是有效的 Excel 工作簿（.xlsx）。")
    if b"macroEnabled" in content_types or b"vbaProject" in content_types:
        _refuse("工作簿包含宏（VBA），出于安全考虑不予导入。请另存为不含宏的 .xlsx 文件。")
    if not content_types or b"spreadsheetml" not in content_types:
        _refuse("文件不是有效的 Excel 工作簿（.xlsx）。")


def _cell_text(value) -> object:
    if value is None:
        return ""
    if isinstance(value, (datetime, date)):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_xlsx(data: bytes) -> list[list]:
    if data.startswith(OLE_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data or b"EncryptedPackage" in data \
                or "EncryptedPackage".encode("utf-16-le") in data:
            _refuse("工作簿设有打开密码（已加密），无法读取。请取消密码后另存为 .xlsx 再导入。")
        _refuse("这是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后再导入。")
    if not data.startswith(ZIP_MAGIC):
        _refuse("文件已损坏或不是有效的 Excel 工作簿（.xlsx）。")
    _check_zip(data)
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on malformed XML
        _refuse("文件已损坏或不是有效的 Excel 工作簿（.xlsx）。")
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([_cell_text(v) for v in values])
            if len(rows) > MAX_ROWS + 50:  # header and blank lines aside, stop reading early
                break
        return rows
    except Exception:
        _refuse("文件已损坏或不是有效的 Excel 工作簿（.xlsx）。")
    finally:
        workbook.close()


def _read_csv(data: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        _refuse("无法识别 CSV 文件的编码，请使用 UTF-8 或 GBK 编码保存。")
    if "\x00" in text:
        _refuse("CSV 文件包含异常字符（可能不是文本文件）。")
    try:
        sample = text[:4096]
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;") if sample else csv.excel
    except csv.Error:
        dialect = csv.excel
    try:
        return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), dialect)]
    except csv.Error:
        _refuse("CSV 文件格式有误，无法解析。")


def read_table(filename: str, data: bytes) -> list[list]:
    """The rows of the first sheet (or the CSV), as text or dates; refuses unsafe or unreadable files."""
    name = (filename or "").lower()
    if len(data) > MAX_BYTES:
        _refuse("文件超过 5 MB，请拆分后分批导入。")
    if not data:
        _refuse("文件是空的。")
    if name.endswith((".xlsm", ".xltm", ".xlam")):
        _refuse("工作簿包含宏（VBA），出于安全考虑不予导入。请另存为不含宏的 .xlsx 文件。")
    if name.endswith(".xlsx"):
        return _read_xlsx(data)
    if name.endswith(".csv"):
        if data.startswith((ZIP_MAGIC, OLE_MAGIC)):
            _refuse("文件内容与扩展名不符：这不是 CSV 文本文件。")
        return _read_csv(data)
    if name.endswith(".xls"):
        _refuse("这是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后再导入。")
    _refuse("只支持 .xlsx 或 .csv 文件。")


# --- validation ----------------------------------------------------------------------------------

@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class RowPlan:
    row: int
    staff_no: str
    name: str
    action: str = "create"  # create / update / unchanged / error
    data: dict = field(default_factory=dict)
    changes: dict = field(default_factory=dict)  # {label: (old, new)}
    person_id: int | None = None


@dataclass
class ImportPlan:
    rows: list[RowPlan] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def counts(self) -> dict:
        return {a: self.count(a) for a in ("create", "update", "unchanged")} | {"errors": len(self.errors)}


def _parse_date(raw, today: date):
    if isinstance(raw, datetime):
        value = raw.date()
    elif isinstance(raw, date):
        value = raw
    else:
        text = raw.strip()
        match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text) or \
            re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
        if not match:
            raise ValueError("日期格式应为 YYYY-MM-DD")
        try:
            value = date(*(int(g) for g in match.groups()))
        except ValueError:
            raise ValueError("不是有效的日期") from None
    if value > today:
        raise ValueError("日期不能晚于今天")
    if value.year < 1900:
        raise ValueError("日期过早")
    return value


def _label_lookup(enum_cls) -> dict:
    return {str(m.label): m for m in enum_cls} | {m.name.lower(): m for m in enum_cls}


class _Context:
    """Lookups loaded once per import: units by code and name, departments, existing people."""

    def __init__(self, actor, staff_nos):
        self.actor = actor
        units = db.session.execute(select(Unit)).scalars().all()
        self.units = {}
        for unit in units:
            for key in (unit.code, unit.name, unit.short_name):
                self.units.setdefault(key.strip().lower(), unit)
        self.departments = {(d.unit_id, d.name): d for d in db.session.execute(select(Department)).scalars()}
        self.people = {}
        staff_nos = [s for s in staff_nos if s]
        for chunk in range(0, len(staff_nos), 500):
            for person in db.session.execute(select(Person).where(
                    Person.staff_no.in_(staff_nos[chunk:chunk + 500]))).scalars():
                self.people[person.staff_no] = person
        self.positions = _label_lookup(Position)
        self.statuses = _label_lookup(PersonStatus)
        self.educations = _label_lookup(Education) | {"本科": Education.BACHELOR, "硕士": Education.MASTER,
                                                      "博士": Education.DOCTOR, "专科": Education.COLLEGE,
                                                      "研究生": Education.MASTER}
        self.today = local_today()

    def may_create_in(self, unit) -> bool:
        return self.actor is None or policy.can(self.actor, "person.create", unit)

    def may_edit(self, person) -> bool:
        return self.actor is None or policy.can(self.actor, "person.edit", person)


def _header_map(header_row) -> tuple[dict, list, list]:
    """{column key: index}, missing required headers, ignored headers."""
    mapping, ignored = {}, []
    for index, raw in enumerate(header_row):
        text = str(raw or "").strip().replace("*", "").replace("＊", "").strip()
        if not text:
            continue
        column = BY_HEADER.get(text)
        if column is None:
            ignored.append(text)
        elif column.key not in mapping:
            mapping[column.key] = index
    # 单位 is required for new people (checked per row); an update-only file may leave it out.
    missing = [c.header for c in COLUMNS if c.key in ("staff_no", "name") and c.key not in mapping]
    return mapping, missing, ignored


def _validate_row(ctx: _Context, row_no: int, values: dict, errors: list) -> RowPlan:
    def err(key, message):
        errors.append(RowError(row_no, FIELD_LABELS[key], message))

    def text(key):
        raw = values.get(key, "")
        return raw.strip() if isinstance(raw, str) else raw

    staff_no, name = str(text("staff_no") or ""), str(text("name") or "")
    plan = RowPlan(row=row_no, staff_no=staff_no, name=name)
    existing = ctx.people.get(staff_no)
    data, before_errors = {}, len(errors)
    present = {k for k, v in values.items() if v not in ("", None)}

    if not staff_no:
        err("staff_no", "工号不能为空")
    elif len(staff_no) > 32 or not re.fullmatch(r"[A-Za-z0-9\-]+", staff_no):
        err("staff_no", "工号只能包含字母、数字和连字符，且不超过 32 个字符")
    else:
        data["staff_no"] = staff_no
    if not name and existing is None:
        err("name", "姓名不能为空")
    elif name:
        if len(name) > 50:
            err("name", "姓名不超过 50 个字")
        elif "<" in name or ">" in name:
            err("name", "姓名不能包含尖括号等标记字符")
        else:
            data["name"] = name

    unit = existing.unit if existing is not None else None
    if "unit" in present:
        unit = ctx.units.get(str(text("unit")).lower())
        if unit is None:
            err("unit", f"单位“{text('unit')}”不存在（可填单位代码、全称或简称）")
        elif not ctx.may_create_in(unit):
            err("unit", f"单位“{unit.short_name}”不在您的管理范围内")
            unit = None
        else:
            data["unit_id"] = unit.id
    elif existing is None:
        err("unit", "单位不能为空")

    if "department" in present and unit is not None:
        department = ctx.departments.get((unit.id, str(text("department"))))
        if department is None:
            err("department", f"{unit.short_name}没有名为“{text('department')}”的部门")
        else:
            data["department_id"] = department.id
    elif existing is not None and "unit_id" in data and data["unit_id"] != existing.unit_id:
        data["department_id"] = None  # moved to another unit without a department

    for key, lookup, message in (("position", ctx.positions, "岗位类别应为：检察官助理、员额检察官、司法行政人员"),
                                 ("status", ctx.statuses, "状态应为：在培、已遴选、已转任、已离开"),
                                 ("education", ctx.educations, "学历应为：大学专科、大学本科、硕士研究生、博士研究生")):
        if key in present:
            member = lookup.get(str(text(key)).lower()) or lookup.get(str(text(key)))
            if member is None:
                err(key, message)
            else:
                data[key] = member
    if "gender" in present:
        if text("gender") not in ("男", "女"):
            err("gender", "性别应为“男”或“女”")
        else:
            data["gender"] = text("gender")
    if "rank" in present:
        if text("rank") not in RANKS:
            err("rank", "职级不在职级表中（如：五级检察官助理）")
        else:
            data["rank"] = text("rank")
    for key in ("hire_date", "birth_date"):
        if key in present:
            try:
                data[key] = _parse_date(values[key], ctx.today)
            except ValueError as error:
                err(key, f"{error}（填写的是“{values[key]}”）")
    for key, limit in (("school", 100), ("major", 100), ("legal_qualification_no", 40)):
        if key in present:
            value = str(text(key))
            if len(value) > limit:
                err(key, f"不超过 {limit} 个字")
            elif "<" in value or ">" in value:
                err(key, "不能包含尖括号等标记字符")
            else:
                data[key] = value
    if "legal_qualification" in present:
        flag = str(text("legal_qualification")).lower()
        if flag in YES:
            data["legal_qualification"] = True
        elif flag in NO:
            data["legal_qualification"] = False
        else:
            err("legal_qualification", "应填写“是”或“否”")
    if "birth_date" in data and "hire_date" in data and data["birth_date"] >= data["hire_date"]:
        err("birth_date", "出生日期应早于入职日期")

    if existing is not None and not ctx.may_edit(existing):
        err("staff_no", f"工号 {staff_no} 属于您管理范围以外的人员，不能更新")

    if len(errors) > before_errors:
        plan.action = "error"
        return plan
    plan.data = data
    if existing is None:
        data.setdefault("position", Position.ASSISTANT)
        data.setdefault("status", PersonStatus.ACTIVE)
        data.setdefault("legal_qualification", False)
        plan.action = "create"
        return plan
    plan.person_id = existing.id
    plan.name = name or existing.name
    if "department_id" not in data and "unit_id" in data and existing.department_id is not None \
            and existing.department.unit_id != data["unit_id"]:
        data["department_id"] = None
    for key, new in data.items():
        old = getattr(existing, key)
        if old != new:
            plan.changes[FIELD_LABELS.get(key, key)] = (_shown(key, old), _shown(key, new))
    plan.action = "update" if plan.changes else "unchanged"
    return plan


def _shown(key: str, value) -> str:
    """A field value as the preview shows it."""
    if value is None:
        return "—"
    if key == "unit_id":
        unit = db.session.get(Unit, value)
        return unit.short_name if unit else str(value)
    if key == "department_id":
        department = db.session.get(Department, value)
        return department.name if department else str(value)
    if hasattr(value, "label"):
        return str(value.label)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def plan_import(actor, rows: list[list]) -> ImportPlan:
    """Validate every row; nothing is written. `actor` None means the command line (every unit).

    Files are matched against the Chinese labels whatever the interface language."""
    from flask_babel import force_locale

    with force_locale("zh_CN"):
        return _plan_import(actor, rows)


def _plan_import(actor, rows: list[list]) -> ImportPlan:
    plan = ImportPlan()
    body_start = next((i for i, row in enumerate(rows) if any(str(v).strip() for v in row if v is not None)), None)
    if body_start is None:
        _refuse("文件中没有数据。")
    mapping, missing, plan.ignored_headers = _header_map(rows[body_start])
    if missing:
        _refuse(f"第 {body_start + 1} 行表头缺少必填列：{'、'.join(missing)}。请使用下载的导入模板。")
    records = []
    for offset, row in enumerate(rows[body_start + 1:], start=body_start + 2):
        values = {key: (row[index] if index < len(row) else "") for key, index in mapping.items()}
        if all(v in ("", None) for v in values.values()):
            continue
        records.append((offset, values))
    if not records:
        _refuse("文件只有表头，没有人员数据。")
    if len(records) > MAX_ROWS:
        _refuse(f"文件有 {len(records)} 行数据，超过单次导入上限 {MAX_ROWS} 行，请拆分后分批导入。")
    ctx = _Context(actor, [str(v.get("staff_no", "")).strip() for _r, v in records])
    seen = {}
    for row_no, values in records:
        staff_no = str(values.get("staff_no", "")).strip()
        if staff_no and staff_no in seen:
            plan.errors.append(RowError(row_no, "工号", f"工号 {staff_no} 与第 {seen[staff_no]} 行重复"))
            plan.rows.append(RowPlan(row=row_no, staff_no=staff_no, name=str(values.get("name", "")), action="error"))
            continue
        seen.setdefault(staff_no, row_no)
        plan.rows.append(_validate_row(ctx, row_no, values, plan.errors))
    return plan


def commit_import(actor, plan: ImportPlan, filename: str) -> dict:
    """Write every row of a valid plan in one transaction (all or none); audited. Returns the counts."""
    if actor is not None:
        policy.require(actor, "people.import")
    if not plan.ok:
        raise ValidationFailed("导入文件仍有错误，未写入任何数据。")
    with transaction():
        for row in plan.rows:
            if row.action == "create":
                person = Person(**{k: v for k, v in row.data.items() if k in PERSON_FIELDS})
                db.session.add(person)
                db.session.flush()
                audit.record("person.created", person, after=audit.snapshot(person, PERSON_FIELDS), actor=actor,
                             summary=f"导入新增人员 {person.name}")
            elif row.action == "update":
                person = db.session.get(Person, row.person_id)
                before = audit.snapshot(person, PERSON_FIELDS)
                for key, value in row.data.items():
                    setattr(person, key, value)
                db.session.flush()
                audit.record("person.updated", person, before=before, after=audit.snapshot(person, PERSON_FIELDS),
                             actor=actor, summary=f"导入更新人员 {person.name}")
        counts = plan.counts
        audit.record("people.imported", None, actor=actor, unit_id=actor.unit_id if actor else None,
                     after={"file": filename[:200], **{k: v for k, v in counts.items() if k != "errors"}},
                     summary=f"导入人员：新增 {counts['create']} 人，更新 {counts['update']} 人，"
                             f"无变化 {counts['unchanged']} 人（{filename[:100]}）")
    return plan.counts


# --- template ------------------------------------------------------------------------------------

def template_workbook() -> bytes:
    """The downloadable import template: Chinese headers (required ones marked *), one example row, notes."""
    from trainee.reports.sheets import SheetColumn, write_workbook

    columns = [SheetColumn(c.header + ("*" if c.required else ""), width=c.width) for c in COLUMNS]
    notes = [
        ["说明"],
        ["1. 带 * 的列必填；工号已存在时按工号更新该人员，空白单元格表示不修改。"],
        ["2. 单位可填单位代码、全称或简称；部门须为该单位已有的部门名称。"],
        ["3. 日期格式 YYYY-MM-DD；法律职业资格填“是”或“否”。"],
        ["4. 岗位类别：检察官助理、员额检察官、司法行政人员；状态：在培、已遴选、已转任、已离开。"],
        ["5. 学历：大学专科、大学本科、硕士研究生、博士研究生。每次最多 5000 行、文件不超过 5 MB。"],
        ["6. 也可另存为 CSV（UTF-8 或 GBK 编码）导入。"],
        ["示例：" + "，".join(f"{c.header}={c.example}" for c in COLUMNS)],
    ]
    return write_workbook([("人员导入模板", columns, []), ("填写说明", [SheetColumn("说明", width=120)], notes[1:])])


# --- the uploaded file between preview and commit ------------------------------------------------
# Kept in the instance directory under a random token bound to the user who uploaded it (never in the
# cookie session); removed on commit, and ignored after an hour.

UPLOAD_TTL_SECONDS = 3600
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


def _upload_dir():
    from pathlib import Path

    from flask import current_app

    path = Path(current_app.config["INSTANCE_DIR"]) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_upload(user, filename: str, data: bytes) -> str:
    import json
    import secrets
    import time

    token = secrets.token_urlsafe(32)
    directory = _upload_dir()
    (directory / f"{token}.bin").write_bytes(data)
    (directory / f"{token}.json").write_text(json.dumps(
        {"user_id": user.id, "filename": filename[:200], "stored_at": time.time()}, ensure_ascii=False))
    _sweep(directory)
    return token


def load_upload(user, token: str) -> tuple[str, bytes]:
    """(filename, bytes) of an upload of this user; ValidationFailed when unknown, foreign or expired."""
    import json
    import time

    gone = ValidationFailed("导入文件已过期或不存在，请重新上传。")
    if not token or not TOKEN_RE.match(token):
        raise gone
    directory = _upload_dir()
    try:
        meta = json.loads((directory / f"{token}.json").read_text())
        data = (directory / f"{token}.bin").read_bytes()
    except (OSError, ValueError):
        raise gone from None
    if meta.get("user_id") != user.id or time.time() - meta.get("stored_at", 0) > UPLOAD_TTL_SECONDS:
        raise gone
    return meta["filename"], data


def discard_upload(token: str) -> None:
    if token and TOKEN_RE.match(token):
        for suffix in (".bin", ".json"):
            (_upload_dir() / f"{token}{suffix}").unlink(missing_ok=True)


def _sweep(directory) -> None:
    import time

    for path in directory.glob("*.json"):
        try:
            if time.time() - path.stat().st_mtime > UPLOAD_TTL_SECONDS:
                discard_upload(path.stem)
        except OSError:
            continue


# --- command line -------------------------------------------------------------------------------

def register_cli(app) -> None:
    import click

    @app.cli.command("import-people")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--dry-run", is_flag=True, help="只检查并显示将发生的变化，不写入")
    @click.option("--user", "username", default=None, help="以该账号的权限范围导入（默认：系统，全部单位）")
    def import_people_command(file, dry_run, username):
        """Import people from .xlsx or .csv (UTF-8/GBK) with the same validation as the web page."""
        from pathlib import Path

        from trainee.auth.models import User

        actor = None
        if username:
            actor = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
            if actor is None or not policy.can(actor, "people.import"):
                raise click.ClickException(f"用户 {username} 不存在或无导入权限。")
        path = Path(file)
        try:
            plan = plan_import(actor, read_table(path.name, path.read_bytes()[:MAX_BYTES + 1]))
        except ValidationFailed as error:
            raise click.ClickException(error.message) from None
        counts = plan.counts
        for error in plan.errors:
            click.echo(f"第 {error.row} 行 [{error.column}] {error.message}", err=True)
        for row in plan.rows:
            if row.action == "update":
                changes = "；".join(f"{k}：{old} → {new}" for k, (old, new) in row.changes.items())
                click.echo(f"第 {row.row} 行 更新 {row.staff_no} {row.name}：{changes}")
        summary = f"新增 {counts['create']} 人，更新 {counts['update']} 人，无变化 {counts['unchanged']} 人"
        if plan.errors:
            raise click.ClickException(f"{len(plan.errors)} 处错误，未写入任何数据。（{summary}）")
        if dry_run:
            click.echo(f"检查通过（--dry-run，未写入）：{summary}。")
            return
        commit_import(actor, plan, path.name)
        click.echo(f"导入完成：{summary}。")
