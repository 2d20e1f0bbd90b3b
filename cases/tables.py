"""Contribution tables as agencies export them: CSV (UTF-8, UTF-8 with BOM, GBK) or .xlsx, Chinese or English headers.

This module reads a file into records for the one row parser (cases.services.contributions_record); it decides
nothing about the periods themselves, only what is a table, which column is which, and what a cell says.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_BYTES = 1024 * 1024
MAX_ROWS = 500
MAX_CELL_CHARS = 255
# An .xlsx is a zip: refuse one that would unpack to more than this (a "zip bomb").
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
# A title row or two above the header is common in exported reports; the header is looked for this far down.
HEADER_SEARCH_ROWS = 10

# Each column: the name the parser knows (the English template's header), then the Chinese template's header, then
# other names seen in agencies' exports. Matching ignores case, spaces, hyphens and underscores.
COLUMNS: dict[str, tuple[str, ...]] = {
    "insurance_type": ("险种", "insurance type", "保险类型", "险种类型", "险种名称", "type"),
    "city_code": ("参保城市代码", "city code", "城市代码", "城市编码", "参保地代码", "行政区划代码", "city"),
    "start_month": ("起始月份", "first month", "start month", "开始月份", "起始年月", "缴费起始月份", "from"),
    "end_month": ("截止月份", "last month", "end month", "结束月份", "终止月份", "截止年月", "缴费截止月份", "to"),
    "monthly_base": ("月缴费基数", "monthly base", "缴费基数", "月基数", "base"),
    "personal_account_credit": (
        "个人账户月记账额", "personal account credit", "个人账户记账额", "个人账户划入额", "个人账户月划入额",
    ),
    "paid": ("是否已缴", "paid", "已缴", "是否缴费", "缴费状态"),
}
REQUIRED = ("insurance_type", "city_code", "start_month", "end_month", "monthly_base")
TEMPLATE_LANGUAGES = {"en": gettext_lazy("English headers"), "zh": gettext_lazy("Chinese headers")}
PAID_WORDS = {
    "": True, "1": True, "true": True, "yes": True, "y": True, "paid": True, "是": True, "已缴": True, "已缴费": True,
    "正常": True, "0": False, "false": False, "no": False, "n": False, "unpaid": False, "owed": False, "否": False,
    "欠缴": False, "未缴": False, "未缴费": False, "欠费": False,
}
# What other files look like, so that the clerk is told what they uploaded rather than that it is no CSV.
SIGNATURES = {
    b"%PDF": gettext_lazy("a PDF document"),
    b"\x89PNG": gettext_lazy("a PNG image"),
    b"\xff\xd8\xff": gettext_lazy("a JPEG image"),
    b"GIF8": gettext_lazy("a GIF image"),
    b"\xd0\xcf\x11\xe0": gettext_lazy("an old Excel (.xls) or Word file: save it as .xlsx or CSV"),
}


def _key(header: object) -> str:
    return re.sub(r"[\s_\-]+", "", unicodedata.normalize("NFKC", str(header or "")).lower())


HEADER_KEYS = {_key(name): field for field, names in COLUMNS.items() for name in (field, *names)}


def template_headers(language: str) -> list[str]:
    """The template's header row: the parser's names in English, the agencies' words in Chinese."""
    return [names[0] if language == "zh" else field for field, names in COLUMNS.items()]


@dataclass(frozen=True)
class ContributionTable:
    """The records of a file, each with the line it came from, and the column headers as the file wrote them."""

    records: list[dict[str, object]]
    lines: list[int]
    headers: dict[str, str]

    def line_of(self, index: int) -> int:
        return self.lines[index] if 0 <= index < len(self.lines) else index + 2

    def header_of(self, field: str) -> str:
        return self.headers.get(field, field)


def read_contribution_table(raw: bytes) -> ContributionTable:
    """A CSV or .xlsx file of periods, or a ValidationError that says what is wrong with the file."""
    if len(raw) > MAX_BYTES:
        raise ValidationError(_("The file is larger than 1 MB."))
    if not raw.strip():
        raise ValidationError(_("The file is empty."))
    if raw.startswith(b"PK\x03\x04"):
        rows = _xlsx_rows(raw)
    else:
        for signature, what in SIGNATURES.items():
            if raw.startswith(signature):
                raise ValidationError(
                    _("This is not a table but %(what)s. Upload a CSV or .xlsx file; start from the template.")
                    % {"what": what}
                )
        rows = _csv_rows(raw)
    return _records(rows)


def _not_a_table(detail: str) -> ValidationError:
    return ValidationError(
        _("This file is not a table of contribution periods: %(detail)s Upload a CSV (UTF-8 or GBK) or .xlsx "
          "file; start from the template.") % {"detail": detail}
    )


def _csv_rows(raw: bytes) -> list[tuple[int, list[object]]]:
    # Spreadsheets on Chinese Windows save CSV as GBK (read as its superset GB18030); others send UTF-8, often
    # with a byte-order mark; Excel's "Unicode text" is UTF-16 with one.
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _not_a_table(_("it is neither UTF-8 nor GBK text."))
    if "\x00" in text:
        raise _not_a_table(_("it contains NUL bytes, as binary files do."))
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\r\n" for ch in text):
        raise _not_a_table(_("it contains control characters, as binary files do."))
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[object]]] = []
    try:
        for cells in reader:
            rows.append((reader.line_num, list(cells)))
            if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
                break
    except csv.Error:
        raise _not_a_table(
            _("line %(line)s cannot be read as CSV (a cell is far too long, or a quotation mark is not closed).")
            % {"line": reader.line_num}
        ) from None
    return rows


def _xlsx_rows(raw: bytes) -> list[tuple[int, list[object]]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise _not_a_table(_("the workbook unpacks to more than 50 MB."))
            if "xl/workbook.xml" not in archive.namelist():
                raise _not_a_table(_("it is a zip archive, not an Excel workbook."))
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except ValidationError:
        raise
    except Exception:  # openpyxl raises many kinds of error for a damaged file; each means "unreadable".
        raise _not_a_table(_("the workbook cannot be opened; save it again as .xlsx.")) from None
    try:
        sheet = workbook.worksheets[0]
        rows: list[tuple[int, list[object]]] = []
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            rows.append((number, list(cells)))
            if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
                break
    except Exception:
        raise _not_a_table(_("the first worksheet cannot be read; save the workbook again as .xlsx.")) from None
    finally:
        workbook.close()
    return rows


def _cell(value: object) -> object:
    """A cell as the row parser reads it: text stripped, whole numbers without ".0", dates as dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def _header(rows: list[tuple[int, list[object]]]) -> tuple[int, dict[int, str], dict[str, str]]:
    """Where the header row is, which column is which field, and each field's header as written."""
    best: tuple[int, dict[int, str], dict[str, str]] | None = None
    for position, (_line, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns: dict[int, str] = {}
        written: dict[str, str] = {}
        for index, cell in enumerate(cells):
            field = HEADER_KEYS.get(_key(cell))
            if field is None:
                continue
            if field in written:
                raise ValidationError(
                    _("The columns “%(first)s” and “%(second)s” both give %(field)s; keep one.")
                    % {"first": written[field], "second": str(cell).strip(), "field": field}
                )
            columns[index], written[field] = field, str(cell).strip()
        if best is None or len(written) > len(best[2]):
            best = (position, columns, written)
        if all(field in written for field in REQUIRED):
            return position, columns, written
    missing = [COLUMNS[field][0] + f" ({field})" for field in REQUIRED if best is None or field not in best[2]]
    raise ValidationError(
        _("This is not a table of contribution periods: no row names the columns %(columns)s. Start from the "
          "template.") % {"columns": ", ".join(missing)}
    )


def _records(rows: list[tuple[int, list[object]]]) -> ContributionTable:
    position, columns, written = _header(rows)
    # Up to the header's last named cell: a spreadsheet pads every row with empty cells to the sheet's width.
    header_width = 1 + max(i for i, cell in enumerate(rows[position][1]) if _cell(cell) != "")
    records: list[dict[str, object]] = []
    lines: list[int] = []
    too_wide: list[int] = []
    too_long: list[tuple[int, str]] = []
    for line, cells in rows[position + 1:]:
        values = [_cell(cell) for cell in cells]
        if all(value == "" for value in values):
            continue
        if any(value != "" for value in values[header_width:]):
            too_wide.append(line)
            continue
        record: dict[str, object] = {}
        for index, field in columns.items():
            value = values[index] if index < len(values) else ""
            if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                too_long.append((line, written[field]))
                value = ""
            record[field] = value
        paid = record.get("paid", "")
        # A word the list does not know goes through as it is, so that the row's error names the column.
        record["paid"] = paid if isinstance(paid, bool) else PAID_WORDS.get(str(paid).lower(), paid)
        records.append(record)
        lines.append(line)
    if too_wide:
        raise ValidationError(
            _("Lines %(lines)s have more cells than the header row has columns: a comma inside a value, or a "
              "column without a header. Nothing was stored.") % {"lines": ", ".join(map(str, too_wide[:20]))}
        )
    if too_long:
        raise ValidationError(
            _("A cell holds at most %(limit)s characters: line %(line)s, column “%(column)s”. Nothing was stored.")
            % {"limit": MAX_CELL_CHARS, "line": too_long[0][0], "column": too_long[0][1]}
        )
    if not records:
        raise ValidationError(_("The file holds no period."))
    if len(records) > MAX_ROWS:
        raise ValidationError(_("Upload at most %(rows)s rows at a time.") % {"rows": MAX_ROWS})
    return ContributionTable(records=records, lines=lines, headers=written)


def template_csv(language: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(template_headers(language))
    return buffer.getvalue()


def template_xlsx(language: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "缴费记录" if language == "zh" else "periods"
    sheet.append(template_headers(language))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = max(14, len(str(cell.value)) * 2)
    # Months and codes as text, so that the spreadsheet does not turn 2022-01 into a date or drop a leading zero.
    for letter in ("B", "C", "D"):
        for row in range(2, MAX_ROWS + 2):
            sheet[f"{letter}{row}"].number_format = "@"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
