"""A person's data: the export holds what is theirs by name and nothing anonymity hides;
erasure leaves every count and ledger as it was, and no trace of who they were."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select, text

from bot.messages import Outgoing
from bot.person_data import ERASED_NAME, ERASED_PLATFORM, walk
from bot.person_data.files import as_json
from handlers import FEATURES
from storage.messaging import OutboxMessage
from storage.models import Person
from tests.bot.person_helpers import (
    AHEAD_REASON,
    ANON_OPINION,
    ANON_SUGGESTION,
    NAMED_OPINION,
    NAMED_SUGGESTION,
    PERSON_ID,
    PERSON_NAME,
    RECORDED_ON,
    a_busy_week,
    as_after,
    console_status,
    ledgers,
    numbers,
    person_id,
    pointing_at,
    where_found,
)
from tests.handlers.feedback_helpers import open_call
from tests.handlers.polls_helpers import ANON_SINGLE
from tests.harness import ChatHarness
from tests.keys import TEST_KEY

pytestmark = pytest.mark.chat(secret_key=TEST_KEY)

# The ledgers that keep pointing at an erased person's row, counting and naming no one.
LEDGERS = [
    "audit_log.person_id",
    "checkin_entries.person_id",
    "feedback_members.person_id",
    "feedback_opinions.person_id",
    "poll_audience.person_id",
    "poll_voters.person_id",
    "poll_votes.person_id",
    "suggestions.author_person_id",
]


async def test_export_holds_the_named_and_not_the_anonymous(chat: ChatHarness) -> None:
    await a_busy_week(chat)
    found = await walk.export(chat.db, FEATURES, f"local:{PERSON_ID}", chat.clock.now())
    document = json.loads(as_json(found, chat.settings.tz))
    shown = json.dumps(document, ensure_ascii=False)
    sections = {s["类别"]: s["内容"] for s in document["记录"]}

    assert sections["基本信息"] == [
        {
            "编号": found.subject.id,
            "平台": "本地通道",
            "用户ID": PERSON_ID,
            "姓名": PERSON_NAME,
            "首次联系": "2026-11-25 20:00",
        }
    ]
    assert sections["所在单位"] == [{"单位": "一支部"}]
    assert [(r["角色"], r["单位"], r["授予人"]) for r in sections["角色"]] == [
        ("支部书记", "二支部", "周主任")
    ]
    assert [(r["签到"], r["结果"]) for r in sections["签到记录"]] == [("主题党日", "出席")]
    polls = {r["投票"]: r for r in sections["投票"]}
    assert polls["年度优秀党员推荐"]["我的选择"] == "张三"
    assert polls["食堂服务评议"]["已投票"] == "是"
    assert polls["食堂服务评议"]["我的选择"] == "（匿名，不记录）"
    calls = sections["征求意见"]
    assert [(c["反馈情况"], c["内容"]) for c in calls] == [
        ("实名提出意见", NAMED_OPINION),
        ("匿名反馈（内容不与您关联）", ""),
    ]
    assert [s["内容"] for s in sections["实名建言"]] == [NAMED_SUGGESTION]
    assert [(m["发言"], m["内容"]) for m in sections["实名建言的往来"]] == [
        ("书记", "收到，谢谢"),  # as typed
        ("您", "辛苦了"),
    ]
    assert len(sections["后台登录"]) == 1
    assert [a["操作"] for a in sections["后台操作记录"]] == ["console.login", "meeting.record"]
    # Leave asked ahead, and the meetings whose 记录人 or 主持人 is their name.
    assert [(r["会议"], r["会议日期"], r["请假理由"]) for r in sections["会前请假"]] == [
        ("支委会", "2026-12-18", AHEAD_REASON)
    ]
    assert [(r["签到"], r["署名"]) for r in sections["署名为主持人或记录人的签到"]] == [
        ("主题党日", "记录人")
    ]
    assert [
        (r["单位"], r["日期"], r["主持人"], r["应到"], r["实到"], r["您是"])
        for r in sections["补录的会议"]
    ] == [("二支部", RECORDED_ON, PERSON_NAME, 6, 5, "补录人、主持人")]
    # What they set of the school's calendar.
    assert [(r["范围"], r["开始"], r["结束"]) for r in sections["设置的学期"]] == [
        ("二支部", "2026-09-01", "2027-01-22"),
        ("二支部", "2027-02-22", "2027-07-09"),
    ]
    assert [(r["设置"], r["内容"]) for r in sections["修改过的廉政日历设置"]] == [
        ("中考日期", "6月16日")
    ]
    assert [(r["名称"], r["日期"], r["提醒内容"]) for r in sections["添加的廉政提醒日"]] == [
        ("校庆", "每年10月15日", "校庆期间严守廉洁纪律")
    ]
    assert "发给您的消息" in sections
    mentioned = {(m["发往"], m["内容"]) for m in sections["提到您的消息"]}
    assert ("g1", "「主题党日」已签到 2/3（新到：王小明）") in mentioned
    assert ("他人私聊", "建言 #1 的王小明补充：\n辛苦了\n回复请发送「/回复 1 内容」。") in mentioned
    # Nobody else's account id is in it.
    assert not any(other in shown for other in ("admin1", "sec1", "t2"))
    # What anonymity hides is not there, and the file says why.
    for hidden in (ANON_OPINION, ANON_SUGGESTION, "非常好"):
        assert hidden not in shown
    assert "匿名投票的选择" in document["匿名内容"]


async def test_erasure_keeps_every_count_and_leaves_no_trace(chat: ChatHarness) -> None:
    cast = await a_busy_week(chat)
    g = cast.g
    checkin_then = await cast.sec.says("/签到 统计", g)
    named_then = await cast.sec.says("/投票 结果 2", g)
    anon_then = await cast.sec.says("/投票 结果 1", g)
    files_then = await ledgers(chat)
    old_id = await person_id(chat, PERSON_ID)
    assert old_id is not None
    pointing = await pointing_at(chat, old_id)
    assert {"checkin_leave_ahead.person_id", "meeting_records.creator_id"} <= set(pointing)
    assert await console_status(chat, cast.cookie) == 200
    assert await where_found(chat, [PERSON_ID, PERSON_NAME])

    who = await walk.lookup(chat.db, FEATURES, str(old_id))
    erasure = await walk.erase(chat.db, FEATURES, who)
    assert erasure.not_compacted == ""
    summary = {(d.what, d.how.value): d.n for d in erasure.done}
    assert summary[("签到记录", "kept")] == 1
    assert summary[("实名选票", "kept")] == 1
    assert summary[("实名意见", "kept")] == 1
    assert summary[("角色", "deleted")] == 1
    assert summary[("会前请假", "deleted")] == 1
    assert summary[("签到的主持人、记录人署名", "cleared")] == 1
    assert summary[("补录会议的补录人", "cleared")] == 1
    assert summary[("补录会议的主持人署名", "cleared")] == 1
    assert summary[("学期日期设置人", "cleared")] == 2
    assert summary[("廉政日历设置修改人", "cleared")] == 1
    assert summary[("廉政提醒日添加人", "cleared")] == 1

    # No trace of who they were, in any column of any table; only ledgers still
    # point at their (anonymised) row.
    assert await where_found(chat, [PERSON_ID, PERSON_NAME]) == []
    assert await pointing_at(chat, old_id) == LEDGERS
    async with chat.db.reading() as s:
        row = await s.get(Person, old_id)
    assert row is not None
    assert (row.platform, row.display_name) == (ERASED_PLATFORM, ERASED_NAME)
    assert await console_status(chat, cast.cookie) != 200

    # The same numbers everywhere, with 「已注销人员」 where the name stood.
    def renamed(text: str) -> str:
        return text.replace(PERSON_NAME, ERASED_NAME)

    assert await cast.sec.says("/签到 统计", g) == renamed(checkin_then)
    assert await cast.sec.says("/投票 结果 2", g) == renamed(named_then)
    assert await cast.sec.says("/投票 结果 1", g) == anon_then
    files_now = await ledgers(chat)
    for name, rows in files_then.items():
        expected = as_after(rows, (PERSON_NAME, PERSON_ID), (ERASED_NAME, row.platform_user_id))
        assert sorted(files_now[name]) == expected, name
        # Spelled out: every count and share, ids aside.
        assert numbers(files_now[name], row.platform_user_id) == numbers(rows, PERSON_ID), name

    # The account may start again, as someone new (once the serving process
    # no longer vouches for the sender it saw a moment ago).
    chat.app.ingest.forget_senders()
    await cast.person.says("/我是谁")
    cast.person.hears("教师")
    fresh = await person_id(chat, PERSON_ID)
    assert fresh is not None and fresh != old_id
    await cast.person.says("/反馈")
    cast.person.hears("目前没有需要您反馈的征求意见")


async def test_erased_words_leave_the_sqlite_files(chat: ChatHarness) -> None:
    url = chat.settings.database_url
    if not url.startswith("sqlite"):
        pytest.skip("the files are SQLite's; PostgreSQL is VACUUMed (docs/privacy.md)")
    await insecure_deletes(chat)
    await a_busy_week(chat)
    path = Path(url.removeprefix("sqlite+aiosqlite:///"))
    files = [path, path.with_name(path.name + "-wal")]
    marks = [m.encode() for w in (PERSON_ID, PERSON_NAME) for m in (w, json.dumps(w)[1:-1])]

    def on_disk() -> list[bytes]:
        return [m for m in marks if any(m in f.read_bytes() for f in files if f.exists())]

    assert on_disk() == marks
    who = await walk.lookup(chat.db, FEATURES, f"local:{PERSON_ID}")
    await walk.erase(chat.db, FEATURES, who)
    assert on_disk() == []
    async with chat.db.reading() as s:
        assert await s.scalar(select(Person.id).where(Person.id == who.id)) == who.id


async def insecure_deletes(chat: ChatHarness) -> None:
    """SQLite as built without SECURE_DELETE (Debian's has it, python.org's does not):
    a deleted or rewritten row's bytes stay in the page's free space until reused."""

    def off(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA secure_delete = OFF")
        cur.close()

    event.listen(chat.db.engine.sync_engine, "connect", off)
    await chat.db.engine.dispose()


async def test_what_is_still_open_no_longer_waits_for_them(chat: ChatHarness) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    person = chat.user(PERSON_ID, PERSON_NAME, role="secretary", unit="一支部")
    zhang = chat.user("t2", "张老师", unit="一支部")
    g, g2 = chat.group("g1", unit="一支部"), chat.group("g2", unit="一支部")
    await person.says("/会议 每月 政治学习")  # they are reminded of it each month
    await sec.says("/签到 发起 主题党日 截止 23:00", g)
    await zhang.says("签到", g)
    await sec.says("/签到 发起 政治学习 截止 23:00", g2)
    await person.says("请假 孩子发烧", g2)
    await sec.says("/投票 新建", g)
    for step in (*ANON_SINGLE, "确认"):
        await sec.says(step, g)
    await zhang.says("投票 1")
    await zhang.says("确认")
    await open_call(sec, g)
    await person.says("/意见箱")
    await person.says(f"{NAMED_SUGGESTION}\n完成")
    await person.says("实名")
    await person.says("确认")
    async with chat.db.transaction() as s:  # waiting in the outbox as they leave
        waiting = Outgoing.group(
            "local", "g1", f"请{PERSON_NAME}（{PERSON_ID}）发言", mentions=[PERSON_ID, "t2"]
        )
        await chat.app.runtime.send(s, [waiting])

    who = await walk.lookup(chat.db, FEATURES, f"local:{PERSON_ID}")
    await walk.erase(chat.db, FEATURES, who)
    await chat.settle()
    said = (await chat.delivered("g1"))[-1]
    assert (said["text"], said.get("mentions")) == (f"请{ERASED_NAME}（{ERASED_NAME}）发言", ["t2"])

    # A seat they never took is gone: no one can fill it.
    await sec.says("/签到 统计", g)
    # (The secretary who opened it is counted present.)
    sec.hears("「主题党日」应到 2，实到 2，请假 0，未到 0。")
    await sec.says("/投票 结果", g)
    sec.hears("参与：1/2 人（50%）")
    await sec.says("/征求意见 统计")
    sec.hears("应反馈 2 人", "尚未反馈 2 人")
    # An answer they gave stays, without their reason.
    await sec.says("/签到 统计", g2)
    sec.hears("「政治学习」应到 3，实到 1，请假 1，未到 1。", ERASED_NAME)
    assert "孩子发烧" not in "\n".join(sec.last)

    # Replies, nudges, closings and monthly reminders reach no one in their name.
    await sec.says("/回复 1 收到，谢谢")
    await sec.says("/签到 提醒", g)
    await chat.advance(days=6)
    assert await g.received("「食堂服务评议」投票已截止")
    async with chat.db.reading() as s:
        platforms = set(await s.scalars(select(OutboxMessage.platform)))
    assert platforms == {"local"}
    assert await where_found(chat, [PERSON_ID, PERSON_NAME]) == []


async def test_erased_words_leave_the_postgresql_pages(chat: ChatHarness) -> None:
    if chat.db.is_sqlite:
        pytest.skip("PostgreSQL's pages; SQLite's files have their own test")
    await a_busy_week(chat)
    marks = [m.encode() for w in (PERSON_ID, PERSON_NAME) for m in (w, json.dumps(w)[1:-1])]
    async with chat.db.engine.begin() as conn:
        await conn.execute(text("ANALYZE"))  # as autovacuum does: names go into statistics
    assert {"people", "pg_statistic"} <= set(await pages_holding(chat, marks))
    who = await walk.lookup(chat.db, FEATURES, f"local:{PERSON_ID}")
    await walk.erase(chat.db, FEATURES, who)
    assert await pages_holding(chat, marks) == []


async def pages_holding(chat: ChatHarness, marks: list[bytes]) -> list[str]:
    """Every page of the schema's tables, indexes and TOAST, and of the planner's
    statistics, read raw (pageinspect), dead row versions and free space
    included: the relations where any of `marks` is."""
    found = []
    async with chat.db.engine.connect() as conn:
        await conn.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
        relations = await conn.execute(
            text(
                "SELECT c.oid::regclass::text,"
                " pg_relation_size(c.oid) / current_setting('block_size')::int"
                " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname IN ('public', 'pg_toast') AND c.relkind IN ('r', 'i', 't')"
                " AND (n.nspname = 'public' OR c.relname LIKE 'pg_toast_%')"
                " UNION SELECT 'pg_statistic',"
                " pg_relation_size('pg_statistic') / current_setting('block_size')::int"
            )
        )
        for name, blocks in relations.all():
            for block in range(int(blocks)):
                page = await conn.scalar(
                    text("SELECT get_raw_page(:r, :b)"), {"r": name, "b": block}
                )
                if any(m in bytes(page) for m in marks):
                    found.append(name)
                    break
        await conn.commit()
    return found
