"""/后台: a one-time sign-in link to the web console; download links and files for exports."""

from __future__ import annotations

from bot.args import Args
from bot.console.auth import create_link
from bot.context import Context
from bot.feature import Feature
from bot.messages import Attachment, Outgoing
from bot.roles import Role
from handlers import console_texts as t

# Platforms whose adapters send an export as a file message (bot.attachments).
FILE_PLATFORMS = frozenset({"wecom", "dingtalk", "local"})

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


async def send_export(ctx: Context, kind: str, params: dict[str, str], label: str) -> None:
    """An export, to the asker's direct chat only: the one-time download link,
    then the file itself where the platform carries files."""
    ctx.send_direct(ctx.actor.user_id, await download_link(ctx, kind, params, label))
    send_export_file(ctx, kind, params)


def send_export_file(ctx: Context, kind: str, params: dict[str, str]) -> None:
    """The export as a file message to the asker, built at delivery with their scope
    checked again; nothing on a platform that cannot carry files."""
    if ctx.platform not in FILE_PLATFORMS:
        return
    attachment = Attachment(export=kind, params=params, person_id=ctx.actor.person_id)
    ctx.out.append(
        Outgoing(
            platform=ctx.platform,
            chat_type="direct",
            chat_id=ctx.actor.user_id,
            text="",
            attachment=attachment,
        )
    )
