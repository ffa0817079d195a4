"""Commands in English and Chinese, roles, help, dedup — through the local channel."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from storage.messaging import InboundMessage, OutboxMessage
from tests.harness import ChatHarness


async def test_bilingual_and_full_width_commands_route_the_same(chat: ChatHarness) -> None:
    t = chat.user("t1", "王老师")
    answers = set()
    for text in ("/whoami", "/我是谁", "／我是谁", "@同心 /我是谁", " /WHOAMI "):
        answers.add(await t.says(text))
    assert len(answers) == 1
    t.hears("王老师（t1）", "角色：教师")


async def test_unknown_command_suggests_the_closest(chat: ChatHarness) -> None:
    t = chat.user("t1")
    await t.says("/halp")
    t.hears("没有「/halp」这个命令", "/help")
    await t.says("/我是")
    t.hears("「/我是谁」")


async def test_help_lists_only_what_the_role_may_use(chat: ChatHarness) -> None:
    t = chat.user("t1")
    admin = chat.user("a1", role="admin")
    teacher_help = await t.says("/帮助")
    admin_help = await admin.says("/help")
    assert "/授权" not in teacher_help
    assert "/授权" in admin_help and "/我是谁" in admin_help
    await t.says("/帮助 授权")
    t.hears("我能帮您做这些")  # a command they may not use is not explained to them


async def test_role_refusal_names_the_role(chat: ChatHarness) -> None:
    t = chat.user("t1")
    chat.user("t2", "李老师")
    await t.says("/授权 @t2 书记 一支部")
    t.hears("需要管理员权限")


async def test_admin_from_settings_grants_secretary_scoped_to_a_unit(db_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import START

    h = ChatHarness(db_url, START, tmp_path, admins=["local:boss"])
    await h.start()
    try:
        boss = h.user("boss", "局党委")
        li = h.user("li", "李老师", unit="一支部")
        zhang = h.user("zhang", "张老师", unit="二支部")
        g1 = h.group("g1", unit="一支部")
        g2 = h.group("g2", unit="二支部")
        await li.says("/我是谁")
        await boss.says("/授权 @李老师 书记 一支部")
        boss.hears("已授予 李老师 支部书记权限（一支部）")
        await boss.says("/grant li secretary 一支部")
        boss.hears("已经是支部书记")
        await li.says("/我是谁")
        li.hears("角色：支部书记", "书记单位：一支部")
        # A secretary of 一支部 is not the secretary of 二支部's group.
        await li.says("/授权 @zhang 书记", g2)
        li.hears("需要管理员权限")
        await boss.says("/授权 @不存在 书记 一支部")
        boss.hears("没有找到「不存在」")
        await boss.says("/授权 @zhang 书记 三支部")
        boss.hears("没有「三支部」这个单位")
        await boss.says("/授权 @zhang 组长")
        boss.hears("角色只能是")
        await boss.says("/撤销 @li 书记 一支部")
        boss.hears("已撤销 李老师 的支部书记权限")
        await li.says("/whoami", g1)
        li.hears("角色：教师")
        del zhang
    finally:
        await h.stop()


async def test_same_message_three_times_is_handled_once(chat: ChatHarness) -> None:
    t = chat.user("t1")
    first = await t.says("/我是谁", msg_id="dup-1")
    assert "角色：教师" in first
    for _ in range(2):
        again = await t.says("/我是谁", msg_id="dup-1")
        assert again == ""
    # Concurrent retries, as a platform retrying on a slow acknowledgement does.
    replies = await asyncio.gather(*(t.says("/我是谁", msg_id="dup-2") for _ in range(3)))
    assert sorted(bool(r) for r in replies) == [False, False, True]
    async with chat.db.reading() as s:
        inbound = await s.scalar(select(func.count()).select_from(InboundMessage))
        outbox = await s.scalar(select(func.count()).select_from(OutboxMessage))
    assert inbound == 2
    assert outbox == 2


async def test_handled_message_leaves_only_its_dedup_key(chat: ChatHarness) -> None:
    t = chat.user("t1")
    await t.says("投票 2", msg_id="secret-vote")
    async with chat.db.reading() as s:
        row = await s.scalar(select(InboundMessage).where(InboundMessage.msg_id == "secret-vote"))
    assert row is not None and row.state == "done" and row.payload is None


async def test_fallback_and_cancel_with_nothing_open(chat: ChatHarness) -> None:
    t = chat.user("t1")
    await t.says("你好")
    t.hears("发送「/帮助」")
    await t.says("取消")
    t.hears("当前没有进行中的操作")


async def test_local_channel_rejects_bad_bodies(chat: ChatHarness) -> None:
    assert chat.client is not None
    bad = [
        b"not json",
        b'{"chat_id": "g", "chat_type": "room", "sender_id": "u", "text": "hi"}',
        b'{"chat_id": "x", "chat_type": "direct", "sender_id": "u", "text": "hi"}',
        b'{"chat_type": "group", "sender_id": "u", "text": "hi"}',
    ]
    for body in bad:
        resp = await chat.client.post("/local/messages", data=body)
        assert resp.status == 400, body
        assert "error" in await resp.json()
    resp = await chat.client.post("/local/messages", data=b"x" * 70000)
    assert resp.status == 413
    resp = await chat.client.get("/local/outbox")
    assert resp.status == 400


def test_only_loopback_peers_may_use_the_local_channel() -> None:
    from aiohttp.test_utils import make_mocked_request

    from bot.platforms.base import is_loopback_peer

    def peer(addr: str) -> bool:
        req = make_mocked_request("POST", "/local/messages")
        return is_loopback_peer(req.clone(remote=addr))

    assert peer("127.0.0.1") and peer("::1") and peer("127.0.0.9")
    assert not peer("10.0.0.2") and not peer("192.168.1.5") and not peer("")
