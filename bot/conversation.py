"""Guided conversations: a flow is a declared list of steps over a typed model; its state a row.

    class NewPoll(BaseModel):
        title: str = ""
        mode: str = ""

    new_poll = Flow("poll.new", "新建投票", NewPoll, steps=[
        Ask("title", "投票主题是什么？"),
        Choose("mode", "单选还是多选？", {"single": "单选", "multi": "多选"}),  # stores the code
        Confirm("confirm", preview),
    ], on_done=publish)

    await ctx.start(new_poll, NewPoll(title=given))   # steps already answered are skipped

Every answer is written through before the next prompt goes out, so a
restart resumes a flow exactly where it stood. A step whose field is already
filled when the flow starts or moves on is skipped, so a one-line command can
answer some steps up front.

What a person is in the middle of comes first (bot.router): a flow answered
within the last few minutes takes the next message before bare keywords do.
A flow left alone longer is "stale": keywords go first, and an answer that
could be meant for anything (a confirmation, a bare number) is not taken but
the question is asked again, with what it would answer, so a stray "1" never
confirms something forgotten.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import delete, select

from bot import texts
from bot.context import Context
from bot.numbers import whole
from bot.seal import Unreadable
from bot.sensitive import state_context
from storage.messaging import ConversationState

D = TypeVar("D", bound=BaseModel)
Prompt = str | Callable[[Context, Any], str]
Parser = Callable[[Context, str, Any], Any]
Options = Mapping[str, str] | Callable[[Any], Mapping[str, str]]

DONE_WORDS = ("完成", "done", "好了", "结束")
# One set everywhere: what confirms and what declines a preview.
YES_WORDS = ("确认", "确定", "是", "是的", "好", "好的", "可以", "对", "ok", "yes", "y", "1")
NO_WORDS = ("不", "不要", "否", "取消", "算了", "no", "n", "cancel")
CANCEL_WORDS = ("取消", "cancel", "退出", "算了")
# A flow nobody answered for this long is stale (see the module's docstring).
STALE_AFTER = timedelta(minutes=5)


class Invalid(Exception):
    """An answer the step cannot take; `hint` tells the user what would work."""

    def __init__(self, hint: str) -> None:
        super().__init__(hint)
        self.hint = hint


@dataclass
class Step(ABC):
    """One question of a flow, stored in the model's field `key`.

    With `index`, the value goes to that place of a list field instead (one
    question per candidate of a 测评, all kept in one list).
    """

    key: str
    prompt: Prompt
    when: Callable[[Any], bool] | None = field(default=None, kw_only=True)
    index: int | None = field(default=None, kw_only=True)

    @property
    def id(self) -> str:
        return self.key if self.index is None else f"{self.key}.{self.index}"

    def render(self, ctx: Context, data: Any) -> str:
        return self.prompt(ctx, data) if callable(self.prompt) else self.prompt

    def value(self, data: BaseModel) -> Any:
        current = getattr(data, self.key)
        if self.index is None:
            return current
        return current[self.index] if self.index < len(current) else None

    def assign(self, data: BaseModel, value: Any) -> None:
        if self.index is None:
            setattr(data, self.key, value)
            return
        items = list(getattr(data, self.key))
        items += [None] * (self.index + 1 - len(items))
        items[self.index] = value
        setattr(data, self.key, items)

    def answered(self, data: BaseModel) -> bool:
        value = self.value(data)
        return value not in (None, "", [], {})

    def ambiguous(self, text: str) -> bool:
        """Whether `text` could as well be meant for something else (a stray "1", "好")."""
        return False

    async def declines(self, ctx: Context, text: str, data: Any) -> bool:
        """Whether the router should offer `text` to the keywords first: it is not
        an answer to this step and may be a message of its own ("签到" while a
        ballot asks which poll). Most steps take whatever comes."""
        return False

    def taps(self, data: Any) -> list[tuple[str, str]]:
        """Buttons for the answers (label, what a tap sends), where there is a short list."""
        return []

    @abstractmethod
    async def take(self, ctx: Context, text: str, data: Any) -> tuple[bool, Any]:
        """(finished, value). Raises Invalid for an answer to ask again."""


async def _call(parse: Parser, ctx: Context, text: str, data: Any) -> Any:
    value = parse(ctx, text, data)
    return await value if inspect.isawaitable(value) else value


@dataclass
class Ask(Step):
    """A free answer: stored as typed, or what `parse` makes of the normalised text.

    A parser that keeps words (a title) stores `ctx.typed(text)`.
    """

    parse: Parser | None = None

    async def take(self, ctx: Context, text: str, data: Any) -> tuple[bool, Any]:
        if not text:
            raise Invalid(texts.EMPTY_ANSWER)
        return True, await _call(self.parse, ctx, text, data) if self.parse else ctx.typed(text)


@dataclass
class Choose(Step):
    """Pick one option by its number or its words; the value is the option's code.

    Options map a code (what is stored) to a label (what is shown), so editing
    a label never breaks a flow in progress. People answer with a label's
    first words too, two characters or more ("顺延" for 顺延到下一个工作日): a
    beginning shared by several labels means the one the others extend, and
    `words` names further words for an option ("不开" for 跳过这一次).
    """

    options: Options = field(default_factory=dict)
    words: Mapping[str, str] = field(default_factory=dict, kw_only=True)

    def ambiguous(self, text: str) -> bool:
        return text.isdigit()  # a bare number, whether or not it picks anything

    def choices(self, data: Any) -> dict[str, str]:
        return dict(self.options(data) if callable(self.options) else self.options)

    def render(self, ctx: Context, data: Any) -> str:
        lines = [super().render(ctx, data)]
        lines += [f"{i}. {label}" for i, label in enumerate(self.choices(data).values(), 1)]
        return "\n".join(lines)

    def taps(self, data: Any) -> list[tuple[str, str]]:
        return [(label, str(i)) for i, label in enumerate(self.choices(data).values(), 1)]

    async def take(self, ctx: Context, text: str, data: Any) -> tuple[bool, Any]:
        options = self.choices(data)
        codes = list(options)
        if (n := whole(text, 1, len(codes))) is not None:
            return True, codes[n - 1]
        word = text.lower()
        for code, label in options.items():
            if word in (label.lower(), code.lower()):
                return True, code
        if self.words.get(word) in options:
            return True, self.words[word]
        labels = [(label.lower(), code) for code, label in options.items()]
        begun = sorted((p for p in labels if p[0].startswith(word)), key=lambda p: len(p[0]))
        # Two characters at least: a lone "不" or "匿" is no answer to guess from.
        if len(word) >= 2 and begun and all(label.startswith(begun[0][0]) for label, _ in begun):
            return True, begun[0][1]
        raise Invalid(texts.choose_hint(len(codes)))


@dataclass
class Collect(Step):
    """Items one per line or one per message, until a done word."""

    item: Parser | None = None
    min_items: int = 1
    max_items: int = 100

    async def take(self, ctx: Context, text: str, data: Any) -> tuple[bool, Any]:
        items: list[Any] = list(self.value(data) or [])
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        finished = bool(lines) and lines[-1].lower() in DONE_WORDS
        if finished:
            lines = lines[:-1]
        for line in lines:
            if len(items) >= self.max_items:
                raise Invalid(texts.too_many_items(self.max_items))
            items.append(await _call(self.item, ctx, line, data) if self.item else ctx.typed(line))
        if finished and len(items) < self.min_items:
            self.assign(data, items)
            raise Invalid(texts.too_few_items(self.min_items, len(items)))
        return finished, items

    def answered(self, data: BaseModel) -> bool:
        return len(self.value(data) or []) >= self.min_items


@dataclass
class Confirm(Step):
    """Show a preview; a yes word finishes the flow, a no word leaves it."""

    def ambiguous(self, text: str) -> bool:
        return True

    async def take(self, ctx: Context, text: str, data: Any) -> tuple[bool, Any]:
        word = text.lower().rstrip("!！。.")
        if word in YES_WORDS:
            return True, True
        if word in NO_WORDS:
            return True, False
        raise Invalid(texts.CONFIRM_HINT)

    def answered(self, data: BaseModel) -> bool:
        # A preview is always shown, whatever was filled in up front.
        return False

    def render(self, ctx: Context, data: Any) -> str:
        return f"{super().render(ctx, data)}\n{texts.CONFIRM_PROMPT}"

    def taps(self, data: Any) -> list[tuple[str, str]]:
        return [(texts.CONFIRM_BUTTON, YES_WORDS[0]), (texts.CANCEL_BUTTON, NO_WORDS[3])]


Steps = Sequence[Step] | Callable[[Any], Sequence[Step]]


@dataclass
class Flow(Generic[D]):
    name: str
    title: str
    model: type[D]
    steps: Steps
    on_done: Callable[[Context, D], Awaitable[None]]
    timeout: timedelta | None = None
    on_cancel: Callable[[Context, D], Awaitable[None]] | None = None
    # Every prompt, hint and notice of the flow is sent `sensitive`, and its
    # state is kept sealed (bot.sensitive): a flow where someone writes
    # anonymously leaves nothing readable beside their name, in the outbox
    # or in its own row.
    sensitive: bool = False

    def step_list(self, data: D) -> list[Step]:
        steps = self.steps(data) if callable(self.steps) else self.steps
        return [s for s in steps if s.when is None or s.when(data)]

    def next_step(self, data: D, after: str | None) -> Step | None:
        """The first unanswered step after `after` (None: from the start)."""
        steps = self.step_list(data)
        ids = [s.id for s in steps]
        start = 0 if after is None else (ids.index(after) + 1 if after in ids else len(ids))
        return next((s for s in steps[start:] if not s.answered(data)), None)

    def find(self, data: D, step_id: str) -> Step | None:
        return next((s for s in self.step_list(data) if s.id == step_id), None)

    def load(self, raw: Any) -> D | None:
        try:
            return self.model.model_validate(raw)
        except ValidationError:
            return None


class Conversations:
    """The engine: starts flows, feeds answers to them, cancels and expires them."""

    def __init__(self, flows: Sequence[Flow[Any]], default_timeout: timedelta) -> None:
        self.flows: dict[str, Flow[Any]] = {}
        for flow in flows:
            if flow.name in self.flows:
                raise ValueError(f"flow {flow.name!r} declared twice")
            self.flows[flow.name] = flow
        self.default_timeout = default_timeout

    def _expiry(self, flow: Flow[Any], now: datetime) -> datetime:
        return now + (flow.timeout or self.default_timeout)

    async def current(self, ctx: Context) -> ConversationState | None:
        msg = ctx.incoming
        return await ctx.session.scalar(
            select(ConversationState).where(
                ConversationState.platform == msg.platform,
                ConversationState.chat_id == msg.chat_id,
                ConversationState.user_id == msg.sender_id,
            )
        )

    @staticmethod
    def is_stale(state: ConversationState, now: datetime) -> bool:
        return now - state.updated_at >= STALE_AFTER

    async def start(self, ctx: Context, flow: Flow[D], data: D) -> None:
        if self.flows.get(flow.name) is not flow:
            raise LookupError(f"flow {flow.name!r} is not declared by any feature")
        dropped = await self.drop(ctx)
        if dropped is not None and dropped.title != flow.title:
            sensitive = flow.sensitive or dropped.sensitive
            ctx.reply(texts.replaced_flow(dropped.title), sensitive=sensitive)
        step = flow.next_step(data, None)
        if step is None:
            await flow.on_done(ctx, data)
            return
        msg = ctx.incoming
        ctx.session.add(
            ConversationState(
                platform=msg.platform,
                chat_id=msg.chat_id,
                chat_type=msg.chat_type,
                user_id=msg.sender_id,
                flow=flow.name,
                step=step.id,
                data=self._stored(ctx, flow, data),
                expires_at=self._expiry(flow, ctx.now),
                updated_at=ctx.now,
            )
        )
        self._ask(ctx, flow, step, data)

    def _ask(self, ctx: Context, flow: Flow[Any], step: Step, data: Any, hint: str = "") -> None:
        text = step.render(ctx, data)
        ctx.reply(
            f"{hint}\n{text}" if hint else text,
            mentions=[ctx.incoming.sender_id] if ctx.in_group else [],
            sensitive=flow.sensitive,
            choices=step.taps(data),
        )

    async def drop(self, ctx: Context) -> Flow[Any] | None:
        """End the open flow without a word; the flow, or None when there was none
        (or it is no longer declared)."""
        state = await self.current(ctx)
        if state is None:
            return None
        await self._end(ctx, state)
        return self.flows.get(state.flow)

    @staticmethod
    def _stored(ctx: Context, flow: Flow[Any], data: BaseModel) -> Any:
        """The flow's data as its row keeps it: sealed for a sensitive flow."""
        raw = data.model_dump(mode="json")
        if not flow.sensitive:
            return raw
        msg = ctx.incoming
        context = state_context(msg.platform, msg.chat_id, msg.sender_id)
        return ctx.runtime.sealer.seal_json(raw, context)

    @staticmethod
    def _loaded(ctx: Context, flow: Flow[D] | None, state: ConversationState) -> D | None:
        if flow is None:
            return None
        context = state_context(state.platform, state.chat_id, state.user_id)
        try:
            return flow.load(ctx.runtime.sealer.open_json(state.data, context))
        except Unreadable:
            return None

    async def declines(self, ctx: Context, state: ConversationState, text: str) -> bool:
        """Whether the open flow's step lets `text` go to the keywords first."""
        flow = self.flows.get(state.flow)
        data = self._loaded(ctx, flow, state)
        step = flow.find(data, state.step) if flow is not None and data is not None else None
        return step is not None and await step.declines(ctx, text, data)

    async def answer(self, ctx: Context, state: ConversationState, text: str) -> None:
        flow = self.flows.get(state.flow)
        data = self._loaded(ctx, flow, state)
        step = flow.find(data, state.step) if flow is not None and data is not None else None
        if flow is None or data is None or step is None:
            # A flow renamed, removed or reshaped by an upgrade: drop it rather than guess.
            await self._end(ctx, state)
            ctx.reply(texts.FLOW_GONE)
            return
        if step.ambiguous(text) and self.is_stale(state, ctx.now):
            # Left alone for a while: show what the answer would be for first.
            self._touch(ctx, flow, state, data)
            self._ask(ctx, flow, step, data, texts.resumed(flow.title))
            return
        try:
            finished, value = await step.take(ctx, text, data)
        except Invalid as bad:
            self._touch(ctx, flow, state, data)
            self._ask(ctx, flow, step, data, bad.hint)
            return
        step.assign(data, value)
        if isinstance(step, Confirm) and value is False:
            await self._end(ctx, state)
            await self._cancelled(ctx, flow, data)
            return
        nxt = flow.next_step(data, step.id) if finished else step
        if nxt is None:
            await self._end(ctx, state)
            await flow.on_done(ctx, data)
            return
        state.step = nxt.id
        self._touch(ctx, flow, state, data)
        if nxt is not step:
            self._ask(ctx, flow, nxt, data)
        elif isinstance(step, Collect):
            ctx.reply(texts.collected(len(value)), sensitive=flow.sensitive)

    def _touch(self, ctx: Context, flow: Flow[Any], state: ConversationState, data: Any) -> None:
        state.data = self._stored(ctx, flow, data)
        state.expires_at = self._expiry(flow, ctx.now)
        state.updated_at = ctx.now

    async def _end(self, ctx: Context, state: ConversationState) -> None:
        await ctx.session.delete(state)
        await ctx.session.flush()

    async def _cancelled(self, ctx: Context, flow: Flow[Any], data: Any) -> None:
        if flow.on_cancel:
            await flow.on_cancel(ctx, data)
        ctx.reply(texts.cancelled(flow.title), sensitive=flow.sensitive)

    async def cancel(self, ctx: Context) -> bool:
        state = await self.current(ctx)
        if state is None:
            return False
        flow = self.flows.get(state.flow)
        data = self._loaded(ctx, flow, state)
        await self._end(ctx, state)
        if flow is not None and data is not None:
            await self._cancelled(ctx, flow, data)
        else:
            ctx.reply(texts.cancelled(""))
        return True

    def title_of(self, name: str) -> str:
        flow = self.flows.get(name)
        return flow.title if flow else ""


async def take_expired(session: Any, now: datetime, limit: int = 200) -> list[ConversationState]:
    """Remove and return flows past their expiry, for the sweeper to notify."""
    rows = list(
        await session.scalars(
            select(ConversationState)
            .where(ConversationState.expires_at <= now)
            .order_by(ConversationState.id)
            .limit(limit)
        )
    )
    if rows:
        await session.execute(
            delete(ConversationState).where(ConversationState.id.in_([r.id for r in rows]))
        )
    return rows
