"""One small generic sheet writer: every export is a column spec plus rows (from a query).

Chinese headers, a frozen and bold header row, column widths, real date cells (formatted
YYYY-MM-DD) and numbers as numbers, so the file sorts and filters properly in Excel or WPS.
"""
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

DATE_FORMAT = "yyyy-mm-dd"
HEADER_FILL = PatternFill("solid", fgColor="F2E3E3")


@dataclass(frozen=True)
class SheetColumn:
    header: str
    value: Callable | None = None  # row -> cell value; None means the row is already a list of values
    width: int = 14
    number_format: str | None = None


def _cell_value(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if hasattr(value, "label"):  # LabelledEnum
        return str(value.label)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # never let a name become a formula (CSV/formula injection)
    return value


def add_sheet(workbook: Workbook, title: str, columns: list[SheetColumn], rows: Iterable) -> None:
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([c.header for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for row in rows:
        values = list(row) if all(c.value is None for c in columns) else [c.value(row) for c in columns]
        sheet.append([_cell_value(v) for v in values])
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        number_format = column.number_format
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            if isinstance(cell.value, (date, datetime)):
                cell.number_format = DATE_FORMAT
            elif number_format:
                cell.number_format = number_format
    sheet.freeze_panes = "A2"
    if sheet.max_row > 1:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{sheet.max_row}"


def write_workbook(sheets: list[tuple[str, list[SheetColumn], Iterable]]) -> bytes:
    """[(title, columns, rows)] -> .xlsx bytes."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, columns, rows in sheets:
        add_sheet(workbook, title, columns, rows)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
