"""`tongxin person export|erase` as an administrator runs them: files, confirmation,
and one Chinese line for every way it can go wrong."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import stat
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.config import Settings
from bot.person_data import ERASED_NAME, walk
from bot.person_data.cli import erase_command
from handlers import FEATURES
from storage.db import Database
from storage.models import Person
from storage.people import add_membership, ensure_unit, grant_role, touch_person
from tests.bot.cli_helpers import TONGXIN
from tests.conftest import START


def run(
    url: str, *args: str, stdin: str = "", cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGXIN_")}
    env["TONGXIN_DATABASE_URL"] = url
    return subprocess.run(
        [*TONGXIN, "person", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


async def a_secretary(url: str) -> int:
    """王老师 (local:t1), secretary of 一支部; their number."""
    db = Database(url)
    try:
        async with db.transaction() as s:
            pid = await touch_person(s, "local", "t1", "王老师", START)
            unit = await ensure_unit(s, "一支部")
            await add_membership(s, pid, unit)
            await grant_role(s, pid, "secretary", unit, "local:admin", START)
    finally:
        await db.dispose()
    return pid


async def name_of(url: str, pid: int) -> str:
    db = Database(url)
    try:
        async with db.reading() as s:
            person = await s.get(Person, pid)
            assert person is not None
            return person.display_name
    finally:
        await db.dispose()


def test_an_unmigrated_database_is_one_line(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    for args in (("export", "1"), ("erase", "1", "--yes")):
        result = run(url, *args, cwd=tmp_path)
        assert result.returncode == 2
        assert "tongxin db upgrade" in one_line(result)


async def test_unknown_people_and_bad_references(db_url: str, tmp_path: Path) -> None:
    await a_secretary(db_url)
    for ref, said in (
        ("local:nobody", "找不到人员「local:nobody」"),
        ("99", "找不到人员「99」"),
        ("王老师", "请用人员编号或「平台:用户ID」指明此人"),
    ):
        result = run(db_url, "export", ref, cwd=tmp_path)
        assert result.returncode == 2 and said in one_line(result)
    result = run(db_url, "export", "1", "--out", "x.txt", cwd=tmp_path)
    assert result.returncode == 2 and ".json 或 .xlsx" in one_line(result)
    assert os.listdir(tmp_path) == []


async def test_export_writes_a_file_only_its_owner_reads(db_url: str, tmp_path: Path) -> None:
    pid = await a_secretary(db_url)
    result = run(db_url, "export", "local:t1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    path = tmp_path / f"person-{pid}.json"
    assert result.stdout.strip().startswith(
        f"已把王老师（local:t1，编号 {pid}）的个人信息导出到 {path.name}"
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    document = json.loads(path.read_text(encoding="utf-8"))
    sections = {s["类别"]: s["内容"] for s in document["记录"]}
    assert sections["角色"] == [
        {
            "角色": "支部书记",
            "单位": "一支部",
            "授予人": "local:admin",
            "授予时间": "2026-11-25 20:00",
        }
    ]

    result = run(db_url, "export", str(pid), "--out", "王老师.xlsx", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    book = load_workbook(io.BytesIO((tmp_path / "王老师.xlsx").read_bytes()))
    assert book.sheetnames == ["说明", "基本信息", "所在单位", "角色"]
    assert [c.value for c in book["所在单位"]["A"]] == ["单位", "一支部"]


async def test_erase_asks_first_and_says_what_it_did(db_url: str, tmp_path: Path) -> None:
    pid = await a_secretary(db_url)
    result = run(db_url, "erase", "local:t1", stdin="不\n", cwd=tmp_path)
    assert result.returncode == 1
    assert "将注销王老师（local:t1" in result.stdout and "已取消" in result.stdout
    assert await name_of(db_url, pid) == "王老师"

    result = run(db_url, "erase", "local:t1", stdin="确认\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    summary = result.stdout.strip().splitlines()[-1]  # after the prompt
    assert f"已注销王老师（local:t1，编号 {pid}）。删除 单位名册 1 条、角色 1 条；" in summary
    assert await name_of(db_url, pid) == ERASED_NAME

    again = run(db_url, "erase", str(pid), "--yes", cwd=tmp_path)
    assert again.returncode == 2 and f"人员「{pid}」已经注销过了" in one_line(again)
    gone = run(db_url, "erase", "local:t1", "--yes", cwd=tmp_path)
    assert gone.returncode == 2 and "找不到人员「local:t1」" in one_line(gone)


async def test_a_failed_rewrite_is_said_after_the_erasure(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The erasure is committed before the files are rewritten: if the rewrite
    fails (a lock held too long), the summary still comes, then what is left to do."""

    async def locked(db: Database, tables: Sequence[str]) -> None:
        raise sqlite3.OperationalError("database is locked")

    pid = await a_secretary(db_url)
    monkeypatch.setattr(walk, "compact", locked)
    code = await erase_command(Settings(database_url=db_url), FEATURES, "local:t1", yes=True)
    out, err = capsys.readouterr()
    assert code == 1
    assert "已注销王老师" in out
    assert err.strip().splitlines() == [
        "tongxin: 此人已注销，但数据库文件未能重写（database is locked）："
        "旧内容可能还留在文件的空闲空间里，"
        "请在服务空闲时对数据库执行 VACUUM（PostgreSQL 用 VACUUM FULL）。"
    ]
    assert await name_of(db_url, pid) == ERASED_NAME
