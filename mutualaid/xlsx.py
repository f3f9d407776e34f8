"""Every Excel file the app writes goes through here, so no cell can become a live formula.

A member named `=HYPERLINK("http://evil.example/","点我")` would otherwise be a working link in
the roster export, and a memo starting with `+` or `-` is evaluated by Excel or LibreOffice as
soon as someone edits the cell. A text cell that starts with `=`, `+`, `-`, `@`, tab or carriage
return is written as a string with the quote prefix set: both programs show it literally (as if
typed with a leading `'`) and keep it text when the cell is edited. The text itself is not
changed, so a round trip through the import reads the same value. Numbers, negative amounts
included, stay numbers: only text is touched.
"""

import io

import openpyxl
from django.utils.translation import gettext
from import_export.formats.base_formats import XLSX
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def literal_cell(cell) -> None:
    """Keep a cell whose text Excel would evaluate as plain text."""
    if is_formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


def workbook_bytes(book: openpyxl.Workbook) -> bytes:
    """The workbook as .xlsx bytes, every formula-like text cell made literal first."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                literal_cell(cell)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def dataset_xlsx(dataset, *, title: str = "") -> bytes:
    """A tablib dataset (what django-import-export resources export) as a safe workbook:
    bold headers, frozen first row, columns as wide as their text, a sheet named in the user's
    language (never openpyxl's "Sheet" or tablib's "Tablib Dataset")."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = str(title or dataset.title or gettext("Sheet 1"))[:31]
    rows = [list(dataset.headers)] if dataset.headers else []
    rows += [[_clean(value) for value in row] for row in dataset]
    for row in rows:
        sheet.append(row)
    if dataset.headers:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    for index, width in enumerate(_widths(rows), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    return workbook_bytes(book)


class SafeXLSX(XLSX):
    """django-import-export's Excel format, written through `dataset_xlsx` (the admin's
    exports use it through settings.EXPORT_FORMATS)."""

    def export_data(self, dataset, **kwargs) -> bytes:
        return dataset_xlsx(dataset)


def _clean(value):
    # Control characters make openpyxl refuse the whole file; show them as "?" instead.
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("?", value)
    return value


def _widths(rows: list[list]) -> list[int]:
    widths: list[int] = []
    for row in rows:
        for index, value in enumerate(row):
            # CJK characters take two columns' width.
            text = "" if value is None else str(value)
            width = min(60, sum(2 if ord(c) > 0x2E80 else 1 for c in text) + 2)
            if index < len(widths):
                widths[index] = max(widths[index], width)
            else:
                widths.append(width)
    return widths
