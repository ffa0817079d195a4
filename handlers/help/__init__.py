"""/帮助: what the sender may use, and nothing more."""

from __future__ import annotations

import re

from bot.args import Args, parse_args
from bot.context import Context
from bot.feature import Feature
from handlers.help import texts as t

feature = Feature("help", __name__)
help_cmd = feature.command("help", "帮助", help=t.HELP, aliases=("h", "?", "菜单"))


@feature.phrase(r"(?:帮助|菜单|使用说明|怎么用)[?!]*(?:\s+(?P<topic>\S+))?")
async def help_phrase(ctx: Context, found: re.Match[str]) -> bool:
    """`帮助` without the slash, `帮助 投票`: the same as /帮助."""
    await show_help(ctx, parse_args(found["topic"] or ""))
    return True


@help_cmd.bare()
async def show_help(ctx: Context, args: Args) -> None:
    router = ctx.runtime.router
    role = ctx.actor.role
    if args.first:
        cmd = router.command(args.first.lstrip("/"))
        if cmd is not None and any(c is cmd for c, _ in router.visible(role)):
            ctx.reply(router.command_help(cmd, role))
            return
    lines = [t.HEADER]
    for cmd, subs in router.visible(role):
        if cmd is help_cmd:
            continue
        words = "、".join(s.names[1] for s in subs if s.names)
        suffix = f"（{words}）" if words else ""
        lines.append(f"/{cmd.zh}{suffix} — {cmd.help}")
    lines.append(t.FOOTER)
    ctx.reply("\n".join(lines))
