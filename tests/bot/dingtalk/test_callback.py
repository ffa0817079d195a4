"""POST /dingtalk/callback: verification before parsing, mapping, replies, dedup."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.args import Args
from bot.context import Context
from bot.feature import Feature
from bot.platforms.dingtalk import DingTalkAdapter
from bot.platforms.dingtalk_api import sign
from handlers.help import texts as help_texts
from storage.messaging import InboundMessage
from storage.models import ChatGroup, Person
from tests.conftest import START, MakeChat
from tests.fakes.dingtalk_api import GROUP_SEND, OTO_SEND, SESSION, TOKEN, FakeDingTalkApi
from tests.harness import ChatHarness

from .conftest import settings_for
from .helpers import HOUR_MS, now_ms, post_callback, robot_message


def test_signature_check_value_of_the_protocol_notes() -> None:
    assert sign("1577262236757", "this is secret") == "hmPWwU+7lVdm3ZZz0r9tSfx0L4Q26jWOZr9+Gs6EZQM="


async def inbound_count(chat: ChatHarness) -> int:
    async with chat.db.reading() as s:
        return int(await s.scalar(select(func.count()).select_from(InboundMessage)) or 0)


async def test_the_protocol_value_is_accepted_over_http(
    db_url: str, tmp_path: Path, api: FakeDingTalkApi
) -> None:
    chat = ChatHarness(
        db_url, START, tmp_path, **settings_for(api, dingtalk_app_secret="this is secret")
    )
    await chat.start()
    try:
        chat.clock.set(datetime.fromtimestamp(1577262236757 / 1000, UTC))
        body = robot_message(api, 1577262236757, "/帮助")
        headers = {
            "timestamp": "1577262236757",
            "sign": "hmPWwU+7lVdm3ZZz0r9tSfx0L4Q26jWOZr9+Gs6EZQM=",
        }
        assert await post_callback(chat, body, headers=headers) == 200
        assert await inbound_count(chat) == 1
    finally:
        await chat.stop()


@pytest.mark.parametrize(
    ("shift_ms", "status"),
    [(61 * 60 * 1000, 403), (-61 * 60 * 1000, 403), (59 * 60 * 1000, 200), (-59 * 60 * 1000, 200)],
)
async def test_timestamp_must_be_within_an_hour(
    ding: ChatHarness, api: FakeDingTalkApi, shift_ms: int, status: int
) -> None:
    ts = now_ms(ding) + shift_ms
    body = robot_message(api, now_ms(ding), "/帮助")
    assert await post_callback(ding, body, timestamp=str(ts)) == status
    assert await inbound_count(ding) == (1 if status == 200 else 0)


async def test_forged_or_missing_credentials_are_refused_before_parsing(
    ding: ChatHarness, api: FakeDingTalkApi
) -> None:
    body = robot_message(api, now_ms(ding), "/帮助")
    ts = str(now_ms(ding))
    assert await post_callback(ding, body, secret="not the secret") == 403
    # A malformed body with a bad signature is still a 403: it is never parsed.
    assert await post_callback(ding, b"{not json", secret="not the secret") == 403
    assert await post_callback(ding, body, headers={"timestamp": ts}) == 403
    assert await post_callback(ding, body, headers={"sign": sign(ts, api.app_secret)}) == 403
    assert await post_callback(ding, body, headers={}) == 403
    bad_ts = {"timestamp": "12ab", "sign": sign("12ab", api.app_secret)}
    assert await post_callback(ding, body, headers=bad_ts) == 403
    assert await inbound_count(ding) == 0
    await ding.settle()
    assert api.calls == []


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b"[]",
        b'{"msgtype": "text"}',
        json.dumps({"msgId": "m1", "conversationType": "3", "conversationId": "c"}).encode(),
        "中文".encode("gbk"),
    ],
)
async def test_malformed_bodies_get_400(ding: ChatHarness, raw: bytes) -> None:
    assert await post_callback(ding, raw) == 400
    assert await inbound_count(ding) == 0


async def test_oversized_body_is_refused(ding: ChatHarness, api: FakeDingTalkApi) -> None:
    body = robot_message(api, now_ms(ding), "长" * 30000)
    assert await post_callback(ding, body) == 413
    assert await inbound_count(ding) == 0


async def test_group_mention_reaches_the_handler_and_replies_in_the_session(
    ding: ChatHarness, api: FakeDingTalkApi
) -> None:
    body = robot_message(api, now_ms(ding), "／帮助", session="s-group", nick="李书记")
    assert await post_callback(ding, body) == 200
    await ding.settle()
    [reply] = api.sent()
    assert reply.path == SESSION and reply.query["session"] == "s-group"
    assert reply.body["msgtype"] == "text"
    assert help_texts.HEADER in reply.text
    # The asker is @-mentioned as the SDK's reply_text does: at.atUserIds, the text as it is.
    assert reply.body["at"] == {"atUserIds": ["staff01"]}
    assert "@staff01" not in reply.text
    assert api.to(TOKEN) == []  # a session reply needs no token
    async with ding.db.reading() as s:
        group = await s.scalar(select(ChatGroup).where(ChatGroup.platform == "dingtalk"))
        person = await s.scalar(select(Person).where(Person.platform == "dingtalk"))
    assert group is not None and (group.chat_id, group.title) == ("cidGroupA==", "第一党支部")
    assert person is not None and (person.platform_user_id, person.display_name) == (
        "staff01",
        "李书记",
    )


async def test_direct_message_reaches_the_handler_and_replies(
    ding: ChatHarness, api: FakeDingTalkApi
) -> None:
    body = robot_message(api, now_ms(ding), "/帮助", group=False, session="s-direct")
    assert await post_callback(ding, body) == 200
    await ding.settle()
    [reply] = api.sent()
    assert reply.query["session"] == "s-direct"
    assert help_texts.HEADER in reply.text


async def test_expired_session_falls_back_to_group_send(
    ding: ChatHarness, api: FakeDingTalkApi
) -> None:
    body = robot_message(api, now_ms(ding), "/帮助", session_ttl_ms=HOUR_MS)
    assert await post_callback(ding, body) == 200
    await ding.app.ingest.idle()
    ding.clock.advance(hours=2)
    await ding.settle()
    assert api.to(SESSION) == []
    [token] = api.to(TOKEN)
    assert token.body == {"appKey": api.app_key, "appSecret": api.app_secret}
    [send] = api.to(GROUP_SEND)
    assert send.headers["x-acs-dingtalk-access-token"] == "tok1"
    assert send.body["robotCode"] == "robot-code"
    assert send.body["openConversationId"] == "cidGroupA=="
    assert send.body["msgKey"] == "sampleText"
    assert isinstance(send.body["msgParam"], str)
    assert help_texts.HEADER in json.loads(send.body["msgParam"])["content"]


async def test_expired_direct_session_falls_back_to_oto_send(
    ding: ChatHarness, api: FakeDingTalkApi
) -> None:
    body = robot_message(api, now_ms(ding), "/帮助", group=False, sender="staff07")
    assert await post_callback(ding, body) == 200
    await ding.app.ingest.idle()
    ding.clock.advance(hours=3)
    await ding.settle()
    [send] = api.to(OTO_SEND)
    assert send.body["userIds"] == ["staff07"]
    assert send.body["robotCode"] == "robot-code"


async def test_session_ended_early_by_the_platform_falls_back(
    ding: ChatHarness, api: FakeDingTalkApi
) -> None:
    api.expired_sessions.add("s-gone")
    body = robot_message(api, now_ms(ding), "/帮助", session="s-gone")
    assert await post_callback(ding, body) == 200
    await ding.settle()
    assert [c.path for c in api.sent()] == [SESSION, GROUP_SEND]


async def test_a_session_webhook_elsewhere_is_never_called(
    ding: ChatHarness, api: FakeDingTalkApi
) -> None:
    elsewhere = [
        "http://attacker.example/robot/sendBySession?session=x",
        f"{api.url}/robot/sendBySessionX?session=x",
        f"{api.url}/robot/send?access_token=x",
    ]
    for url in elsewhere:
        body = robot_message(api, now_ms(ding), "/帮助")
        body["sessionWebhook"] = url
        assert await post_callback(ding, body) == 200
    await ding.settle()
    assert [c.path for c in api.sent()] == [GROUP_SEND] * 3


async def test_the_same_msg_id_three_times_is_handled_once(
    ding: ChatHarness, api: FakeDingTalkApi
) -> None:
    body = robot_message(api, now_ms(ding), "/帮助", msg_id="msgRetried==")
    for _ in range(3):
        assert await post_callback(ding, body) == 200
    await ding.settle()
    assert len(api.sent()) == 1
    assert await inbound_count(ding) == 1


async def test_rich_text_and_pictures_are_read_without_error(
    ding: ChatHarness, api: FakeDingTalkApi
) -> None:
    rich = robot_message(api, now_ms(ding), "")
    rich.update(
        msgtype="richText",
        content={"richText": [{"text": "/帮"}, {"downloadCode": "x"}, {"text": "助"}]},
    )
    del rich["text"]
    picture = robot_message(api, now_ms(ding), "", group=False)
    picture.update(msgtype="picture", content={"downloadCode": "abc"})
    del picture["text"]
    voice = robot_message(api, now_ms(ding), "", group=False, sender="staff02")
    voice.update(msgtype="audio", content={"duration": 2000, "recognition": "帮助"})
    del voice["text"]
    for body in (rich, picture):
        assert await post_callback(ding, body) == 200
        await ding.settle()
    rich_reply, picture_reply = api.sent()
    assert help_texts.HEADER in rich_reply.text
    assert picture_reply.text  # the router's hint, not silence
    [dt] = [a for a in ding.app.adapters if isinstance(a, DingTalkAdapter)]
    assert dt.incoming(json.dumps(voice)).text == "帮助"


async def test_the_callback_is_answered_before_the_message_is_handled(
    make_chat: MakeChat, api: FakeDingTalkApi
) -> None:
    # One command that holds its worker until the test lets go.
    release = asyncio.Event()
    feature = Feature("slow")

    @feature.command("slow", "慢", help="慢").bare()
    async def slow(ctx: Context, args: Args) -> None:
        await release.wait()
        ctx.reply("终于好了")

    chat = await make_chat(features=[feature], **settings_for(api))
    try:
        body = robot_message(api, now_ms(chat), "/慢")
        # (No database read here: on SQLite a read would wait for the held write.)
        assert await post_callback(chat, body) == 200
        assert api.sent() == []  # still being handled
        release.set()
        await chat.settle()
        assert [c.text for c in api.sent()] == ["终于好了"]
    finally:
        release.set()
