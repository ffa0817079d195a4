"""WeCom callbacks: the official vectors, the security chain, and both receivers."""

from __future__ import annotations

import base64
import json
import time
from datetime import datetime

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from sqlalchemy import select

from bot.platforms.wecom_crypto import MAX_BODY, Receiver, Rejected, Signed
from bot.platforms.wecom_inbound import parse_app_message, parse_bot_message
from storage.messaging import InboundMessage
from tests.bot.wecom_helpers import (
    BOT_AES_KEY,
    BOT_TOKEN,
    app_sender,
    bot_sender,
    call,
    get,
    wecom_settings,
)
from tests.conftest import START, MakeChat
from tests.fakes.wecom_api import FakeWeCom
from tests.fakes.wecom_callbacks import Request, Sender, app_text, bot_text
from tests.harness import ChatHarness

pytestmark = pytest.mark.chat(wecom=True)

# PROTOCOLS.md 1.10: Vector A (official WXBizMsgCrypt sample), Vector B (wechatpy's tests).
VECTOR_A = {
    "wecom_token": "QDG6eK",
    "wecom_aes_key": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
    "wecom_corp_id": "wx5823bf96d3bd56c7",
}
A_GET = (
    "/wecom/callback?msg_signature=5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"
    "&timestamp=1409659589&nonce=263014780&echostr=P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4"
    "yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D"
)
A_ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj9"
    "11L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdn"
    "LxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BC"
    "A9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+"
    "/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
)
A_POST = Request(
    "/wecom/callback?msg_signature=477715d11cdb4164915debcba66cb864d751f3e6"
    "&timestamp=1409659813&nonce=1372623149",
    (
        "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>"
        f"<Encrypt><![CDATA[{A_ENCRYPT}]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>"
    ).encode(),
)
VECTOR_B = {
    "wecom_token": "123456",
    "wecom_aes_key": "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR",
    "wecom_corp_id": "wx49f0ab532d5d035a",
}
B_GET = (
    "/wecom/callback?msg_signature=dd6b9c95b495b3f7e2901bfbc76c664930ffdb96"
    "&timestamp=1411443780&nonce=437374425&echostr=4ByGGj%2BsVCYcvGeQYhaKIk1o0pQRNbRjxybjTGbl"
    "XrBaXlTXeOo1%2BbXFXDQQb1o6co6Yh9Bv41n7hOchLF6p%2BQ%3D%3D"
)
B_ENCRYPT = (
    "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTy"
    "eDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyol"
    "Bug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZl"
    "F3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb+"
    "+x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0="
)
B_SIGNED = Signed("74d92dfeb87ba7c714f89d98870ae5eb62dff26d", "1411525903", "461056294")

LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    "<xml><ToUserName>x</ToUserName><FromUserName>&lol3;</FromUserName>"
    "<MsgType>text</MsgType><Content>&lol3;</Content><MsgId>1</MsgId></xml>"
)
EXTERNAL = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    "<xml><FromUserName>t1</FromUserName><MsgType>text</MsgType>"
    "<Content>&xxe;</Content><MsgId>2</MsgId></xml>"
)


async def inbound_ids(chat: ChatHarness) -> list[str]:
    async with chat.db.reading() as s:
        return list(await s.scalars(select(InboundMessage.msg_id).order_by(InboundMessage.id)))


def signed_at(timestamp: int) -> datetime:
    """The moment an official vector was signed: the bot's clock must be near it."""
    return datetime.fromtimestamp(timestamp, START.tzinfo)


@pytest.mark.parametrize(
    ("vector", "url", "plain", "at"),
    [
        (VECTOR_A, A_GET, "1616140317555161061", 1409659589),
        (VECTOR_B, B_GET, "5927782489442352469", 1411443780),
    ],
    ids=["A", "B"],
)
async def test_url_verification_answers_exactly_the_plaintext(
    make_chat: MakeChat, wecom: FakeWeCom, vector: dict[str, str], url: str, plain: str, at: int
) -> None:
    chat = await make_chat(start=signed_at(at), **wecom_settings(wecom, **vector))
    started = time.perf_counter()
    resp = await get(chat, url)
    assert time.perf_counter() - started < 1.0
    assert resp.status == 200
    assert await resp.read() == plain.encode()
    forged = await get(
        chat,
        url.replace("msg_signature=5c", "msg_signature=6c").replace(
            "msg_signature=dd", "msg_signature=de"
        ),
    )
    assert forged.status == 403
    assert await forged.read() == b""


@pytest.mark.chat(wecom=True, start=signed_at(1409659813), **VECTOR_A)
async def test_vector_a_post_reaches_the_bot_as_a_direct_message(
    chat: ChatHarness, wecom: FakeWeCom
) -> None:
    wecom.corp_id = VECTOR_A["wecom_corp_id"]  # the reply fetches a token for the vector's corp
    resp = await call(chat, A_POST)
    assert resp.status == 200
    assert await resp.read() == b""
    assert await inbound_ids(chat) == ["app:4561255354251345929"]
    await chat.settle()
    [sent] = wecom.sent("/cgi-bin/message/send")
    assert sent.body["touser"] == "mycreate"
    assert sent.body["agentid"] == 1000002


def test_vector_a_decrypts_to_the_documented_fields_with_pad_30() -> None:
    receiver = Receiver(
        VECTOR_A["wecom_token"], VECTOR_A["wecom_aes_key"], VECTOR_A["wecom_corp_id"]
    )
    signed = Signed("477715d11cdb4164915debcba66cb864d751f3e6", "1409659813", "1372623149")
    plain = receiver.decrypt(signed, A_ENCRYPT)
    assert "<AgentID>218</AgentID>" in plain
    msg = parse_app_message(plain, START)
    assert msg is not None
    assert (msg.sender_id, msg.chat_id, msg.chat_type) == ("mycreate", "mycreate", "direct")
    assert (msg.text, msg.msg_id) == ("hello", "app:4561255354251345929")
    key = base64.b64decode(VECTOR_A["wecom_aes_key"] + "=")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    raw = decryptor.update(base64.b64decode(A_ENCRYPT)) + decryptor.finalize()
    assert (len(raw), raw[-1], raw[:16]) == (352, 30, b"0960688932c47ef1")


def test_vector_b_decrypts() -> None:
    receiver = Receiver(
        VECTOR_B["wecom_token"], VECTOR_B["wecom_aes_key"], VECTOR_B["wecom_corp_id"]
    )
    msg = parse_app_message(receiver.decrypt(B_SIGNED, B_ENCRYPT), START)
    assert msg is not None
    assert (msg.sender_id, msg.text, msg.msg_id) == ("messense", "test", "app:4363689963896700987")


def test_wrong_receiver_is_refused_before_parsing() -> None:
    wrong_corp = Receiver(VECTOR_B["wecom_token"], VECTOR_B["wecom_aes_key"], "wx0000000000000000")
    with pytest.raises(Rejected) as err:
        wrong_corp.decrypt(B_SIGNED, B_ENCRYPT)
    assert err.value.status == 403
    wrong_token = Receiver("654321", VECTOR_B["wecom_aes_key"], VECTOR_B["wecom_corp_id"])
    with pytest.raises(Rejected) as err:
        wrong_token.decrypt(B_SIGNED, B_ENCRYPT)
    assert err.value.status == 403


async def test_forged_tampered_and_foreign_posts_get_403_and_record_nothing(
    chat: ChatHarness,
) -> None:
    good = app_sender(chat).app_post(app_text("t1", "/帮助", 1))
    forged = Request(good.url.replace("msg_signature=", "msg_signature=0"), good.body)
    tampered = Request(good.url, good.body.replace(b"[CDATA[", b"[CDATA[A", 2))
    s = chat.settings
    foreign = Sender(s.wecom_token, s.wecom_aes_key, "wwother", chat.clock)
    for req in (forged, tampered, foreign.app_post(app_text("t1", "/帮助", 2))):
        resp = await call(chat, req)
        assert resp.status == 403
    assert await inbound_ids(chat) == []


async def test_oversized_and_malformed_bodies_are_refused(chat: ChatHarness) -> None:
    good = app_sender(chat).app_post(app_text("t1", "/帮助", 1))
    big = Request(good.url, good.body + b" " * MAX_BODY)
    assert (await call(chat, big)).status == 413
    assert (
        await call(chat, Request(good.url, b"<xml><ToUserName>x</ToUserName></xml>"))
    ).status == 400
    no_query = Request("/wecom/callback", good.body)
    assert (await call(chat, no_query)).status == 400
    not_xml = app_sender(chat).app_post("just words, no XML")
    assert (await call(chat, not_xml)).status == 400
    no_sender = app_sender(chat).app_post("<xml><MsgType>text</MsgType></xml>")
    assert (await call(chat, no_sender)).status == 400
    assert await inbound_ids(chat) == []


@pytest.mark.parametrize("payload", [LAUGHS, EXTERNAL], ids=["billion-laughs", "external-entity"])
async def test_entities_are_never_expanded(chat: ChatHarness, payload: str) -> None:
    signed_inside = app_sender(chat).app_post(payload)
    good = app_sender(chat).app_post(app_text("t1", "/帮助", 1))
    outside = Request(good.url, payload.replace("<xml>", good.body.decode()[:-6], 1).encode())
    started = time.perf_counter()
    for req in (signed_inside, outside):
        assert (await call(chat, req)).status == 400
    assert time.perf_counter() - started < 1.0
    assert await inbound_ids(chat) == []


async def test_events_are_acknowledged_and_not_routed(chat: ChatHarness) -> None:
    event = (
        "<xml><ToUserName>wwcorp</ToUserName><FromUserName>t1</FromUserName>"
        "<CreateTime>1700000000</CreateTime><MsgType>event</MsgType>"
        "<Event>enter_agent</Event><AgentID>1000002</AgentID></xml>"
    )
    resp = await call(chat, app_sender(chat).app_post(event))
    assert resp.status == 200
    stream = {
        "msgid": "s1",
        "msgtype": "stream",
        "stream": {"id": "x"},
        "from": {"userid": "t1"},
    }
    assert (await call(chat, bot_sender(chat).bot_post(stream))).status == 200
    assert await inbound_ids(chat) == []


async def test_ai_bot_handshake_uses_an_empty_receive_id(chat: ChatHarness) -> None:
    resp = await get(chat, bot_sender(chat).verify_url("/wecom/bot", "8837461"))
    assert resp.status == 200
    assert await resp.read() == b"8837461"
    app_signed = app_sender(chat).verify_url("/wecom/bot", "8837461")
    assert (await get(chat, app_signed)).status == 403


def test_ai_bot_group_and_single_messages() -> None:
    receiver = Receiver(BOT_TOKEN, BOT_AES_KEY, "")
    sender = Sender(BOT_TOKEN, BOT_AES_KEY, "")
    url = "https://qyapi.example/aibot/response/1"
    for payload, chat_type, chat_id in [
        (
            bot_text("t1", "@同心助手 /帮助", "m1", chat_id="wrkG1", response_url=url),
            "group",
            "wrkG1",
        ),
        (bot_text("t1", "/帮助", "m2", response_url=url), "direct", "t1"),
    ]:
        encrypt, sig = sender.seal(json.dumps(payload), "n", "1")
        msg = parse_bot_message(receiver.decrypt(Signed(sig, "1", "n"), encrypt), START)
        assert msg is not None
        assert (msg.chat_type, msg.chat_id, msg.sender_id) == (chat_type, chat_id, "t1")
        assert msg.text == "/帮助"
        assert msg.msg_id == f"bot:{payload['msgid']}"
        assert msg.reply_handle["response_url"] == url
        assert msg.reply_handle["expires"] > START.timestamp() + 3000


async def test_a_callback_signed_over_an_hour_away_is_refused(chat: ChatHarness) -> None:
    now = int(chat.clock.now().timestamp())
    early, late = str(now - 3601), str(now + 3601)
    for ts in (early, late):
        old = app_sender(chat).app_post(app_text("t1", "/帮助", 1), timestamp=ts)
        assert (await call(chat, old)).status == 403
        replay = bot_sender(chat).bot_post(bot_text("t1", "/帮助", "m1"), timestamp=ts)
        assert (await call(chat, replay)).status == 403
        assert (
            await get(chat, bot_sender(chat).verify_url("/wecom/bot", "1", "n", ts))
        ).status == 403
    assert await inbound_ids(chat) == []
    not_a_time = app_sender(chat).app_post(app_text("t1", "/帮助", 1), timestamp="soon")
    assert (await call(chat, not_a_time)).status == 400
    within = app_sender(chat).app_post(app_text("t1", "/帮助", 2), timestamp=str(now - 3500))
    assert (await call(chat, within)).status == 200
    chat.clock.advance(minutes=59)
    assert (
        await call(chat, bot_sender(chat).bot_post(bot_text("t1", "/帮助", "m2")))
    ).status == 200
    assert await inbound_ids(chat) == ["app:2", "bot:m2"]
