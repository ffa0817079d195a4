"""`tongxin chat`: the bot in a terminal, over the local channel, in-process."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import select

from bot.app import Tongxin
from bot.config import Settings
from bot.ingest import replies_for
from bot.messages import Incoming, normalize_text
from bot.roles import Role
from bot.schema import migrate
from storage.messaging import OutboxMessage
from storage.people import ensure_unit, grant_role, touch_person

PROMPT = "你> "


async def run_repl(
    settings: Settings, user: str, name: str, group: str, role: str, unit: str
) -> int:
    settings = settings.model_copy(update={"local_channel": True})
    app = Tongxin(settings)
    await migrate(app.db, app.router.features)
    await app.start()
    try:
        if role and not await _grant(app, user, name, role, unit):
            return 2
        chat_id = group or user
        where = f"群 {group}" if group else "私聊"
        print(f"同心 本地通道（{where}，身份 {user}）。输入 /帮助 开始，Ctrl-D 退出。")
        last_seen = await _latest_id(app)
        while True:
            try:
                line = await asyncio.to_thread(input, PROMPT)
            except EOFError:
                print()
                return 0
            if not line.strip():
                continue
            incoming = Incoming(
                platform="local",
                chat_id=chat_id,
                chat_type="group" if group else "direct",
                sender_id=user,
                sender_name=name,
                text=normalize_text(line, tuple(settings.bot_names)),
                raw_text=line,
                msg_id=uuid.uuid4().hex,
                at=app.clock.now(),
            )
            _, outs = await app.ingest.submit(incoming, wait=True)
            for out in replies_for(incoming, outs):
                print(f"同心> {out.text}")
            last_seen = await _show_new(app, {chat_id, user}, last_seen)
    finally:
        await app.stop()


async def _grant(app: Tongxin, user: str, name: str, role_word: str, unit: str) -> bool:
    role = Role.parse(role_word)
    if role not in (Role.SECRETARY, Role.ADMIN):
        print("--role 只能是 secretary/书记 或 admin/管理员")
        return False
    async with app.db.transaction() as session:
        now = app.clock.now()
        person_id = await touch_person(session, "local", user, name, now)
        unit_id = (
            await ensure_unit(session, unit or "本地试用支部") if role == Role.SECRETARY else None
        )
        await grant_role(session, person_id, role.name.lower(), unit_id, "tongxin chat", now)
    return True


async def _latest_id(app: Tongxin) -> int:
    async with app.db.reading() as session:
        latest = await session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()))
        return int(latest or 0)


async def _show_new(app: Tongxin, chats: set[str], after: int) -> int:
    """Print what was delivered to these chats since `after` other than direct replies."""
    async with app.db.reading() as session:
        rows = await session.execute(
            select(
                OutboxMessage.id,
                OutboxMessage.chat_id,
                OutboxMessage.body,
                OutboxMessage.idempotency_key,
            )
            .where(
                OutboxMessage.platform == "local",
                OutboxMessage.chat_id.in_(chats),
                OutboxMessage.state == "sent",
                OutboxMessage.id > after,
            )
            .order_by(OutboxMessage.id)
        )
        for row_id, chat_id, body, key in rows:
            after = row_id
            if not key.startswith("in:"):
                print(f"同心（{chat_id}）> {body.get('text', '')}")
    return after
