"""HR export of checklist completion (.xlsx) through the one sheet writer (trainee/reports/sheets.py)."""
from trainee import policy
from trainee.checklists import queries
from trainee.reports.sheets import SheetColumn, write_workbook

MAX_EXPORT_ROWS = 200_000


def completion_workbook(user, flt: queries.CompletionFilter, today) -> bytes:
    """Sheets: 明细 (one row per person and item, as filtered), then the counts by unit, department and item."""
    policy.require(user, "checklist.completion")
    data = queries.completion(user, flt, today)
    rows = queries.completion_rows(user, flt, today, limit=MAX_EXPORT_ROWS)
    labels = queries.STATE_LABELS
    detail = [
        SheetColumn("工号", lambda a: a.person.staff_no, 12),
        SheetColumn("姓名", lambda a: a.person.name, 10),
        SheetColumn("单位", lambda a: a.person.unit.name, 26),
        SheetColumn("部门", lambda a: a.person.department.name if a.person.department else None, 16),
        SheetColumn("阶段", lambda a: a.item.stage.name, 8),
        SheetColumn("类别", lambda a: a.item.category, 10),
        SheetColumn("条目", lambda a: a.item.title, 40),
        SheetColumn("应完成日期", lambda a: a.due_date, 12),
        SheetColumn("完成情况", lambda a: labels[queries.state_of(a, today)], 10),
        SheetColumn("状态", lambda a: a.status, 12),
        SheetColumn("确认日期", lambda a: a.confirmed_on, 12),
        SheetColumn("确认导师", lambda a: a.reviewer.name if a.reviewer and a.confirmed_on else None, 10),
        SheetColumn("免学理由", lambda a: a.exempt_reason, 30),
    ]

    def state_count(state):
        return lambda r: r[1][state]

    def counts(key_header, key_width):
        return [SheetColumn(key_header, lambda r: r[0], key_width)] + [
            SheetColumn(labels[s], state_count(s), 10) for s in queries.STATES] + [
            SheetColumn("合计", lambda r: sum(r[1].values()), 10)]

    by_unit = [(u.name, c) for u, c in data["units"]]
    by_department = [(f"{d.unit.short_name} {d.name}" if d else "（未分部门）", c) for d, c in data["departments"]]
    by_item = [(f"{i.stage.code} {i.title}", c) for i, c in data["by_item"]]
    return write_workbook([
        ("明细", detail, rows),
        ("按单位", counts("单位", 26), by_unit),
        ("按部门", counts("部门", 26), by_department),
        ("按条目", counts("条目", 44), by_item),
    ])
