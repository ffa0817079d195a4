"""/后台: a one-time sign-in link to the web console, in direct chat only."""

from __future__ import annotations

from bot import texts as core_texts
from bot.args import Args
from bot.console.auth import create_link
from bot.context import Context
from bot.feature import Feature
from bot.roles import Role
from handlers.console import texts as t

feature = Feature("console", __name__)
console_cmd = feature.command("console", "后台", help=t.HELP, role=Role.SECRETARY)


@console_cmd.bare()
async def console(ctx: Context, args: Args) -> None:
    base = ctx.settings.public_url
    if not base:
        ctx.reply(core_texts.NO_PUBLIC_URL)
        return
    if ctx.in_group:
        ctx.reply(t.DIRECT_ONLY)
        return
    token = await create_link(ctx.session, ctx.actor.person_id, "login", ctx.now)
    ctx.reply(t.login_link(f"{base}/console/login?t={token}"), sensitive=True)
