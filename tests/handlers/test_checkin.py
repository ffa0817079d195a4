"""Check-ins as people use them: open, answer, count, nudge, close."""

from __future__ import annotations

import re

from bot.ingest import build_contexts
from bot.messages import Incoming
from tests.harness import ChatHarness, Group, User


def branch(chat: ChatHarness) -> tuple[User, User, User, User, Group]:
    """一支部: a secretary and three teachers (应到 4), and its group."""
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    wang = chat.user("t1", "王老师", unit="一支部")
    zhang = chat.user("t2", "张老师", unit="一支部")
    zhao = chat.user("t3", "赵老师", unit="一支部")
    return sec, wang, zhang, zhao, chat.group("g1", unit="一支部")


async def test_open_with_arguments_and_grouped_progress(chat: ChatHarness) -> None:
    sec, wang, zhang, zhao, g = branch(chat)
    await sec.says("/签到 发起 主题党日 截止 21:00", g)
    sec.hears("「主题党日」开始签到，截止 21:00，应到 4 人（发起人已签到）", "请假 原因")
    await wang.says("签到", g)
    wang.hears("「主题党日」已签到 2/4（新到：王老师）")
    # Within 30 s of that line the group hears nothing more ...
    chat.clock.advance(seconds=1)
    await zhang.says("@同心 到", g)
    zhang.hears_nothing()
    chat.clock.advance(seconds=10)
    await zhao.says("/签到", g)
    zhao.hears_nothing()
    await chat.advance(seconds=18)
    assert not await g.received("已签到 4/4")
    # ... and one line for both once the 30 s are up.
    await chat.advance(seconds=1)
    assert await g.received("「主题党日」已签到 4/4（新到：张老师、赵老师）")
    await chat.advance(minutes=1)
    # The one who opened it was counted present from the start.
    await sec.says("签到", g)
    sec.hears("已签到（20:00），无需重复")


async def test_answers_handled_together_share_one_line(chat: ChatHarness) -> None:
    """The engine may handle waiting messages in one transaction, with one `now`."""
    sec, wang, zhang, zhao, g = branch(chat)
    await sec.says("/签到 发起 主题党日 截止 21:00", g)
    rt = chat.app.runtime
    said: list[str] = []
    now = chat.clock.now()
    batch = [
        Incoming(
            platform="local",
            chat_id="g1",
            chat_type="group",
            sender_id=user.user_id,
            sender_name=user.name,
            text="签到",
            msg_id=f"together-{n}",
            at=now,
        )
        for n, user in enumerate((wang, zhang, zhao))
    ]
    async with chat.db.transaction() as s:
        for ctx in await build_contexts(rt, s, batch, now):
            await rt.router.dispatch(ctx)
            said += [o.text for o in ctx.out]
    assert said == ["「主题党日」已签到 2/4（新到：王老师）"]
    await chat.advance(seconds=30)
    line = [m for m in await g.messages() if "已签到 4/4" in m]
    assert len(line) == 1 and "张老师" in line[0] and "赵老师" in line[0], line
    assert "王老师" not in line[0]


async def test_open_by_guided_steps(chat: ChatHarness) -> None:
    sec, wang, *_, g = branch(chat)
    await sec.says("/checkin start", g)
    sec.hears("签到的会议名称是什么？")
    await sec.says("支部党员大会", g)
    sec.hears("签到截止时间？")
    await sec.says("昨天下午3点", g)
    sec.hears("已经过去了", "签到截止时间？")
    await sec.says("明天", g)
    sec.hears("请写到几点几分", "签到截止时间？")
    await sec.says("30分钟后", g)
    sec.hears("「支部党员大会」开始签到，截止 20:30，应到 4 人")
    await wang.says("签到", g)
    wang.hears("已签到 2/4")


async def test_english_form_with_options(chat: ChatHarness) -> None:
    sec, wang, *_, g = branch(chat)
    await sec.says('/checkin start "主题党日" --until 20:30 --code 1357 --late', g)
    sec.hears("「主题党日」开始签到，截止 20:30", "签到 签到码", "截止后到 21:30 仍可签到")
    assert any("1357" in m for m in await sec.inbox())
    await chat.advance(minutes=31)
    await wang.says("签到 1357", g)
    wang.hears("记为迟到")
    await wang.says("/checkin status")
    wang.hears("请在签到所在的群里")


async def test_title_given_deadline_asked(chat: ChatHarness) -> None:
    sec, *_, g = branch(chat)
    await sec.says("/签到 发起 政治学习 截止 后天吧", g)
    sec.hears("没看懂这个时间", "签到截止时间？")
    await sec.says("21:30", g)
    sec.hears("「政治学习」开始签到，截止 21:30")


async def test_check_in_code_right_and_wrong(chat: ChatHarness) -> None:
    sec, wang, zhang, _, g = branch(chat)
    await sec.says("/签到 发起 主题党日 截止 21:00 签到码", g)
    sec.hears("请 @我 发送「签到 签到码」")
    dm = await sec.inbox()
    found = re.search(r"签到码是 (\d{4})", "\n".join(dm))
    assert found is not None, dm
    code = found[1]
    assert code not in "\n".join(await g.messages())
    await wang.says("签到", g)
    wang.hears("本次签到需要签到码")
    wrong = "0000" if code != "0000" else "1111"
    await wang.says(f"签到 {wrong}", g)
    wang.hears("签到码不对，未记录")
    await wang.says(f"签到{code}", g)
    wang.hears("已签到 2/4")
    await zhang.says("/签到 统计", g)
    zhang.hears("实到 2，", "未到：")


async def test_secretary_sets_the_code(chat: ChatHarness) -> None:
    sec, wang, *_, g = branch(chat)
    await sec.says("/签到 发起 主题党日 截止 21:00 签到码 12345", g)
    sec.hears("签到码是 4 位数字")
    await sec.says("/签到 发起 主题党日 截止 21:00 签到码 2468", g)
    assert any("2468" in m for m in await sec.inbox())
    await wang.says("签到 2468", g)
    wang.hears("已签到 2/4")


async def test_late_refused_without_acceptance(chat: ChatHarness) -> None:
    sec, wang, *_, g = branch(chat)
    await sec.says("/签到 发起 主题党日 截止 20:30", g)
    chat.clock.advance(minutes=31)  # past the deadline, before the timer has run
    await wang.says("签到", g)
    wang.hears("「主题党日」签到已于 20:30 截止，未记录")
    await chat.tick()
    await wang.says("签到", g)
    wang.hears("「主题党日」签到已于 20:31 结束")


async def test_late_accepted_and_recorded(chat: ChatHarness) -> None:
    sec, wang, zhang, _, g = branch(chat)
    await sec.says("/签到 发起 主题党日 截止 20:30 允许迟到", g)
    sec.hears("截止后到 21:30 仍可签到，记为迟到")
    await zhang.says("签到", g)
    await chat.advance(minutes=40)
    await wang.says("签到", g)
    wang.hears("已签到（20:40），记为迟到")
    await wang.says("签到", g)
    wang.hears("已签到（20:40，迟到），无需重复")
    await sec.says("/签到 统计", g)
    sec.hears("应到 4，实到 3（迟到 1），请假 0，未到 1")
    await chat.advance(minutes=49)
    assert not await g.received("签到结束")
    await chat.advance(minutes=1)
    assert await g.received("签到结束。「主题党日」应到 4，实到 3（迟到 1）")


async def test_leave_with_a_reason(chat: ChatHarness) -> None:
    sec, wang, zhang, _, g = branch(chat)
    await sec.says("/签到 发起 主题党日 截止 21:00", g)
    await zhang.says("请假", g)
    zhang.hears("请假原因是什么？")
    await zhang.says("母亲住院，周五回", g)
    zhang.hears("已记下您的请假")
    assert "母亲住院" not in "\n".join(await g.messages())
    await zhang.says("请假 又有事", g)
    zhang.hears("您已请假（20:00）")
    await wang.says("签到", g)
    await wang.says("/签到 请假 临时有事", g)
    wang.hears("您已签到，无需请假")
    await sec.says("/签到 统计", g)
    sec.hears("实到 2，请假 1，未到 1", "请假：张老师\n", "未到：赵老师", "请假原因已私聊发给您")
    # The reason reaches the secretary alone, as typed.
    assert "请假：张老师（母亲住院，周五回）" in (await sec.inbox())[-1]
    assert "母亲住院" not in "\n".join(await g.messages())


async def test_double_check_in_counts_once(chat: ChatHarness) -> None:
    sec, wang, *_, g = branch(chat)
    await sec.says("/签到 发起 主题党日 截止 21:00", g)
    await wang.says("签到", g)
    chat.clock.advance(minutes=3)
    await wang.says("到", g)
    wang.hears("已签到（20:00），无需重复")
    # The same message delivered twice by the platform is handled once.
    await wang.says("签到", g, msg_id="dup-1")
    await wang.says("签到", g, msg_id="dup-1")
    wang.hears_nothing()
    await sec.says("/签到 统计", g)
    sec.hears("应到 4，实到 2，")


async def test_not_on_the_roster_is_recorded_apart(chat: ChatHarness) -> None:
    sec, *_, g = branch(chat)
    guest = chat.user("x1", "钱老师", unit="二支部")
    await sec.says("/签到 发起 主题党日 截止 21:00", g)
    await guest.says("签到", g)
    guest.hears("您不在本次签到的应到名单中，已单独记录")
    await sec.says("/签到 统计", g)
    sec.hears("应到 4，实到 1，", "名单外签到：钱老师")


async def test_teacher_cannot_open_remind_or_close(chat: ChatHarness) -> None:
    sec, wang, *_, g = branch(chat)
    await wang.says("/签到 发起 主题党日 截止 21:00", g)
    wang.hears("需要支部书记权限")
    other = chat.user("sec2", "周书记", role="secretary", unit="二支部")
    await other.says("/签到 发起 主题党日 截止 21:00", g)
    other.hears("不是本群所属支部的书记")
    await sec.says("/签到 发起 主题党日 截止 21:00", g)
    for word in ("提醒", "结束"):
        await wang.says(f"/签到 {word}", g)
        wang.hears("需要支部书记权限")
    await sec.says("/签到 发起 又一次 截止 21:00", g)
    sec.hears("本群已有进行中的签到「主题党日」")


async def test_remind_names_exactly_the_missing(chat: ChatHarness) -> None:
    sec, wang, zhang, _, g = branch(chat)
    await sec.says("/签到 发起 主题党日 截止 21:00", g)
    await wang.says("签到", g)
    await zhang.says("请假 生病", g)
    await sec.says("/签到 提醒", g)
    sec.hears("「主题党日」还有 1 人未签到，截止 21:00：赵老师")
    reminder = [m for m in await chat.delivered("g1") if "未签到" in m["text"]][-1]
    assert sorted(reminder["mentions"]) == ["t3"]
    assert "王老师" not in reminder["text"] and "张老师" not in reminder["text"]
    await chat.advance(minutes=4)
    await sec.says("/签到 提醒", g)
    sec.hears("20:00 刚提醒过")
    await chat.advance(minutes=1)
    await sec.says("/签到 提醒", g)
    sec.hears("还有 1 人未签到")


async def test_nudge_and_close_by_deadline(chat: ChatHarness) -> None:
    sec, wang, _, _, g = branch(chat)
    await sec.says("/签到 发起 主题党日 截止 20:30", g)
    await wang.says("签到", g)
    await chat.advance(minutes=24)
    assert not await g.received("未签到")
    await chat.advance(minutes=1)  # 20:25, five minutes before the deadline
    nudge = [m for m in await chat.delivered("g1") if "未签到" in m["text"]]
    assert len(nudge) == 1 and sorted(nudge[0]["mentions"]) == ["t2", "t3"]
    await chat.advance(minutes=4)
    assert not await g.received("签到结束")
    await chat.advance(minutes=1)
    assert await g.received("签到结束。「主题党日」应到 4，实到 2，请假 0，未到 2")
    assert await g.received("缺席：")
    await chat.advance(minutes=10)
    assert len([m for m in await g.messages() if "签到结束" in m]) == 1


async def test_secretary_closes_early(chat: ChatHarness) -> None:
    sec, wang, *_, g = branch(chat)
    await sec.says("/签到 发起 主题党日 截止 21:00", g)
    await wang.says("签到", g)
    await sec.says("/签到 结束", g)
    sec.hears("签到结束。「主题党日」应到 4，实到 2")
    await wang.says("签到", g)
    wang.hears("「主题党日」签到已于 20:00 结束")
    await chat.advance(hours=1)
    assert len([m for m in await g.messages() if "签到结束" in m]) == 1
    await sec.says("/签到 结束", g)
    sec.hears("本群现在没有进行中的签到")


async def test_group_without_unit_uses_who_spoke(chat: ChatHarness) -> None:
    sec, wang, zhang, _, _ = branch(chat)
    loose = chat.group("g2")
    await wang.says("/帮助", loose)
    await zhang.says("/帮助", loose)
    await sec.says("/签到 发起 教研组会 截止 21:00", loose)
    sec.hears("应到 3 人", "本群未绑定支部")


async def test_nothing_open_says_so_never_the_greeting(chat: ChatHarness) -> None:
    _, wang, *_, g = branch(chat)
    for word in ("签到", "/签到", "我到了"):
        await wang.says(word, g)
        wang.hears("本群现在没有进行中的签到", "本群还没有安排会议")
        assert "您好" not in "\n".join(wang.last)
    await wang.says("签到")
    wang.hears("签到请在会议所在的群里")
