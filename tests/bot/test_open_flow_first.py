"""What a person is in the middle of comes first; a /command leaves it; a stale flow asks again."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.messaging import ConversationState
from tests.bot import sample_flow
from tests.conftest import MakeChat
from tests.harness import ChatHarness


@pytest.fixture
async def sample(make_chat: MakeChat) -> ChatHarness:
    return await make_chat(features=sample_flow.ALL)


async def test_an_open_flow_hears_a_keyword_as_its_answer(chat: ChatHarness) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    g = chat.group("g1", unit="一支部")
    await sec.says("/投票 新建", g)
    sec.hears("投票主题是什么？")
    await sec.says("投票 年度调查", g)
    sec.hears("投票类型？")
    assert "您目前没有待投的投票" not in "".join(sec.last)


async def test_any_command_leaves_the_open_flow_and_says_so(sample: ChatHarness) -> None:
    sec = sample.user("s1", role="secretary", unit="一支部")
    await sec.says("/调查 新建")
    await sec.says("年度调查")
    await sec.says("/帮助")
    sec.hears("之前未完成的「试用调查」已放弃", "我能帮您做这些")
    await sec.says("30")
    sec.hears("发送「/帮助」")  # nothing open any more


@pytest.mark.parametrize("word", ["取消", "/取消"])
async def test_cancel_with_or_without_the_slash_leaves_the_flow_and_says_so(
    sample: ChatHarness, word: str
) -> None:
    sec = sample.user("s1", role="secretary", unit="一支部")
    await sec.says("/调查 新建")
    await sec.says("年度调查")
    sec.hears("预计多少人参加？")
    await sec.says(word)
    sec.hears("已取消「试用调查」")
    async with sample.db.reading() as s:
        assert await s.scalar(select(ConversationState.id)) is None
    await sec.says(word)
    sec.hears("当前没有进行中的操作")


async def test_a_refused_command_also_leaves_the_flow(chat: ChatHarness) -> None:
    t = chat.user("t1", "王老师", unit="一支部")
    await t.says("/意见箱")
    t.hears("请写下您的意见或建议")
    await t.says("/投票 新建")
    t.hears("之前未完成的「意见箱」已放弃", "需要支部书记权限")
    async with chat.db.reading() as s:
        assert await s.scalar(select(ConversationState.id)) is None


async def test_a_stray_one_never_confirms_a_forgotten_flow(sample: ChatHarness) -> None:
    sec = sample.user("s1", role="secretary", unit="一支部")
    for answer in ("/调查 新建", "年度调查", "30", "1", "甲\n乙\n完成"):
        await sec.says(answer)
    sec.hears("回复「确认」提交")
    await sample.advance(minutes=12)
    await sec.says("1")
    sec.hears("您之前的「试用调查」还没有完成", "主题：年度调查", "回复「确认」提交")
    assert "已创建" not in "".join(sec.last)
    await sec.says("1")
    sec.hears("已创建「年度调查」")


async def test_a_stale_choice_by_its_words_is_taken(sample: ChatHarness) -> None:
    sec = sample.user("s1", role="secretary", unit="一支部")
    for answer in ("/调查 新建", "年度调查", "30"):
        await sec.says(answer)
    await sample.advance(minutes=12)
    await sec.says("匿名")  # unambiguous: no need to ask again
    sec.hears("请逐条发送选项")


async def test_a_stale_flow_lets_a_keyword_through(chat: ChatHarness) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    wang = chat.user("t1", "王老师", unit="一支部")
    g = chat.group("g1", unit="一支部")
    await sec.says("/签到 发起 支部党员大会 截止 23:00", g)
    await wang.says("/意见箱", g)
    await chat.advance(minutes=12)
    await wang.says("签到", g)
    wang.hears("已签到", "新到：王老师")


async def test_a_choice_is_stored_as_its_code_and_survives_a_new_label(
    sample: ChatHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    sec = sample.user("s1", role="secretary", unit="一支部")
    for answer in ("/调查 新建", "年度调查", "30", "2"):
        await sec.says(answer)
    async with sample.db.reading() as s:
        data = await s.scalar(select(ConversationState.data))
    assert data is not None and data["mode"] == "anon"
    # A reworded option (a new release) does not break the flow in progress.
    monkeypatch.setitem(sample_flow.MODES, "anon", "不记名")
    await sec.says("甲\n乙\n完成")
    sec.hears("方式：不记名")
    await sec.says("确认")
    sec.hears("已创建「年度调查」")


async def test_a_title_after_the_command_is_not_asked_again(sample: ChatHarness) -> None:
    sec = sample.user("s1", role="secretary", unit="一支部")
    await sec.says("/调查 新建 年度调查")
    sec.hears("预计多少人参加？")
