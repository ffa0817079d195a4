"""/广播: who may, what the admin sees before it goes, where it goes, what status says."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.messages import Incoming, normalize_text
from handlers.broadcast import parse_request, redact, verbatim
from storage.broadcast import Broadcast
from storage.people import bind_group, ensure_unit, touch_group
from tests.conftest import START, MakeChat
from tests.handlers.broadcast_robot import FakeRobot
from tests.harness import ChatHarness

NOTICE = "各支部：明晚七点在三楼会议室召开党员大会，请准时参加。"


async def broadcasts(chat: ChatHarness) -> int:
    async with chat.db.reading() as s:
        return int(await s.scalar(select(func.count()).select_from(Broadcast)) or 0)


def test_options_lead_and_the_notice_keeps_its_lines() -> None:
    req = parse_request("单位 一支部,二支部 --platform=WeCom\n第一行 单位 照写\n第二行")
    assert req.units == ["一支部", "二支部"]
    assert req.platform == "wecom"
    assert req.text == "第一行 单位 照写\n第二行"
    assert parse_request("群:g1,一支部党员群 群发测试").groups == ["g1", "一支部党员群"]
    assert parse_request("平台 钉钉 测试").platform == "dingtalk"
    assert parse_request("群发测试").text == "群发测试"


@pytest.mark.parametrize(
    "raw",
    [
        "@同心助手 ／广播　单位：一支部，二支部\n各位老师：\n\n请于周五前提交材料、照片。",
        "/广播 单位 一支部,二支部 各位老师：\n\n请于周五前提交材料、照片。",
    ],
)
def test_the_notice_goes_out_as_typed(raw: str) -> None:
    text = normalize_text(raw)
    req = parse_request(text.removeprefix("/广播").strip())
    incoming = Incoming(
        platform="local",
        chat_id="g1",
        chat_type="group",
        sender_id="a1",
        text=text,
        raw_text=raw,
        msg_id="m1",
        at=START,
    )
    assert req.units == ["一支部", "二支部"]
    assert verbatim(incoming, req.text) == "各位老师：\n\n请于周五前提交材料、照片。"
    assert verbatim(incoming.model_copy(update={"raw_text": ""}), req.text) == req.text


def test_redact_hides_credentials() -> None:
    reason = "HTTP 502 POST /send?key=abc123&debug=1 secret SECRETVALUE99 access_token=zz"
    shown = redact(reason, ["SECRETVALUE99"])
    assert "abc123" not in shown and "SECRETVALUE99" not in shown and "zz" not in shown
    assert "key=***" in shown and "debug=1" in shown


async def test_non_admins_are_refused(chat: ChatHarness) -> None:
    t = chat.user("t1", "王老师")
    sec = chat.user("s1", "李书记", role="secretary", unit="一支部")
    g = chat.group("g1", unit="一支部")
    await t.says(f"/广播 {NOTICE}")
    t.hears("需要管理员权限")
    await sec.says(f"/broadcast {NOTICE}", g)
    sec.hears("需要管理员权限")
    await sec.says("/广播 状态")
    sec.hears("需要管理员权限")
    assert await broadcasts(chat) == 0
    assert not [m for m in await g.messages() if NOTICE in m]


async def test_empty_broadcast_gets_usage(chat: ChatHarness) -> None:
    admin = chat.user("a1", "赵书记", role="admin")
    await admin.says("/广播")
    admin.hears("用法：/广播 通知内容", "单位 一支部")
    await admin.says("/广播 单位 一支部")
    admin.hears("还没有写通知内容", "单位：一支部")
    await admin.says("/broadcast --unit")
    admin.hears("用法：/广播 通知内容")
    await admin.says("确认")
    admin.hears("发送「/帮助」")  # nothing was waiting for a confirmation


async def test_confirm_step_can_be_cancelled(chat: ChatHarness) -> None:
    admin = chat.user("a1", "赵书记", role="admin")
    g1 = chat.group("g1", unit="一支部")
    g2 = chat.group("g2", unit="二支部")
    await admin.says(f"/广播 {NOTICE}")
    admin.hears("将向 2 个群发送以下通知（范围：全部群）", NOTICE, "回复「确认」提交")
    await admin.says("随便")
    admin.hears("请回复「确认」或「取消」")
    await admin.says("取消")
    admin.hears("已取消「群发广播」")
    await chat.advance(minutes=5)
    assert not await g1.messages() and not await g2.messages()
    assert await broadcasts(chat) == 0
    await admin.says("/广播 记录")
    admin.hears("还没有发过广播")


async def test_unit_broadcast_reaches_only_that_unit(chat: ChatHarness) -> None:
    admin = chat.user("a1", "赵书记", role="admin")
    g1 = chat.group("g1", unit="一支部")
    g2 = chat.group("g2", unit="一支部")
    g3 = chat.group("g3", unit="二支部")
    await chat.setup_people()
    async with chat.db.transaction() as s:
        # A group on a platform that is off here: counted, named, not sent to.
        unit = await ensure_unit(s, "一支部")
        await bind_group(s, "dingtalk", "cidX", unit, None, chat.clock.now())
    # The notice starts on the line after the command, as people paste it.
    await admin.says(f"/广播\n单位 一支部\n{NOTICE}\n联系人：组织委员")
    admin.hears(
        "将向 2 个群发送以下通知（范围：单位：一支部）",
        f"{NOTICE}\n联系人：组织委员",
        "另有 1 个群所在的平台（dingtalk）当前未开通",
    )
    await admin.says("确认")
    admin.hears("广播 #1 已开始发送，共 2 个群", "/广播 状态 1")
    for g in (g1, g2):
        assert await g.messages() == [f"{NOTICE}\n联系人：组织委员"]
    assert not await g3.messages()
    await admin.says("/广播 状态")
    admin.hears("广播 #1：赵书记 于 11月25日（周三）20:00 发出", "共 2 个群", "已全部送达")
    admin.hears("已送达 2，待发送 0，失败 0")
    await admin.says("/广播 记录")
    admin.hears("#1 11月25日（周三）20:00 赵书记 → 单位：一支部（2 个群）：各支部：明晚七点")


async def test_bad_targets_are_named(chat: ChatHarness) -> None:
    admin = chat.user("a1", "赵书记", role="admin")
    chat.group("g1", unit="一支部")
    await admin.says(f"/广播 单位 一支部,三支部 {NOTICE}")
    admin.hears("没有找到单位：三支部")
    await admin.says(f"/广播 平台 feishu {NOTICE}")
    admin.hears("没有「feishu」平台的群", "local")
    await admin.says(f"/广播 群 g1,g9 {NOTICE}")
    admin.hears("g9")
    await admin.says("/广播 状态 12")
    admin.hears("没有编号为 #12 的广播")
    await admin.says("/广播 状态 最新")
    admin.hears("用法：/广播 状态 [编号]")
    async with chat.db.transaction() as s:
        await touch_group(s, "local", "g1", "一支部党员群", chat.clock.now())
    await admin.says(f"/广播 群 一支部党员群 {NOTICE}")
    admin.hears("将向 1 个群发送以下通知（范围：指定群：一支部党员群）")
    await admin.says("确认")
    assert await chat.groups["g1"].messages() == [NOTICE]


async def test_a_retried_confirmation_sends_once(chat: ChatHarness) -> None:
    admin = chat.user("a1", "赵书记", role="admin")
    g = chat.group("g1", unit="一支部")
    await admin.says(f"/广播 {NOTICE}")
    await admin.says("确认", msg_id="confirm-1")
    admin.hears("广播 #1 已开始发送")
    await admin.says("确认", msg_id="confirm-1")  # the platform retried its callback
    admin.hears_nothing()
    assert await broadcasts(chat) == 1
    assert await g.messages() == [NOTICE]


async def test_failures_are_reported_without_credentials(make_chat: MakeChat) -> None:
    robot = FakeRobot("wecom", gone={"w2": "errcode 93000: invalid webhook url WEBHOOKKEY-0042"})
    wecom = await make_chat(deliverers=[robot])
    robot.clock = wecom.clock
    robot.flaky = {"w3"}
    admin = wecom.user("a1", "赵书记", role="admin")
    async with wecom.db.transaction() as s:
        now = wecom.clock.now()
        for chat_id in ("w1", "w2", "w3"):
            key = ("webhook", "WEBHOOKKEY-0042" if chat_id == "w2" else f"KEY-{chat_id}-9999", "")
            await bind_group(s, "wecom", chat_id, None, key, now)
    await admin.says("/广播 平台 wecom " + "很长的通知" * 140)
    admin.hears("wecom 的群消息最多 2048 字节", "这条约 2100 字节")
    await admin.says(f"/广播 平台 企业微信 {NOTICE}")
    admin.hears("将向 3 个群发送")
    await admin.says("确认")
    said = await admin.says("/广播 状态 1")
    admin.hears("已送达 1，待发送 1（其中 1 个在重试），失败 1")
    admin.hears(
        "发送失败的群：", "wecom:w2：errcode 93000", "尚未送达的群：", "wecom:w3：已试 1 次"
    )
    assert "WEBHOOKKEY-0042" not in said and "0123456789abcdef" not in said
    assert "key=***" in said
    await wecom.until_quiet()
    await admin.says("/广播 状态 1")
    admin.hears("已送达 2，待发送 0，失败 1")
    assert robot.texts("w1") == [NOTICE] and robot.texts("w3") == [NOTICE]
    assert robot.texts("w2") == []
