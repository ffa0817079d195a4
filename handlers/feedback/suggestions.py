"""The 意见箱: a standing box for 建言献策, named or anonymous, with a two-way relay.

`/意见箱` takes a suggestion for the secretaries of the teacher's unit;
`/回复 编号 内容` carries a secretary's answer to the author and the author's
follow-up back to the secretaries. An anonymous author is known to the bot
only through the sealed address (bot.seal), every message the bot exchanges
with them is sent `sensitive`, and what they write is stored apart from
their own message's transaction (bot.anonymous): the suggestion, its
number and the secretaries' notice come from a transaction of their own.
"""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from bot.args import Args
from bot.context import Context
from bot.conversation import Choose, Confirm, Flow
from bot.messages import Outgoing
from bot.numbers import whole
from bot.roles import Role
from bot.seal import Sealer, seal, unseal
from bot.timers import JobContext
from handlers.feedback import feature, reply_cmd, suggest_cmd
from handlers.feedback import texts as t
from handlers.feedback.steps import MAX_CHARS, MAX_MESSAGES, Opinion, joined
from storage.feedback import Suggestion, SuggestionMessage, recent_suggestions, secretaries_of
from storage.models import Person
from storage.people import units_of

LISTED = 10
WAYS = {"named": t.NAMED, "anon": t.ANONYMOUS}
_REF_AND_TEXT = re.compile(r"#?(\d+)\s+(.+)", re.DOTALL)


def _context(suggestion_id: int) -> str:
    return f"suggestion:{suggestion_id}"


class NewSuggestion(BaseModel):
    # The teacher's units: id → name.
    units: dict[str, str]
    unit: str = ""
    text: list[str] = []
    way: str = ""
    confirm: bool | None = None

    def chosen_unit(self) -> tuple[int, str]:
        code = self.unit or next(iter(self.units))
        return int(code), self.units[code]


def _preview(ctx: Context, data: NewSuggestion) -> str:
    return t.suggestion_preview(data.chosen_unit()[1], joined(data.text), WAYS[data.way])


class AnonymousSuggestion(BaseModel):
    unit_id: int
    unit: str
    text: str
    day: date
    # Where the author is, to seal with the suggestion and send its number to.
    platform: str
    user_id: str


class AnonymousFollowUp(BaseModel):
    suggestion_id: int
    text: str
    day: date


anonymous_suggestion = feature.anonymous("feedback.suggestion", AnonymousSuggestion)
anonymous_follow_up = feature.anonymous("feedback.follow_up", AnonymousFollowUp)


async def _submit(ctx: Context, data: NewSuggestion) -> None:
    unit_id, unit_name = data.chosen_unit()
    text = joined(data.text)
    today = ctx.local_now.date()
    if data.way == "anon":
        await anonymous_suggestion.submit(
            ctx,
            AnonymousSuggestion(
                unit_id=unit_id,
                unit=unit_name,
                text=text,
                day=today,
                platform=ctx.platform,
                user_id=ctx.actor.user_id,
            ),
        )
        ctx.reply(t.SUGGESTION_ON_ITS_WAY, sensitive=True)
        return
    box = Suggestion(
        unit_id=unit_id, author_person_id=ctx.actor.person_id, text=text, received_on=today
    )
    ctx.session.add(box)
    await ctx.session.flush()
    author = ctx.actor.name or ctx.actor.user_id
    for sec in await secretaries_of(ctx.session, unit_id):
        ctx.send_direct(
            sec.platform_user_id,
            t.new_suggestion(box.id, unit_name, text, author),
            platform=sec.platform,
        )
    ctx.reply(t.suggestion_received(box.id), sensitive=True)


@anonymous_suggestion.writer
async def write_suggestion(job: JobContext, s: AnonymousSuggestion) -> None:
    box = Suggestion(unit_id=s.unit_id, text=s.text, received_on=s.day)
    job.session.add(box)
    await job.session.flush()
    key = job.runtime.sealer.key
    box.sealed_author = seal(key, s.platform, s.user_id, _context(box.id))
    for sec in await secretaries_of(job.session, s.unit_id):
        job.to_person(
            sec.platform,
            sec.platform_user_id,
            t.new_suggestion(box.id, s.unit, s.text, None),
            key=f"suggestion:{box.id}:new:{sec.id}",
        )
    job.to_person(
        s.platform,
        s.user_id,
        t.suggestion_received(box.id),
        key=f"suggestion:{box.id}:received",
        sensitive=True,
    )


@anonymous_follow_up.writer
async def write_follow_up(job: JobContext, f: AnonymousFollowUp) -> None:
    box = await job.session.get(Suggestion, f.suggestion_id)
    if box is None:
        return
    note = SuggestionMessage(suggestion_id=box.id, from_author=True, text=f.text, sent_on=f.day)
    job.session.add(note)
    await job.session.flush()
    for sec in await secretaries_of(job.session, box.unit_id):
        job.to_person(
            sec.platform,
            sec.platform_user_id,
            t.relay_to_secretaries(box.id, f.text, None),
            key=f"suggestion:{box.id}:note:{note.id}:{sec.id}",
        )


suggest_flow = feature.flow(
    Flow(
        "feedback.suggest",
        t.SUGGEST_FLOW,
        NewSuggestion,
        steps=[
            Choose("unit", t.SUGGEST_ASK_UNIT, lambda d: d.units, when=lambda d: len(d.units) > 1),
            Opinion("text", t.ask_suggestion(MAX_CHARS, MAX_MESSAGES), allow_none=False),
            Choose("way", t.SUGGEST_ASK_NAMED, WAYS),
            Confirm("confirm", _preview),
        ],
        on_done=_submit,
        sensitive=True,
    )
)


@suggest_cmd.bare()
async def start(ctx: Context, args: Args) -> None:
    if ctx.in_group:
        ctx.reply(t.SUGGEST_IN_DIRECT)
        return
    units = await units_of(ctx.session, ctx.actor.person_id)
    if not units:
        ctx.reply(t.SUGGEST_NO_UNIT)
        return
    named = {str(u.id): u.name for u in sorted(units, key=lambda u: u.id)}
    await ctx.start(suggest_flow, NewSuggestion(units=named))


async def _is_author(ctx: Context, box: Suggestion) -> bool:
    if box.author_person_id is not None:
        return box.author_person_id == ctx.actor.person_id
    if box.sealed_author is None:
        return False
    address = unseal(ctx.runtime.sealer.key, box.sealed_author, _context(box.id))
    return address == (ctx.platform, ctx.actor.user_id)


async def _author_address(
    session: AsyncSession, sealer: Sealer, box: Suggestion
) -> tuple[str, str] | None:
    if box.author_person_id is not None:
        person = await session.get(Person, box.author_person_id)
        return (person.platform, person.platform_user_id) if person else None
    if box.sealed_author is None:
        return None
    return unseal(sealer.key, box.sealed_author, _context(box.id))


async def answer_author(
    session: AsyncSession,
    sealer: Sealer,
    secretary_id: int,
    box: Suggestion,
    body: str,
    today: date,
) -> Outgoing | None:
    """Record a secretary's answer and address it to the author (None: unreachable).

    Chat (`/回复`) and the console both answer through here, so the author
    stays as anonymous from either: the message is sensitive, and nothing
    about the address is returned to the caller beyond the message itself.
    """
    address = await _author_address(session, sealer, box)
    if address is None:
        return None
    session.add(
        SuggestionMessage(
            suggestion_id=box.id,
            from_author=False,
            person_id=secretary_id,
            text=body,
            sent_on=today,
        )
    )
    platform, user_id = address
    return Outgoing.direct(platform, user_id, t.relay_to_author(box.id, body), sensitive=True)


@reply_cmd.bare()
async def reply(ctx: Context, args: Args) -> None:
    """`/回复 编号 内容`, from a secretary of the unit or from the author."""
    if ctx.in_group:
        ctx.reply(t.REPLY_IN_DIRECT)
        return
    match = _REF_AND_TEXT.fullmatch(args.text)
    if match is None:
        ctx.reply(t.REPLY_USAGE)
        return
    ref, body = match.group(1), ctx.typed(match.group(2))
    box = await ctx.session.get(Suggestion, n) if (n := whole(ref)) is not None else None
    if box is None:
        ctx.reply(t.unknown_suggestion(ref))
        return
    if len(body) > MAX_CHARS:
        ctx.reply(t.reply_too_long(MAX_CHARS, len(body)), sensitive=True)
        return
    today = ctx.local_now.date()
    if await _is_author(ctx, box):
        if box.author_person_id is None:
            follow_up = AnonymousFollowUp(suggestion_id=box.id, text=body, day=today)
            await anonymous_follow_up.submit(ctx, follow_up)
            ctx.reply(t.reply_sent(box.id), sensitive=True)
            return
        ctx.session.add(
            SuggestionMessage(suggestion_id=box.id, from_author=True, text=body, sent_on=today)
        )
        named = ctx.actor.name or ctx.actor.user_id
        for sec in await secretaries_of(ctx.session, box.unit_id):
            ctx.send_direct(
                sec.platform_user_id,
                t.relay_to_secretaries(box.id, body, named),
                platform=sec.platform,
            )
        ctx.reply(t.reply_sent(box.id), sensitive=True)
        return
    if not ctx.actor.can_manage(box.unit_id):
        ctx.reply(t.unknown_suggestion(ref))
        return
    out = await answer_author(
        ctx.session, ctx.runtime.sealer, ctx.actor.person_id, box, body, today
    )
    if out is None:
        ctx.reply(t.AUTHOR_UNREACHABLE)
        return
    ctx.out.append(out)
    ctx.reply(t.reply_sent(box.id))


@suggest_cmd.sub("list", "列表", role=Role.SECRETARY, help=t.LIST_HELP)
async def list_box(ctx: Context, args: Args) -> None:
    """`/意见箱 列表`: the newest suggestions of the units this secretary serves."""
    actor = ctx.actor
    units = actor.scope
    if ctx.group_unit_id is not None:
        units = {ctx.group_unit_id}
    entries = await recent_suggestions(ctx.session, units, LISTED)
    if not entries:
        ctx.reply(t.BOX_EMPTY)
        return
    lines = [t.BOX_HEAD]
    for e in entries:
        day = e.suggestion.received_on
        lines.append(
            t.box_line(e.suggestion.id, e.unit, day.month, day.day, e.author, e.messages)
            + "\n"
            + t.box_excerpt(e.suggestion.text)
        )
    lines.append(t.BOX_FOOT)
    ctx.reply("\n".join(lines))
