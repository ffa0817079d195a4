"""/后台: a one-time sign-in link to the web console; download links for exports."""

from __future__ import annotations

from bot.args import Args
from bot.console.auth import create_link
from bot.context import Context
from bot.feature import Feature
from bot.roles import Role
from handlers import console_texts as t

feature = Feature("console")
console_cmd = feature.command(
    "console", "后台", help="打开网页后台（查看结果、下载台账）", role=Role.SECRETARY
)


@console_cmd.bare()
async def console(ctx: Context, args: Args) -> None:
    base = ctx.settings.public_url
    if not base:
        ctx.reply(t.NO_PUBLIC_URL)
        return
    if ctx.in_group:
        ctx.reply(t.DIRECT_ONLY)
        return
    token = await create_link(ctx.session, ctx.actor.person_id, "login", ctx.now)
    ctx.reply(t.login_link(f"{base}/console/login?t={token}"), sensitive=True)


async def download_link(ctx: Context, kind: str, params: dict[str, str], label: str) -> str:
    """A one-time link to an export, for a chat command to answer with.

    Without a public URL there is no link to give; the command then says
    where the console is not configured instead.
    """
    base = ctx.settings.public_url
    if not base:
        return t.NO_PUBLIC_URL
    token = await create_link(
        ctx.session, ctx.actor.person_id, "download", ctx.now, {"kind": kind, **params}
    )
    return t.download_link(label, f"{base}/console/download/{token}")
