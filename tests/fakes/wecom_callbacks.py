"""WeCom's side of a callback: encrypted, signed requests as WeCom would send them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from wechatpy.enterprise.crypto import WeChatCrypto

from bot.clock import Clock

_FIELD = re.compile(r"<(Encrypt|MsgSignature)><!\[CDATA\[(.*?)\]\]></\1>")


@dataclass(frozen=True)
class Request:
    """One callback: path with its percent-encoded query, and the body."""

    url: str
    body: bytes


@dataclass
class Sender:
    """Signs as WeCom does; `clock` gives the timestamp (WeCom signs with the current time)."""

    token: str
    aes_key: str
    receive_id: str
    clock: Clock | None = None

    def now(self) -> str:
        assert self.clock is not None, "give the Sender a clock or a timestamp"
        return str(int(self.clock.now().timestamp()))

    def seal(self, plaintext: str, nonce: str, timestamp: str) -> tuple[str, str]:
        """(Encrypt, msg_signature) of a plaintext, via wechatpy."""
        crypto = WeChatCrypto(self.token, self.aes_key, self.receive_id)
        fields = dict(_FIELD.findall(crypto.encrypt_message(plaintext, nonce, timestamp)))
        return fields["Encrypt"], fields["MsgSignature"]

    def verify_url(self, path: str, echo: str, nonce: str = "1", timestamp: str = "") -> str:
        timestamp = timestamp or self.now()
        encrypt, sig = self.seal(echo, nonce, timestamp)
        return _url(path, sig, timestamp, nonce, echostr=encrypt)

    def app_post(self, plaintext: str, nonce: str = "7", timestamp: str = "") -> Request:
        timestamp = timestamp or self.now()
        encrypt, sig = self.seal(plaintext, nonce, timestamp)
        body = (
            f"<xml><ToUserName><![CDATA[{self.receive_id}]]></ToUserName>"
            f"<Encrypt><![CDATA[{encrypt}]]></Encrypt>"
            "<AgentID><![CDATA[1000002]]></AgentID></xml>"
        )
        return Request(_url("/wecom/callback", sig, timestamp, nonce), body.encode())

    def bot_post(self, payload: dict[str, Any], nonce: str = "9", timestamp: str = "") -> Request:
        timestamp = timestamp or self.now()
        encrypt, sig = self.seal(json.dumps(payload, ensure_ascii=False), nonce, timestamp)
        body = json.dumps({"encrypt": encrypt}).encode()
        return Request(_url("/wecom/bot", sig, timestamp, nonce), body)


def _url(path: str, sig: str, timestamp: str, nonce: str, **extra: str) -> str:
    params = {"msg_signature": sig, "timestamp": timestamp, "nonce": nonce, **extra}
    # Percent-encode everything: a raw "+" in echostr would arrive as a space.
    return path + "?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())


def app_text(sender: str, content: str, msg_id: int, corp_id: str = "wwcorp") -> str:
    return (
        f"<xml><ToUserName><![CDATA[{corp_id}]]></ToUserName>"
        f"<FromUserName><![CDATA[{sender}]]></FromUserName>"
        "<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId>"
        "<AgentID>1000002</AgentID></xml>"
    )


def bot_text(
    sender: str,
    content: str,
    msg_id: str,
    *,
    chat_id: str = "",
    response_url: str = "",
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "msgid": msg_id,
        "aibotid": "aib-1",
        "chattype": "group" if chat_id else "single",
        "from": {"userid": sender},
        "msgtype": "text",
        "text": {"content": content},
    }
    if chat_id:
        payload["chatid"] = chat_id
    if response_url:
        payload["response_url"] = response_url
    return payload


def app_card_tap(sender: str, key: str, task_id: str, *, stamp: str = "1700000000") -> str:
    """A click on a button of a card the app sent: WeCom's template_card_event
    (developer.work.weixin.qq.com document/path/90240, 模板卡片事件推送)."""
    return (
        "<xml><ToUserName><![CDATA[wwcorp]]></ToUserName>"
        f"<FromUserName><![CDATA[{sender}]]></FromUserName>"
        f"<CreateTime>{stamp}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        "<Event><![CDATA[template_card_event]]></Event>"
        f"<EventKey><![CDATA[{key}]]></EventKey><TaskId><![CDATA[{task_id}]]></TaskId>"
        "<CardType><![CDATA[button_interaction]]></CardType>"
        "<ResponseCode><![CDATA[rc-1]]></ResponseCode><AgentID>1000002</AgentID></xml>"
    )


def bot_card_tap(
    sender: str,
    key: str,
    task_id: str,
    msg_id: str,
    *,
    chat_id: str = "",
    response_url: str = "",
) -> dict[str, Any]:
    """A click on a card the AI bot sent (document/path/101027, 模板卡片事件)."""
    payload: dict[str, Any] = {
        "msgid": msg_id,
        "create_time": 1700000000,
        "aibotid": "aib-1",
        "chattype": "group" if chat_id else "single",
        "from": {"userid": sender},
        "msgtype": "event",
        "event": {
            "eventtype": "template_card_event",
            "template_card_event": {
                "card_type": "button_interaction",
                "event_key": key,
                "task_id": task_id,
            },
        },
    }
    if chat_id:
        payload["chatid"] = chat_id
    if response_url:
        payload["response_url"] = response_url
    return payload
