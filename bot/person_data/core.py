"""The core's part of a person's data: the person, rosters, roles, chats, the console,
and the message path (outbox, inbound keys, conversations).

Erasure, table by table:
- people: the row stays as 「已注销人员」 on ERASED_PLATFORM with a random user id,
  so ledgers that point at it keep their counts; done last (bot.person_data.walk);
- memberships, role grants, chat participants, console links and sessions: deleted;
  others' grants the person made name 「已注销人员」 as their grantor;
- audit log: kept (what was changed from the console, and when), pointing at the
  anonymised row; where others' entries name the person (「授予 王老师 书记」),
  the name and user id become 「已注销人员」;
- outbox: messages to the person's direct chat are deleted (a broadcast's rows stay
  as counts, wiped, as bot.retention keeps them); delivered messages to a group or
  someone else that name or mention them lose their body; undelivered ones have the
  name and id replaced and the mention dropped;
- inbound keys: a message not yet handled that came from or mentions them is
  deleted (handled ones keep only a dedup key, with no sender);
- conversations: theirs, and any other flow state naming them, are deleted.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Text, and_, cast, delete, func, not_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from bot.outbox import PURGED
from bot.person_data import (
    ERASED_NAME,
    ERASED_PLATFORM,
    MIN_NAME,
    Erased,
    Section,
    Subject,
    changed,
    cleared,
    deleted,
    kept,
)
from bot.person_data import texts as t
from bot.roles import Role
from storage.console import AuditEntry, ConsoleLink, ConsoleSession
from storage.messaging import ConversationState, InboundMessage, OutboxMessage
from storage.models import ChatGroup, ChatParticipant, Membership, Person, RoleGrant, Unit

DELIVERED = ("sent", "failed")
ROLE_NAMES = {role.name.lower(): role.zh for role in Role}
# The core's columns holding or naming a person (bot.person_data.coverage);
# the outbox and inbound keys name them only inside their bodies.
COVERS = (
    Person.platform_user_id,
    Person.display_name,
    Membership.person_id,
    RoleGrant.person_id,
    RoleGrant.granted_by,
    ChatParticipant.person_id,
    ConsoleSession.person_id,
    ConsoleLink.person_id,
    AuditEntry.person_id,
    ConversationState.user_id,
)


class Traces:
    """Where stored text names them: their name anywhere (when it is two characters
    or more: a lone surname is everyone's), their user id as a whole word (so "t1"
    is not found in "t10"). The database is asked for rows holding either as a
    substring (`where`), and what it returns is checked here (`found`)."""

    def __init__(self, who: Subject, *, names: bool = True) -> None:
        self.name = who.name if names and len(who.name) >= MIN_NAME else ""
        # Bodies are stored as json.dumps wrote them: a name as \u escapes.
        words = [who.user_id, self.name, json.dumps(self.name)[1:-1]]
        self.words = list(dict.fromkeys(w for w in words if w))
        self.user_id = re.compile(rf"(?<![\w-]){re.escape(who.user_id)}(?![\w-])")

    def where(self, column: Any) -> ColumnElement[bool]:
        as_text = cast(column, Text)
        return or_(*(as_text.contains(w, autoescape=True) for w in self.words))

    def found(self, value: Any) -> bool:
        if isinstance(value, str):
            return bool(self.name and self.name in value) or bool(self.user_id.search(value))
        if isinstance(value, dict):
            return any(self.found(v) for v in value.values())
        if isinstance(value, list):
            return any(self.found(v) for v in value)
        return False


def _to_them(who: Subject) -> ColumnElement[bool]:
    return and_(
        OutboxMessage.platform == who.platform,
        OutboxMessage.chat_type == "direct",
        OutboxMessage.chat_id == who.user_id,
    )


async def _naming(session: AsyncSession, who: Subject) -> list[OutboxMessage]:
    """Messages not to them that name or mention them (a progress line, a reply
    that @-mentions its asker, a secretary's note of their named suggestion)."""
    traces = Traces(who)
    rows = await session.scalars(
        select(OutboxMessage)
        .where(not_(_to_them(who)), traces.where(OutboxMessage.body))
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    )
    return [row for row in rows if traces.found(row.body)]


async def _unhandled(session: AsyncSession, who: Subject) -> list[InboundMessage]:
    """Inbound messages not yet handled (only those keep a payload) from or mentioning them."""
    traces = Traces(who, names=False)
    rows = await session.scalars(
        select(InboundMessage)
        .where(InboundMessage.payload.is_not(None), traces.where(InboundMessage.payload))
        .order_by(InboundMessage.received_at)
    )
    return [row for row in rows if traces.found(row.payload)]


def _theirs(who: Subject) -> ColumnElement[bool]:
    """Their own flow states: as the speaker anywhere, or in their direct chat."""
    return and_(
        ConversationState.platform == who.platform,
        or_(
            ConversationState.user_id == who.user_id,
            and_(
                ConversationState.chat_type == "direct",
                ConversationState.chat_id == who.user_id,
            ),
        ),
    )


def _body_text(body: dict[str, Any]) -> str:
    if body.get("purged"):
        return t.PURGED_TEXT
    if body.get("sensitive"):
        return t.SECRET_TEXT
    return str(body.get("text", ""))


# --- export ---------------------------------------------------------------------------


async def export(
    session: AsyncSession, who: Subject, flow_titles: Mapping[str, str]
) -> list[Section]:
    person = await session.get(Person, who.id)
    assert person is not None
    sections = [
        Section(
            t.PERSON,
            [
                {
                    t.PERSON_ID: who.id,
                    t.PLATFORM: t.PLATFORMS.get(who.platform, who.platform),
                    t.USER_ID: who.user_id,
                    t.NAME: who.name,
                    t.FIRST_SEEN: person.created_at,
                }
            ],
        )
    ]
    units = await session.scalars(
        select(Unit.name)
        .join(Membership, Membership.unit_id == Unit.id)
        .where(Membership.person_id == who.id)
        .order_by(Unit.name)
    )
    sections.append(Section(t.UNITS, [{t.UNIT: name} for name in units]))
    sections.append(await _roles(session, who))
    sections += await _console(session, who)
    sections += await _messages(session, who, flow_titles)
    return sections


async def _roles(session: AsyncSession, who: Subject) -> Section:
    rows = await session.execute(
        select(RoleGrant.role, Unit.name, RoleGrant.granted_by, RoleGrant.granted_at)
        .outerjoin(Unit, Unit.id == RoleGrant.unit_id)
        .where(RoleGrant.person_id == who.id)
        .order_by(RoleGrant.granted_at, RoleGrant.id)
    )
    found = []
    for role, unit, by, at in rows:
        # A grantor is shown by name: their account id is theirs, not this person's.
        platform, _, user_id = by.partition(":")
        grantor = await session.scalar(
            select(Person.display_name).where(
                Person.platform == platform, Person.platform_user_id == user_id
            )
        )
        found.append(
            {
                t.ROLE: ROLE_NAMES.get(role, role),
                t.UNIT: unit or t.ALL_UNITS,
                t.GRANTED_BY: grantor or by,
                t.GRANTED_AT: at,
            }
        )
    return Section(t.ROLES, found)


async def _console(session: AsyncSession, who: Subject) -> list[Section]:
    groups = await session.execute(
        select(ChatGroup.title, ChatGroup.chat_id, ChatGroup.platform, ChatParticipant.last_seen_at)
        .join(ChatParticipant, ChatParticipant.group_id == ChatGroup.id)
        .where(ChatParticipant.person_id == who.id)
        .order_by(ChatParticipant.last_seen_at)
    )
    sessions = await session.scalars(
        select(ConsoleSession)
        .where(ConsoleSession.person_id == who.id)
        .order_by(ConsoleSession.created_at)
    )
    links = await session.scalars(
        select(ConsoleLink).where(ConsoleLink.person_id == who.id).order_by(ConsoleLink.id)
    )
    audit = await session.scalars(
        select(AuditEntry).where(AuditEntry.person_id == who.id).order_by(AuditEntry.at)
    )
    return [
        Section(
            t.GROUPS,
            [
                {
                    t.GROUP: title or chat_id,
                    t.PLATFORM: t.PLATFORMS.get(platform, platform),
                    t.LAST_SEEN: seen,
                }
                for title, chat_id, platform, seen in groups
            ],
        ),
        Section(
            t.SESSIONS, [{t.SIGNED_IN: s.created_at, t.EXPIRES: s.expires_at} for s in sessions]
        ),
        Section(
            t.LINKS,
            [
                {
                    t.LINK_PURPOSE: t.PURPOSES.get(link.purpose, link.purpose),
                    t.EXPIRES: link.expires_at,
                    t.USED: link.used_at is not None,
                }
                for link in links
            ],
        ),
        Section(t.AUDIT, [{t.AT: a.at, t.ACTION: a.action, t.DETAIL: a.detail} for a in audit]),
    ]


async def _messages(
    session: AsyncSession, who: Subject, flow_titles: Mapping[str, str]
) -> list[Section]:
    direct = await session.scalars(
        select(OutboxMessage)
        .where(_to_them(who))
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    )
    naming = await _naming(session, who)
    # Another person's direct chat is named by no id: their id is theirs.
    titles = {
        (g.platform, g.chat_id): g.title or g.chat_id
        for g in await session.scalars(
            select(ChatGroup).where(
                ChatGroup.chat_id.in_({m.chat_id for m in naming if m.chat_type == "group"})
            )
        )
    }
    pending = await _unhandled(session, who)
    flows = await session.scalars(
        select(ConversationState).where(_theirs(who)).order_by(ConversationState.updated_at)
    )
    return [
        Section(
            t.DIRECT,
            [
                {
                    t.AT: m.created_at,
                    t.STATE: t.STATES.get(m.state, m.state),
                    t.TEXT: _body_text(m.body),
                }
                for m in direct
            ],
        ),
        Section(
            t.MENTIONS,
            [
                {
                    t.SENT_TO: titles.get((m.platform, m.chat_id), m.chat_id)
                    if m.chat_type == "group"
                    else t.SOMEONE,
                    t.AT: m.created_at,
                    t.TEXT: _body_text(m.body),
                }
                for m in naming
            ],
        ),
        Section(t.INBOUND, [{t.RECEIVED: m.received_at} for m in pending], t.INBOUND_NOTE),
        Section(
            t.FLOWS,
            [
                {
                    t.FLOW: flow_titles.get(c.flow, c.flow),
                    t.STEP_AT: c.updated_at,
                    t.EXPIRES: c.expires_at,
                }
                for c in flows
            ],
            t.FLOWS_NOTE,
        ),
    ]


# --- erase ----------------------------------------------------------------------------


async def erase(session: AsyncSession, who: Subject) -> list[Erased]:
    """Everything of the core but the person's own row (`anonymise`, done last)."""
    done = await _erase_messages(session, who)
    pid = who.id
    done += [
        deleted(
            t.E_UNITS, await changed(session, delete(Membership).where(Membership.person_id == pid))
        ),
        deleted(
            t.E_ROLES, await changed(session, delete(RoleGrant).where(RoleGrant.person_id == pid))
        ),
        cleared(
            t.E_GRANTERS,
            await changed(
                session,
                update(RoleGrant)
                .where(RoleGrant.granted_by == who.key)
                .values(granted_by=ERASED_NAME),
            ),
        ),
        deleted(
            t.E_GROUPS,
            await changed(session, delete(ChatParticipant).where(ChatParticipant.person_id == pid)),
        ),
        deleted(
            t.E_SESSIONS,
            await changed(session, delete(ConsoleSession).where(ConsoleSession.person_id == pid)),
        ),
        deleted(
            t.E_LINKS,
            await changed(session, delete(ConsoleLink).where(ConsoleLink.person_id == pid)),
        ),
        kept(t.E_AUDIT, await _count(session, AuditEntry.person_id == pid)),
        cleared(t.E_AUDIT_NAMED, await _unname_audit(session, who)),
    ]
    return done


async def _unname_audit(session: AsyncSession, who: Subject) -> int:
    n = 0
    for word in {who.name, who.user_id} - {""}:
        n += await changed(
            session,
            update(AuditEntry)
            .where(AuditEntry.detail.contains(word, autoescape=True))
            .values(detail=func.replace(AuditEntry.detail, word, ERASED_NAME)),
        )
    return n


async def _count(session: AsyncSession, where: ColumnElement[bool]) -> int:
    return int(await session.scalar(select(func.count()).where(where)) or 0)


async def _erase_messages(session: AsyncSession, who: Subject) -> list[Erased]:
    to_them = _to_them(who)
    gone = await changed(session, delete(OutboxMessage).where(to_them, OutboxMessage.batch == ""))
    # A batch's rows are its delivery report: they stay as counts, wiped; one
    # not yet delivered never will be.
    batched = and_(to_them, OutboxMessage.batch != "")
    await session.execute(
        update(OutboxMessage)
        .where(batched, OutboxMessage.state.not_in(DELIVERED))
        .values(state="failed")
    )
    gone += await changed(
        session,
        update(OutboxMessage).where(batched).values(body=PURGED, chat_id="", last_error=""),
    )
    naming = await _naming(session, who)
    for row in naming:
        row.body = PURGED if row.state in DELIVERED else _without(row.body, who)
    inbound = [m.id for m in await _unhandled(session, who)]
    await session.execute(delete(InboundMessage).where(InboundMessage.id.in_(inbound)))
    traces = Traces(who)
    others = await session.scalars(
        select(ConversationState).where(not_(_theirs(who)), traces.where(ConversationState.data))
    )
    # Another person's flow that names them (a draft that quotes them) goes too.
    naming_flows = [c.id for c in others if traces.found(c.data)]
    flows = await changed(
        session,
        delete(ConversationState).where(or_(_theirs(who), ConversationState.id.in_(naming_flows))),
    )
    return [
        deleted(t.E_DIRECT, gone),
        cleared(t.E_MENTIONS, len(naming)),
        deleted(t.E_INBOUND, len(inbound)),
        deleted(t.E_FLOWS, flows),
    ]


def _without(body: dict[str, Any], who: Subject) -> dict[str, Any]:
    """An undelivered message that still goes out, without naming or mentioning them."""
    body = dict(body)
    traces = Traces(who)
    text = traces.user_id.sub(ERASED_NAME, str(body.get("text", "")))
    body["text"] = text.replace(traces.name, ERASED_NAME) if traces.name else text
    if "mentions" in body:
        body["mentions"] = [m for m in body["mentions"] if m != who.user_id]
    handle = body.get("reply_handle")
    if isinstance(handle, dict) and handle.get("sender") == who.user_id:
        body["reply_handle"] = {k: v for k, v in handle.items() if k != "sender"}
    return body


async def anonymise(session: AsyncSession, who: Subject) -> None:
    """Their row becomes 「已注销人员」: what points at it still counts, and says no one."""
    await session.execute(
        update(Person)
        .where(Person.id == who.id)
        .values(
            platform=ERASED_PLATFORM,
            platform_user_id=f"{ERASED_NAME}-{secrets.token_hex(4)}",
            display_name=ERASED_NAME,
        )
    )
