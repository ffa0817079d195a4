"""An export as a file the person can read: JSON (every viewer opens it) or XLSX."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.console.xlsx import Book
from bot.person_data import Value
from bot.person_data import texts as t
from bot.person_data.walk import Export

MOMENT = "%Y-%m-%d %H:%M"
# Excel refuses longer sheet titles.
SHEET_TITLE = 31


def _plain(value: Value, tz: ZoneInfo) -> str | int | float:
    if isinstance(value, bool):
        return t.YES if value else t.NO
    if isinstance(value, datetime):
        return value.astimezone(tz).strftime(MOMENT)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    if value is None:
        return ""
    if isinstance(value, int | float):
        return value
    return str(value)


def as_json(export: Export, tz: ZoneInfo) -> bytes:
    document = {
        t.KEY_ABOUT: t.ABOUT,
        t.KEY_ANONYMOUS: t.ANONYMOUS_NOTE,
        t.KEY_WHEN: _plain(export.made_at, tz),
        t.KEY_SECTIONS: [
            {
                t.KEY_TITLE: s.title,
                **({t.KEY_NOTE: s.note} if s.note else {}),
                t.KEY_ROWS: [{k: _plain(v, tz) for k, v in row.items()} for row in s.rows],
            }
            for s in export.sections
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode() + b"\n"


def as_xlsx(export: Export, tz: ZoneInfo) -> bytes:
    book = Book()
    about = book.sheet(t.SHEET_ABOUT)
    about.append([t.KEY_ABOUT, t.ABOUT])
    about.append([t.KEY_ANONYMOUS, t.ANONYMOUS_NOTE])
    about.append([t.KEY_WHEN, _plain(export.made_at, tz)])
    titles: set[str] = {t.SHEET_ABOUT}
    for s in export.sections:
        if s.note:
            about.append([s.title, s.note])
        title = s.title[:SHEET_TITLE]
        n = 2
        while title in titles:  # two features may name a section alike
            title = f"{s.title[: SHEET_TITLE - 3]}({n})"
            n += 1
        titles.add(title)
        sheet = book.sheet(title)
        header = list(dict.fromkeys(k for row in s.rows for k in row))
        sheet.append(header)
        for row in s.rows:
            sheet.append([_plain(row.get(k), tz) for k in header])
        sheet.tidy()
    return book.save()
