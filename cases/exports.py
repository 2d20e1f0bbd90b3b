"""The worklist as a spreadsheet (.xlsx and CSV), safe to open in Excel or WPS.

A cell that starts with = + - @, a tab or a carriage return would run as a formula in a spreadsheet program
(CSV injection): such text gets a leading apostrophe, which the program shows as text. Only text is touched;
numbers and dates stay numbers and dates. ID numbers are masked, as on the worklist: the file leaves the
application, so it carries nothing that needs an access record (cases.models.WorkerAccess).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from cases.people import person_name

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[object]]
    # Said under the rows, e.g. that the export stopped at its limit.
    note: str = ""


def _whose_move(row: object) -> str:
    case = row.case
    if not case.is_open:
        return _("Closed")
    if row.our_turn:
        return _("Our move")
    return _("Other agency's move") if case.next_side() else _("Waiting for the worker")


def worklist_table(rows: Sequence[object], *, capped: bool) -> Table:
    """The worklist's rows (cases.views.clerk.WorklistRow) as they read on the page; `capped` when there were more."""
    headers = [
        _("Reference"), _("Worker"), _("ID number (masked)"), _("Insurance type"), _("Origin agency"),
        _("Destination agency"), _("Status"), _("Whose move"), _("Due date"), _("Working days left"),
        _("Assigned to"), _("Application date"), _("Unread"),
    ]
    lines = [
        [
            row.case.reference, row.case.person.name, row.case.person.masked_id, row.case.get_insurance_type_display(),
            row.case.origin_agency.name, row.case.destination_agency.name, row.case.get_status_display(),
            _whose_move(row), row.case.due_date, row.days_left, person_name(row.case.assignee),
            row.case.application_date, _("yes") if row.unread else "",
        ]
        for row in rows
    ]
    note = _(
        "Only the first %(count)s cases are exported; narrow the search or the filters to export the rest."
    ) % {"count": len(lines)} if capped else ""
    return Table(headers=[str(h) for h in headers], rows=lines, note=note)


def as_csv(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in table.headers])
    for line in table.rows:
        writer.writerow([
            "" if value is None else value.isoformat() if isinstance(value, dt.date) else safe_cell(value)
            for value in line
        ])
    if table.note:
        writer.writerow([safe_cell(table.note)])
    return buffer.getvalue()


def as_xlsx(table: Table, *, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    def cell(value: object) -> object:
        if isinstance(value, str):
            # Control characters are not allowed in the file format; they carry no meaning in a name or a reference.
            return safe_cell(ILLEGAL_CHARACTERS_RE.sub("", value))
        return value

    workbook = Workbook()
    sheet = workbook.active
    # A sheet's title has at most 31 characters and none of []:*?/\\.
    sheet.title = "".join(c for c in title if c not in "[]:*?/\\")[:31] or "worklist"
    sheet.append([cell(h) for h in table.headers])
    for header in sheet[1]:
        header.font = Font(bold=True)
        sheet.column_dimensions[header.column_letter].width = max(12, len(str(header.value)) * 2)
    for line in table.rows:
        sheet.append([cell(value) for value in line])
    for column in ("I", "L"):
        for date_cell in sheet[column][1:]:
            date_cell.number_format = "yyyy-mm-dd"
    if table.note:
        sheet.append([cell(table.note)])
        sheet.cell(row=sheet.max_row, column=1).font = Font(italic=True)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
