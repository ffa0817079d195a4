"""Shared steps of the natural-language tests: a branch, a scheduled meeting."""

from __future__ import annotations

from tests.harness import ChatHarness, Group, User


def branch(chat: ChatHarness) -> tuple[User, list[User], Group]:
    """一支部: a secretary and four teachers (应到 5), and its group."""
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    teachers = [
        chat.user("t1", "王老师", unit="一支部"),
        chat.user("t2", "张丽", unit="一支部"),
        chat.user("t3", "孙悦", unit="一支部"),
        chat.user("t4", "赵老师", unit="一支部"),
    ]
    return sec, teachers, chat.group("g1", unit="一支部")


async def schedule_committee(sec: User, g: Group) -> None:
    """支委会 on the first Friday of each month at 15:00 (next: Friday 12月4日)."""
    await sec.says("/会议 新建 每月第一个周五15:00 支委会", g)
    await sec.says("确认", g)
    sec.hears("已安排「支委会」")
