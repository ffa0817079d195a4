"""A school set up from chat alone: one admin named in TONGXIN_ADMINS, no CLI, no roster file."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.console import AuditEntry
from storage.models import ChatGroup, Membership, RoleGrant, Unit
from tests.harness import ChatHarness

pytestmark = pytest.mark.chat(admins=["local:boss"])


async def test_fresh_install_binds_grants_and_checks_in(chat: ChatHarness) -> None:
    boss = chat.user("boss", "局党委王主任")
    li = chat.user("li", "李书记")
    teachers = [chat.user(f"t{i}", f"老师{i}") for i in (1, 2, 3)]
    g = chat.group("g1")
    # The people of the group have talked to the bot before anyone set it up.
    for person in (li, *teachers[:2]):
        await person.says("/我是谁", g)

    await boss.says("/绑定 第一党支部", g)
    boss.hears("没有「第一党支部」这个单位，将新建它，并把本群绑定到「第一党支部」", "确认")
    await boss.says("确认", g)
    boss.hears("已把本群绑定到「第一党支部」", "3 人已加入「第一党支部」名单")

    await boss.says("/授权 @李书记 书记", g)
    boss.hears("已授予 李书记 支部书记权限（第一党支部）")
    await li.says("/我是谁", g)
    li.hears("角色：支部书记", "书记单位：第一党支部")

    await li.says("/签到 发起 主题党日 截止 21:00", g)
    li.hears("主题党日")
    for teacher in teachers:
        await teacher.says("签到", g)
    await li.says("/签到 结束", g)
    # 李书记 (who opened it, so present) and two teachers were on the roster;
    # 老师3 spoke first at the check-in.
    li.hears("应到 3", "实到 3", "名单外签到：老师3")

    async with chat.db.reading() as s:
        unit = await s.scalar(select(Unit).where(Unit.name == "第一党支部"))
        assert unit is not None
        group = await s.scalar(select(ChatGroup).where(ChatGroup.chat_id == "g1"))
        assert group is not None and group.unit_id == unit.id
        grants = list(await s.scalars(select(RoleGrant)))
        assert [(r.role, r.unit_id) for r in grants] == [("secretary", unit.id)]
        members = await s.scalars(select(Membership.unit_id))
        assert list(members) == [unit.id] * 3
        actions = list(await s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["unit.create", "group.bind", "role.grant"]


async def test_grant_in_an_unbound_group_offers_the_unit(chat: ChatHarness) -> None:
    boss = chat.user("boss", "王主任")
    zhao = chat.user("zhao", "赵书记")
    g = chat.group("g2")
    await zhao.says("/我是谁", g)
    await boss.says("/授权 赵书记 书记", g)
    boss.hears("本群还没有绑定单位。赵书记 是哪个单位的书记？")
    await boss.says("第二党支部", g)
    boss.hears("没有「第二党支部」这个单位。将新建「第二党支部」，把本群绑定到它")
    boss.hears("并授予 赵书记 支部书记权限")
    await boss.says("确认", g)
    boss.hears("已把本群绑定到「第二党支部」", "已授予 赵书记 支部书记权限（第二党支部）")

    # A unit named outright that does not exist yet: created after a confirm, in direct chat too.
    qian = chat.user("qian", "钱书记")
    await qian.says("/我是谁")
    await boss.says("/授权 qian 书记 第三党支部")
    boss.hears("将新建「第三党支部」，并授予 钱书记 支部书记权限")
    await boss.says("确认")
    boss.hears("已授予 钱书记 支部书记权限（第三党支部）")

    # Nobody changes their own role; a secretary cannot grant.
    await boss.says("/授权 boss 管理员", g)
    boss.hears("不能更改自己的权限")
    await zhao.says("/授权 qian 书记", g)
    zhao.hears("需要管理员权限")


async def test_secretary_binds_only_to_own_unit_and_units_are_listed(chat: ChatHarness) -> None:
    boss = chat.user("boss", "王主任")
    await boss.says("/单位 新建 第一党支部 上级 实验中学")
    boss.hears("已新建单位「第一党支部」（上级：实验中学）")
    await boss.says("/单位 新建 第二党支部")
    await boss.says("/单位 新建 第二党支部")
    boss.hears("已经有「第二党支部」这个单位了")
    sec = chat.user("sec", "孙书记", role="secretary", unit="第一党支部")
    g = chat.group("g3")
    await sec.says("/绑定 第二党支部", g)
    sec.hears("您不是「第二党支部」的书记")
    await sec.says("/绑定 第九党支部", g)
    sec.hears("新建单位需要管理员权限")
    await sec.says("/绑定 第一党支部", g)
    sec.hears("已把本群绑定到「第一党支部」")
    await sec.says("/绑定 第一党支部", g)
    sec.hears("本群已经绑定在「第一党支部」")

    # Moving a group to another unit needs a confirm; afterwards its old secretary is out.
    await boss.says("/绑定 第二党支部", g)
    boss.hears("本群目前绑定的是「第一党支部」", "改绑到「第二党支部」")
    await boss.says("确认", g)
    await sec.says("/解绑", g)
    sec.hears("您不是本群所属支部的书记")
    await boss.says("/解绑", g)
    boss.hears("已解除本群与「第二党支部」的绑定")

    await boss.says("/单位 列表")
    boss.hears("共 3 个单位", "第一党支部（上级：实验中学）：成员 1 人，群 0 个，书记 孙书记")
    await sec.says("/单位 列表")
    sec.hears("共 1 个单位", "第一党支部")
    await sec.says("/单位 新建 第五党支部")
    sec.hears("需要管理员权限")
