"""Exports from chat: a one-time download link and the file itself, to the asker only.

Any feature's export command answers with `send_export`; the console serves
the same export (`Feature.export(kind)`) behind the link.
"""

from __future__ import annotations

from bot import texts
from bot.console.auth import create_link
from bot.context import Context
from bot.messages import Attachment, Outgoing

# Platforms whose adapters send an export as a file message (bot.attachments).
FILE_PLATFORMS = frozenset({"wecom", "dingtalk", "local"})


async def download_link(ctx: Context, kind: str, params: dict[str, str], label: str) -> str:
    """A one-time link to an export, for a chat command to answer with.

    Without a public URL there is no link to give; the command then says
    that the console is not configured instead.
    """
    base = ctx.settings.public_url
    if not base:
        return texts.NO_PUBLIC_URL
    token = await create_link(
        ctx.session, ctx.actor.person_id, "download", ctx.now, {"kind": kind, **params}
    )
    return texts.download_link(label, f"{base}/console/download/{token}")


async def send_export(ctx: Context, kind: str, params: dict[str, str], label: str) -> None:
    """An export, to the asker's direct chat only: the one-time download link,
    then the file itself where the platform carries files."""
    # Sensitive: whoever read the link in the outbox could download the file.
    link = await download_link(ctx, kind, params, label)
    ctx.send_direct(ctx.actor.user_id, link, sensitive=True)
    send_export_file(ctx, kind, params)


def send_export_file(ctx: Context, kind: str, params: dict[str, str]) -> None:
    """The export as a file message to the asker, built at delivery with their scope
    checked again; nothing on a platform that cannot carry files."""
    if ctx.platform not in FILE_PLATFORMS:
        return
    attachment = Attachment(export=kind, params=params, person_id=ctx.actor.person_id)
    ctx.out.append(Outgoing.direct(ctx.platform, ctx.actor.user_id, "", attachment=attachment))
