"""Roster files (CSV or XLSX): 姓名, 平台, 用户ID, 单位/支部, 角色.

What a file can do wrong is said in one line each, never a traceback: a
file that is not what its name says, a field too long, a person listed
twice (reported, not merged: which row would be right?), a file too big.
An XLSX whose `<dimension>` is stale (some generators never update it) has
all its rows read anyway.

A large roster goes in in batches (`import_in_batches`), each a short
transaction, so the bot's own writes wait for one batch, not for the file.
"""

from __future__ import annotations

import asyncio
import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ValidationError, field_validator
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import PLATFORMS
from bot.roles import Role
from storage.db import Database
from storage.models import Membership
from storage.people import ensure_unit, grant_role, touch_people
from storage.upsert import insert_for, on_conflict

# A county's roster is a few thousand rows; these keep a wrong file from
# filling the memory or holding the database for minutes.
MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 20
BATCH = 500
PAUSE = 0.15

COLUMNS = {
    "姓名": "name",
    "name": "name",
    "平台": "platform",
    "platform": "platform",
    "用户id": "user_id",
    "用户ID": "user_id",
    "userid": "user_id",
    "user_id": "user_id",
    "单位": "unit",
    "支部": "unit",
    "单位/支部": "unit",
    "unit": "unit",
    "角色": "role",
    "role": "role",
}
PLATFORM_WORDS = {"企业微信": "wecom", "企微": "wecom", "钉钉": "dingtalk", "本地": "local"}


class RosterRow(BaseModel):
    name: str
    platform: str
    user_id: str
    unit: str = ""
    role: Role = Role.TEACHER

    @field_validator("name", "user_id")
    @classmethod
    def _required(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("不能为空")
        return v.strip()

    @field_validator("platform", mode="before")
    @classmethod
    def _platform(cls, v: object) -> object:
        word = str(v or "").strip()
        word = PLATFORM_WORDS.get(word, word.lower())
        if word not in PLATFORMS:
            raise ValueError("平台应为 企业微信/钉钉/本地（wecom/dingtalk/local）")
        return word

    @field_validator("role", mode="before")
    @classmethod
    def _role(cls, v: object) -> object:
        word = str(v or "").strip()
        if not word:
            return Role.TEACHER
        role = Role.parse(word)
        if role is None:
            raise ValueError("角色应为 教师/书记/管理员")
        return role


@dataclass
class RowError:
    line: int
    reason: str


class RosterFileError(ValueError):
    """The file as a whole cannot be read; the message says why, in one line."""


def read_rows(path: Path) -> tuple[list[tuple[int, RosterRow]], list[RowError]]:
    """Valid rows with their line numbers, and every bad line with its reason.

    Raises RosterFileError (a ValueError) when the file cannot be read at all.
    """
    raw = _read_table(path)
    if not raw:
        return [], [RowError(1, "文件是空的")]
    header = [
        COLUMNS.get(str(h or "").strip(), COLUMNS.get(str(h or "").strip().lower(), ""))
        for h in raw[0]
    ]
    missing = {"name", "platform", "user_id"} - set(header)
    if missing:
        return [], [RowError(1, "表头缺少列：" + "、".join(sorted(missing)))]
    rows: list[tuple[int, RosterRow]] = []
    errors: list[RowError] = []
    for line, cells in enumerate(raw[1:], start=2):
        if not any(str(c or "").strip() for c in cells):
            continue
        data = {
            key: str(cells[i] or "").strip()
            for i, key in enumerate(header)
            if key and i < len(cells)
        }
        try:
            row = RosterRow.model_validate(data)
        except ValidationError as err:
            first = err.errors()[0]
            col = str(first["loc"][0]) if first["loc"] else ""
            msg = str(first["msg"]).removeprefix("Value error, ")
            errors.append(RowError(line, f"{col}: {msg}"))
            continue
        if row.role == Role.SECRETARY and not row.unit:
            errors.append(RowError(line, "书记需要填写单位/支部"))
            continue
        rows.append((line, row))
    return _without_duplicates(rows, errors)


def _without_duplicates(
    rows: list[tuple[int, RosterRow]], errors: list[RowError]
) -> tuple[list[tuple[int, RosterRow]], list[RowError]]:
    """Every line of a person listed more than once is reported, and none imported."""
    lines: dict[tuple[str, str], list[int]] = {}
    for line, row in rows:
        lines.setdefault((row.platform, row.user_id), []).append(line)
    twice = {key: found for key, found in lines.items() if len(found) > 1}
    for (platform, user_id), found in twice.items():
        for line in found:
            others = "、".join(str(n) for n in found if n != line)
            errors.append(
                RowError(line, f"{platform} 用户ID {user_id} 与第 {others} 行重复，均未导入")
            )
    errors.sort(key=lambda e: e.line)
    return [(n, r) for n, r in rows if (r.platform, r.user_id) not in twice], errors


def _read_table(path: Path) -> list[list[object]]:
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise RosterFileError(
            f"文件太大（{size / 1024 / 1024:.1f} MB），花名册最大 {MAX_BYTES // 1024 // 1024} MB，"
            "请分成几个文件导入"
        )
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise RosterFileError("不支持旧版 .xls 文件，请在 Excel 或 WPS 中另存为 .xlsx 或 CSV")
    rows = _read_xlsx(path) if suffix in (".xlsx", ".xlsm") else _read_csv(path)
    if len(rows) > MAX_ROWS:
        raise RosterFileError(f"超过 {MAX_ROWS} 行，请分成几个文件导入")
    return rows


def _read_xlsx(path: Path) -> list[list[object]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError):
        raise RosterFileError(
            f"{path.name} 不是有效的 Excel 文件，请在 Excel 或 WPS 中另存为 .xlsx 或 CSV"
        ) from None
    try:
        sheet = book.active
        # The <dimension> a file declares may be stale: read every row it has.
        sheet.reset_dimensions()
        rows: list[list[object]] = []
        for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            rows.append(list(values))
            if len(rows) > MAX_ROWS:
                break
        return rows
    finally:
        book.close()


def _read_csv(path: Path) -> list[list[object]]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterFileError("无法识别文件编码，请另存为 UTF-8 CSV")
    reader = csv.reader(io.StringIO(text))
    rows: list[list[object]] = []
    try:
        for cells in reader:
            rows.append(list(cells[:MAX_COLUMNS]))
            if len(rows) > MAX_ROWS:
                break
    except csv.Error as err:
        # Python's csv refuses a field over 131,072 characters: no roster has one.
        raise RosterFileError(f"第 {reader.line_num} 行读不出来：{_csv_reason(err)}") from None
    return rows


def _csv_reason(err: csv.Error) -> str:
    if "field larger than field limit" in str(err):
        return f"有一格超过 {csv.field_size_limit():,} 个字符，可能不是花名册或引号没有配对"
    return "格式有误（可能是引号没有配对），请检查后另存为 CSV"


async def import_rows(
    session: AsyncSession, rows: Sequence[tuple[int, RosterRow]], now: datetime
) -> int:
    """Upsert people, units, memberships and roles in the caller's transaction, a few
    statements for all the rows; running it twice changes nothing."""
    if not rows:
        return 0
    people = await touch_people(session, [(r.platform, r.user_id, r.name) for _, r in rows], now)
    named = sorted({r.unit for _, r in rows if r.unit})
    units = {name: await ensure_unit(session, name) for name in named}
    members = sorted({(people[(r.platform, r.user_id)], units[r.unit]) for _, r in rows if r.unit})
    if members:
        stmt = insert_for(session, Membership.__table__)  # type: ignore[arg-type]
        await session.execute(
            on_conflict(stmt, ["person_id", "unit_id"]),
            [{"person_id": p, "unit_id": u} for p, u in members],
        )
    for _, row in rows:
        person_id = people[(row.platform, row.user_id)]
        if row.role == Role.SECRETARY:
            unit_id = units[row.unit]
            await grant_role(session, person_id, "secretary", unit_id, "roster import", now)
        elif row.role == Role.ADMIN:
            await grant_role(session, person_id, "admin", None, "roster import", now)
    return len(rows)


async def import_in_batches(
    db: Database, rows: Sequence[tuple[int, RosterRow]], now: datetime, batch: int = BATCH
) -> int:
    """`import_rows` in transactions of `batch` rows each, so that no write of the
    running bot (a callback's record, a timer) waits for more than one batch."""
    done = 0
    for start in range(0, len(rows), batch):
        if start and db.is_sqlite:
            # Another process waiting for SQLite's lock polls it, at most every
            # 100 ms: a batch begun at once after the last would starve it.
            await asyncio.sleep(PAUSE)
        async with db.transaction() as session:
            done += await import_rows(session, rows[start : start + batch], now)
    return done
