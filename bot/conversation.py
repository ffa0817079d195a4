"""Guided conversations: a flow is a declared list of steps, its state a row.

Every answer is written through before the next prompt goes out, so a
restart resumes a flow exactly where it stood. A step's value must be
JSON-serialisable (dates as ISO strings).
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select

from bot import texts
from bot.context import Context
from storage.messaging import ConversationState

Data = dict[str, Any]
Prompt = str | Callable[[Context, Data], str]
Parser = Callable[[Context, str, Data], Any]
DONE_WORDS = ("完成", "done", "好了", "结束")
YES_WORDS = ("确认", "确定", "是", "好", "yes", "y", "ok", "1")
NO_WORDS = ("取消", "否", "不", "no", "n", "cancel")
CANCEL_WORDS = ("取消", "cancel", "/取消", "/cancel", "退出")


class Invalid(Exception):
    """An answer the step cannot take; `hint` tells the user what would work."""

    def __init__(self, hint: str) -> None:
        super().__init__(hint)
        self.hint = hint


@dataclass
class Step(ABC):
    key: str
    prompt: Prompt
    when: Callable[[Data], bool] | None = field(default=None, kw_only=True)

    def render(self, ctx: Context, data: Data) -> str:
        return self.prompt(ctx, data) if callable(self.prompt) else self.prompt

    @abstractmethod
    async def take(self, ctx: Context, text: str, data: Data) -> tuple[bool, Any]:
        """(finished, value). Raises Invalid for an answer to ask again."""


async def _call(parse: Parser, ctx: Context, text: str, data: Data) -> Any:
    value = parse(ctx, text, data)
    return await value if inspect.isawaitable(value) else value


@dataclass
class Ask(Step):
    parse: Parser | None = None

    async def take(self, ctx: Context, text: str, data: Data) -> tuple[bool, Any]:
        if not text:
            raise Invalid(texts.EMPTY_ANSWER)
        return True, await _call(self.parse, ctx, text, data) if self.parse else text


@dataclass
class Choose(Step):
    """Pick one of the options by number or by its words; the value is the option."""

    options: Sequence[str] | Callable[[Data], Sequence[str]] = ()

    def choices(self, data: Data) -> list[str]:
        return list(self.options(data) if callable(self.options) else self.options)

    def render(self, ctx: Context, data: Data) -> str:
        lines = [super().render(ctx, data)]
        lines += [f"{i}. {opt}" for i, opt in enumerate(self.choices(data), 1)]
        return "\n".join(lines)

    async def take(self, ctx: Context, text: str, data: Data) -> tuple[bool, Any]:
        options = self.choices(data)
        if text.isdigit() and 1 <= int(text) <= len(options):
            return True, options[int(text) - 1]
        for opt in options:
            if text.lower() == opt.lower():
                return True, opt
        raise Invalid(texts.choose_hint(len(options)))


@dataclass
class Collect(Step):
    """Items one per line or one per message, until a done word."""

    item: Parser | None = None
    min_items: int = 1
    max_items: int = 100

    async def take(self, ctx: Context, text: str, data: Data) -> tuple[bool, Any]:
        items: list[Any] = list(data.get(self.key) or [])
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        finished = bool(lines) and lines[-1].lower() in DONE_WORDS
        if finished:
            lines = lines[:-1]
        for line in lines:
            if len(items) >= self.max_items:
                raise Invalid(texts.too_many_items(self.max_items))
            items.append(await _call(self.item, ctx, line, data) if self.item else line)
        if finished and len(items) < self.min_items:
            data[self.key] = items
            raise Invalid(texts.too_few_items(self.min_items, len(items)))
        return finished, items


@dataclass
class Confirm(Step):
    """Show a preview; 确认 finishes the flow, 取消 leaves it."""

    async def take(self, ctx: Context, text: str, data: Data) -> tuple[bool, Any]:
        word = text.lower()
        if word in YES_WORDS:
            return True, True
        if word in NO_WORDS:
            return True, False
        raise Invalid(texts.CONFIRM_HINT)

    def render(self, ctx: Context, data: Data) -> str:
        return f"{super().render(ctx, data)}\n{texts.CONFIRM_PROMPT}"


Steps = Sequence[Step] | Callable[[Data], Sequence[Step]]
OnDone = Callable[[Context, Data], Awaitable[None]]


@dataclass
class Flow:
    name: str
    title: str
    steps: Steps
    on_done: OnDone
    timeout: timedelta | None = None
    on_cancel: OnDone | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    # Every prompt, hint and notice of the flow is sent `sensitive`: a flow
    # where someone writes anonymously leaves no trace of it in the outbox.
    sensitive: bool = False

    def step_list(self, data: Data) -> list[Step]:
        steps = self.steps(data) if callable(self.steps) else self.steps
        return [s for s in steps if s.when is None or s.when(data)]

    def next_step(self, data: Data, after: str | None) -> Step | None:
        steps = self.step_list(data)
        if after is None:
            return steps[0] if steps else None
        keys = [s.key for s in steps]
        if after not in keys:
            return None
        i = keys.index(after) + 1
        return steps[i] if i < len(steps) else None

    def find(self, data: Data, key: str) -> Step | None:
        return next((s for s in self.step_list(data) if s.key == key), None)


class Conversations:
    """The engine: starts flows, feeds answers to them, cancels and expires them."""

    def __init__(self, flows: Sequence[Flow], default_timeout: timedelta) -> None:
        self.flows = {f.name: f for f in flows}
        self.default_timeout = default_timeout

    def _expiry(self, flow: Flow, now: datetime) -> datetime:
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

    async def start(self, ctx: Context, name: str, data: Data | None = None) -> None:
        flow = self.flows[name]
        data = dict(data or {})
        old = await self.current(ctx)
        if old is not None:
            await ctx.session.delete(old)
            await ctx.session.flush()
            if old.flow != name and old.flow in self.flows:
                ctx.reply(texts.replaced_flow(self.flows[old.flow].title), sensitive=flow.sensitive)
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
                flow=name,
                step=step.key,
                data=data,
                expires_at=self._expiry(flow, ctx.now),
                updated_at=ctx.now,
            )
        )
        ctx.reply(step.render(ctx, data), mentions=self._mention(ctx), sensitive=flow.sensitive)

    def _mention(self, ctx: Context) -> list[str]:
        return [ctx.incoming.sender_id] if ctx.in_group else []

    async def answer(self, ctx: Context, state: ConversationState, text: str) -> None:
        flow = self.flows.get(state.flow)
        data: Data = dict(state.data)
        step = flow.find(data, state.step) if flow else None
        if flow is None or step is None:
            # A flow renamed or removed by an upgrade: drop it rather than guess.
            await ctx.session.delete(state)
            ctx.reply(texts.FLOW_GONE)
            return
        try:
            finished, value = await step.take(ctx, text, data)
        except Invalid as bad:
            state.data = data
            state.expires_at = self._expiry(flow, ctx.now)
            state.updated_at = ctx.now
            ctx.reply(
                f"{bad.hint}\n{step.render(ctx, data)}",
                mentions=self._mention(ctx),
                sensitive=flow.sensitive,
            )
            return
        data[step.key] = value
        if isinstance(step, Confirm) and value is False:
            await self._end(ctx, state)
            await self._cancelled(ctx, flow, data)
            return
        nxt = flow.next_step(data, step.key) if finished else step
        if nxt is None:
            await self._end(ctx, state)
            await flow.on_done(ctx, data)
            return
        state.data = data
        state.step = nxt.key
        state.expires_at = self._expiry(flow, ctx.now)
        state.updated_at = ctx.now
        if nxt is not step:
            ctx.reply(nxt.render(ctx, data), mentions=self._mention(ctx), sensitive=flow.sensitive)
        elif isinstance(step, Collect):
            ctx.reply(texts.collected(len(value)), sensitive=flow.sensitive)

    async def _end(self, ctx: Context, state: ConversationState) -> None:
        await ctx.session.delete(state)
        await ctx.session.flush()

    async def _cancelled(self, ctx: Context, flow: Flow, data: Data) -> None:
        if flow.on_cancel:
            await flow.on_cancel(ctx, data)
        ctx.reply(texts.cancelled(flow.title), sensitive=flow.sensitive)

    async def cancel(self, ctx: Context) -> bool:
        state = await self.current(ctx)
        if state is None:
            return False
        flow = self.flows.get(state.flow)
        await self._end(ctx, state)
        if flow:
            await self._cancelled(ctx, flow, dict(state.data))
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
