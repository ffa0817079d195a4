"""Reading the database as an attacker would: every table with its hidden columns, raw files.

- `Failing`: the platform is down for the whole test, so every message to a
  person waits in the outbox, is retried, and fails.
- `dump`: every table, every row, with SQLite's rowid or PostgreSQL's xmin,
  xmax and ctid, as comparable values: what is random by design (a sealed
  value's nonce, a receipt code) is masked, and transaction ids become
  their rank, so two runs of the same story can be compared row for row.
- `pages`: the SQLite files (database, -wal, -shm) cut into pages and WAL
  frames, raw bytes, as `strings` would read them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, text

from bot.delivery import Delivery, Limit, TransientError
from bot.schema import metadata as gather
from handlers import FEATURES
from tests.harness import ChatHarness

metadata = gather(FEATURES)

PAGE = 4096
WAL_HEADER, FRAME_HEADER = 32, 24
_RECEIPT = re.compile(r"FK[0-9A-Z]{6}")


@dataclass
class Failing:
    """The local platform, down: every delivery fails for a while yet."""

    name: str = "local"
    # Not answered in the HTTP reply either: every message is an outbox row.
    inline_replies: bool = False
    tried: list[int] = field(default_factory=list)

    def limits(self, delivery: Delivery) -> list[Limit]:
        return []

    async def deliver(self, delivery: Delivery) -> None:
        self.tried.append(delivery.id)
        raise TransientError("platform unreachable")


Dump = dict[str, list[dict[str, Any]]]


async def raw_tables(chat: ChatHarness) -> Dump:
    """Every row of every table, hidden columns included, in storage order."""
    found: Dump = {}
    async with chat.db.reading() as s:
        for table in metadata.sorted_tables:
            if chat.db.is_sqlite:
                query = f'SELECT rowid AS "rowid", * FROM "{table.name}" ORDER BY rowid'
            else:
                query = (
                    "SELECT xmin::text AS xmin, xmax::text AS xmax, ctid::text AS ctid, * "
                    f'FROM "{table.name}" ORDER BY ctid'
                )
            rows = await s.execute(text(query))
            # Read raw, JSON columns come as their text.
            json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
            found[table.name] = [
                {
                    k: json.loads(v) if k in json_columns and isinstance(v, str) else v
                    for k, v in r._mapping.items()
                }
                for r in rows
            ]
    return found


def _mask(value: Any) -> Any:
    if isinstance(value, bytes | memoryview):
        return f"<{len(bytes(value))} bytes>"
    if isinstance(value, dict):
        if set(value) == {"sealed"}:
            return f"<sealed {len(value['sealed'])}>"
        return {k: _mask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    if isinstance(value, str):
        return _RECEIPT.sub("FK<receipt>", value)
    return value


def comparable(tables: Dump) -> Dump:
    """`tables` with what is random by design masked and transaction ids ranked."""
    xids = sorted(
        {int(r[k]) for rows in tables.values() for r in rows for k in ("xmin", "xmax") if k in r}
    )
    rank = {str(x): i for i, x in enumerate(xids)}
    out: Dump = {}
    for name, rows in tables.items():
        out[name] = [
            {k: rank[v] if k in ("xmin", "xmax") else _mask(v) for k, v in row.items()}
            for row in rows
        ]
    return out


def flat(row: dict[str, Any]) -> str:
    return json.dumps(row, ensure_ascii=False, default=repr)


def database_file(chat: ChatHarness) -> Path:
    return Path(chat.settings.database_url.split("///", 1)[1])


def pages(db: Path) -> Iterator[tuple[str, int, bytes]]:
    """(file, page or frame number, raw bytes) of the database, its WAL and its index."""
    main = db.read_bytes()
    for i in range(0, len(main), PAGE):
        yield db.name, i // PAGE + 1, main[i : i + PAGE]
    wal = Path(f"{db}-wal")
    raw = wal.read_bytes() if wal.exists() else b""
    frame = FRAME_HEADER + PAGE
    for n, i in enumerate(range(WAL_HEADER, len(raw), frame), 1):
        yield wal.name, n, raw[i : i + frame]
    shm = Path(f"{db}-shm")
    if shm.exists():
        yield shm.name, 1, shm.read_bytes()


def wal_frames_by_page(db: Path) -> dict[int, int]:
    """How many images of each database page the WAL file holds, stale ones included."""
    wal = Path(f"{db}-wal")
    raw = wal.read_bytes() if wal.exists() else b""
    counts: dict[int, int] = {}
    for i in range(WAL_HEADER, len(raw) - FRAME_HEADER, FRAME_HEADER + PAGE):
        page = int.from_bytes(raw[i : i + 4], "big")
        counts[page] = counts.get(page, 0) + 1
    return counts


async def root_pages(chat: ChatHarness, tables: list[str]) -> dict[str, int]:
    async with chat.db.reading() as s:
        rows = await s.execute(text("SELECT name, rootpage FROM sqlite_master WHERE type='table'"))
        return {name: int(page) for name, page in rows if name in tables}
