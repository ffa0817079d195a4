"""The check-in ledger (签到台账): a year of a unit's meetings, in chat and as XLSX.

`build_checkin_ledger` is the one place the workbook is made; chat, the CLI
and the console download all call it.
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.args import Args
from bot.cli_parser import Parser
from bot.console.xlsx import Book
from bot.context import Context
from bot.exports import send_export, send_export_file
from bot.names import by_pinyin, pinyin_key
from bot.numbers import YEARS, year_in
from handlers.checkin import texts as t
from storage import checkin as store
from storage.checkin import LATE, LEAVE, PRESENT, Checkin, PersonRow
from storage.models import Unit
from storage.people import unit_by_name

if TYPE_CHECKING:
    from bot.runtime import Runtime

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass
class Meeting:
    checkin: Checkin
    rows: list[PersonRow] = field(default_factory=list)

    def of(self, status: str) -> list[PersonRow]:
        return [r for r in self.rows if r.expected and r.status == status]

    @property
    def expected(self) -> int:
        return sum(1 for r in self.rows if r.expected)

    @property
    def outsiders(self) -> int:
        return sum(1 for r in self.rows if not r.expected)


async def year_meetings(
    session: AsyncSession, unit_id: int, year: int, tz: ZoneInfo = SHANGHAI
) -> list[Meeting]:
    start = datetime(year, 1, 1, tzinfo=tz)
    end = datetime(year + 1, 1, 1, tzinfo=tz)
    meetings = {
        ck.id: Meeting(ck) for ck in await store.for_unit_year(session, unit_id, start, end)
    }
    for cid, row in await store.entries_of(session, list(meetings)):
        meetings[cid].rows.append(row)
    return list(meetings.values())


def _day(ck: Checkin, tz: ZoneInfo) -> str:
    return ck.opened_at.astimezone(tz).strftime("%Y-%m-%d")


def _meeting_row(m: Meeting, tz: ZoneInfo) -> list[object]:
    ck = m.checkin
    present, late, leave, absent = (m.of(s) for s in (PRESENT, LATE, LEAVE, ""))
    attended = len(present) + len(late)
    return [
        _day(ck, tz),
        ck.opened_at.astimezone(tz).strftime("%H:%M"),
        ck.title,
        m.expected,
        attended,
        len(late),
        len(leave),
        len(absent),
        attended / m.expected if m.expected else None,
        m.outsiders,
        "、".join(by_pinyin(t.with_reason(r.name, r.reason) for r in leave)),
        "、".join(by_pinyin(r.name for r in absent)),
        ck.place,
        ck.host,
        ck.recorder,
        ck.topic,
    ]


def people_sheet(meetings: list[Meeting], tz: ZoneInfo) -> list[list[object]]:
    header: list[object] = [*t.HEADER_PEOPLE]
    header += [f"{_day(m.checkin, tz)[5:]} {m.checkin.title}" for m in meetings]
    names: dict[int, tuple[str, str]] = {}
    marks: dict[int, dict[int, str]] = defaultdict(dict)
    for i, m in enumerate(meetings):
        for r in m.rows:
            names.setdefault(r.person_id, (r.name, r.user_id))
            zh = t.STATUS_ZH[r.status]
            marks[r.person_id][i] = zh if r.expected else t.outsider_mark(zh)
    out = [header]
    for pid, (name, user_id) in sorted(names.items(), key=lambda kv: (pinyin_key(kv[1][0]), kv[0])):
        cells = [marks[pid].get(i, "—") for i in range(len(meetings))]
        tally = [sum(1 for c in cells if c == t.STATUS_ZH[s]) for s in (PRESENT, LATE, LEAVE, "")]
        expected = sum(1 for c in cells if c in t.STATUS_ZH.values())
        out.append([name, user_id, expected, *tally, *cells])
    return out


async def build_checkin_ledger(
    session: AsyncSession, unit_id: int, year: int, tz: ZoneInfo = SHANGHAI
) -> bytes:
    """The XLSX: a sheet of meetings, a sheet of each person's attendance."""
    meetings = await year_meetings(session, unit_id, year, tz)
    book = Book()
    sheet = book.sheet(t.SHEET_MEETINGS)
    sheet.append(t.HEADER_MEETINGS)
    for m in meetings:
        sheet.append(_meeting_row(m, tz))
    sheet.tidy(percent=(t.RATE_COLUMN,))
    people = book.sheet(t.SHEET_PEOPLE)
    for row in people_sheet(meetings, tz):
        people.append(row)
    people.tidy()
    return book.save()


def summary_lines(unit: str, year: int, meetings: list[Meeting], tz: ZoneInfo) -> list[str]:
    if not meetings:
        return [t.ledger_empty(unit, year)]
    lines = [t.ledger_head(unit, year, len(meetings))]
    for m in meetings:
        late = len(m.of(LATE))
        attended = len(m.of(PRESENT)) + late
        day = _day(m.checkin, tz)[5:]
        lines.append(
            t.ledger_line(day, m.checkin.title, m.expected, attended, late, len(m.of(LEAVE)))
        )
    return lines


_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def file_name(unit: str, year: int) -> str:
    return t.ledger_filename(_UNSAFE.sub("_", unit), year)


def _write(out: Path, data: bytes) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return out.resolve()


async def write_ledger(
    session: AsyncSession, unit: Unit, year: int, out: Path, tz: ZoneInfo
) -> Path:
    data = await build_checkin_ledger(session, unit.id, year, tz)
    return await asyncio.to_thread(_write, out, data)


async def _unit_for_chat(ctx: Context, name: str) -> Unit | None:
    if name:
        unit = await unit_by_name(ctx.session, name)
        if unit is None:
            ctx.reply(t.unknown_unit(name))
        return unit
    unit_id = ctx.group_unit_id
    if unit_id is None and not ctx.in_group and len(ctx.actor.secretary_units) == 1:
        unit_id = next(iter(ctx.actor.secretary_units))
    if unit_id is None:
        ctx.reply(t.LEDGER_UNIT_NEEDED)
        return None
    return await ctx.session.get(Unit, unit_id)


async def answer_in_chat(ctx: Context, args: Args) -> None:
    """`/签到 台账 [年份] [支部]`: the summary here, the workbook by a download link."""
    words = list(args.positional)
    year = ctx.local_now.year
    # A first word of digits is meant as the year, and a wrong one is said so.
    if words and words[0].isdigit():
        said = year_in(words.pop(0))
        if said is None:
            ctx.reply(t.LEDGER_YEAR)
            return
        year = said
    unit = await _unit_for_chat(ctx, " ".join(words))
    if unit is None:
        return
    if not ctx.actor.can_manage(unit.id):
        ctx.reply(t.LEDGER_NOT_YOURS)
        return
    meetings = await year_meetings(ctx.session, unit.id, year, ctx.tz)
    lines = summary_lines(unit.name, year, meetings, ctx.tz)
    params = {"unit": str(unit.id), "year": str(year)}
    if meetings and ctx.settings.public_url:
        # A one-time link works for whoever opens it first: it goes to the asker only.
        await send_export(ctx, "checkin", params, t.ledger_label(unit.name, year))
        if ctx.in_group:
            lines.append(t.LEDGER_LINK_DIRECT)
    elif meetings:
        # No console address: the workbook stays where the operator can fetch it,
        # and reaches the asker as a file where the platform carries files.
        out = Path(ctx.settings.export_dir) / file_name(unit.name, year)
        path = await write_ledger(ctx.session, unit, year, out, ctx.tz)
        lines.append(t.ledger_file(str(path)))
        send_export_file(ctx, "checkin", params)
    ctx.reply("\n".join(lines))


async def export_cli(rt: Runtime, argv: list[str]) -> int:
    """`tongxin export checkins --unit 第一党支部 --year 2026 [--out FILE]`."""
    parser = Parser(
        prog="tongxin export checkins", description="write a unit's check-in ledger as XLSX"
    )
    parser.add_argument("--unit", required=True, help="unit name, as in the roster")
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--out", type=Path, default=None, help="file to write")
    try:
        ns = parser.parse_args(argv)
    except SystemExit as stop:
        return int(stop.code or 0)
    if ns.year not in YEARS:
        print(f"tongxin: {t.CLI_YEAR}", file=sys.stderr)
        return 2
    tz = rt.settings.tz
    async with rt.db.reading() as session:
        unit = await unit_by_name(session, ns.unit)
        if unit is None:
            print(f"tongxin: {t.cli_no_unit(ns.unit)}", file=sys.stderr)
            return 2
        out = ns.out or Path(file_name(unit.name, ns.year))
        path = await write_ledger(session, unit, ns.year, out, tz)
    print(path)
    return 0
