"""Ledgers a secretary can print: column widths, a frozen header, percentages as such.

    tidy(sheet, header_row=1, percent=("出席率",))

Widths follow the longest cell of each column (a Chinese character is two
columns wide), capped so a long list of names wraps instead of running off
the page. A percent column holds fractions (0.75) shown as 75.0%.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

MIN_WIDTH = 6
MAX_WIDTH = 60
PERCENT = "0.0%"


def _width(value: object) -> int:
    text = f"{value:.1%}" if isinstance(value, float) else str(value if value is not None else "")
    line = max(text.splitlines() or [""], key=len)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def tidy(sheet: Worksheet, *, header_row: int = 1, percent: Iterable[str] = ()) -> None:
    """Widths, a bold frozen header at `header_row`, and the named columns as percentages."""
    header = [cell.value for cell in sheet[header_row]]
    wanted = set(percent)
    for index, name in enumerate(header, 1):
        letter = get_column_letter(index)
        cells = [row[index - 1] for row in sheet.iter_rows(min_row=header_row) if len(row) >= index]
        widest = max((_width(c.value) for c in cells), default=0)
        sheet.column_dimensions[letter].width = min(max(widest + 2, MIN_WIDTH), MAX_WIDTH)
        if name in wanted:
            for cell in cells[1:]:
                cell.number_format = PERCENT
        for cell in cells[1:]:
            if _width(cell.value) > MAX_WIDTH:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1).coordinate
