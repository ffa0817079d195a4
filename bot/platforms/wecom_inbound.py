"""Decrypted WeCom payloads into Incoming messages (or None: acknowledged, not routed).

The plaintext is authentic and has no markup declarations (checked by
wecom_crypto), so the standard-library parser cannot be made to expand or fetch
anything; it is several times faster than wechatpy's xmltodict objects.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from xml.etree import ElementTree

from bot.messages import Incoming, normalize_text
from bot.platforms.wecom_cards import app_tap, bot_tap
from bot.platforms.wecom_crypto import Rejected

NAME = "wecom"
# A response_url takes one call within an hour; keep a margin for the trip.
RESPONSE_URL_LIFETIME = timedelta(minutes=58)


def parse_app_message(
    plain: str, now: datetime, bot_names: tuple[str, ...] = ()
) -> Incoming | None:
    """A self-built app's XML: a member's text in the app's own session."""
    try:
        root = ElementTree.fromstring(plain)
    except ElementTree.ParseError:
        raise Rejected(400, "malformed XML payload") from None
    fields = {child.tag: (child.text or "") for child in root}
    msg_type = fields.get("MsgType", "")
    sender = fields.get("FromUserName", "")
    if not msg_type or not sender:
        raise Rejected(400, "payload without MsgType or FromUserName")
    if msg_type == "event" and fields.get("Event") == "template_card_event":
        # A tap on a card the app sent: the reply it stands for (wecom_cards).
        return app_tap(fields, now, NAME)
    if msg_type != "text":
        # Events (enter_agent, subscribe, click) and media carry nothing to route.
        return None
    msg_id = fields.get("MsgId", "")
    if not msg_id:
        raise Rejected(400, "text message without MsgId")
    # The app's callbacks have no group: every message is a direct chat.
    return Incoming(
        platform=NAME,
        chat_id=sender,
        chat_type="direct",
        sender_id=sender,
        text=normalize_text(fields.get("Content", ""), bot_names),
        raw_text=fields.get("Content", ""),
        msg_id=f"app:{msg_id}",
        at=now,
    )


def parse_bot_message(
    plain: str, now: datetime, bot_names: tuple[str, ...] = ()
) -> Incoming | None:
    """An AI bot's JSON: an @-mention in a group, or a single chat."""
    try:
        data = json.loads(plain)
    except ValueError:
        raise Rejected(400, "malformed JSON payload") from None
    if not isinstance(data, dict):
        raise Rejected(400, "payload is not an object")
    msg_type = _str(data, "msgtype")
    sender = _str(data.get("from"), "userid")
    msg_id = _str(data, "msgid")
    if not msg_type:
        raise Rejected(400, "payload without msgtype")
    if msg_type == "event":
        # A tap on a card the bot sent: the reply it stands for (wecom_cards).
        return bot_tap(data, now, NAME, RESPONSE_URL_LIFETIME)
    text = _text_of(msg_type, data)
    if text is None:
        # Stream refreshes, events, pictures and files are acknowledged only.
        return None
    if not sender or not msg_id:
        raise Rejected(400, "message without msgid or from.userid")
    group = _str(data, "chattype") == "group"
    chat_id = _str(data, "chatid") if group else sender
    if not chat_id:
        raise Rejected(400, "group message without chatid")
    handle: dict[str, Any] = {}
    url = _str(data, "response_url")
    if url:
        handle = {"response_url": url, "expires": (now + RESPONSE_URL_LIFETIME).timestamp()}
    return Incoming(
        platform=NAME,
        chat_id=chat_id,
        chat_type="group" if group else "direct",
        sender_id=sender,
        text=normalize_text(text, bot_names),
        raw_text=text,
        msg_id=f"bot:{msg_id}",
        at=now,
        reply_handle=handle,
    )


def _text_of(msg_type: str, data: dict[str, Any]) -> str | None:
    if msg_type == "text":
        return _str(data.get("text"), "content")
    if msg_type == "voice":
        # WeCom sends the transcript of a voice message as its content.
        return _str(data.get("voice"), "content")
    if msg_type == "mixed":
        items = (data.get("mixed") or {}).get("msg_item") or []
        parts = [
            _str(item.get("text"), "content")
            for item in items
            if isinstance(item, dict) and item.get("msgtype") == "text"
        ]
        return "\n".join(p for p in parts if p) or None
    return None


def _str(obj: Any, key: str) -> str:
    value = obj.get(key) if isinstance(obj, dict) else None
    return value if isinstance(value, str) else ""
