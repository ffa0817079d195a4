"""What a call gathered: the summary the secretary reads and the XLSX ledger.

Both are plain functions of a session and a call id, so the chat, the
closing timer, the CLI and the console share them.

Anonymity in what is shown: the ledger says only 已反馈 of everyone who
answered, by name or not; named opinions are listed on their own. The
anonymous answers are shown one by one only once there are at least
MIN_ANONYMOUS of them; with fewer, only their number until the deadline,
and then their texts merged into one block, with a note saying why. (Who
answered is never hidden: 逾期未反馈视为无意见 needs it, so with one
anonymous answer whoever sees the ledger can tell who wrote it; the merged
block at least does not say which of two wrote what, and the note says so.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.xlsx import Book
from bot.names import by_pinyin, sort_by_pinyin
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
MIN_ANONYMOUS = 3
LISTED, MERGED, WITHHELD = "listed", "merged", "withheld"


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
    def answered(self) -> int:
        return len(self.rows) - len(self.pending)

    @property
    def anon_shown(self) -> str:
        """How the anonymous answers may be shown now: LISTED, MERGED or WITHHELD."""
        if not self.anonymous or len(self.anonymous) >= MIN_ANONYMOUS:
            return LISTED
        return MERGED if self.closed else WITHHELD

    @property
    def merged_text(self) -> str:
        """The anonymous opinions as one block, in content order (MERGED)."""
        texts = [o.text for o in self.anon(OPINION)]
        return "\n\n".join(texts) if texts else t.ANON_ALL_NONE

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
    listed = s.anon_shown == LISTED
    anon, anon_none = (s.anon(OPINION), s.anon(NO_OPINION)) if listed else ([], [])
    head = t.summary_head(call.id, call.title, s.closed, show_time(call.deadline, now, tz))
    if listed:
        counts = t.summary_counts(
            len(s.rows),
            len(named),
            len(anon),
            len(named_none) + len(anon_none),
            len(s.silent) if s.closed else len(s.pending),
            s.closed,
        )
    else:
        silent = len(s.silent) if s.closed else len(s.pending)
        counts = t.summary_counts_unsplit(
            len(s.rows), len(named), len(named_none), len(s.anonymous), silent, s.closed
        )
    lines = [head, counts]
    if named:
        lines.append(t.SUMMARY_NAMED)
        named = sort_by_pinyin(named, lambda r: r.name)
        lines += _listed([f"{r.name}：{_excerpt(r.opinion.text)}" for r in named if r.opinion])
    if anon:
        lines.append(t.SUMMARY_ANON)
        lines += _listed([_excerpt(o.text) for o in anon])
    if s.anon_shown == MERGED:
        lines += [t.anon_merged(len(s.anonymous), MIN_ANONYMOUS), _excerpt(s.merged_text)]
    elif s.anon_shown == WITHHELD:
        lines.append(t.anon_withheld(len(s.anonymous), MIN_ANONYMOUS))
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
    """The ledger's word for a member: the same 已反馈 whether by name or anonymously."""
    if row.status in (NAMED, ANONYMOUS):
        return t.STATUS_ANSWERED
    if not closed:
        return t.STATUS_PENDING
    return t.STATUS_SILENT if told else t.STATUS_UNREACHED


async def build_feedback_export(
    session: AsyncSession, call_id: int, *, tz: ZoneInfo = SHANGHAI
) -> bytes:
    """The call's ledger as XLSX: one row per member of the audience, the named
    opinions, and the anonymous ones (as the summary shows them) with no order
    of arrival, each on a sheet of its own."""
    s = await summarize(session, call_id)
    if s is None:
        raise LookupError(call_id)
    book = Book()
    sheet = book.sheet(t.SHEET_MEMBERS)
    sheet.append(t.HEADER_MEMBERS)
    for i, row in enumerate(sort_by_pinyin(s.rows, lambda r: r.name), 1):
        status = member_status(row, s.closed, row.person_id in s.told)
        sheet.append((i, row.name, row.user_id, status))
    sheet.tidy()
    named = book.sheet(t.SHEET_NAMED)
    named.append(t.HEADER_NAMED)
    answers = [r for r in s.rows if r.status == NAMED and r.opinion is not None]
    answers = sort_by_pinyin(answers, lambda r: r.name)
    for i, row in enumerate(answers, 1):
        op = row.opinion
        assert op is not None
        at = op.submitted_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if op.submitted_at else ""
        text = op.text if op.kind == OPINION else t.KIND_NONE
        named.append((i, row.name, row.user_id, text, at, op.receipt))
    named.tidy()
    anon_sheet = book.sheet(t.SHEET_ANON)
    if s.anon_shown == LISTED:
        anon_sheet.append(t.HEADER_ANON)
        for i, op in enumerate(s.anonymous, 1):
            kind = t.KIND_NONE if op.kind == NO_OPINION else t.KIND_OPINION
            anon_sheet.append((i, kind, op.text if op.kind == OPINION else ""))
    elif s.anon_shown == MERGED:
        anon_sheet.append((t.anon_merged(len(s.anonymous), MIN_ANONYMOUS),))
        anon_sheet.append((s.merged_text,))
    else:
        anon_sheet.append((t.anon_withheld(len(s.anonymous), MIN_ANONYMOUS),))
    anon_sheet.tidy()
    return book.save()
