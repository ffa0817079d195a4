"""Saved text is saved as typed: normalising is for matching, on a copy."""

from __future__ import annotations

import pytest

from bot.messages import normalize_text
from bot.typed import typed_in
from tests.bot import sample_flow
from tests.conftest import MakeChat

TYPED = [
    "一、加强政治建设；二、改进工作作风",
    "太咸，能否反映一下？",
    "（一）学习：党章",
    "１２月的“主题党日”",
    "甲　乙",
    "第一行，\n\n  第二行：完",
]


@pytest.mark.parametrize("raw", TYPED)
def test_whole_message_maps_back_to_what_was_typed(raw: str) -> None:
    assert typed_in(raw, normalize_text(raw)).split() == raw.split()


@pytest.mark.parametrize(
    ("raw", "fragment", "expected"),
    [
        ("@同心 一、政治建设；二、改进", "一,政治建设;二,改进", "一、政治建设；二、改进"),
        ("/投票 新建 年度，好党员 张三", "年度,好党员", "年度，好党员"),
        ("请假：孩子生病，发烧", "孩子生病,发烧", "孩子生病，发烧"),
        ("/回复 12　已转告食堂，本周起调整", "已转告食堂,本周起调整", "已转告食堂，本周起调整"),
        ("", "太咸,能否", "太咸,能否"),
        ("别的话", "太咸,能否", "太咸,能否"),
    ],
)
def test_a_fragment_maps_back(raw: str, fragment: str, expected: str) -> None:
    assert typed_in(raw, fragment) == expected


async def test_flow_answers_are_stored_as_typed(make_chat: MakeChat) -> None:
    chat = await make_chat(features=sample_flow.ALL)
    sec = chat.user("s1", role="secretary", unit="一支部")
    await sec.says("/调查 新建")
    await sec.says("一、加强政治建设；二、改进作风")
    await sec.says("３０")
    await sec.says("实名")
    await sec.says("太咸，能否反映一下？\n好的：继续\n完成")
    sec.hears("主题：一、加强政治建设；二、改进作风；", "选项：太咸，能否反映一下？、好的：继续")
