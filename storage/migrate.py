"""Alembic, driven from code: `tongxin db upgrade` and the test set-up."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import Database

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


async def upgrade(db: Database, revision: str = "heads") -> None:
    """Apply migrations on the app's own engine ("heads": features branch off the base)."""
    async with db.engine.begin() as conn:
        await _run(conn, db.url, revision)


async def _run(conn: AsyncConnection, url: str, revision: str) -> None:
    cfg = alembic_config(url)

    def go(sync_conn: object) -> None:
        cfg.attributes["connection"] = sync_conn
        command.upgrade(cfg, revision)

    await conn.run_sync(go)


async def revision(db: Database, message: str, rev_id: str, down: str | None) -> None:
    """Autogenerate a migration against a database already at heads."""
    cfg = alembic_config(db.url)
    async with db.engine.begin() as conn:

        def go(sync_conn: object) -> None:
            cfg.attributes["connection"] = sync_conn
            command.upgrade(cfg, "heads")
            script = command.revision(
                cfg,
                message=message,
                autogenerate=True,
                rev_id=rev_id,
                head=down or "0001",
                splice=True,
            )
            del script

        await conn.run_sync(go)


async def recreate(db: Database) -> None:
    """Drop every table and migrate from scratch: throwaway databases only (tests, benches)."""
    if not db.is_sqlite:
        async with db.engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    await upgrade(db)
