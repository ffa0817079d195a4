"""Steps shared by the feedback tests and the console's: opening a call, answering it."""

from __future__ import annotations

from tests.harness import Group, User


async def open_call(sec: User, g: Group | None, *, deadline: str = "11月28日17:00") -> None:
    """The secretary opens "2027年度支部工作计划" for the unit roster, anonymous allowed."""
    await sec.says("/征求意见 新建", g)
    sec.hears("征求意见的标题是什么？")
    await sec.says("2027年度支部工作计划", g)
    sec.hears("请发送需要大家提意见的内容")
    await sec.says("请重点看第三部分：主题党日安排。", g)
    sec.hears("有原文链接吗？")
    await sec.says("www.example.com", g)
    sec.hears("链接要以 http:// 或 https:// 开头")
    await sec.says("https://example.com/plan.docx", g)
    sec.hears("反馈截止到什么时候？")
    await sec.says("昨天", g)
    sec.hears("已经过去了")
    await sec.says(deadline, g)
    if g is not None:
        sec.hears("请哪些人反馈？", "1. 本支部名册上的全体同志", "2. 本群里发过言的同志")
        await sec.says("1", g)
    sec.hears("是否允许匿名反馈？")
    await sec.says("允许匿名", g)
    sec.hears("标题：2027年度支部工作计划", "原文：https://example.com/plan.docx", "方式：允许匿名")
    await sec.says("确认", g)


async def answer(t: User, *lines: str, way: str | None = "实名") -> None:
    await t.says("/反馈")
    for line in lines:
        await t.says(line)
    if way is not None:
        t.hears("实名还是匿名提交？")
        await t.says(way)
    t.hears("请确认您对「2027年度支部工作计划」的反馈")
    await t.says("确认")
