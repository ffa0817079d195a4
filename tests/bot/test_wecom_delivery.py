"""WeCom end to end: encrypted callbacks in, the fake WeCom API out."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy import select

from bot.delivery import Deduplicating, Delivery
from bot.messages import Outgoing
from bot.platforms import texts
from bot.platforms.wecom_send import split_text
from storage.messaging import OutboxMessage
from storage.people import bind_group
from tests.bot.wecom_helpers import (
    AGENT_ID,
    HOOK_KEY,
    app_sender,
    bot_sender,
    call,
    wecom_settings,
)
from tests.conftest import MakeChat
from tests.fakes.wecom_api import FakeWeCom, Fault
from tests.fakes.wecom_callbacks import app_text, bot_text
from tests.harness import ChatHarness

pytestmark = pytest.mark.chat(wecom=True)

SEND = "/cgi-bin/message/send"
HOOK = "/cgi-bin/webhook/send"
APPCHAT = "/cgi-bin/appchat/send"
TOKEN = "/cgi-bin/gettoken"


async def bind(chat: ChatHarness, chat_id: str, kind: str, secret: str) -> None:
    async with chat.db.transaction() as session:
        await bind_group(session, "wecom", chat_id, None, (kind, secret, ""), chat.clock.now())


async def outbox(chat: ChatHarness) -> list[tuple[str, str]]:
    async with chat.db.reading() as s:
        rows = await s.execute(
            select(OutboxMessage.state, OutboxMessage.last_error).order_by(OutboxMessage.id)
        )
        return [(state, error) for state, error in rows]


def direct(user: str, text: str, **kw: object) -> Outgoing:
    return Outgoing(platform="wecom", chat_type="direct", chat_id=user, text=text, **kw)  # type: ignore[arg-type]


def group(chat_id: str, text: str, **kw: object) -> Outgoing:
    return Outgoing(platform="wecom", chat_type="group", chat_id=chat_id, text=text, **kw)  # type: ignore[arg-type]


async def test_help_in_a_group_is_answered_over_the_response_url(
    chat: ChatHarness, wecom: FakeWeCom
) -> None:
    url = wecom.response_url("r1")
    req = bot_sender(chat).bot_post(
        bot_text("t1", "@同心助手 /帮助", "m1", chat_id="wrkG1", response_url=url)
    )
    resp = await call(chat, req)
    assert (resp.status, await resp.read()) == (200, b"")
    await chat.settle()
    [reply] = wecom.sent("/aibot/response/r1")
    assert reply.body["msgtype"] == "markdown"
    assert "我能帮您做这些" in reply.body["markdown"]["content"]
    assert wecom.sent(HOOK) == []


async def test_a_retried_callback_is_answered_once(chat: ChatHarness, wecom: FakeWeCom) -> None:
    req = app_sender(chat).app_post(app_text("t1", "/帮助", 4561255354251345929))
    for _ in range(3):
        assert (await call(chat, req)).status == 200
    await chat.settle()
    [sent] = wecom.sent(SEND)
    assert sent.body["touser"] == "t1"
    assert sent.body["agentid"] == AGENT_ID
    assert "我能帮您做这些" in sent.body["text"]["content"]
    # A retry arriving together with new messages, in one group commit.
    new = [app_sender(chat).app_post(app_text(f"t{i}", "/帮助", 100 + i)) for i in (2, 3)]
    answers = await asyncio.gather(*(call(chat, r) for r in [req, *new, req]))
    assert [a.status for a in answers] == [200] * 4
    await chat.settle()
    assert sorted(c.body["touser"] for c in wecom.sent(SEND)) == ["t1", "t2", "t3"]


async def test_a_burst_of_fifty_sends_fetches_one_token(
    chat: ChatHarness, wecom: FakeWeCom
) -> None:
    wecom.fail(TOKEN, Fault(delay=0.05))  # a slow answer: the others must wait for it
    await chat.send_out(*(direct(f"t{i}", f"第{i}条") for i in range(50)))
    assert len(wecom.sent(TOKEN)) == 1
    assert len(wecom.sent(SEND)) == 50
    assert {s for s, _ in await outbox(chat)} == {"sent"}


async def test_concurrent_deliveries_share_one_refresh(chat: ChatHarness, wecom: FakeWeCom) -> None:
    adapter = chat.app.outbox.deliverers["wecom"]
    token = adapter.token  # type: ignore[attr-defined]
    wecom.fail(TOKEN, Fault(delay=0.02))
    got = await asyncio.gather(*(token.get() for _ in range(50)))
    assert len(set(got)) == 1
    assert len(wecom.sent(TOKEN)) == 1


@pytest.mark.parametrize("errcode", [40001, 40014, 42001])
async def test_a_refused_token_is_refreshed_and_the_send_retried_once(
    chat: ChatHarness, wecom: FakeWeCom, errcode: int
) -> None:
    await chat.send_out(direct("t1", "第一条"))
    wecom.fail(SEND, Fault(errcode=errcode))
    await chat.send_out(direct("t1", "第二条"))
    assert len(wecom.sent(TOKEN)) == 2
    assert wecom.texts(SEND) == ["第一条", "第二条", "第二条"]
    assert [s for s, _ in await outbox(chat)] == ["sent", "sent"]


async def test_an_expired_token_is_fetched_again(chat: ChatHarness, wecom: FakeWeCom) -> None:
    await chat.send_out(direct("t1", "一"))
    wecom.expire_tokens()
    await chat.send_out(direct("t1", "二"))
    assert len(wecom.sent(TOKEN)) == 2
    assert [s for s, _ in await outbox(chat)] == ["sent", "sent"]


async def test_throttling_backs_off_without_a_token_refresh(
    chat: ChatHarness, wecom: FakeWeCom
) -> None:
    await chat.send_out(direct("t1", "一"))
    wecom.fail(SEND, Fault(errcode=45009))
    await chat.send_out(direct("t1", "二"))
    assert len(wecom.sent(TOKEN)) == 1
    assert (await outbox(chat))[1] == ("pending", "message/send: throttled (errcode 45009)")
    await chat.send_out(direct("t1", "三"))  # the member's key is blocked too
    assert wecom.texts(SEND) == ["一", "二"]
    await chat.advance(seconds=61)
    assert sorted(wecom.texts(SEND)) == ["一", "三", "二", "二"]
    assert len(wecom.sent(TOKEN)) == 1


async def test_server_errors_are_retried_later(chat: ChatHarness, wecom: FakeWeCom) -> None:
    await bind(chat, "wrkG1", "wecom_webhook", HOOK_KEY)
    wecom.fail(HOOK, Fault(status=502), Fault(errcode=130101))
    await chat.send_out(group("wrkG1", "开会了"))
    assert (await outbox(chat))[0][0] == "pending"
    await chat.advance(seconds=30)
    await chat.advance(seconds=61)
    assert wecom.texts(HOOK) == ["开会了"] * 3
    assert [s for s, _ in await outbox(chat)] == ["sent"]


async def test_app_messages_ask_wecom_to_drop_a_repeat_of_the_same_row(
    chat: ChatHarness, wecom: FakeWeCom
) -> None:
    """A retry after a timeout repeats the row's request exactly, so WeCom's duplicate
    check drops it if the first got through; two rows saying the same words differ."""
    wecom.fail(SEND, Fault(status=502))
    await chat.send_out(direct("t1", "收到"), direct("t1", "收到"))
    await chat.advance(seconds=5)
    calls = wecom.sent(SEND)
    assert len(calls) == 3 and all(c.body["enable_duplicate_check"] == 1 for c in calls)
    by_row: dict[int, list[dict[str, object]]] = {}
    for c in calls:
        by_row.setdefault(c.body["duplicate_check_interval"], []).append(c.body)
    # Row 1 and row 2 have their own intervals; the failed one was sent again as is.
    assert sorted(len(bodies) for bodies in by_row.values()) == [1, 2]
    assert set(by_row) == {601, 602}
    [twice] = [bodies for bodies in by_row.values() if len(bodies) == 2]
    assert twice[0] == twice[1]
    adapter = chat.app.outbox.deliverers["wecom"]
    assert isinstance(adapter, Deduplicating)
    row = Delivery(7, "k", "wecom", "direct", "t1", {"text": "x"}, 0)
    assert adapter.dedup_seconds(row) == 607
    assert adapter.dedup_seconds(Delivery(7, "k", "wecom", "group", "g", {"text": "x"}, 0)) == 0


async def test_group_messages_go_through_the_bound_webhook(
    chat: ChatHarness, wecom: FakeWeCom
) -> None:
    await bind(chat, "wrkG1", "wecom_webhook", HOOK_KEY)
    await chat.send_out(group("wrkG1", "请大家签到", mentions=["t1", "t2"]))
    [seen] = wecom.sent(HOOK)
    assert seen.query["key"] == HOOK_KEY
    assert seen.body == {
        "msgtype": "text",
        "text": {"content": "请大家签到", "mentioned_list": ["t1", "t2"]},
    }


async def test_groups_the_app_created_use_appchat(chat: ChatHarness, wecom: FakeWeCom) -> None:
    await bind(chat, "wrkApp1", "wecom_appchat", "appchat-id-1")
    await chat.send_out(group("wrkApp1", "**通知**", markdown=True))
    [seen] = wecom.sent(APPCHAT)
    assert seen.body == {
        "chatid": "appchat-id-1",
        "msgtype": "markdown",
        "markdown": {"content": "**通知**"},
        "enable_duplicate_check": 1,
        "duplicate_check_interval": 601,  # outbox row 1's own interval
    }


async def test_an_unbound_group_fails_for_good_and_says_why(chat: ChatHarness) -> None:
    await chat.send_out(group("wrkG9", "你好"))
    [(state, error)] = await outbox(chat)
    assert state == "failed"
    assert "tongxin group bind wecom:wrkG9" in error


async def test_a_refused_webhook_key_is_never_shown(
    chat: ChatHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="tongxin")
    await bind(chat, "wrkG1", "wecom_webhook", "wrong-key-0000-1111")
    await chat.send_out(group("wrkG1", "你好"))
    [(state, error)] = await outbox(chat)
    assert state == "failed"
    assert "93000" in error
    assert "wrong-key" not in error
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("tongxin")]
    assert any("93000" in line for line in ours)
    assert not any("wrong-key" in line for line in ours)


async def test_after_the_response_url_expires_the_reply_goes_by_webhook(
    chat: ChatHarness, wecom: FakeWeCom
) -> None:
    await bind(chat, "wrkG1", "wecom_webhook", HOOK_KEY)
    url = wecom.response_url("r2")
    req = bot_sender(chat).bot_post(
        bot_text("t1", "@同心助手 /帮助", "m2", chat_id="wrkG1", response_url=url)
    )
    assert (await call(chat, req)).status == 200
    await chat.app.ingest.idle()
    chat.clock.advance(hours=1)
    await chat.settle()
    assert wecom.sent("/aibot/response/r2") == []
    [seen] = wecom.sent(HOOK)
    assert "我能帮您做这些" in seen.body["text"]["content"]


async def test_a_used_response_url_falls_back_to_message_send(
    chat: ChatHarness, wecom: FakeWeCom
) -> None:
    url = wecom.response_url("r3")
    wecom.used_urls.add("/aibot/response/r3")
    req = bot_sender(chat).bot_post(bot_text("t1", "/帮助", "m3", response_url=url))
    assert (await call(chat, req)).status == 200
    await chat.settle()
    assert len(wecom.sent("/aibot/response/r3")) == 1
    [seen] = wecom.sent(SEND)
    assert seen.body["touser"] == "t1"


async def test_long_text_goes_in_pieces_and_a_retry_resumes(
    chat: ChatHarness, wecom: FakeWeCom
) -> None:
    lines = [f"第{i}行：" + "党" * 60 for i in range(40)]
    text = "\n".join(lines)
    wecom.fail(SEND, Fault(), Fault(status=503))
    await chat.send_out(direct("t1", text))
    await chat.advance(seconds=30)
    pieces = wecom.texts(SEND)
    assert pieces[1] == pieces[2]  # the piece refused with 503 again, not the first
    sent = [pieces[0], *pieces[2:]]
    assert "\n".join(sent) == text
    assert all(len(p.encode()) <= 2048 for p in sent)
    assert [s for s, _ in await outbox(chat)] == ["sent"]


def replying(chat: ChatHarness, wecom: FakeWeCom, name: str) -> dict[str, object]:
    """The reply handle of an AI-bot message whose response_url is `name`."""
    url = wecom.response_url(name)
    return {"response_url": url, "expires": chat.clock.now().timestamp() + 3000}


def report(lines: int) -> str:
    return "\n".join(f"{i + 1}. 第{i + 1}位党员 已签到（会议室 A）" for i in range(lines))


async def test_a_reply_over_2048_bytes_goes_whole_in_the_one_response(
    chat: ChatHarness, wecom: FakeWeCom
) -> None:
    text = report(100)
    assert 2048 < len(text.encode()) < 20480
    await chat.send_out(group("wrkG1", text, reply_handle=replying(chat, wecom, "r1")))
    assert wecom.texts("/aibot/response/r1") == [text]
    assert wecom.sent(HOOK) == [] and wecom.sent(APPCHAT) == []
    assert [s for s, _ in await outbox(chat)] == ["sent"]


async def test_a_reply_over_the_response_limit_is_cut_at_a_line_and_points_to_the_console(
    chat: ChatHarness,
    wecom: FakeWeCom,
) -> None:
    text = report(600)
    assert len(text.encode()) > 20480
    await chat.send_out(group("wrkG1", text, reply_handle=replying(chat, wecom, "r1")))
    [sent] = wecom.texts("/aibot/response/r1")
    assert len(sent.encode()) <= 20480
    head, note = sent.rsplit("\n\n", 1)
    assert note == texts.REST_IN_CONSOLE
    assert text.startswith(head + "\n")  # whole lines only
    assert [s for s, _ in await outbox(chat)] == ["sent"]


async def test_the_rest_of_a_long_reply_follows_over_the_bound_webhook(
    chat: ChatHarness, wecom: FakeWeCom
) -> None:
    await bind(chat, "wrkG1", "wecom_webhook", HOOK_KEY)
    text = report(600)
    await chat.send_out(group("wrkG1", text, reply_handle=replying(chat, wecom, "r1")))
    [first] = wecom.texts("/aibot/response/r1")
    head, note = first.rsplit("\n\n", 1)
    assert note == texts.REST_FOLLOWS
    rest = wecom.texts(HOOK)
    assert all(len(p.encode()) <= 2048 for p in rest)
    assert "\n".join([head, *rest]) == text
    assert [s for s, _ in await outbox(chat)] == ["sent"]


async def test_the_rest_of_a_long_direct_reply_follows_through_the_app(
    chat: ChatHarness, wecom: FakeWeCom
) -> None:
    text = report(600)
    await chat.send_out(direct("t1", text, reply_handle=replying(chat, wecom, "r1")))
    [first] = wecom.texts("/aibot/response/r1")
    head, note = first.rsplit("\n\n", 1)
    assert note == texts.REST_FOLLOWS
    assert "\n".join([head, *wecom.texts(SEND)]) == text


async def test_webhook_limit_holds_the_21st_message_a_minute(
    chat: ChatHarness, wecom: FakeWeCom
) -> None:
    await bind(chat, "wrkG1", "wecom_webhook", HOOK_KEY)
    await chat.send_out(*(group("wrkG1", f"提醒{i}") for i in range(25)))
    assert len(wecom.sent(HOOK)) == 20
    await chat.advance(seconds=61)
    assert len(wecom.sent(HOOK)) == 25


async def test_member_limit_is_thirty_a_minute(chat: ChatHarness, wecom: FakeWeCom) -> None:
    await chat.send_out(*(direct("t1", f"消息{i}") for i in range(32)))
    assert len(wecom.sent(SEND)) == 30
    await chat.advance(seconds=61)
    assert len(wecom.sent(SEND)) == 32


def test_split_text_cuts_at_line_ends_and_inside_over_long_lines() -> None:
    assert split_text("短") == ["短"]
    assert split_text("") == [""]
    text = "\n".join(["a" * 1000, "b" * 1000, "c" * 1000])
    assert split_text(text) == ["a" * 1000 + "\n" + "b" * 1000, "c" * 1000]
    long_line = "党" * 1000  # 3,000 bytes
    pieces = split_text(long_line)
    assert "".join(pieces) == long_line
    assert [len(p.encode()) for p in pieces] == [2046, 954]


async def test_without_the_app_a_person_cannot_be_messaged_first(
    make_chat: MakeChat, wecom: FakeWeCom
) -> None:
    chat = await make_chat(**wecom_settings(wecom, wecom_secret="", wecom_corp_id=""))
    await chat.send_out(direct("t1", "你好"))
    [(state, error)] = await outbox(chat)
    assert state == "failed"
    assert "TONGXIN_WECOM_CORP_ID" in error
    assert wecom.calls == []
