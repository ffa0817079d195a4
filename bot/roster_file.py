"""Roster files (CSV or XLSX): 姓名, 平台, 用户ID, 单位/支部, 角色."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ValidationError, field_validator
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import PLATFORMS
from bot.roles import Role
from storage.people import add_membership, ensure_unit, grant_role, touch_person

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


def read_rows(path: Path) -> tuple[list[tuple[int, RosterRow]], list[RowError]]:
    """Valid rows with their line numbers, and every bad line with its reason."""
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
    return rows, errors


def _read_table(path: Path) -> list[list[object]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        return [list(r) for r in wb.active.iter_rows(values_only=True)]
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError("无法识别文件编码，请另存为 UTF-8 CSV")
    return [list(r) for r in csv.reader(io.StringIO(text))]


async def import_rows(
    session: AsyncSession, rows: list[tuple[int, RosterRow]], now: datetime
) -> int:
    """Upsert people, units, memberships and roles; running it twice changes nothing."""
    for _line, row in rows:
        person_id = await touch_person(session, row.platform, row.user_id, row.name, now)
        unit_id = await ensure_unit(session, row.unit) if row.unit else None
        if unit_id is not None:
            await add_membership(session, person_id, unit_id)
        if row.role == Role.SECRETARY:
            await grant_role(session, person_id, "secretary", unit_id, "roster import", now)
        elif row.role == Role.ADMIN:
            await grant_role(session, person_id, "admin", None, "roster import", now)
    return len(rows)
