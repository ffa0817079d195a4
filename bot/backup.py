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
    return [f"已备份到 {target}（{_size(size)}）。", key_note(settings, restoring=False)]


async def restore(settings: Settings, source: Path) -> list[str]:
    """Replace the database's contents with the backup in `source`; the lines to print."""
    head = await asyncio.to_thread(_head, source)
    db = settings.sqlite_path
    if db is not None:
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError(f"{source} 不是 SQLite 数据库的备份（本服务用的是 SQLite）")
        await asyncio.to_thread(_sqlite_restore, source, db)
    else:
        if not head.startswith(PG_DUMP_MAGIC):
            raise BackupError(f"{source} 不是 pg_dump 的备份（本服务用的是 PostgreSQL）")
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
        raise BackupError(f"已恢复，但数据库升级失败：{_first_line(err)}") from None
    finally:
        await database.dispose()
    return [f"已从 {source} 恢复数据库。", key_note(settings, restoring=True)]


def key_note(settings: Settings, *, restoring: bool) -> str:
    """Where the sealing key is, since no backup carries it."""
    if settings.secret_key:
        return "匿名建言的封存密钥在 TONGXIN_SECRET_KEY 里，不在备份中：请另外妥善保存这个值。"
    path = settings.secret_key_file
    if path.exists():
        return (
            f"匿名建言的封存密钥是 {path}，有意不放进备份：请把它另外存一份"
            "（不要和备份放在一起），没有它就无法再回复以前的匿名建言。"
        )
    if restoring:
        return (
            f"注意：{path} 不存在。如果原来的服务器上有这个封存密钥文件，请把它拷到这里，"
            "否则无法回复以前的匿名建言。"
        )
    return "还没有生成匿名建言的封存密钥，备份之外无需另存。"


def _writable(target: Path) -> None:
    if target.exists():
        raise BackupError(f"{target} 已经存在；请换一个文件名，或先删掉它")
    if not target.parent.is_dir():
        raise BackupError(f"目录 {target.parent} 不存在")


def _move(partial: Path, target: Path) -> int:
    partial.replace(target)
    return target.stat().st_size


def _head(source: Path) -> bytes:
    if not source.is_file():
        raise BackupError(f"找不到备份文件 {source}")
    with source.open("rb") as f:
        return f.read(len(SQLITE_MAGIC))


def _sqlite_copy(db: Path, target: Path) -> None:
    if not db.exists():
        raise BackupError(f"数据库文件 {db} 不存在，没有可备份的内容")
    try:
        with closing(_connect(db)) as src, closing(_connect(target)) as dst:
            src.backup(dst)
            _check(dst, target)
    except sqlite3.Error as err:
        raise BackupError(f"备份 {db} 失败：{err}") from None


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
                raise BackupError(f"{source} 不是同心的数据库备份")
            with closing(_connect(db)) as dst:
                src.backup(dst)
    except sqlite3.Error as err:
        raise BackupError(f"从 {source} 恢复失败：{err}") from None


def _connect(path: Path) -> sqlite3.Connection:
    # Waits for the running server's writer like any other connection does.
    return sqlite3.connect(path, timeout=30)


def _check(conn: sqlite3.Connection, path: Path) -> None:
    found = conn.execute("PRAGMA quick_check").fetchone()
    if found is None or found[0] != "ok":
        raise BackupError(f"{path} 已损坏（quick_check：{found[0] if found else '无结果'}）")


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
        raise BackupError(f"{tool} 失败：{said[-1] if said else f'退出码 {proc.returncode}'}")


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
    raise BackupError(
        f"找不到 {tool}：请安装 PostgreSQL 客户端（Debian：apt-get install postgresql-client）"
    )


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(n // 1024, 1)} KB"


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
