"""Roster files (CSV or XLSX): our own columns, or a WeCom or DingTalk 通讯录 export as it is.

Our own columns: 姓名, 平台, 用户ID, 单位/支部, 角色 (only 姓名 and 用户ID are
required once the platform is known).

The exports people already have, read without editing:

- WeCom 管理后台 → 通讯录 → 批量导入/导出 → 文件导出 "支持导出成员的姓名、帐号、别名、
  职务、部门、性别、手机以及对内的自定义字段等" (a Tencent reseller's how-to quoting
  the admin console, http://www.3col.com.cn/news_in/1984). 帐号 is the member's
  UserID, what the bot sees as the sender (the API's `userid`, "对应管理端的帐号",
  developer.work.weixin.qq.com/document/path/90331). The import templates list
  several departments separated by ";" (path/91130).
- DingTalk 管理后台 → 通讯录 → 导出: a sheet of 姓名, 工号, 部门, 职位, 手机 … (the
  columns named by dingtalk-global.com/zh/news/explain/bie-zai-shou-dong-fu-zhi-tie-shang-260210)
  with the member's UserId (a DingTalk-synced form tool lists "姓名 … UserId …
  部门 / 主部门" among the fields, doc.haodacloud.com/md/1807). 工号 is a job
  number, not the UserId, and is not read.

No official page spells the export headers out (UNCONFIRMED), so the reader
is lenient where the sources differ: headers match without regard to case,
spaces or 帐号/账号; the header row is looked for among the first rows (an
export may start with a title line); a 部门 is a path ("实验中学/第一党支部")
or a list (";" "," "；"), and the unit is the last part of the first one.
The platform comes from a 平台 column, else from the caller (the import
page asks), else from the layout (帐号 and 别名 → WeCom; UserId and 工号 → DingTalk).

What a file can do wrong is said in one line each, never a traceback: a
file that is not what its name says, a field too long, a person listed
twice (every such line reported and none imported: which would be right?),
a file too big. An XLSX whose `<dimension>` is stale (some generators never
update it) has all its rows read anyway. A large roster goes in in batches
(`import_in_batches`), each a short transaction, so the bot's own writes
wait for one batch, not for the file.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from bot import roster_texts as t
from bot.config import PLATFORMS
from bot.roles import Role
from storage.db import Database
from storage.models import Membership
from storage.people import ensure_units, grant_role, touch_people
from storage.upsert import insert_for, on_conflict

# A county's roster is a few thousand rows; these keep a wrong file from
# filling the memory or holding the database for minutes.
MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 20
BATCH = 500
PAUSE = 0.15

# Normalised header (lower case, no spaces, 账 for 帐) → field.
COLUMNS = {
    "姓名": "name",
    "name": "name",
    "平台": "platform",
    "platform": "platform",
    "用户id": "user_id",
    "userid": "user_id",
    "user_id": "user_id",
    "账号": "user_id",
    "成员账号": "user_id",
    "员工userid": "user_id",
    "成员userid": "user_id",
    "单位": "unit",
    "支部": "unit",
    "单位/支部": "unit",
    "unit": "unit",
    "部门": "department",
    "所在部门": "department",
    "主部门": "department",
    "角色": "role",
    "role": "role",
}
PLATFORM_WORDS = {"企业微信": "wecom", "企微": "wecom", "钉钉": "dingtalk", "本地": "local"}
# Column widths of people.display_name, people.platform_user_id and units.name.
MAX_NAME, MAX_USER, MAX_UNIT = 64, 128, 64
# An export's title lines come before its header.
HEADER_SEARCH = 10
_DEPARTMENTS = re.compile(r"[;；,，]")
_PATH = re.compile(r"[/／>＞]")


class RosterRow(BaseModel):
    name: str
    platform: str
    user_id: str
    unit: str = ""
    role: Role = Role.TEACHER


@dataclass
class RowError:
    line: int
    reason: str


@dataclass
class Parsed:
    rows: list[tuple[int, RosterRow]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    layout: str = "ours"
    # The platform every row without a 平台 cell was given.
    platform: str = ""


class RosterFileError(ValueError):
    """The file as a whole cannot be read (encoding, a broken XLSX)."""


def _key(header: object) -> str:
    return re.sub(r"\s+", "", str(header or "")).lower().replace("帐", "账")


def _fields(cells: list[object]) -> dict[str, tuple[int, str]]:
    """field → (column index, the header as the file spells it); the first column wins."""
    found: dict[str, tuple[int, str]] = {}
    for i, cell in enumerate(cells):
        name = COLUMNS.get(_key(cell))
        if name and name not in found:
            found[name] = (i, str(cell).strip())
    return found


def _layout(cells: list[object]) -> str:
    keys = {_key(c) for c in cells}
    if "账号" in keys and ("别名" in keys or "职务" in keys):
        return "wecom"
    if "userid" in keys and ("工号" in keys or "职位" in keys):
        return "dingtalk"
    return "ours"


def _platform(word: str) -> str | None:
    word = word.strip()
    word = PLATFORM_WORDS.get(word, word.lower())
    return word if word in PLATFORMS else None


def unit_of_department(value: str) -> str:
    """ "实验中学/第一党支部;实验中学/教务处" → "第一党支部"."""
    first = _DEPARTMENTS.split(value.strip())[0]
    parts = [p.strip() for p in _PATH.split(first) if p.strip()]
    return parts[-1] if parts else ""


def parse_roster(data: bytes, filename: str, platform: str = "") -> Parsed:
    """Every good row with its line number, and every bad line with its reason in Chinese."""
    table = _read_table(data, filename)
    top = next(
        (
            i
            for i, cells in enumerate(table[:HEADER_SEARCH])
            if {"name", "user_id"} <= set(_fields(cells))
        ),
        None,
    )
    if top is None:
        if not any(any(str(c or "").strip() for c in row) for row in table):
            return Parsed(errors=[RowError(1, t.EMPTY_FILE)])
        first = next((r for r in table if any(str(c or "").strip() for c in r)), [])
        missing = [t.COLUMN_NAMES[f] for f in ("name", "user_id") if f not in _fields(first)]
        return Parsed(errors=[RowError(1, t.missing_columns(missing))])
    header = table[top]
    columns = _fields(header)
    parsed = Parsed(layout=_layout(header))
    given = _platform(platform) if platform else None
    parsed.platform = given or {"wecom": "wecom", "dingtalk": "dingtalk"}.get(parsed.layout, "")
    if "platform" not in columns and not parsed.platform:
        parsed.errors.append(RowError(top + 1, t.NO_PLATFORM_COLUMN))
        return parsed
    for line, cells in enumerate(table[top + 1 :], start=top + 2):
        if not any(str(c or "").strip() for c in cells):
            continue
        row = _row(cells, columns, parsed.platform)
        if isinstance(row, str):
            parsed.errors.append(RowError(line, row))
            continue
        parsed.rows.append((line, row))
    _drop_duplicates(parsed, columns["user_id"][1])
    return parsed


def _drop_duplicates(parsed: Parsed, label: str) -> None:
    """Every line of a person listed more than once is reported, and none imported."""
    lines: dict[tuple[str, str], list[int]] = {}
    for line, row in parsed.rows:
        lines.setdefault((row.platform, row.user_id), []).append(line)
    twice = {key: found for key, found in lines.items() if len(found) > 1}
    for (_platform, user_id), found in twice.items():
        for line in found:
            others = [n for n in found if n != line]
            parsed.errors.append(RowError(line, t.duplicate(label, user_id, others)))
    parsed.errors.sort(key=lambda e: e.line)
    parsed.rows = [(n, r) for n, r in parsed.rows if (r.platform, r.user_id) not in twice]


def _row(
    cells: list[object], columns: dict[str, tuple[int, str]], platform: str
) -> RosterRow | str:
    """The row, or why it cannot be taken (naming the column as the file names it)."""

    def cell(name: str) -> tuple[str, str]:
        index, label = columns.get(name, (-1, t.COLUMN_NAMES.get(name, name)))
        value = cells[index] if 0 <= index < len(cells) else None
        return str(value if value is not None else "").strip(), label

    name, name_label = cell("name")
    user_id, user_label = cell("user_id")
    for value, label, limit in ((name, name_label, MAX_NAME), (user_id, user_label, MAX_USER)):
        if not value:
            return t.empty(label)
        if len(value) > limit:
            return t.too_long(label, limit)
    word, platform_label = cell("platform")
    found = _platform(word) if word else (platform or None)
    if found is None:
        if not word:
            return t.no_platform(platform_label)
        return t.unknown_platform(platform_label, word)
    unit, unit_label = cell("unit")
    if not unit and "department" in columns:
        department, unit_label = cell("department")
        unit = unit_of_department(department)
    if len(unit) > MAX_UNIT:
        return t.too_long(unit_label, MAX_UNIT)
    word, role_label = cell("role")
    role = Role.parse(word) if word else Role.TEACHER
    if role is None:
        return t.unknown_role(role_label, word)
    if role == Role.SECRETARY and not unit:
        return t.secretary_needs_unit(unit_label)
    return RosterRow(name=name, platform=found, user_id=user_id, unit=unit, role=role)


def read_rows(path: Path, platform: str = "") -> tuple[list[tuple[int, RosterRow]], list[RowError]]:
    """Valid rows with their line numbers, and every bad line with its reason.

    Raises RosterFileError (a ValueError) when the file cannot be read at all.
    """
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise RosterFileError(_too_big(size))
    parsed = parse_roster(path.read_bytes(), path.name, platform)
    return parsed.rows, parsed.errors


def _too_big(size: int) -> str:
    return t.too_big(size / 1024 / 1024, MAX_BYTES // 1024 // 1024)


def _read_table(data: bytes, filename: str) -> list[list[object]]:
    if len(data) > MAX_BYTES:
        raise RosterFileError(_too_big(len(data)))
    suffix = Path(filename).suffix.lower()
    if suffix == ".xls":
        raise RosterFileError(t.OLD_XLS)
    rows = _read_xlsx(data, filename) if suffix in (".xlsx", ".xlsm") else _read_csv(data)
    if len(rows) > MAX_ROWS:
        raise RosterFileError(t.too_many_rows(MAX_ROWS))
    return rows


def _read_xlsx(data: bytes, filename: str) -> list[list[object]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        raise RosterFileError(t.not_excel(filename)) from None
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


def _read_csv(data: bytes) -> list[list[object]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterFileError(t.UNKNOWN_ENCODING)
    reader = csv.reader(io.StringIO(text))
    rows: list[list[object]] = []
    try:
        for cells in reader:
            rows.append(list(cells[:MAX_COLUMNS]))
            if len(rows) > MAX_ROWS:
                break
    except csv.Error as err:
        # Python's csv refuses a field over 131,072 characters: no roster has one.
        raise RosterFileError(t.unreadable_line(reader.line_num, _csv_reason(err))) from None
    return rows


def _csv_reason(err: csv.Error) -> str:
    if "field larger than field limit" in str(err):
        return t.cell_too_long(csv.field_size_limit())
    return t.BAD_CSV


async def import_rows(
    session: AsyncSession, rows: Sequence[tuple[int, RosterRow]], now: datetime
) -> int:
    """Upsert people, units, memberships and roles in the caller's transaction, a few
    statements for all the rows; running it twice changes nothing."""
    if not rows:
        return 0
    people = await touch_people(session, [(r.platform, r.user_id, r.name) for _, r in rows], now)
    units = await ensure_units(session, (r.unit for _, r in rows if r.unit))
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
