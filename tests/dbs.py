"""Test databases: every storage test runs on SQLite and on PostgreSQL.

SQLite: migrations run once into a template file that each test copies.
PostgreSQL: migrations run once per session; each test starts from empty
tables (TRUNCATE … RESTART IDENTITY), which is much cheaper than a new database,
and then gets back the rows the migrations seeded (the meeting cadences).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text

from bot.schema import metadata as gather
from bot.schema import migrate, rebuild
from handlers import FEATURES
from storage.db import Database

metadata = gather(FEATURES)

PG_ENV = "TONGXIN_TEST_PG_URL"
REQUIRE_PG_ENV = "TONGXIN_TEST_REQUIRE_PG"


class Backends:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self._sqlite_template: Path | None = None
        self._pg_ready = False
        self._seeded: list[tuple[Any, list[dict[str, Any]]]] = []
        self._counter = 0

    @property
    def pg_url(self) -> str | None:
        return os.environ.get(PG_ENV)

    async def sqlite_url(self) -> str:
        if self._sqlite_template is None:
            template = self.tmp / "template.db"
            db = Database(f"sqlite+aiosqlite:///{template}")
            await migrate(db, FEATURES)
            await db.dispose()
            self._sqlite_template = template
        self._counter += 1
        path = self.tmp / f"test-{self._counter}.db"
        shutil.copyfile(self._sqlite_template, path)
        return f"sqlite+aiosqlite:///{path}"

    async def postgres_url(self) -> str:
        url = self.pg_url
        assert url is not None
        db = Database(url)
        try:
            if not self._pg_ready:
                await rebuild(db, FEATURES)
                async with db.engine.connect() as conn:
                    for table in metadata.sorted_tables:
                        rows = [dict(r._mapping) for r in await conn.execute(select(table))]
                        if rows:
                            self._seeded.append((table, rows))
                self._pg_ready = True
            tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
            async with db.engine.begin() as conn:
                await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
                for table, rows in self._seeded:
                    await conn.execute(insert(table), rows)
                    # Explicit ids leave the sequence behind: move it past them.
                    if "id" in table.c:
                        await conn.execute(
                            text(
                                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                f'(SELECT max(id) FROM "{table.name}"))'
                            )
                        )
        finally:
            await db.dispose()
        return url
