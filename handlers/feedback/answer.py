"""A teacher answers a call in direct chat: pick, write, 实名 or 匿名, confirm.

The whole flow is `sensitive`: its state and everything the bot says while
someone writes are sealed, and wiped when done. An anonymous answer is
written apart from its author's transaction (bot.anonymous), which only
marks their seat as answered.
"""

from __future__ import annotations

import re
import secrets

from pydantic import BaseModel

from bot.args import Args
from bot.context import Context
from bot.conversation import Choose, Confirm, Flow
from bot.numbers import whole
from bot.roles import Role
from bot.timers import JobContext
from handlers.feedback import feature, feedback_cmd, steps
from handlers.feedback import texts as t
from handlers.feedback.report import show_time
from handlers.feedback.steps import MAX_CHARS, MAX_MESSAGES, Opinion, is_no_opinion, joined
from storage.feedback import (
    ANONYMOUS,
    NAMED,
    NO_OPINION,
    OPINION,
    PENDING,
    Answerable,
    FeedbackCall,
    FeedbackOpinion,
    add_anonymous_opinion,
    calls_for,
    member,
    withdraw,
)

_REF = re.compile(r"#?(\d+)(?:\s+(.*))?", re.DOTALL)
RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
ACTIONS = {"change": t.CHANGE, "withdraw": t.WITHDRAW}
WAYS = {"named": t.NAMED, "anon": t.ANONYMOUS}


class CallChoice(BaseModel):
    id: int
    title: str
    label: str
    answered: bool
    anon: bool


class Answer(BaseModel):
    calls: list[CallChoice]
    call: str = ""
    action: str = ""
    text: list[str] = []
    way: str = ""
    confirm: bool | None = None

    def chosen(self) -> CallChoice | None:
        if len(self.calls) == 1:
            return self.calls[0]
        return next((c for c in self.calls if str(c.id) == self.call), None)

    @property
    def withdrawing(self) -> bool:
        return self.action == "withdraw"

    @property
    def title(self) -> str:
        chosen = self.chosen()
        return chosen.title if chosen else ""


def _answered(data: Answer) -> bool:
    chosen = data.chosen()
    return bool(chosen and chosen.answered)


def _anon_allowed(data: Answer) -> bool:
    chosen = data.chosen()
    return bool(chosen and chosen.anon) and not data.withdrawing


def _ask(ctx: Context, data: Answer) -> str:
    return t.ask_opinion(data.title, MAX_CHARS, MAX_MESSAGES)


def _preview(ctx: Context, data: Answer) -> str:
    if data.withdrawing:
        return t.withdraw_preview(data.title)
    return t.answer_preview(data.title, joined(data.text), WAYS[data.way or "named"])


def receipt_code() -> str:
    return "FK" + "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(6))


class AnonymousAnswer(BaseModel):
    call_id: int
    kind: str
    text: str
    receipt: str


anonymous_answer = feature.anonymous("feedback.answer", AnonymousAnswer)


@anonymous_answer.writer
async def write_answer(job: JobContext, a: AnonymousAnswer) -> None:
    await add_anonymous_opinion(job.session, a.call_id, a.kind, a.text, a.receipt)


async def submit(ctx: Context, data: Answer) -> None:
    chosen = data.chosen()
    assert chosen is not None
    title, pid = chosen.title, ctx.actor.person_id
    call = await ctx.session.get(FeedbackCall, chosen.id)
    if call is None or call.state != "open" or call.deadline <= ctx.now:
        ctx.reply(t.too_late(title), sensitive=True)
        return
    seat = await member(ctx.session, call.id, pid)
    if seat is None:
        ctx.reply(t.not_in_audience(str(call.id)), sensitive=True)
        return
    if seat.status == ANONYMOUS:
        ctx.reply(t.already_anonymous(title), sensitive=True)
        return
    # A change replaces the named answer; a withdrawal only removes it.
    await withdraw(ctx.session, call.id, pid)
    if data.withdrawing:
        seat.status = PENDING
        ctx.reply(t.withdrawn(title), sensitive=True)
        return
    parts = data.text
    anonymous = data.way == "anon"
    code = receipt_code()
    kind = NO_OPINION if is_no_opinion(parts) else OPINION
    text = "" if is_no_opinion(parts) else joined(parts)
    if anonymous:
        answer = AnonymousAnswer(call_id=call.id, kind=kind, text=text, receipt=code)
        await anonymous_answer.submit(ctx, answer)
    else:
        ctx.session.add(
            FeedbackOpinion(
                call_id=call.id,
                person_id=pid,
                kind=kind,
                text=text,
                receipt=code,
                submitted_at=ctx.now,
            )
        )
    seat.status = ANONYMOUS if anonymous else NAMED
    ctx.reply(t.receipt(title, code, anonymous), sensitive=True)


answer_flow = feature.flow(
    Flow(
        "feedback.answer",
        t.ANSWER_FLOW,
        Answer,
        steps=[
            Choose(
                "call",
                t.PICK_CALL,
                lambda d: {str(c.id): c.label for c in d.calls},
                when=lambda d: len(d.calls) > 1,
            ),
            Choose("action", t.ASK_ACTION, ACTIONS, when=_answered),
            Opinion("text", _ask, when=lambda d: not d.withdrawing),
            Choose("way", t.ASK_NAMED, WAYS, when=_anon_allowed),
            Confirm("confirm", _preview),
        ],
        on_done=submit,
        sensitive=True,
    )
)


@feature.phrase(r"(?:我)?(?:没有意见|无意见|没意见)(?:[.!~。]|了)*")
async def no_opinion(ctx: Context, found: re.Match[str]) -> bool:
    """`无意见` as the one reply to a call: with one call waiting, that is the answer."""
    options = await calls_for(ctx.session, ctx.actor.person_id, ctx.now)
    waiting = [a for a in options if a.status == PENDING]
    if not waiting:
        return False
    if len(waiting) > 1:
        await ctx.start(answer_flow, Answer(calls=_choices(ctx, waiting), text=[steps.NO_OPINION]))
        return True
    await submit(ctx, Answer(calls=_choices(ctx, waiting), text=[steps.NO_OPINION], way="named"))
    return True


def _choices(ctx: Context, options: list[Answerable]) -> list[CallChoice]:
    return [
        CallChoice(
            id=a.call.id,
            title=a.call.title,
            label=t.pick_label(
                a.call.id,
                a.call.title,
                show_time(a.call.deadline, ctx.now, ctx.tz),
                a.status == NAMED,
            ),
            answered=a.status == NAMED,
            anon=a.call.allow_anonymous,
        )
        for a in options
    ]


@feedback_cmd.bare()
async def start_answer(ctx: Context, args: Args) -> None:
    """`/反馈 [编号] [意见]`: the open calls this person may answer, or that one.

    Text after it is the opinion, as typed: with one call open, it goes
    straight to the confirmation.
    """
    if ctx.in_group:
        ctx.reply(t.ANSWER_IN_DIRECT)
        return
    options = await calls_for(ctx.session, ctx.actor.person_id, ctx.now)
    ref, opinion = "", args.text
    if found := _REF.fullmatch(args.text):
        ref, opinion = found[1], found[2] or ""
    if ref:
        options = [a for a in options if str(a.call.id) == ref]
        if not options:
            n = whole(ref)
            call = await ctx.session.get(FeedbackCall, n) if n is not None else None
            is_open = call is not None and call.state == "open" and call.deadline > ctx.now
            ctx.reply(t.not_in_audience(ref) if is_open else t.not_open(ref))
            return
    selectable = [a for a in options if a.status != ANONYMOUS]
    if not selectable:
        ctx.reply(t.already_anonymous(options[0].call.title) if options else t.NOTHING_TO_ANSWER)
        router = ctx.runtime.router
        cmd = router.command("feedback")
        if ctx.actor.role >= Role.SECRETARY and cmd is not None:
            ctx.reply(router.command_help(cmd, ctx.actor.role))
        return
    data = Answer(calls=_choices(ctx, selectable))
    if opinion:
        data.text = [ctx.typed(opinion)[:MAX_CHARS]]
        # Given with the command, the opinion is new: not a withdrawal.
        data.action = "change"
    await ctx.start(answer_flow, data)
