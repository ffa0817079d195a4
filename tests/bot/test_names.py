"""Names in lists read in pinyin order, surnames read as surnames."""

from __future__ import annotations

from bot.names import by_pinyin, sort_by_pinyin
from tests.handlers.natural_helpers import branch
from tests.harness import ChatHarness


def test_pinyin_order_with_surname_readings() -> None:
    # 曾 as a surname is zēng (after 王, before 张); 单 is shàn, not dān.
    names = ["张丽", "曾老师", "王老师", "单老师", "安娜", "孙悦", "李书记"]
    assert by_pinyin(names) == ["安娜", "李书记", "单老师", "孙悦", "王老师", "曾老师", "张丽"]
    assert sort_by_pinyin([("b", "赵"), ("a", "陈")], lambda p: p[1]) == [("a", "陈"), ("b", "赵")]


async def test_the_missing_are_listed_by_pinyin(chat: ChatHarness) -> None:
    sec, _, g = branch(chat)
    chat.user("t5", "曾老师", unit="一支部")
    await sec.says("/签到 发起 主题党日 截止 21:00", g)
    await sec.says("/签到 统计", g)
    sec.hears("未到：孙悦、王老师、曾老师、张丽、赵老师")
