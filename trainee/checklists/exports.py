"""HR export of checklist completion (.xlsx) through the one sheet writer (trainee/reports/sheets.py)."""
from trainee import policy
from trainee.checklists import queries
from trainee.checklists.models import OPEN_STATUSES, AssignmentStatus
from trainee.reports.sheets import SheetColumn, write_workbook

MAX_EXPORT_ROWS = 200_000


def completion_workbook(user, flt: queries.CompletionFilter, today) -> bytes:
    """Sheets: 明细 (one row per person and item, as filtered), then the counts by unit, department and item."""
    policy.require(user, "checklist.completion")
    data = queries.completion(user, flt, today)
    rows = queries.completion_table(user, flt, today, MAX_EXPORT_ROWS)
    labels = queries.STATE_LABELS

    def state(r):
        status, due = r[8], r[7]
        if status is AssignmentStatus.CONFIRMED:
            return labels[queries.DONE]
        if status is AssignmentStatus.EXEMPT:
            return labels[queries.EXEMPT]
        return labels[queries.OVERDUE if status in OPEN_STATUSES and due < today else queries.PENDING]

    detail = [
        SheetColumn("工号", lambda r: r[0], 12),
        SheetColumn("姓名", lambda r: r[1], 10),
        SheetColumn("单位", lambda r: r[2], 26),
        SheetColumn("部门", lambda r: r[3], 16),
        SheetColumn("阶段", lambda r: r[4], 8),
        SheetColumn("类别", lambda r: r[5], 10),
        SheetColumn("条目", lambda r: r[6], 40),
        SheetColumn("应完成日期", lambda r: r[7], 12),
        SheetColumn("完成情况", state, 10),
        SheetColumn("状态", lambda r: r[8], 12),
        SheetColumn("确认日期", lambda r: r[9], 12),
        SheetColumn("确认导师", lambda r: r[10] if r[9] else None, 10),
        SheetColumn("免学理由", lambda r: r[11], 30),
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
