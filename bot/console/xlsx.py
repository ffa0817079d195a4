"""One sheet of rows as an XLSX file: what a console table downloads as."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook


def table_xlsx(title: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    wb = Workbook()
    sheet = wb.active
    # Excel refuses sheet titles over 31 characters.
    sheet.title = title[:31]
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
