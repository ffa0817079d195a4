"""Tap to answer on WeCom: a button card out, its click back in as the person's message.

Sources: developer.work.weixin.qq.com document/path/101032 (智能机器人 模板卡片类型),
document/path/101027 (智能机器人 接收事件: template_card_event), document/path/90372
(应用 发送模板卡片消息) and document/path/90240 (应用 模板卡片事件推送); notes in
docs/wecom.md.

- A `button_interaction` card carries up to six buttons; each button's `key`
  is the reply the tap stands for ("签到", "投票 #12 2", "确认"), so a click
  comes back as an Incoming whose text is that reply and the router needs
  nothing new. The card's text is the message's own text; one too long for a
  card goes out as text first, then the buttons under a short title.
- Only the self-built app (message/send) and the AI bot (its response_url)
  can send cards that call back; a group robot webhook cannot, so a group
  without the AI bot's response_url gets the plain text, which always says
  how to answer.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from bot.messages import Incoming, normalize_text

MAX_BUTTONS = 6
TITLE_CHARS = 36
SUBTITLE_CHARS = 160
BUTTON_CHARS = 10
KEY_BYTES = 1024
# The short title of the buttons sent after a text too long for a card.
BUTTONS_TITLE = "点选回复"


def task_id(key: str) -> str:
    """A card's task id from its outbox key: unique per message, stable across retries
    (WeCom refuses a task id twice, so a resent card cannot double), ≤ 128 bytes of
    [A-Za-z0-9_-@]."""
    return "tx-" + hashlib.sha256(key.encode()).hexdigest()[:40]


def usable(choices: list[tuple[str, str]]) -> bool:
    replies = [reply for _, reply in choices]
    return (
        0 < len(choices) <= MAX_BUTTONS
        and len(set(replies)) == len(replies)
        and all(0 < len(r.encode()) <= KEY_BYTES for r in replies)
    )


def fits(text: str) -> bool:
    """Whether the text reads whole as a card: a title line and a short body."""
    first, _, rest = text.strip().partition("\n")
    return len(first) <= TITLE_CHARS and len(rest) <= SUBTITLE_CHARS


def card(text: str, choices: list[tuple[str, str]], task: str) -> dict[str, Any]:
    """A button_interaction template card of `text` (or a short title) with the buttons."""
    first, _, rest = text.strip().partition("\n") if fits(text) else (BUTTONS_TITLE, "", "")
    body: dict[str, Any] = {
        "card_type": "button_interaction",
        "main_title": {"title": first},
        "task_id": task,
        "button_list": [
            {"text": label[:BUTTON_CHARS], "style": 1, "key": reply} for label, reply in choices
        ],
    }
    if rest:
        body["sub_title_text"] = rest
    return {"msgtype": "template_card", "template_card": body}


def app_tap(fields: dict[str, str], now: datetime, platform: str) -> Incoming | None:
    """A click on a card the app sent (XML event template_card_event), as a message.

    Events have no MsgId: WeCom's advice is to dedupe on sender and CreateTime;
    the task and the key keep two quick clicks on two cards apart.
    """
    if fields.get("Event") != "template_card_event" or not fields.get("EventKey"):
        return None
    sender = fields.get("FromUserName", "")
    key = fields["EventKey"]
    stamp = fields.get("CreateTime", "")
    return Incoming(
        platform=platform,
        chat_id=sender,
        chat_type="direct",
        sender_id=sender,
        text=normalize_text(key),
        raw_text=key,
        msg_id=f"app:card:{sender}:{stamp}:{fields.get('TaskId', '')}:{key}"[:160],
        at=now,
    )


def bot_tap(
    data: dict[str, Any], now: datetime, platform: str, url_lifetime: timedelta
) -> Incoming | None:
    """A click on a card the AI bot sent (JSON event template_card_event), as a message."""
    event = data.get("event")
    if not isinstance(event, dict) or event.get("eventtype") != "template_card_event":
        return None
    detail = event.get("template_card_event")
    key = detail.get("event_key") if isinstance(detail, dict) else None
    sender = (data.get("from") or {}).get("userid") if isinstance(data.get("from"), dict) else None
    msg_id = data.get("msgid")
    if not isinstance(key, str) or not key or not isinstance(sender, str) or not msg_id:
        return None
    group = data.get("chattype") == "group"
    chat_id = str(data.get("chatid") or "") if group else sender
    if not chat_id:
        return None
    handle: dict[str, Any] = {}
    url = data.get("response_url")
    if isinstance(url, str) and url:
        handle = {"response_url": url, "expires": (now + url_lifetime).timestamp()}
    return Incoming(
        platform=platform,
        chat_id=chat_id,
        chat_type="group" if group else "direct",
        sender_id=sender,
        text=normalize_text(key),
        raw_text=key,
        msg_id=f"bot:{msg_id}",
        at=now,
        reply_handle=handle,
    )
