"""The local channel: the bot over plain JSON on loopback, for trying and testing."""

from __future__ import annotations

import uuid
from typing import Literal

from aiohttp import web
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select

from bot.delivery import Delivery, Limit
from bot.ingest import replies_for
from bot.messages import Incoming, normalize_text
from bot.platforms.base import AdapterEnv, is_loopback_peer
from storage.messaging import OutboxMessage

NAME = "local"
MAX_BODY = 64 * 1024


class LocalMessage(BaseModel):
    chat_id: str = Field(min_length=1, max_length=128)
    chat_type: Literal["group", "direct"]
    sender_id: str = Field(min_length=1, max_length=128)
    sender_name: str = Field("", max_length=64)
    text: str = Field(max_length=20000)
    msg_id: str | None = Field(None, max_length=160)


class LocalAdapter:
    name = NAME
    inline_replies = True

    def __init__(self, env: AdapterEnv) -> None:
        self.env = env

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/local/messages", self.post_message),
            web.get("/local/outbox", self.get_outbox),
        ]

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    def limits(self, delivery: Delivery) -> list[Limit]:
        return []

    async def deliver(self, delivery: Delivery) -> None:
        # Delivered means readable from GET /local/outbox, which reads the
        # outbox rows themselves once marked sent.
        return None

    async def post_message(self, request: web.Request) -> web.Response:
        if not is_loopback_peer(request):
            return web.json_response({"error": "loopback only"}, status=403)
        raw = await request.read()
        if len(raw) > MAX_BODY:
            return web.json_response({"error": "body too large"}, status=413)
        try:
            msg = LocalMessage.model_validate_json(raw)
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "body"
            return web.json_response({"error": f"{where}: {first['msg']}"}, status=400)
        if msg.chat_type == "direct" and msg.chat_id != msg.sender_id:
            return web.json_response(
                {"error": "chat_id: a direct chat's id is the sender's id"}, status=400
            )
        rt = self.env.runtime
        incoming = Incoming(
            platform=NAME,
            chat_id=msg.chat_id,
            chat_type=msg.chat_type,
            sender_id=msg.sender_id,
            sender_name=msg.sender_name,
            text=normalize_text(msg.text),
            raw_text=msg.text,
            msg_id=msg.msg_id or uuid.uuid4().hex,
            at=rt.clock.now(),
        )
        _, outs = await self.env.ingest.submit(incoming, wait=True)
        replies = [{"chat_id": o.chat_id, "text": o.text} for o in replies_for(incoming, outs)]
        return web.json_response({"replies": replies})

    async def get_outbox(self, request: web.Request) -> web.Response:
        if not is_loopback_peer(request):
            return web.json_response({"error": "loopback only"}, status=403)
        chat_id = request.query.get("chat_id", "")
        if not chat_id:
            return web.json_response({"error": "chat_id is required"}, status=400)
        after = request.query.get("after", "0")
        if not after.isdigit():
            return web.json_response({"error": "after must be a message id"}, status=400)
        async with self.env.runtime.db.reading() as session:
            rows = await session.execute(
                select(OutboxMessage.id, OutboxMessage.body, OutboxMessage.sent_at)
                .where(
                    OutboxMessage.platform == NAME,
                    OutboxMessage.chat_id == chat_id,
                    OutboxMessage.state == "sent",
                    OutboxMessage.id > int(after),
                )
                .order_by(OutboxMessage.id)
            )
            messages = [
                {
                    "id": row_id,
                    "chat_id": chat_id,
                    "text": body.get("text", ""),
                    "mentions": body.get("mentions", []),
                    "sent_at": sent_at.isoformat() if sent_at else None,
                }
                for row_id, body, sent_at in rows
            ]
        return web.json_response({"messages": messages})


def create(env: AdapterEnv) -> LocalAdapter | None:
    return LocalAdapter(env) if env.runtime.settings.local_channel_enabled else None
