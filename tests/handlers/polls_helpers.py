"""Shared set-up of the polls tests: a branch with a secretary, teachers and a group."""

from __future__ import annotations

from dataclasses import dataclass

from tests.harness import ChatHarness, Group, User


@dataclass
class Branch:
    sec: User
    teachers: list[User]
    g: Group


def branch(chat: ChatHarness, teachers: int = 3) -> Branch:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    ts = [chat.user(f"t{i}", f"老师{i}", unit="一支部") for i in range(1, teachers + 1)]
    return Branch(sec, ts, chat.group("g1", unit="一支部"))


async def create(b: Branch, *answers: str) -> str:
    """Run /投票 新建 in the group with these answers; the last reply."""
    await b.sec.says("/投票 新建", b.g)
    for answer in answers:
        await b.sec.says(answer, b.g)
    return "\n".join(b.sec.last)


# Answers for each kind, up to (not including) the final 确认.
NAMED_SINGLE = (
    "年度优秀党员推荐",
    "1",
    "张三\n李四\n王五\n完成",
    "实名",
    "实时公布",
    "明天17:00",
    "1",
)
ANON_SINGLE = (
    "食堂服务评议",
    "1",
    "非常好\n还可以\n需改进\n完成",
    "匿名",
    "截止后公布",
    "明天17:00",
    "1",
)
NAMED_MULTI = (
    "支委候选人",
    "2",
    "甲\n乙\n丙\n丁\n完成",
    "2",
    "实名",
    "截止后公布",
    "明天17:00",
    "1",
)
ANON_GRADE = (
    "中层干部民主测评",
    "3",
    "赵主任\n钱主任\n完成",
    "1",
    "匿名",
    "截止后公布",
    "明天17:00",
    "1",
)
ANON_RATING = ("党课质量评分", "4", "匿名", "仅发起人可见", "明天17:00", "1")
