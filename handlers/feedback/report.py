"""What a call gathered: the summary the secretary reads and the XLSX ledger.

Both are plain functions of a session and a call id, so the chat, the
closing timer, the CLI and (later) the console share them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from sqlalchemy.ext.asyncio import AsyncSession

from bot.names import by_pinyin, sort_by_pinyin
from bot.xlsx import tidy
from handlers.feedback import texts as t
from schedules.timeparse import SHANGHAI, When, format_when
from storage.feedback import (
    ANONYMOUS,
    NAMED,
    NO_OPINION,
    OPINION,
    PENDING,
    FeedbackCall,
    FeedbackOpinion,
    MemberRow,
    anonymous_opinions,
    member_rows,
    told_people,
)

EXCERPT = 200
# A chat message stays readable; the export has everything.
OPINIONS_SHOWN = 20
NAMES_SHOWN = 50


def show_time(at: datetime, now: datetime, tz: ZoneInfo) -> str:
    return format_when(When(at.astimezone(tz), True), now)


@dataclass
class Summary:
    call: FeedbackCall
    rows: list[MemberRow]
    anonymous: list[FeedbackOpinion]
    # Who was told of the call (storage.feedback.told_people).
    told: set[int]

    @property
    def closed(self) -> bool:
        return self.call.state == "closed"

    def named(self, kind: str) -> list[MemberRow]:
        return [r for r in self.rows if r.status == NAMED and r.opinion and r.opinion.kind == kind]

    def anon(self, kind: str) -> list[FeedbackOpinion]:
        return [o for o in self.anonymous if o.kind == kind]

    @property
    def pending(self) -> list[MemberRow]:
        return [r for r in self.rows if r.status == PENDING]

    @property
    def silent(self) -> list[MemberRow]:
        """Told and silent: counted as having no objection once the call closes."""
        return [r for r in self.pending if r.person_id in self.told]

    @property
    def unreached(self) -> list[MemberRow]:
        """Silent but never told: not counted as having no objection."""
        return [r for r in self.pending if r.person_id not in self.told]


async def summarize(session: AsyncSession, call_id: int) -> Summary | None:
    call = await session.get(FeedbackCall, call_id)
    if call is None:
        return None
    return Summary(
        call,
        await member_rows(session, call_id),
        await anonymous_opinions(session, call_id),
        await told_people(session, call),
    )


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT else text[:EXCERPT] + "……"


def _names(names: list[str]) -> str:
    shown = "、".join(names[:NAMES_SHOWN])
    return shown + t.and_more_people(len(names)) if len(names) > NAMES_SHOWN else shown


def _listed(items: list[str]) -> list[str]:
    lines = [f"{i}. {text}" for i, text in enumerate(items[:OPINIONS_SHOWN], 1)]
    if len(items) > OPINIONS_SHOWN:
        lines.append(t.more_opinions(len(items) - OPINIONS_SHOWN))
    return lines


def render_summary(s: Summary, now: datetime, tz: ZoneInfo) -> str:
    """The chat summary; long calls show the first opinions and point to the export."""
    call = s.call
    named, named_none = s.named(OPINION), s.named(NO_OPINION)
    anon, anon_none = s.anon(OPINION), s.anon(NO_OPINION)
    lines = [
        t.summary_head(call.id, call.title, s.closed, show_time(call.deadline, now, tz)),
        t.summary_counts(
            len(s.rows),
            len(named),
            len(anon),
            len(named_none) + len(anon_none),
            len(s.silent) if s.closed else len(s.pending),
            s.closed,
        ),
    ]
    if named:
        lines.append(t.SUMMARY_NAMED)
        named = sort_by_pinyin(named, lambda r: r.name)
        lines += _listed([f"{r.name}：{_excerpt(r.opinion.text)}" for r in named if r.opinion])
    if anon:
        lines.append(t.SUMMARY_ANON)
        lines += _listed([_excerpt(o.text) for o in anon])
    if named_none or anon_none:
        names = _names(by_pinyin(r.name for r in named_none))
        extra = t.anon_none(len(anon_none)) if anon_none else ""
        lines.append(t.SUMMARY_NONE + "；".join(x for x in (names, extra) if x))
    if s.closed:
        if s.silent:
            lines.append(t.SUMMARY_SILENT_CLOSED + _names(by_pinyin(r.name for r in s.silent)))
        if s.unreached:
            lines.append(t.SUMMARY_UNREACHED + _names(by_pinyin(r.name for r in s.unreached)))
    elif s.pending:
        lines.append(t.SUMMARY_SILENT_OPEN + _names(by_pinyin(r.name for r in s.pending)))
    lines.append(t.export_hint(call.id))
    return "\n".join(lines)


def member_status(row: MemberRow, closed: bool, told: bool = True) -> str:
    if row.status == ANONYMOUS:
        return t.STATUS_ANON
    if row.status == NAMED and row.opinion is not None:
        return t.STATUS_NONE if row.opinion.kind == NO_OPINION else t.STATUS_OPINION
    if not closed:
        return t.STATUS_PENDING
    return t.STATUS_SILENT if told else t.STATUS_UNREACHED


async def build_feedback_export(
    session: AsyncSession, call_id: int, *, tz: ZoneInfo = SHANGHAI
) -> bytes:
    """The call's ledger as XLSX: one row per member of the audience, then the
    anonymous opinions on a sheet of their own, with no order of arrival."""
    s = await summarize(session, call_id)
    if s is None:
        raise LookupError(call_id)
    book = Workbook()
    sheet = book.active
    sheet.title = t.SHEET_MEMBERS
    sheet.append(t.HEADER_MEMBERS)
    for i, row in enumerate(sort_by_pinyin(s.rows, lambda r: r.name), 1):
        op = row.opinion if row.status == NAMED else None
        at = (
            op.submitted_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
            if op and op.submitted_at
            else ""
        )
        text = op.text if op and op.kind == OPINION else ""
        sheet.append(
            (
                i,
                row.name,
                row.user_id,
                member_status(row, s.closed, row.person_id in s.told),
                text,
                at,
                op.receipt if op else "",
            )
        )
    tidy(sheet)
    anon_sheet = book.create_sheet(t.SHEET_ANON)
    anon_sheet.append(t.HEADER_ANON)
    for i, op in enumerate(s.anonymous, 1):
        kind = t.KIND_NONE if op.kind == NO_OPINION else t.KIND_OPINION
        anon_sheet.append((i, kind, op.text if op.kind == OPINION else ""))
    tidy(anon_sheet)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
