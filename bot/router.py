"""Routes a message: a command, a bare keyword, an open conversation, or a hint."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from bot import texts
from bot.args import parse_args
from bot.context import Context
from bot.conversation import CANCEL_WORDS, Conversations
from bot.feature import Command, Feature, Keyword, Phrase, Sub
from bot.roles import Role
from bot.timers import Timer

CANCEL_COMMANDS = ("cancel", "取消")
# `/签到 帮助` is a question about the command, never its default action.
HELP_WORDS = ("帮助", "help", "?", "用法", "说明")


class Router:
    def __init__(self, features: Sequence[Feature], flow_timeout: timedelta) -> None:
        self.features = list(features)
        self.commands: list[Command] = [c for f in self.features for c in f.commands]
        self._by_name: dict[str, Command] = {}
        for cmd in self.commands:
            for name in cmd.names:
                key = name.lower()
                if key in self._by_name:
                    raise ValueError(f"command name {name!r} declared twice")
                self._by_name[key] = cmd
        self.keywords: list[Keyword] = [k for f in self.features for k in f.keywords]
        self.phrases: list[Phrase] = [p for f in self.features for p in f.phrases]
        self.timers: dict[str, Timer[Any]] = {}
        for timer in (t for f in self.features for t in f.timers):
            if timer.kind in self.timers:
                raise ValueError(f"timer kind {timer.kind!r} declared twice")
            self.timers[timer.kind] = timer
        self.conversations = Conversations(
            [flow for f in self.features for flow in f.flows], flow_timeout
        )

    def command(self, word: str) -> Command | None:
        return self._by_name.get(word.lower())

    async def dispatch(self, ctx: Context) -> None:
        """A command; else the open flow if it is fresh (and takes the text); else a
        keyword; else the flow; else a hint.

        A `/command` leaves any open flow, saying so, even when it is refused.
        """
        text = ctx.incoming.text
        if text.startswith("/"):
            await self._command(ctx, text[1:].strip())
            return
        if text.lower() in CANCEL_WORDS:
            if not await self.conversations.cancel(ctx):
                ctx.reply(texts.NOTHING_TO_CANCEL)
            return
        state = await self.conversations.current(ctx)
        if (
            state is not None
            and not self.conversations.is_stale(state, ctx.now)
            and not await self.conversations.declines(ctx, state, text)
        ):
            await self.conversations.answer(ctx, state, text)
            return
        if await self._keyword(ctx, text):
            return
        if state is not None:
            await self.conversations.answer(ctx, state, text)
            return
        ctx.reply(texts.FALLBACK)

    async def _command(self, ctx: Context, body: str) -> None:
        # Any whitespace ends the command word: a notice may start on the next
        # line ("/广播\n各支部：…").
        word, *tail = re.split(r"\s", body, maxsplit=1)
        rest = tail[0] if tail else ""
        if word.lower() in CANCEL_COMMANDS:
            if not await self.conversations.cancel(ctx):
                ctx.reply(texts.NOTHING_TO_CANCEL)
            return
        cmd = self.command(word)
        if cmd is None:
            ctx.reply(texts.unknown_command(word, self._suggest(word)))
            return
        dropped = await self.conversations.drop(ctx)
        if dropped is not None:
            # That someone left a ballot says where they were: sealed like the ballot.
            ctx.reply(texts.replaced_flow(dropped.title), sensitive=dropped.sensitive)
        # A line break ends the sub-command word too: "/提醒 放假安排⏎<rows>".
        sub_word, _, sub_rest = rest.strip().replace("\n", " \n", 1).partition(" ")
        if sub_word.lower() in HELP_WORDS:
            ctx.reply(self.command_help(cmd, ctx.actor.role))
            return
        sub = cmd.find_sub(sub_word) if sub_word else None
        if sub is not None:
            rest = sub_rest
        elif cmd.default is not None:
            sub = cmd.default
        else:
            ctx.reply(self.command_help(cmd, ctx.actor.role))
            return
        label = f"/{cmd.zh} {sub.names[1]}" if sub.names else f"/{cmd.zh}"
        if not self._allowed(ctx, sub, label):
            return
        await sub.handler(ctx, parse_args(rest, {**cmd.keywords, **sub.keywords}))

    def _allowed(self, ctx: Context, sub: Sub, label: str) -> bool:
        actor = ctx.actor
        if actor.role < sub.role:
            ctx.reply(texts.needs_role(sub.role, label))
            return False
        # A secretary acts for their own units: in a group bound to another
        # unit their secretary powers do not apply.
        if (
            sub.role == Role.SECRETARY
            and ctx.group_unit_id is not None
            and not actor.can_manage(ctx.group_unit_id)
        ):
            ctx.reply(texts.not_your_unit(label))
            return False
        return True

    async def _keyword(self, ctx: Context, text: str) -> bool:
        # "签到 帮助" without the slash is the same question as "/签到 帮助".
        word, _, rest = text.partition(" ")
        cmd = self.command(word)
        if cmd is not None and rest.strip().lower() in HELP_WORDS:
            ctx.reply(self.command_help(cmd, ctx.actor.role))
            return True
        for phrase in self.phrases:
            found = phrase.pattern.fullmatch(text)
            if found is not None and await phrase.handler(ctx, found):
                return True
        for kw in self.keywords:
            for word in kw.words:
                matches = text == word or text.startswith(word + " ")
                if matches and await kw.handler(ctx, text[len(word) :].strip()):
                    return True
        return False

    def _suggest(self, word: str) -> str | None:
        names = [n for c in self.commands for n in (c.name, c.zh)]
        close = difflib.get_close_matches(word.lower(), names, n=1, cutoff=0.5)
        return close[0] if close else None

    def visible(self, role: Role) -> list[tuple[Command, list[Sub]]]:
        """Each command with the sub-commands a person of `role` may use."""
        shown = []
        for cmd in self.commands:
            subs = [s for s in cmd.subs if s.role <= role]
            if cmd.default is not None and cmd.default.role <= role:
                subs.insert(0, cmd.default)
            if subs:
                shown.append((cmd, subs))
        return shown

    def command_help(self, cmd: Command, role: Role) -> str:
        lines = [f"/{cmd.zh}（/{cmd.name}）：{cmd.help}"]
        for sub in cmd.subs:
            if sub.role <= role:
                lines.append(
                    f"  /{cmd.zh} {sub.names[1]} — {sub.help}（/{cmd.name} {sub.names[0]}）"
                )
        examples = [e for sub in cmd.subs if sub.role <= role for e in sub.examples]
        if examples:
            lines.append(texts.EXAMPLES)
            lines += [f"  {example}" for example in examples]
        return "\n".join(lines)
