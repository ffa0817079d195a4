"""Roster files as they come: broken, stale, doubled, huge — one clear line each, and a
large import that never holds the database for long."""

from __future__ import annotations

import csv
import re
import sqlite3
import subprocess
import threading
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from bot import roster_file
from bot.roster_file import RosterFileError, import_in_batches, read_rows
from storage.db import Database
from storage.models import Membership, Person
from tests.bot.cli_helpers import TONGXIN, run
from tests.conftest import START

HEADER = ["姓名", "平台", "用户ID", "单位", "角色"]


def roster(n: int, start: int = 0) -> list[list[str]]:
    return [[f"老师{i}", "wecom", f"u{i:05d}", f"{i % 7 + 1}支部", ""] for i in range(start, n)]


def write_xlsx(path: Path, rows: list[list[str]]) -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def test_a_file_that_is_not_an_xlsx_is_one_clear_line(tmp_path: Path) -> None:
    fake = tmp_path / "花名册.xlsx"
    fake.write_text("姓名,平台,用户ID\n张三,wecom,zs\n", encoding="utf-8")
    with pytest.raises(RosterFileError, match=r"花名册\.xlsx 不是有效的 Excel 文件"):
        read_rows(fake)
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + bytes(100))
    with pytest.raises(RosterFileError, match=r"不支持旧版 \.xls"):
        read_rows(old)


def test_a_csv_field_past_the_limit_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(f'姓名,平台,用户ID\n张三,wecom,zs\n"{"长" * 140_000}",wecom,x\n', "utf-8")
    with pytest.raises(RosterFileError, match="第 3 行读不出来：有一格超过 131,072 个字符"):
        read_rows(path)


def test_a_stale_dimension_hides_no_row(tmp_path: Path) -> None:
    made = write_xlsx(tmp_path / "made.xlsx", [HEADER, *roster(30)])
    stale = tmp_path / "stale.xlsx"
    # As some generators write it: the sheet says it ends at row 2.
    with zipfile.ZipFile(made) as src, zipfile.ZipFile(stale, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, n = re.subn(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:E2"', data)
                assert n == 1
            dst.writestr(item, data)
    rows, errors = read_rows(stale)
    assert errors == [] and len(rows) == 30


def test_the_same_person_twice_is_reported_not_merged(tmp_path: Path) -> None:
    rows = [
        HEADER,
        *roster(3),
        ["张三", "wecom", "u00001", "9支部", "书记"],
        ["李四", "钉钉", "u00001", "", ""],
    ]
    found, errors = read_rows(write_csv(tmp_path / "r.csv", rows))
    assert [r.user_id for _, r in found] == [
        "u00000",
        "u00002",
        "u00001",
    ]  # 钉钉's u00001 is another
    assert [(e.line, e.reason) for e in errors] == [
        (3, "用户ID「u00001」与第 5 行重复，均未导入"),
        (5, "用户ID「u00001」与第 3 行重复，均未导入"),
    ]


def test_a_file_past_the_size_limit_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(roster_file, "MAX_BYTES", 1024)
    path = write_csv(tmp_path / "r.csv", [HEADER, *roster(100)])
    with pytest.raises(RosterFileError, match=r"文件太大（0\.0 MB），花名册最大 0 MB"):
        read_rows(path)
    monkeypatch.setattr(roster_file, "MAX_BYTES", 10 * 1024 * 1024)
    monkeypatch.setattr(roster_file, "MAX_ROWS", 50)
    with pytest.raises(RosterFileError, match="超过 50 行"):
        read_rows(path)


@pytest.mark.parametrize("name", ["bad.xlsx", "long.csv"])
def test_the_command_says_one_line_and_no_traceback(tmp_path: Path, name: str) -> None:
    env = {"TONGXIN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'r.db'}"}
    path = tmp_path / name
    if name.endswith(".xlsx"):
        path.write_bytes(b"PK\x03\x04 not really a zip")
    else:
        path.write_text(f'姓名,平台,用户ID\n"{"x" * 200_000}",wecom,x\n', "utf-8")
    result = run(["roster", "import", str(path)], env)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


async def test_twenty_thousand_rows_go_in_batches(db_url: str) -> None:
    db = Database(db_url)
    try:
        rows, errors = [], []
        for line, row in enumerate(roster(20_000), start=2):
            rows.append(
                (
                    line,
                    roster_file.RosterRow(
                        name=row[0], platform=row[1], user_id=row[2], unit=row[3]
                    ),
                )
            )
        assert errors == []
        assert await import_in_batches(db, rows, START) == 20_000
        assert await import_in_batches(db, rows[:600], START) == 600  # again: no change
        async with db.reading() as s:
            assert await s.scalar(select(func.count()).select_from(Person)) == 20_000
            assert await s.scalar(select(func.count()).select_from(Membership)) == 20_000
    finally:
        await db.dispose()


def test_a_running_bot_waits_for_one_batch_not_the_whole_file(tmp_path: Path) -> None:
    """SQLite has one writer: while the command imports 20,000 rows, another process's
    writes (a callback's record, a timer) still get the lock within a fraction of a second."""
    db = tmp_path / "r.db"
    env = {"TONGXIN_DATABASE_URL": f"sqlite+aiosqlite:///{db}"}
    assert run(["db", "upgrade"], env).returncode == 0
    path = write_csv(tmp_path / "big.csv", [HEADER, *roster(20_000)])
    waits: list[float] = []
    done = threading.Event()

    def bot_writes() -> None:
        con = sqlite3.connect(db, timeout=120, isolation_level=None)
        while not done.is_set():
            asked = time.monotonic()
            con.execute("BEGIN IMMEDIATE")
            waits.append(time.monotonic() - asked)
            con.execute("COMMIT")
            time.sleep(0.01)
        con.close()

    writer = threading.Thread(target=bot_writes)
    full = dict(env)
    import os

    full.update({k: v for k, v in os.environ.items() if not k.startswith("TONGXIN_")})
    proc = subprocess.Popen([*TONGXIN, "roster", "import", str(path)], env=full)
    writer.start()
    try:
        assert proc.wait(timeout=300) == 0
    finally:
        done.set()
        writer.join()
    assert len(waits) > 10
    assert max(waits) < 1.0, f"a write waited {max(waits):.1f} s for the import"
    con = sqlite3.connect(db)
    assert con.execute("select count(*) from people").fetchone()[0] == 20_000
    con.close()
