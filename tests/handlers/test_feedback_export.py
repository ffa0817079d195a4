"""The XLSX ledger of a call, read back, and the sealing key's home."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.config import ConfigError, Settings, load_settings
from bot.seal import KEY_FILE, load_key, seal, unseal
from handlers.feedback.manage import export
from handlers.feedback.report import Summary, build_feedback_export, render_summary
from schedules.timeparse import SHANGHAI
from storage.feedback import NAMED, PENDING, FeedbackCall, FeedbackOpinion, MemberRow
from tests.conftest import START
from tests.harness import ChatHarness, User

pytestmark = pytest.mark.chat(recording=True)


async def say_all(who: User, *answers: str) -> None:
    for text in answers:
        await who.says(text)


async def test_export_has_one_row_per_member(chat: ChatHarness, tmp_path: Path) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    named = chat.user("t1", "王老师", unit="一支部")
    anon = chat.user("t2", "张老师", unit="一支部")
    none = chat.user("t3", "赵老师", unit="一支部")
    chat.user("t4", "孙老师", unit="一支部")
    more = [chat.user("t5", "钱老师", unit="一支部"), chat.user("t6", "周老师", unit="一支部")]
    await say_all(sec, "/征求意见 新建", "支委会议事规则", "请提意见", "无", "明天17:00")
    await say_all(sec, "允许匿名", "确认")
    sec.hears("共 7 人参与")
    await say_all(named, "/反馈", "议题要提前三天发\n完成", "实名", "确认")
    await say_all(anon, "/反馈", "表决方式写清楚\n完成", "匿名", "确认")
    await say_all(none, "/反馈", "无意见", "实名", "确认")

    async with chat.db.reading() as session:
        before = load_workbook(io.BytesIO(await build_feedback_export(session, 1)))
    statuses = [row[3] for row in before["反馈情况"].iter_rows(min_row=2, values_only=True)]
    assert statuses.count("尚未反馈") == 4 and statuses.count("已反馈") == 3
    # One anonymous answer: its number, not its text, until there are three.
    withheld = [r[0] for r in before["匿名意见"].iter_rows(values_only=True)]
    assert withheld == [
        "匿名反馈 1 份：满 3 份才逐条显示，以免推断出是谁写的；不足 3 份的，截止后合并显示。"
    ]

    await say_all(more[0], "/反馈", "会议纪要当天发群里\n完成", "匿名", "确认")
    await say_all(more[1], "/反馈", "无意见", "匿名", "确认")
    await chat.advance(days=1)
    out = tmp_path / "ledger.xlsx"
    assert await export(chat.app.runtime, ["1", "--out", str(out)]) == 0
    book = load_workbook(out)
    rows = list(book["反馈情况"].iter_rows(values_only=True))
    assert rows[0] == ("序号", "姓名", "账号", "状态")
    by_name = {r[1]: r[3] for r in rows[1:]}
    # Named or anonymous, the ledger says the same.
    answered = {"王老师", "张老师", "赵老师", "钱老师", "周老师"}
    assert {n for n, status in by_name.items() if status == "已反馈"} == answered
    assert by_name["孙老师"] == by_name["李书记"] == "逾期未反馈，视为无意见"
    named_rows = list(book["实名意见"].iter_rows(values_only=True))
    assert named_rows[0] == ("序号", "姓名", "账号", "意见内容", "提交时间", "回执编号")
    wang, zhao = named_rows[1:]
    assert wang[1:5] == ("王老师", "t1", "议题要提前三天发", "2026-11-25 20:00")
    assert wang[5].startswith("FK") and zhao[1:4] == ("赵老师", "t3", "无意见")
    anon_rows = list(book["匿名意见"].iter_rows(min_row=2, values_only=True))
    assert anon_rows == [
        (1, "无意见", None),
        (2, "意见", "会议纪要当天发群里"),
        (3, "意见", "表决方式写清楚"),
    ]

    assert await export(chat.app.runtime, ["99", "--out", str(out)]) == 2
    assert await export(chat.app.runtime, []) == 2
    assert await export(chat.app.runtime, ["99999999999999999999"]) == 2


def test_key_file_is_made_once_with_owner_only_access(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/bot.db")
    key = load_key(settings)
    path = tmp_path / KEY_FILE
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_key(settings) == key
    blob = seal(key, "wecom", "zhangsan", "suggestion:3")
    assert b"zhangsan" not in blob
    assert unseal(key, blob, "suggestion:3") == ("wecom", "zhangsan")
    assert unseal(key, blob, "suggestion:4") is None
    assert unseal(bytes(32), blob, "suggestion:3") is None


def test_secret_key_setting_wins_and_is_checked(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/bot.db",
        secret_key="AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    )
    assert load_key(settings) == bytes(range(32))
    assert not (tmp_path / KEY_FILE).exists()
    with pytest.raises(ConfigError, match="TONGXIN_SECRET_KEY"):
        load_settings(secret_key="too-short")


def test_chat_summary_of_a_large_call_stays_short() -> None:
    call = FeedbackCall(
        id=7, title="年度计划", deadline=START, state="closed", allow_anonymous=True
    )
    rows = [
        MemberRow(f"老师{i}", f"u{i}", NAMED, FeedbackOpinion(kind="opinion", text="意见" * 150))
        for i in range(30)
    ] + [MemberRow(f"沉默{i}", f"s{i}", PENDING, None, 1000 + i) for i in range(60)]
    told = {1000 + i for i in range(60)}
    text = render_summary(Summary(call, rows, [], told), START, SHANGHAI)
    assert "提出意见 30 人（实名 30、匿名 0），明确无意见 0 人，逾期未反馈视为无意见 60 人" in text
    assert "\n20. 老师" in text and "意见" * 100 + "……" in text and "\n21. " not in text
    assert "……另有 10 条，见导出表格" in text
    silent = next(line for line in text.splitlines() if line.startswith("视为无意见"))
    assert silent.endswith("等 60 人") and silent.count("沉默") == 50
