"""The console's 群 page: the groups the bot is in, bound to units, with their robot keys.

A credential (a WeCom 群机器人 key, a DingTalk robot's token and 加签
secret) is written here and never shown again but as its first and last
characters. A secretary sees the groups of their units and the unbound
groups they have spoken in, and binds those to their own units.
"""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select

from bot.console.view import ConsoleView, Forbidden, NotFound, parse_id
from handlers.roster import feature, ops
from handlers.roster import texts as t
from handlers.roster.people_page import visible_units
from storage.models import ChatGroup, ChatParticipant, Unit
from storage.people import (
    CREDENTIAL_KINDS,
    groups_of,
    mask_secret,
    remove_credentials,
    set_credential,
)

# Column widths of group_credentials.secret and .extra.
MAX_SECRET = 512


@feature.page("groups", t.GROUPS_TITLE)
async def groups_page(view: ConsoleView) -> web.StreamResponse:
    if view.rest:
        return await _group(view, view.int_param("rest"))
    rows = await groups_of(view.session, view.actor.scope, view.actor.person_id)
    return view.render("groups.html", title=t.GROUPS_TITLE, t=t, rows=rows)


async def _visible(view: ConsoleView, group: ChatGroup) -> bool:
    actor = view.actor
    if actor.is_admin:
        return True
    if group.unit_id is not None:
        return actor.can_manage(group.unit_id)
    spoke = await view.session.scalar(
        select(ChatParticipant.id).where(
            ChatParticipant.group_id == group.id, ChatParticipant.person_id == actor.person_id
        )
    )
    return spoke is not None


async def _group(view: ConsoleView, group_id: int) -> web.StreamResponse:
    group = await view.session.get(ChatGroup, group_id)
    if group is None:
        raise NotFound(group_id)
    if not await _visible(view, group):
        raise Forbidden(group_id)
    error = ""
    if view.is_post:
        done = await _change(view, group)
        if done:
            return view.redirect(f"/console/groups/{group.id}?done={done}")
        error = t.SECRET_EMPTY
    [(_, unit, credentials)] = await groups_of(view.session, None, 0, only=group.id)
    return view.render(
        "group.html",
        title=ops.group_label(group),
        t=t,
        group=group,
        unit=unit,
        credentials=credentials,
        kind=CREDENTIAL_KINDS.get(group.platform, ""),
        units=await visible_units(view.session, view.actor),
        notice=t.DONE.get(view.query.get("done", ""), ""),
        error=error,
    )


async def _change(view: ConsoleView, group: ChatGroup) -> str:
    """Do what the form asks; the notice's key, or "" when the form was incomplete."""
    session, actor, now = view.session, view.actor, view.now
    action = view.form.get("action", "")
    if action == "bind":
        unit = await session.get(Unit, parse_id(view.form.get("unit", "")))
        if unit is None:
            raise NotFound(view.form.get("unit"))
        if not actor.can_manage(unit.id):
            raise Forbidden(unit.id)
        await ops.bind(session, actor, group, unit, now, chat=False)
        return "bound"
    if action == "unbind":
        if group.unit_id is not None:
            await ops.unbind(session, actor, group, now, chat=False)
        return "unbound"
    kind = CREDENTIAL_KINDS.get(group.platform)
    if action == "credential" and kind:
        secret = view.form.get("secret", "").strip()[:MAX_SECRET]
        extra = view.form.get("extra", "").strip()[:MAX_SECRET]
        if not secret:
            return ""
        await set_credential(session, group.id, kind, secret, extra, now)
        await view.audit(
            "group.credential",
            t.audit_credential(ops.group_label(group), kind, mask_secret(secret)),
        )
        return "credential"
    if action == "uncredential":
        await remove_credentials(session, group.id)
        await view.audit("group.credential", t.audit_credential_removed(ops.group_label(group)))
        return "removed"
    raise NotFound(action)
