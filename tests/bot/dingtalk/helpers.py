"""Robot messages as DingTalk sends them, signed the way DingTalk signs them."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import select

from bot.messages import Outgoing
from bot.platforms.dingtalk_api import epoch_ms, sign
from storage.messaging import OutboxMessage
from tests.fakes.dingtalk_api import FakeDingTalkApi
from tests.harness import ChatHarness

HOUR_MS = 3600 * 1000


def robot_message(
    api: FakeDingTalkApi,
    now_ms: int,
    text: str,
    *,
    group: bool = True,
    sender: str = "staff01",
    nick: str = "王老师",
    conversation: str = "cidGroupA==",
    msg_id: str = "",
    session: str = "",
    session_ttl_ms: int = 90 * 60 * 1000,
) -> dict[str, Any]:
    """A payload shaped like docs.rs dingtalk-stream-sdk `cb_msg_text.json`."""
    body: dict[str, Any] = {
        "msgtype": "text",
        "text": {"content": f" @同心 {text}" if group else f" {text}"},
        "msgId": msg_id or f"msg{uuid.uuid4().hex}",
        "createAt": now_ms,
        "conversationType": "2" if group else "1",
        "conversationId": conversation if group else f"cidDirect{sender}",
        "senderId": f"$:LWCP_v1:${sender}",
        "senderNick": nick,
        "senderCorpId": "dingcorp",
        "senderStaffId": sender,
        "chatbotUserId": "$:LWCP_v1:$bot",
        "chatbotCorpId": "dingcorp",
        "robotCode": "robot-code",
        "isAdmin": False,
        "isInAtList": True,
        "atUsers": [{"dingtalkId": "$:LWCP_v1:$bot"}],
        "sessionWebhook": api.session_url(session or uuid.uuid4().hex),
        "sessionWebhookExpiredTime": now_ms + session_ttl_ms,
    }
    if group:
        body["conversationTitle"] = "第一党支部"
    return body


def now_ms(chat: ChatHarness) -> int:
    return epoch_ms(chat.clock.now())


async def post_callback(
    chat: ChatHarness,
    body: dict[str, Any] | bytes,
    *,
    timestamp: str | None = None,
    secret: str | None = None,
    headers: dict[str, str] | None = None,
) -> int:
    """POST a callback signed with the app secret; the HTTP status."""
    assert chat.client is not None
    ts = timestamp if timestamp is not None else str(now_ms(chat))
    key = secret if secret is not None else chat.settings.dingtalk_app_secret
    sent = {"timestamp": ts, "sign": sign(ts, key), "Content-Type": "application/json"}
    if headers is not None:
        sent = headers
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    resp = await chat.client.post("/dingtalk/callback", data=raw, headers=sent)
    await resp.read()
    return resp.status


async def rows(chat: ChatHarness, platform: str = "dingtalk") -> list[OutboxMessage]:
    async with chat.db.reading() as s:
        mine = OutboxMessage.platform == platform
        found = await s.scalars(select(OutboxMessage).where(mine).order_by(OutboxMessage.id))
        return list(found)


def group(text: str, chat_id: str = "cidG==") -> Outgoing:
    return Outgoing(platform="dingtalk", chat_type="group", chat_id=chat_id, text=text)


def direct(text: str, user: str = "staff01") -> Outgoing:
    return Outgoing(platform="dingtalk", chat_type="direct", chat_id=user, text=text)


async def healthz_problems(chat: ChatHarness) -> list[str]:
    assert chat.client is not None
    resp = await chat.client.get("/healthz")
    assert resp.status == 200
    problems: list[str] = (await resp.json())["problems"]
    return problems
