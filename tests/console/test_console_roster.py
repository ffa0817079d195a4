"""人员, 单位, 群 and 花名册导入 in a real browser, as an admin and as a secretary."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from playwright.async_api import Browser, Page
from sqlalchemy import select

from storage.console import AuditEntry
from storage.models import ChatGroup, GroupCredential, Membership, Person, RoleGrant, Unit
from tests.console.browser import screenshot
from tests.console.helpers import serve_publicly, signed_in
from tests.harness import ChatHarness


def wecom_export(rows: list[list[object]]) -> bytes:
    """A sheet shaped like WeCom's 通讯录 export: a title line, then 姓名/帐号/别名/职务/部门 …"""
    wb = Workbook()
    wb.active.append(["实验中学通讯录（导出）"])
    wb.active.append(["姓名", "帐号", "别名", "职务", "部门", "性别", "手机"])
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


async def cells(page: Page, selector: str) -> list[list[str]]:
    return [
        [c.strip() for c in await row.locator("td").all_text_contents()]
        for row in await page.locator(f"{selector} tr").all()
    ][1:]


async def upload(page: Page, path: Path, platform: str = "") -> None:
    await page.set_input_files("input[name=file]", str(path))
    if platform:
        await page.select_option("select[name=platform]", platform)
    await page.click("#preview")


async def test_roster_upload_bad_line_then_good_file(
    chat: ChatHarness, browser: Browser, tmp_path: Path
) -> None:
    base = serve_publicly(chat)
    boss = chat.user("boss", "王主任", role="admin")
    ctx = await signed_in(browser, boss)
    page = await ctx.new_page()
    await page.goto(base + "/console/import")
    await screenshot(page, "console-import")

    bad = tmp_path / "通讯录.xlsx"
    bad.write_bytes(
        wecom_export(
            [
                ["李书记", "LiMing", "", "书记", "实验中学/第一党支部", "女", "139"],
                ["周老师", "", "", "教师", "实验中学/第一党支部", "女", "137"],
                ["王老师", "WangLi", "", "", "实验中学/第一党支部;实验中学/教务处", "男", ""],
            ]
        )
    )
    await upload(page, bad)
    assert await page.text_content("#layout") == "企业微信通讯录导出"
    assert await page.text_content("#good") == "2" and await page.text_content("#bad") == "1"
    assert "第 4 行：帐号不能为空" in (await page.text_content("#errors") or "")
    assert await cells(page, "#rows") == [
        ["3", "李书记", "企业微信", "LiMing", "第一党支部", "教师"],
        ["5", "王老师", "企业微信", "WangLi", "第一党支部", "教师"],
    ]
    await screenshot(page, "console-import-preview")

    # A CSV in our own columns, corrected, with the platform chosen on the page.
    good = tmp_path / "roster.csv"
    good.write_text(
        "姓名,用户ID,单位,角色\n李书记,LiMing,第一党支部,书记\n周老师,ZhouYu,第一党支部,\n"
        "王老师,WangLi,第一党支部,\n",
        encoding="utf-8-sig",
    )
    await page.goto(base + "/console/import")
    await upload(page, good, "wecom")
    assert await page.locator("#errors").count() == 0
    await page.click("#confirm")
    assert page.url.endswith("/console/people?imported=3")
    assert "已导入 3 人" in (await page.text_content("#notice") or "")
    listed = await cells(page, "#people")
    assert [r[0] for r in listed] == ["周老师", "李书记", "王主任", "王老师"]
    assert listed[1][3:] == ["第一党支部", "支部书记：第一党支部"]
    async with chat.db.reading() as s:
        people = await s.scalar(select(Person.id).where(Person.platform_user_id == "ZhouYu"))
        members = list(await s.scalars(select(Membership.person_id)))
        entry = await s.scalar(select(AuditEntry).where(AuditEntry.action == "roster.import"))
    assert people in members and len(members) == 3
    assert entry is not None and "3 人" in entry.detail
    await ctx.close()


async def test_grant_and_revoke_from_the_people_page_with_the_audit_log(
    chat: ChatHarness, browser: Browser
) -> None:
    base = serve_publicly(chat)
    boss = chat.user("boss", "王主任", role="admin")
    sec = chat.user("sec", "李书记", role="secretary", unit="第一党支部")
    teacher = chat.user("t1", "周老师", unit="第一党支部")
    chat.user("t2", "吴老师", unit="第二党支部")
    await teacher.says("/我是谁")
    ctx = await signed_in(browser, boss)
    page = await ctx.new_page()
    await page.goto(base + "/console/people?q=周")
    assert [r[0] for r in await cells(page, "#people")] == ["周老师"]
    await page.click("text=周老师")
    await page.select_option("#grant select[name=role]", "secretary")
    await page.select_option("#grant select[name=unit]", label="第一党支部")
    await page.click("#grant button")
    assert "已授予权限" in (await page.text_content("#notice") or "")
    assert "支部书记（第一党支部）" in (await page.text_content("#roles") or "")
    history = await cells(page, "#history")
    assert history[0][1:] == ["王主任", "授予 周老师 支部书记（第一党支部）"]
    await screenshot(page, "console-person")
    await teacher.says("/我是谁")
    teacher.hears("角色：支部书记")

    await page.click("#roles form.inline button")
    assert "已撤销权限" in (await page.text_content("#notice") or "")
    assert [r[2] for r in await cells(page, "#history")] == [
        "撤销 周老师 支部书记（第一党支部）",
        "授予 周老师 支部书记（第一党支部）",
    ]
    await teacher.says("/我是谁")
    teacher.hears("角色：教师")
    # A grant made in chat is in the same log.
    await boss.says("/授权 t1 书记 第一党支部")
    await page.goto(base + "/console/people")
    logged = await page.text_content("#history") or ""
    assert "授予 周老师 支部书记（第一党支部）（聊天）" in logged
    await screenshot(page, "console-people")

    # The secretary sees only their unit's people, and cannot grant another unit.
    sctx = await signed_in(browser, sec)
    spage = await sctx.new_page()
    await spage.goto(base + "/console/people")
    assert sorted(r[0] for r in await cells(spage, "#people")) == ["周老师", "李书记"]
    assert await spage.locator("#history").count() == 0
    async with chat.db.reading() as s:
        wu = await s.scalar(select(Person.id).where(Person.platform_user_id == "t2"))
        other = await s.scalar(select(Unit.id).where(Unit.name == "第二党支部"))
    assert (await sctx.request.get(f"{base}/console/people/{wu}")).status == 403
    await spage.goto(base + "/console/people")
    await spage.click("text=周老师")
    csrf = await spage.get_attribute("#grant input[name=csrf]", "value")
    form = {"csrf": csrf or "", "action": "grant", "role": "secretary", "unit": str(other)}
    refused = await sctx.request.post(spage.url, form=form)
    assert refused.status == 403
    form["role"] = "admin"
    assert (await sctx.request.post(spage.url, form=form)).status == 403
    async with chat.db.reading() as s:
        assert await s.scalar(select(RoleGrant.id).where(RoleGrant.unit_id == other)) is None
    await sctx.close()
    await ctx.close()


async def test_units_and_groups_pages(chat: ChatHarness, browser: Browser) -> None:
    base = serve_publicly(chat)
    boss = chat.user("boss", "王主任", role="admin")
    sec = chat.user("sec", "李书记", role="secretary", unit="第一党支部")
    g = chat.group("wrkGroup1")
    await sec.says("/我是谁", g)
    ctx = await signed_in(browser, boss)
    page = await ctx.new_page()
    await page.goto(base + "/console/units")
    await page.fill("#new-unit input[name=name]", "第二党支部")
    await page.click("#new-unit button")
    assert "单位已新建" in (await page.text_content("#notice") or "")
    await page.fill("#new-unit input[name=name]", "第二党支部")
    await page.click("#new-unit button")
    assert "已经有同名的单位了" in (await page.text_content("#error") or "")
    assert [r[0] for r in await cells(page, "#units")] == ["第一党支部", "第二党支部"]
    await screenshot(page, "console-units")

    await page.goto(base + "/console/groups")
    await page.click("text=wrkGroup1")
    await page.select_option("#bind select[name=unit]", label="第一党支部")
    await page.click("#bind button")
    assert await page.text_content("#unit") == "第一党支部"
    assert "本地通道的群不需要凭证" in await page.content()
    async with chat.db.reading() as s:
        unit = await s.scalar(select(Unit).where(Unit.name == "第一党支部"))
        assert unit is not None
        members = list(await s.scalars(select(Membership.unit_id)))
    assert members == [unit.id]  # 李书记, heard in the group, was on the roster already

    # A WeCom group's robot key is written once and shown masked ever after.
    async with chat.db.transaction() as s:
        from storage.people import touch_group

        wecom = await touch_group(s, "wecom", "wrkSFfCgAA", "实验中学一支部群", chat.clock.now())
    await page.goto(f"{base}/console/groups/{wecom}")
    await page.fill("#set-credential input[name=secret]", "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa")
    await page.click("#set-credential button")
    assert await page.text_content("#credential") == "693a…5aaa "
    html = await page.content()
    assert "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa" not in html
    await page.goto(base + "/console/groups")
    assert "实验中学一支部群" in await page.content() and "693a…5aaa" in await page.content()
    await screenshot(page, "console-groups")
    async with chat.db.reading() as s:
        secret = await s.scalar(select(GroupCredential.secret))
    assert secret == "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"

    # The secretary sees their unit's group, not the WeCom one, and cannot rename units.
    sctx = await signed_in(browser, sec)
    spage = await sctx.new_page()
    await spage.goto(base + "/console/groups")
    assert "wrkGroup1" in await spage.content() and "实验中学一支部群" not in await spage.content()
    assert (await sctx.request.get(f"{base}/console/groups/{wecom}")).status == 403
    await spage.goto(base + "/console/units")
    assert [r[0] for r in await cells(spage, "#units")] == ["第一党支部"]
    assert await spage.locator("#new-unit").count() == 0

    # Unbinding from the 群 page: the group belongs to no unit, the log says which it
    # left, and the secretary, who spoke there, sees it unbound (to bind it again).
    await page.goto(base + "/console/groups")
    await page.click("text=wrkGroup1")
    await page.click("#unbind button")
    assert "已解除绑定" in (await page.text_content("#notice") or "")
    assert await page.text_content("#unit") == "未绑定"
    assert await page.locator("#unbind").count() == 0
    async with chat.db.reading() as s:
        bound = await s.scalar(select(ChatGroup.unit_id).where(ChatGroup.chat_id == "wrkGroup1"))
        logged = list(
            await s.scalars(select(AuditEntry.detail).where(AuditEntry.action == "group.unbind"))
        )
    assert bound is None and logged == ["群「wrkGroup1」解除与「第一党支部」的绑定"]
    await spage.goto(base + "/console/groups")
    assert [r[:3] for r in await cells(spage, "#groups")] == [["wrkGroup1", "本地", "未绑定"]]
    await sctx.close()
    await ctx.close()
