"""The command line as a deployer uses it: settings errors, serve, when, roster, chat."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.bot.cli_helpers import TONGXIN, run


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("TONGXIN_PORT", "eighty", "TONGXIN_PORT"),
        ("TONGXIN_PORT", "70000", "TONGXIN_PORT"),
        ("TONGXIN_TIMEZONE", "Mars/Olympus", "TONGXIN_TIMEZONE"),
        ("TONGXIN_ADMINS", "wecom:a,bob", "TONGXIN_ADMINS"),
        ("TONGXIN_DATABASE_URL", "mysql://x", "TONGXIN_DATABASE_URL"),
        ("TONGXIN_WECOM_AES_KEY", "short", "TONGXIN_WECOM_AES_KEY"),
    ],
)
def test_a_bad_setting_is_one_clear_line(name: str, value: str, fragment: str) -> None:
    result = run(["serve"], {name: value})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert fragment in lines[0] and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["chat"], "tongxin: 缺少参数 --as。用 tongxin chat --help 查看用法。"),
        (["when"], "tongxin: 缺少参数 expr。用 tongxin when --help 查看用法。"),
        (["chat", "--as"], "tongxin: --as 后面要跟一个值。用 tongxin chat --help 查看用法。"),
        (["serve", "now"], "tongxin: 不认识的参数 now。用 tongxin --help 查看用法。"),
        (["frobnicate"], "tongxin: 没有 frobnicate 这个命令，可以用：serve, chat, db,"),
    ],
)
def test_a_wrong_argument_is_one_chinese_line(args: list[str], said: str) -> None:
    result = run(args)
    assert result.returncode == 2 and result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(said), line


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_answers_healthz_and_stops_cleanly(tmp_path: Path) -> None:
    env = {
        "TONGXIN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
        "TONGXIN_PORT": str(free_port()),
    }
    assert run(["db", "upgrade"], env).returncode == 0
    full = {k: v for k, v in os.environ.items() if not k.startswith("TONGXIN_")} | env
    proc = subprocess.Popen([*TONGXIN, "serve"], env=full, stderr=subprocess.PIPE, text=True)
    try:
        started = time.monotonic()
        status = None
        while time.monotonic() - started < 15:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{env['TONGXIN_PORT']}/healthz", timeout=1
                ) as r:
                    status = r.status
                    break
            except OSError:
                time.sleep(0.1)
        assert status == 200
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert "shutting down" in err and "Traceback" not in err
    assert "platform off (settings absent): wecom" in err


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("下周五下午三点", "2026-12-04T15:00:00+08:00"),
        ("下下周一", "2026-12-07"),
        ("１５：３０", "2026-11-26T15:30:00+08:00"),
    ],
)
def test_when_prints_iso(expr: str, expected: str) -> None:
    now = "2026-11-25T20:00:00+08:00" if "周" in expr else "2026-11-26T09:00:00+08:00"
    result = run(["when", expr, "--now", now])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def _lunar(year: int, month: int, day: int) -> str:
    from lunar_python import Lunar

    return str(Lunar.fromYmd(year, month, day).getSolar().toYmd())


@pytest.mark.parametrize(
    ("expr", "now", "expected"),
    [
        ("下午三点到五点", "2026-11-26T09:00:00+08:00",
         "2026-11-26T15:00:00+08:00/2026-11-26T17:00:00+08:00"),
        ("12月3日（星期四）下午5点前", "2026-11-25T20:00:00+08:00", "2026-12-03T17:00:00+08:00"),
        ("下个月5号", "2026-11-25T20:00:00+08:00", "2026-12-05"),
        ("7点", "2026-11-26T08:30:00+08:00", "2026-11-26T19:00:00+08:00"),
        ("国庆后第一天上班", "2026-09-20T09:00:00+08:00", "2026-10-08"),
        ("正月初八", "2026-11-25T20:00:00+08:00", _lunar(2027, 1, 8)),
    ],
)  # fmt: skip
def test_when_reads_what_notices_write(expr: str, now: str, expected: str) -> None:
    result = run(["when", expr, "--now", now])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_when_says_a_skipped_year_on_stderr() -> None:
    result = run(["when", "2月29日", "--now", "2026-11-25T20:00:00+08:00"])
    assert result.returncode == 0
    assert result.stdout.strip() == "2028-02-29"
    assert "2027年没有2月29日" in result.stderr


def test_when_explains_what_it_cannot_read() -> None:
    result = run(["when", "找个时间", "--now", "2026-11-25T20:00:00+08:00"])
    assert result.returncode == 2
    assert "「" in result.stderr and result.stdout == ""
    past = run(["when", "15:30", "--now", "2026-11-25T20:00:00+08:00"])
    assert past.returncode == 2 and "已经过去" in past.stderr


ROWS = [
    ["姓名", "平台", "用户ID", "单位/支部", "角色"],
    ["王老师", "企业微信", "wang", "一支部", "教师"],
    ["李书记", "wecom", "li", "一支部", "书记"],
    ["", "wecom", "nobody", "一支部", ""],
    ["赵老师", "飞书", "zhao", "一支部", ""],
    ["钱书记", "dingtalk", "qian", "", "书记"],
    ["孙老师", "dingtalk", "sun", "二支部", "校长"],
    ["局党委", "local", "boss", "", "管理员"],
]


def test_roster_import_reports_bad_rows_and_is_idempotent(tmp_path: Path) -> None:
    env = {"TONGXIN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'r.db'}"}
    assert run(["db", "upgrade"], env).returncode == 0
    csv_path = tmp_path / "roster.csv"
    csv_path.write_text("\n".join(",".join(r) for r in ROWS), encoding="utf-8-sig")
    wb = Workbook()
    for row in ROWS:
        wb.active.append(row)
    xlsx_path = tmp_path / "roster.xlsx"
    wb.save(xlsx_path)
    for path in (csv_path, xlsx_path, csv_path):
        result = run(["roster", "import", str(path)], env)
        assert result.returncode == 1
        assert "导入 3 人，4 行有误未导入" in result.stdout
        for line in (4, 5, 6, 7):
            assert f"第 {line} 行" in result.stderr
    import sqlite3

    con = sqlite3.connect(tmp_path / "r.db")
    people = con.execute("select count(*) from people").fetchone()[0]
    grants = con.execute("select role, scope from role_grants order by role").fetchall()
    members = con.execute("select count(*) from memberships").fetchone()[0]
    con.close()
    assert people == 3 and members == 2
    assert [g[0] for g in grants] == ["admin", "secretary"]


def test_chat_repl_talks_to_the_bot(tmp_path: Path) -> None:
    env = {"TONGXIN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'c.db'}"}
    result = run(
        ["chat", "--as", "me", "--name", "王老师", "--role", "admin"], env, input="/我是谁\n/帮助\n"
    )
    assert result.returncode == 0, result.stderr
    assert "角色：管理员" in result.stdout and "/授权" in result.stdout
