"""The robot message DingTalk sends (HTTP callback body, Stream CALLBACK data) → Incoming.

Chat ids: a group is its `conversationId` (the openConversationId that
groupMessages/send takes). A direct chat is the sender's staff id, which is
also their user id here, so a reply or a later nudge can go out through
oToMessages/batchSend to that id once the sessionWebhook has expired.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.messages import Incoming, normalize_text

NAME = "dingtalk"


class PayloadError(ValueError):
    """The body is not a robot message we can read (answered with 400)."""


class _Text(BaseModel):
    content: str = Field("", max_length=20000)


class _AtUser(BaseModel):
    dingtalkId: str = ""
    staffId: str = ""


class RobotMessage(BaseModel):
    """The fields we use, under DingTalk's own names."""

    model_config = ConfigDict(extra="ignore")

    msgtype: str = Field("text", max_length=32)
    text: _Text | None = None
    content: Any = None
    msgId: str = Field(min_length=1, max_length=160)
    conversationType: str = Field(pattern="^[12]$")
    conversationId: str = Field(min_length=1, max_length=128)
    conversationTitle: str = Field("", max_length=128)
    senderId: str = Field("", max_length=128)
    senderStaffId: str = Field("", max_length=128)
    senderNick: str = Field("", max_length=64)
    atUsers: list[_AtUser] = Field(default_factory=list, max_length=200)
    sessionWebhook: str = Field("", max_length=1024)
    sessionWebhookExpiredTime: int = 0

    def plain_text(self) -> str:
        if self.msgtype == "text" and self.text is not None:
            return self.text.content
        content = self.content if isinstance(self.content, dict) else {}
        if self.msgtype == "richText":
            parts = content.get("richText")
            if isinstance(parts, list):
                return "".join(str(p["text"]) for p in parts if isinstance(p, dict) and "text" in p)
        if self.msgtype == "audio":
            # DingTalk's own speech-to-text of a voice message.
            return str(content.get("recognition") or "")
        # Pictures and files carry no words; the router answers with a hint.
        return ""


def parse(raw: bytes | str) -> RobotMessage:
    try:
        msg = RobotMessage.model_validate_json(raw)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise PayloadError(f"{where}: {first['msg']}") from None
    if not (msg.senderStaffId or msg.senderId):
        raise PayloadError("senderStaffId: missing")
    return msg


def to_incoming(
    msg: RobotMessage, now: datetime, session_prefix: str, bot_names: tuple[str, ...] = ()
) -> Incoming:
    """Map a robot message; `session_prefix` is the only URL a reply may be POSTed to.

    The body is not covered by the signature, so a replayed request could
    carry any sessionWebhook: one that is not DingTalk's own is dropped rather
    than letting a forged body make us POST somewhere else.
    """
    sender = msg.senderStaffId or msg.senderId
    group = msg.conversationType == "2"
    handle: dict[str, Any] = {}
    if msg.sessionWebhook.startswith(session_prefix) and msg.sessionWebhookExpiredTime > 0:
        handle = {
            "session_webhook": msg.sessionWebhook,
            "expires_ms": msg.sessionWebhookExpiredTime,
        }
        if msg.senderStaffId:
            # A reply through the session @-mentions its asker, as the
            # official SDK's reply_text does (dingtalk_stream/chatbot.py).
            handle["sender"] = msg.senderStaffId
    return Incoming(
        platform=NAME,
        chat_id=msg.conversationId if group else sender,
        chat_type="group" if group else "direct",
        sender_id=sender,
        sender_name=msg.senderNick,
        text=normalize_text(msg.plain_text(), bot_names),
        raw_text=msg.plain_text(),
        msg_id=msg.msgId,
        at=now,
        chat_title=msg.conversationTitle if group else "",
        mentions=[u.staffId for u in msg.atUsers if u.staffId],
        reply_handle=handle,
    )
