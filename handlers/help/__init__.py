"""/帮助: what the sender may use, and nothing more."""

from __future__ import annotations

from bot.args import Args
from bot.context import Context
from bot.feature import Feature
from handlers.help import texts as t

feature = Feature("help", __name__)
help_cmd = feature.command("help", "帮助", help=t.HELP, aliases=("h", "?", "菜单"))


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
