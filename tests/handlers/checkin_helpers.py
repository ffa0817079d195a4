"""A branch with two check-ins behind it, for the ledger tests and the console's."""

from __future__ import annotations

from tests.harness import ChatHarness, Group, User


def branch(chat: ChatHarness) -> tuple[User, list[User], Group]:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    teachers = [
        chat.user("t1", "王老师", unit="一支部"),
        chat.user("t2", "张老师", unit="一支部"),
        chat.user("t3", "赵老师", unit="一支部"),
    ]
    return sec, teachers, chat.group("g1", unit="一支部")


async def two_meetings(chat: ChatHarness) -> tuple[User, list[User], Group]:
    """主题党日: 李 on time, 王 late, 张 on leave, 赵 absent, a guest.
    政治学习 the next day: everyone on time but 赵, on leave."""
    sec, (wang, zhang, zhao), g = branch(chat)
    guest = chat.user("x1", "钱老师", unit="二支部")
    await sec.says("/签到 发起 主题党日 截止 20:30 允许迟到", g)
    await sec.says("签到", g)
    await zhang.says("请假 外出培训", g)
    await guest.says("签到", g)
    await chat.advance(minutes=40)
    await wang.says("签到", g)
    await sec.says("/签到 结束", g)
    await chat.advance(days=1)
    await sec.says("/签到 发起 政治学习 截止 21:00", g)
    for t in (sec, wang, zhang):
        await t.says("签到", g)
    await zhao.says("请假 家中有事", g)
    await chat.advance(hours=1)
    assert await g.received("签到结束。「政治学习」")
    return sec, [wang, zhang, zhao], g
