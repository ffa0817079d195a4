"""The CLI before the database is ready: one line saying what to do, never a traceback."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

# Every command that reads or writes the database, the features' own included.
COMMANDS = [
    ["calendar", "2026"],
    ["holidays", "load", "holidays.csv"],
    ["roster", "import", "roster.csv"],
    ["group", "bind", "local:g1", "--unit", "一支部"],
    ["export", "checkins", "--unit", "一支部", "--year", "2026"],
    ["export", "poll", "1"],
    ["export", "feedback", "1"],
    ["serve"],
]


def tongxin(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("TONGXIN_")}
    full.update(env)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env=full,
        cwd=cwd,
        timeout=60,
    )


def one_line(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert fragment in lines[0] and "tongxin db upgrade" in lines[0], lines[0]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_fresh_folder_is_told_to_migrate_and_keeps_no_file(
    tmp_path: Path, args: list[str]
) -> None:
    (tmp_path / "roster.csv").write_text("姓名,平台,用户ID\n王老师,local,wang\n", encoding="utf-8")
    (tmp_path / "holidays.csv").write_text("2027-10-01,休,国庆节\n", encoding="utf-8")
    one_line(tongxin(args, tmp_path), "还不存在")
    assert not (tmp_path / "tongxin.db").exists()


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_an_unmigrated_database_is_told_to_migrate(tmp_path: Path, args: list[str]) -> None:
    sqlite3.connect(tmp_path / "empty.db").close()
    url = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    one_line(tongxin(args, tmp_path, TONGXIN_DATABASE_URL=url), "未迁移")


def test_a_database_behind_the_program_and_then_migrated(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    upgraded = tongxin(["db", "upgrade"], tmp_path, TONGXIN_DATABASE_URL=url)
    assert upgraded.returncode == 0 and "数据库已是最新" in upgraded.stdout
    # As if the database predates the supervision tables.
    con = sqlite3.connect(tmp_path / "old.db")
    for table in ("checkin_tallies", "meeting_records", "cadences"):
        con.execute(f"DROP TABLE {table}")
    con.execute("DELETE FROM alembic_version WHERE version_num = '0750'")
    con.commit()
    con.close()
    one_line(tongxin(["calendar", "2026"], tmp_path, TONGXIN_DATABASE_URL=url), "不一致")
    assert tongxin(["db", "upgrade"], tmp_path, TONGXIN_DATABASE_URL=url).returncode == 0
    # Migrated: the calendar prints each reminder day (the CLI path of `calendar`).
    shown = tongxin(["calendar", "2026"], tmp_path, TONGXIN_DATABASE_URL=url)
    assert shown.returncode == 0, shown.stderr
    assert "2026-04-03 周五" in shown.stdout and "清明" in shown.stdout
    assert "2026-05-09" in shown.stdout and shown.stderr == ""  # 教育日 on the 调休 Saturday


def test_an_unreachable_database_is_one_line(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://nobody@127.0.0.1:9/none"
    result = tongxin(["calendar", "2026"], tmp_path, TONGXIN_DATABASE_URL=url)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("tongxin: 连不上数据库（ConnectionRefusedError）")
    assert "TONGXIN_DATABASE_URL" in line


def test_help_lists_every_command_the_features_too(tmp_path: Path) -> None:
    result = tongxin(["--help"], tmp_path)
    assert result.returncode == 0
    listed = result.stdout
    for name in ("serve", "chat", "db", "roster", "group", "when", "export", "calendar"):
        assert f"\n    {name} " in listed, name
    assert "holidays" in listed and "廉政 calendar" in listed
    kinds = tongxin(["export", "--help"], tmp_path).stdout
    assert all(k in kinds for k in ("checkins", "feedback", "poll"))
    assert not (tmp_path / "tongxin.db").exists()


def test_roster_import_takes_an_export_with_the_platform_given(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'r.db'}"
    assert tongxin(["db", "upgrade"], tmp_path, TONGXIN_DATABASE_URL=url).returncode == 0
    export = tmp_path / "export.csv"
    # No 工号 or 职位 beside the UserId: nothing says which platform it came from.
    export.write_text("姓名,UserId,部门\n张老师,manager4521,实验中学/第三党支部\n")
    bare = tongxin(["roster", "import", str(export)], tmp_path, TONGXIN_DATABASE_URL=url)
    assert "第 1 行：表头缺少列：平台" in bare.stderr and bare.returncode == 1
    given = ["roster", "import", str(export), "--platform", "dingtalk"]
    result = tongxin(given, tmp_path, TONGXIN_DATABASE_URL=url)
    assert result.returncode == 0 and "导入 1 人，0 行有误未导入" in result.stdout
    con = sqlite3.connect(tmp_path / "r.db")
    found = con.execute(
        "SELECT p.platform, p.platform_user_id, u.name FROM people p "
        "JOIN memberships m ON m.person_id = p.id JOIN units u ON u.id = m.unit_id"
    ).fetchall()
    con.close()
    assert found == [("dingtalk", "manager4521", "第三党支部")]


def test_calendar_with_a_year_that_is_not_one_says_how_to_write_it(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'c.db'}"
    assert tongxin(["db", "upgrade"], tmp_path, TONGXIN_DATABASE_URL=url).returncode == 0
    for year in ("²", "٢٠٢٦", "1900", "20266", "-1", "2026.0"):
        result = tongxin(["calendar", year], tmp_path, TONGXIN_DATABASE_URL=url)
        assert result.returncode == 2 and "Traceback" not in result.stderr, year
        [line] = result.stderr.strip().splitlines()
        assert line.startswith("tongxin: 用法：tongxin calendar 年份"), line
    # Full-width digits, as a Chinese input method types them, are the year they show.
    shown = tongxin(["calendar", "２０２６"], tmp_path, TONGXIN_DATABASE_URL=url)
    assert shown.returncode == 0 and "2026-04-03 周五" in shown.stdout
