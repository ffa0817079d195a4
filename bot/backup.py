"""`tongxin db backup FILE` and `tongxin db restore FILE`.

SQLite is copied with its online backup API (`sqlite3.Connection.backup`):
a consistent copy page by page while the server keeps running, WAL included.
PostgreSQL goes through its own tools, `pg_dump -Fc` and `pg_restore`, found
on PATH or in Debian's /usr/lib/postgresql/*/bin (the newest there).

The sealing key of the anonymous 意见箱 is kept apart from the database on
purpose (handlers' feedback seal: whoever holds a backup alone must not be
able to unseal an author), so a backup never contains it; both commands
name it, so that nobody restores a database and finds the key lost.

Every failure is a `BackupError` with one Chinese line for the operator.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url

from bot import cli_texts as t
from bot.config import Settings
from bot.numbers import whole
from storage.db import Database

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """What went wrong, in one line for the operator."""


async def backup(settings: Settings, target: Path) -> list[str]:
    """Write a backup of the database to `target`; the lines to print."""
    await asyncio.to_thread(_writable, target)
    # Written aside and renamed when whole: a failed backup leaves no file
    # that looks like one.
    partial = target.with_name(f".{target.name}.partial")
    try:
        db = settings.sqlite_path
        if db is not None:
            await asyncio.to_thread(_sqlite_copy, db, partial)
        else:
            await _pg("pg_dump", settings, ["--format=custom", "--no-owner", "-f", str(partial)])
        size = await asyncio.to_thread(_move, partial, target)
    finally:
        await asyncio.to_thread(partial.unlink, missing_ok=True)
    return [t.backed_up(str(target), _size(size)), key_note(settings, restoring=False)]


async def restore(settings: Settings, source: Path) -> list[str]:
    """Replace the database's contents with the backup in `source`; the lines to print."""
    head = await asyncio.to_thread(_head, source)
    db = settings.sqlite_path
    if db is not None:
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError(t.not_sqlite_backup(str(source)))
        await asyncio.to_thread(_sqlite_restore, source, db)
    else:
        if not head.startswith(PG_DUMP_MAGIC):
            raise BackupError(t.not_pg_dump(str(source)))
        await _pg(
            "pg_restore",
            settings,
            ["--clean", "--if-exists", "--no-owner", "--single-transaction", str(source)],
        )
    # A backup made by an older version is brought up to this one's schema
    # (imported here: Alembic logs its plugins as it loads).
    from storage.migrate import upgrade

    database = Database(settings.database_url)
    try:
        await upgrade(database)
    except Exception as err:
        raise BackupError(t.upgrade_failed(_first_line(err))) from None
    finally:
        await database.dispose()
    return [t.restored(str(source)), key_note(settings, restoring=True)]


def key_note(settings: Settings, *, restoring: bool) -> str:
    """Where the sealing key is, since no backup carries it."""
    if settings.secret_key:
        return t.KEY_IN_ENV
    path = settings.secret_key_file
    if path.exists():
        return t.key_file(str(path))
    if restoring:
        return t.key_file_missing(str(path))
    return t.NO_KEY_YET


def _writable(target: Path) -> None:
    if target.exists():
        raise BackupError(t.target_exists(str(target)))
    if not target.parent.is_dir():
        raise BackupError(t.no_directory(str(target.parent)))


def _move(partial: Path, target: Path) -> int:
    partial.replace(target)
    return target.stat().st_size


def _head(source: Path) -> bytes:
    if not source.is_file():
        raise BackupError(t.no_backup_file(str(source)))
    with source.open("rb") as f:
        return f.read(len(SQLITE_MAGIC))


def _sqlite_copy(db: Path, target: Path) -> None:
    if not db.exists():
        raise BackupError(t.nothing_to_back_up(str(db)))
    try:
        with closing(_connect(db)) as src, closing(_connect(target)) as dst:
            src.backup(dst)
            _check(dst, target)
    except sqlite3.Error as err:
        raise BackupError(t.backup_failed(str(db), str(err))) from None


def _sqlite_restore(source: Path, db: Path) -> None:
    try:
        with closing(_connect(source)) as src:
            _check(src, source)
            if (
                src.execute(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
                ).fetchone()
                is None
            ):
                raise BackupError(t.not_tongxin_backup(str(source)))
            with closing(_connect(db)) as dst:
                src.backup(dst)
    except sqlite3.Error as err:
        raise BackupError(t.restore_failed(str(source), str(err))) from None


def _connect(path: Path) -> sqlite3.Connection:
    # Waits for the running server's writer like any other connection does.
    return sqlite3.connect(path, timeout=30)


def _check(conn: sqlite3.Connection, path: Path) -> None:
    found = conn.execute("PRAGMA quick_check").fetchone()
    if found is None or found[0] != "ok":
        raise BackupError(t.damaged(str(path), found[0] if found else None))


async def _pg(tool: str, settings: Settings, args: list[str]) -> None:
    url = make_url(settings.database_url)
    env = dict(os.environ)
    for name, value in (
        ("PGHOST", url.host),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
    ):
        if value:
            env[name] = str(value)
    program = find_pg_tool(tool)
    proc = await asyncio.create_subprocess_exec(
        program,
        f"--dbname={url.database or 'postgres'}",
        *args,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await proc.communicate()
    if proc.returncode != 0:
        said = err.decode(errors="replace").strip().splitlines()
        raise BackupError(t.tool_failed(tool, said[-1] if said else None, proc.returncode))


def find_pg_tool(tool: str) -> str:
    """pg_dump / pg_restore: on PATH, else the newest Debian PostgreSQL's."""
    found = shutil.which(tool)
    if found:
        return found
    versions = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{tool}"),
        key=lambda p: whole(p.parent.parent.name) or 0,
    )
    if versions:
        return str(versions[-1])
    raise BackupError(t.no_pg_tool(tool))


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(n // 1024, 1)} KB"


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
