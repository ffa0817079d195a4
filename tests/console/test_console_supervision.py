"""督导 in a real browser: 30 branches and a year of meetings, every figure checked against
the database; sorting, the trend, drill-down, recording a meeting, kinds, a secretary's scope."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date

from playwright.async_api import Browser, Page
from sqlalchemy import select

from bench.supervision import TITLES, generate
from storage.checkin import Checkin, CheckinEntry
from storage.models import Unit
from storage.supervision import Cadence, MeetingRecord
from tests.console.browser import screenshot
from tests.console.helpers import cells, download, serve_publicly, signed_in
from tests.harness import ChatHarness

TODAY = date(2026, 11, 25)
MONTHLY = {"支委会", "党小组会", "主题党日"}


def period(kind: str, month: int) -> int:
    return month - 1 if kind in MONTHLY else (month - 1) // 3


async def truth(chat: ChatHarness) -> dict[str, dict[str, object]]:
    """Per unit, straight from the tables: meetings per kind and period, and attendance."""
    titles = {
        template.format(m=m, q=q): kind
        for kind, templates in TITLES.items()
        for template in templates
        for m in range(1, 13)
        for q in range(1, 5)
    }
    held: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    people = defaultdict(lambda: [0, 0])
    monthly = defaultdict(lambda: [0, 0])
    tz = chat.settings.tz
    async with chat.db.reading() as s:
        names = {uid: name for uid, name in await s.execute(select(Unit.id, Unit.name))}
        kinds = {cid: name for cid, name in await s.execute(select(Cadence.id, Cadence.name))}
        for ck, expected, status in await s.execute(
            select(Checkin, CheckinEntry.expected, CheckinEntry.status).join(
                CheckinEntry, CheckinEntry.checkin_id == Checkin.id
            )
        ):
            kind = titles.get(ck.title)
            if kind is None or not expected:
                continue
            came = status in ("present", "late")
            month = ck.opened_at.astimezone(tz).month
            people[names[ck.unit_id]][0] += 1
            people[names[ck.unit_id]][1] += came
            monthly[month][0] += 1
            monthly[month][1] += came
        for ck in await s.scalars(select(Checkin)):
            if (kind := titles.get(ck.title)) is not None:
                held[names[ck.unit_id]][kind].append(ck.opened_at.astimezone(tz).month)
        for r in await s.scalars(select(MeetingRecord)):
            held[names[r.unit_id]][kinds[r.cadence_id]].append(r.held_on.month)
            people[names[r.unit_id]][0] += r.expected
            people[names[r.unit_id]][1] += r.attended
            monthly[r.held_on.month][0] += r.expected
            monthly[r.held_on.month][1] += r.attended
    out: dict[str, dict[str, object]] = {}
    for name in names.values():
        row: dict[str, object] = {}
        missed_total = 0
        for kind in TITLES:
            months = held[name][kind]
            periods = 11 if kind in MONTHLY else 4
            ended = 10 if kind in MONTHLY else 3
            done = {period(kind, m) for m in months}
            missed = sum(1 for p in range(ended) if p not in done)
            missed_total += missed
            now = sum(1 for m in months if period(kind, m) == period(kind, 11))
            row[kind] = (now, len(months), periods, missed)
        expected, came = people[name]
        row["attendance"] = f"{100 * came / expected:.0f}%" if expected else "—"
        row["missed"] = missed_total
        out[name] = row
    out["_monthly"] = {m: round(100 * c / e) for m, (e, c) in monthly.items() if e}
    return out


async def table(page: Page) -> dict[str, dict[str, object]]:
    """The 督导 table as shown: per unit and kind (now, held this year, due, missed)."""
    heads = [
        (await h.inner_text()).split("\n")[0].rstrip(" ▲▼")
        for h in await page.locator("#supervision tr th").all()
    ]
    kinds = heads[1:-2]
    found: dict[str, dict[str, object]] = {}
    for row in (await page.locator("#supervision tr").all())[1:]:
        tds = await row.locator("td").all()
        name = (await tds[0].inner_text()).strip()
        entry: dict[str, object] = {}
        for kind, td in zip(kinds, tds[1:-2], strict=True):
            now_text, year_text = (await td.inner_text()).split("\n")
            now = re.search(r"(\d+)/1$", now_text.strip())
            whole = re.search(r"全年 (\d+)/(\d+)", year_text)
            assert now and whole, (now_text, year_text)
            missed = int(await td.get_attribute("data-missed") or "0")
            entry[kind] = (int(now.group(1)), int(whole.group(1)), int(whole.group(2)), missed)
        entry["attendance"] = (await tds[-2].inner_text()).strip()
        entry["missed"] = int((await tds[-1].inner_text()).strip())
        found[name] = entry
    return found


async def test_thirty_branches_checked_against_the_database(
    chat: ChatHarness, browser: Browser
) -> None:
    base = serve_publicly(chat)
    await generate(chat.db, units=30, members=8, year=2026, until=TODAY)
    expected = await truth(chat)
    monthly = expected.pop("_monthly")
    boss = chat.user("boss", "局党委", role="admin")
    ctx = await signed_in(browser, boss)
    page = await ctx.new_page()
    await page.goto(base + "/console/supervision")
    # Before the background count and after it: the same figures.
    assert await table(page) == expected
    await chat.tick()
    await page.reload()
    shown = await table(page)
    assert shown == expected
    assert await page.text_content("#units") == "30"
    behind = [n for n, row in expected.items() if row["missed"]]
    assert await page.text_content("#behind") == str(len(behind))
    points = {
        int((await g.get_attribute("data-label") or "").rstrip("月")): int(
            await g.get_attribute("data-percent") or ""
        )
        for g in await page.locator("svg.trend g.point").all()
    }
    assert points == monthly and len(points) == 11
    await screenshot(page, "console-supervision")

    # Sorted by attendance, lowest first; then only the units behind.
    await page.click("a[data-sort=attendance]")
    values = [
        float(v)
        for v in await page.locator("#supervision td[data-attendance]").evaluate_all(
            "tds => tds.map(td => td.dataset.attendance)"
        )
    ]
    assert values == sorted(values) and len(values) == 30
    await page.click("#behind")
    assert sorted(await table(page)) == sorted(behind)
    sheet = cells(await download(page, "#download"))
    assert all(name in sheet for name in expected)

    # Drill-down: the unit's meetings of the year, each one listed.
    await page.goto(base + "/console/supervision")
    await page.click("text=第001党支部")
    listed = await page.locator("#meetings tr").count() - 1
    row = expected["第001党支部"]
    assert listed == sum(row[k][1] for k in TITLES)  # type: ignore[index]
    await screenshot(page, "console-supervision-unit")

    # A kind added later counts the meetings already tallied under its name too.
    async with chat.db.reading() as s:
        forums = {
            name
            for name, title in await s.execute(
                select(Unit.name, Checkin.title).join(Checkin, Checkin.unit_id == Unit.id)
            )
            if "座谈会" in title
        }
    assert forums
    await page.goto(base + "/console/supervision/kinds")
    await page.fill("#new-kind input[name=name]", "座谈会")
    await page.select_option("#new-kind select[name=period]", "half")
    await page.click("#new-kind button")
    await page.goto(base + "/console/supervision")
    now = await table(page)
    assert {n for n, r in now.items() if r["座谈会"][1]} == forums  # type: ignore[index]
    await ctx.close()


async def test_a_secretary_sees_their_units_and_records_a_meeting(
    chat: ChatHarness, browser: Browser
) -> None:
    base = serve_publicly(chat)
    await generate(chat.db, units=5, members=6, year=2026, until=TODAY)
    sec = chat.user("sec", "李书记", role="secretary", unit="第002党支部")
    boss = chat.user("boss", "局党委", role="admin")
    async with chat.db.transaction() as s:
        from storage.people import grant_role, touch_person

        pid = await touch_person(s, "local", "sec", "李书记", chat.clock.now())
        first = await s.scalar(select(Unit.id).where(Unit.name == "第001党支部"))
        assert first is not None
        await grant_role(s, pid, "secretary", first, "test", chat.clock.now())
        other = await s.scalar(select(Unit.id).where(Unit.name == "第003党支部"))
    ctx = await signed_in(browser, sec)
    page = await ctx.new_page()
    await page.goto(base + "/console/supervision")
    mine = await table(page)
    assert sorted(mine) == ["第001党支部", "第002党支部"]
    assert (await ctx.request.get(f"{base}/console/supervision/{other}")).status == 403
    sheet = cells(await download(page, "#download"))
    assert "第001党支部" in sheet and "第003党支部" not in sheet

    # A 党课 held with a paper sign-in sheet, recorded so the record is complete.
    before = mine["第001党支部"]["党课"]
    await page.click("text=第001党支部")
    await page.click("#record-box summary")
    await page.fill("#record input[name=day]", "2026-11-20")
    await page.select_option("#record select[name=kind]", label="党课")
    await page.fill("#record input[name=place]", "三楼会议室")
    await page.fill("#record input[name=host]", "李书记")
    await page.fill("#record input[name=expected]", "6")
    await page.fill("#record input[name=attended]", "7")
    await page.click("#save-record")
    assert "实到加请假不能超过应到" in (await page.text_content("#error") or "")
    await page.fill("#record input[name=attended]", "5")
    await page.fill("#record input[name=leave]", "1")
    await page.click("#save-record")
    assert "已补录" in (await page.text_content("#notice") or "")
    assert "三楼会议室" in (await page.text_content("#meetings") or "")
    await screenshot(page, "console-supervision-record")
    await page.goto(base + "/console/supervision")
    now, held, due, missed = before  # type: ignore[misc]
    assert (await table(page))["第001党支部"]["党课"] == (now + 1, held + 1, due, missed)

    # An admin adds 政治学习 (monthly): a new column for every unit.
    bctx = await signed_in(browser, boss)
    kinds = await bctx.new_page()
    await kinds.goto(base + "/console/supervision/kinds")
    await kinds.fill("#new-kind input[name=name]", "政治学习")
    await kinds.select_option("#new-kind select[name=period]", "month")
    await kinds.fill("#new-kind input[name=keywords]", "理论学习")
    await kinds.click("#new-kind button")
    assert "已增加" in (await kinds.text_content("#notice") or "")
    await screenshot(kinds, "console-supervision-kinds")
    await page.reload()
    assert (await table(page))["第001党支部"]["政治学习"] == (0, 0, 11, 10)
    # A secretary reads the kinds but cannot change them.
    await page.click("text=第001党支部")
    csrf = await page.get_attribute("#record input[name=csrf]", "value") or ""
    form = {"action": "add", "name": "x", "period": "month", "per_period": "1", "csrf": csrf}
    refused = await ctx.request.post(f"{base}/console/supervision/kinds", form=form)
    assert refused.status == 403
    await page.goto(base + "/console/supervision/kinds")
    assert await page.locator("#new-kind").count() == 0
    assert "理论学习" in (await page.text_content("#kinds") or "")
    await bctx.close()
    await ctx.close()
