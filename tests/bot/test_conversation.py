"""The conversation engine: steps, hints, cancel, restart, timeout."""

from __future__ import annotations

import pytest

from tests.bot import sample_flow
from tests.conftest import MakeChat
from tests.harness import ChatHarness


@pytest.fixture
async def sample(make_chat: MakeChat) -> ChatHarness:
    return await make_chat(features=sample_flow.ALL)


ANSWERS = ["年度调查", "30", "2", "甲\n乙", "完成", "确认"]


async def test_full_flow_with_hints(sample: ChatHarness) -> None:
    sec = sample.user("s1", role="secretary", unit="一支部")
    await sec.says("/调查 新建")
    sec.hears("调查主题是什么？")
    await sec.says("年度调查")
    sec.hears("预计多少人参加？")
    await sec.says("很多")
    sec.hears("请写 1–99 之间的数字。", "预计多少人参加？")
    await sec.says("３０")  # full-width digits
    sec.hears("1. 实名", "2. 匿名")
    await sec.says("5")
    sec.hears("请回复选项前的序号（1–2）")
    await sec.says("匿名")
    sec.hears("请逐条发送选项")
    await sec.says("甲")
    sec.hears("已记下 1 项")
    await sec.says("完成")
    sec.hears("至少需要 2 项")
    await sec.says("乙\n丙\n完成")
    sec.hears("主题：年度调查；人数：30；方式：匿名；选项：甲、乙、丙", "回复「确认」提交")
    await sec.says("好的吧")
    sec.hears("请回复「确认」或「取消」")
    await sec.says("确认")
    sec.hears("已创建「年度调查」")
    await sec.says("随便说点")
    sec.hears("发送「/帮助」")


@pytest.mark.parametrize("step", range(len(ANSWERS)))
async def test_cancel_from_every_step(sample: ChatHarness, step: int) -> None:
    sec = sample.user("s1", role="secretary", unit="一支部")
    await sec.says("/survey new")
    for answer in ANSWERS[:step]:
        await sec.says(answer)
    await sec.says("/取消" if step % 2 else "取消")
    sec.hears("已取消「试用调查」")
    await sec.says("年度调查")
    sec.hears("发送「/帮助」")  # nothing open any more


async def test_flow_survives_restart(sample: ChatHarness) -> None:
    sec = sample.user("s1", role="secretary", unit="一支部")
    await sec.says("/调查 新建")
    await sec.says("年度调查")
    await sec.says("30")
    await sample.restart()
    await sec.says("实名")
    sec.hears("请逐条发送选项")
    await sec.says("甲\n乙\n完成")
    await sec.says("确认")
    sec.hears("已创建「年度调查」")


async def test_flow_times_out_with_notice(sample: ChatHarness) -> None:
    sec = sample.user("s1", role="secretary", unit="一支部")
    g = sample.group("g1", unit="一支部")
    await sec.says("/调查 新建", g)
    await sample.advance(minutes=10)
    assert not await g.received("会话已超时")
    await sec.says("年度调查", g)  # an answer extends the deadline
    await sample.advance(minutes=25)
    assert not await g.received("会话已超时")
    await sample.advance(minutes=10)
    assert await g.received("会话已超时，「试用调查」已取消")
    await sec.says("30", g)
    sec.hears("发送「/帮助」")


async def test_teacher_cannot_start_secretary_flow(sample: ChatHarness) -> None:
    t = sample.user("t1")
    await t.says("/调查 新建")
    t.hears("需要支部书记权限")
