"""The local channel: the bot over plain JSON on loopback, for trying and testing."""

from __future__ import annotations

import functools
import json
import uuid
from datetime import timedelta
from typing import Literal

from aiohttp import web
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select

from bot.attachments import build_attachment
from bot.delivery import Delivery, Limit, PermanentError
from bot.feature import Job
from bot.ingest import replies_for
from bot.messages import Attachment, Incoming, normalize_text
from bot.numbers import whole
from bot.platforms.base import AdapterEnv, is_loopback_peer
from storage.messaging import OutboxMessage

NAME = "local"
# Chinese as Chinese: people read these answers with curl while trying the bot.
_dumps = functools.partial(json.dumps, ensure_ascii=False)


def _json(data: object, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=_dumps)


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

    def jobs(self) -> list[tuple[timedelta, Job]]:
        return []

    def problems(self) -> list[str]:
        return []

    def limits(self, delivery: Delivery) -> list[Limit]:
        return []

    async def deliver(self, delivery: Delivery) -> None:
        # Delivered means readable from GET /local/outbox, which reads the
        # outbox rows themselves once marked sent. A file is built as a
        # platform would send it, so an asker out of scope fails it for good.
        attachment = delivery.attachment
        if attachment is not None:
            await build_attachment(self.env.runtime, attachment)

    async def post_message(self, request: web.Request) -> web.Response:
        if not is_loopback_peer(request):
            return _json({"error": "loopback only"}, status=403)
        raw = await request.read()
        if len(raw) > MAX_BODY:
            return _json({"error": "body too large"}, status=413)
        try:
            msg = LocalMessage.model_validate_json(raw)
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "body"
            return _json({"error": f"{where}: {first['msg']}"}, status=400)
        if msg.chat_type == "direct" and msg.chat_id != msg.sender_id:
            return _json({"error": "chat_id: a direct chat's id is the sender's id"}, status=400)
        rt = self.env.runtime
        incoming = Incoming(
            platform=NAME,
            chat_id=msg.chat_id,
            chat_type=msg.chat_type,
            sender_id=msg.sender_id,
            sender_name=msg.sender_name,
            text=normalize_text(msg.text, tuple(self.env.runtime.settings.bot_names)),
            raw_text=msg.text,
            msg_id=msg.msg_id or uuid.uuid4().hex,
            at=rt.clock.now(),
        )
        _, outs = await self.env.ingest.submit(incoming, wait=True)
        # Files go out through the outbox; GET /local/outbox lists them.
        replies = [
            {"chat_id": o.chat_id, "text": o.text, **_choices(o.body())}
            for o in replies_for(incoming, outs)
            if o.attachment is None
        ]
        return _json({"replies": replies})

    async def get_outbox(self, request: web.Request) -> web.Response:
        if not is_loopback_peer(request):
            return _json({"error": "loopback only"}, status=403)
        chat_id = request.query.get("chat_id", "")
        if not chat_id:
            return _json({"error": "chat_id is required"}, status=400)
        after = whole(request.query.get("after", "0"))
        if after is None:
            return _json({"error": "after must be a message id"}, status=400)
        async with self.env.runtime.db.reading() as session:
            rows = await session.execute(
                select(OutboxMessage.id, OutboxMessage.body, OutboxMessage.sent_at)
                .where(
                    OutboxMessage.platform == NAME,
                    OutboxMessage.chat_id == chat_id,
                    OutboxMessage.state == "sent",
                    OutboxMessage.id > after,
                )
                .order_by(OutboxMessage.id)
            )
            found = list(rows)
        messages = []
        for row_id, body, sent_at in found:
            message = {
                "id": row_id,
                "chat_id": chat_id,
                "text": body.get("text", ""),
                "mentions": body.get("mentions", []),
                "sent_at": sent_at.isoformat() if sent_at else None,
                **_choices(body),
            }
            if body.get("attachment"):
                attachment = Attachment.model_validate(body["attachment"])
                message["file"] = await self._file_name(attachment)
            messages.append(message)
        return _json({"messages": messages})

    async def _file_name(self, attachment: Attachment) -> str:
        """The name of a delivered file, built again (this channel keeps no bytes)."""
        try:
            name, _ = await build_attachment(self.env.runtime, attachment)
        except PermanentError:
            return ""
        return name


def _choices(body: dict[str, object]) -> dict[str, object]:
    """Tap-to-answer buttons as the local channel lists them: each with the reply a
    tap would send (POST it back as the person's message)."""
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices:
        return {}
    return {"choices": [{"label": label, "reply": reply} for label, reply in choices]}


def create(env: AdapterEnv) -> LocalAdapter | None:
    return LocalAdapter(env) if env.runtime.settings.local_channel_enabled else None
