"""Every adapter keeps the text as typed beside the normalised one (for word-for-word relays)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.platforms.dingtalk_payload import parse, to_incoming
from bot.platforms.wecom_inbound import parse_app_message, parse_bot_message

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
TYPED = "/广播 各支部：明晚七点，请准时参加。"


def test_wecom_app_and_bot_keep_raw_text() -> None:
    app = parse_app_message(
        "<xml><ToUserName>c</ToUserName><FromUserName>u</FromUserName><CreateTime>1</CreateTime>"
        f"<MsgType>text</MsgType><Content>{TYPED}</Content><MsgId>9</MsgId><AgentID>1</AgentID></xml>",
        NOW,
    )
    bot = parse_bot_message(
        json.dumps(
            {
                "msgid": "m1",
                "chatid": "g1",
                "chattype": "group",
                "from": {"userid": "u"},
                "msgtype": "text",
                "text": {"content": f"@同心 {TYPED}"},
            }
        ),
        NOW,
    )
    assert app is not None and bot is not None
    assert app.raw_text == TYPED and "：" not in app.text
    assert TYPED in bot.raw_text and bot.text.startswith("/广播 各支部:")


def test_dingtalk_keeps_raw_text() -> None:
    msg = parse(
        json.dumps(
            {
                "msgtype": "text",
                "text": {"content": f" {TYPED}"},
                "msgId": "m1",
                "createAt": 1,
                "conversationType": "2",
                "conversationId": "cid1",
                "senderId": "s",
                "senderStaffId": "u",
                "senderNick": "王",
            }
        )
    )
    incoming = to_incoming(msg, NOW, "https://oapi.dingtalk.com/robot/sendBySession?")
    assert TYPED in incoming.raw_text and incoming.text.startswith("/广播 各支部:")
