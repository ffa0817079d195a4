"""Alembic, driven from code: `tongxin db upgrade` and the test set-up."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData, text
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import Database

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str, locations: Sequence[Path] = ()) -> Config:
    """The configuration, with the versions of the core and any folders of features' own."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.set_main_option("path_separator", "os")
    folders = [MIGRATIONS / "versions", *locations]
    cfg.set_main_option("version_locations", os.pathsep.join(str(f) for f in folders))
    return cfg


async def upgrade(db: Database, revision: str = "heads", locations: Sequence[Path] = ()) -> None:
    """Apply migrations on the app's own engine ("heads": features branch off the base)."""
    async with db.engine.begin() as conn:
        await _run(conn, db.url, revision, locations)


async def _run(
    conn: AsyncConnection, url: str, revision: str, locations: Sequence[Path] = ()
) -> None:
    cfg = alembic_config(url, locations)

    def go(sync_conn: object) -> None:
        cfg.attributes["connection"] = sync_conn
        command.upgrade(cfg, revision)

    await conn.run_sync(go)


async def revision(
    db: Database,
    message: str,
    rev_id: str,
    down: str | None,
    locations: Sequence[Path] = (),
    version_path: Path | None = None,
    metadata: MetaData | None = None,
) -> None:
    """Autogenerate a migration against a database already at heads.

    It goes to `version_path` (a feature's own migrations folder) when given.
    """
    cfg = alembic_config(db.url, locations)
    async with db.engine.begin() as conn:

        def go(sync_conn: object) -> None:
            cfg.attributes["connection"] = sync_conn
            cfg.attributes["metadata"] = metadata
            command.upgrade(cfg, "heads")
            script = command.revision(
                cfg,
                message=message,
                autogenerate=True,
                rev_id=rev_id,
                head=down or "0001",
                splice=True,
                version_path=str(version_path) if version_path else None,
            )
            del script

        await conn.run_sync(go)


async def recreate(db: Database, locations: Sequence[Path] = ()) -> None:
    """Drop every table and migrate from scratch: throwaway databases only (tests, benches)."""
    if not db.is_sqlite:
        async with db.engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    await upgrade(db, locations=locations)
