"""Reports as files: CSV (UTF-8 with BOM so spreadsheet programs read Cyrillic; one table) and XLSX (a sheet per table)."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from openpyxl import Workbook  # type: ignore[import-untyped]  # no stubs; kept local to this module
from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from agent_console.reports_pages.formatting import kyiv
from appeals.reports.model import Cell, Report, Table

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _plain(value: Cell) -> str | int | float | None:
    """A cell for a file: datetimes in Kyiv time as text, flags as так/ні, numbers stay numbers."""
    if isinstance(value, datetime):
        return kyiv(value)
    if isinstance(value, bool):
        return "так" if value else "ні"
    return value


def _lines(table: Table) -> list[list[str | int | float | None]]:
    rows = [[_plain(row.get(c.key)) for c in table.columns] for row in table.rows]
    if table.total is not None:
        rows.append([_plain(table.total.get(c.key)) for c in table.columns])
    return rows


def to_csv(report: Report, table_key: str | None = None) -> bytes:
    """One table (the first unless named) with a header of column labels.

    Raises:
        KeyError: the report has no table `table_key`.
    """
    table = report.table(table_key) if table_key else report.tables[0]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.label for c in table.columns])
    writer.writerows(["" if v is None else v for v in line] for line in _lines(table))
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def _sheet_title(title: str, used: set[str]) -> str:
    base = "".join(ch for ch in title if ch not in "[]:*?/\\")[:28] or "Таблиця"
    name, n = base, 2
    while name in used:
        name, n = f"{base[:25]} {n}", n + 1
    used.add(name)
    return name


def to_xlsx(report: Report) -> bytes:
    """A workbook: a sheet per table (header row bold, totals last) and a sheet of definitions."""
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for table in report.tables:
        sheet = book.create_sheet(_sheet_title(table.title, used))
        sheet.append([c.label for c in table.columns])
        for line in _lines(table):
            sheet.append(line)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        if table.total is not None:
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
        for index, column in enumerate(table.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = 40 if column.kind == "text" else 16
        sheet.freeze_panes = "A2"
    notes = book.create_sheet(_sheet_title("Визначення", used))
    notes.append([report.title])
    notes.append([report.scope])
    notes.append([])
    for definition in report.definitions:
        notes.append([definition.term, definition.rule])
    notes.column_dimensions["A"].width, notes.column_dimensions["B"].width = 32, 120
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
