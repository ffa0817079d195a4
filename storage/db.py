"""The async engine and the one way code opens a transaction."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


class Database:
    """Owns the engine. On SQLite, write transactions are serialised in-process.

    SQLite allows one writer at a time. Letting several connections race for
    the write lock makes them fall back to SQLite's sleeping busy handler, which
    costs milliseconds per collision; queueing writers on an asyncio lock and
    starting them with BEGIN IMMEDIATE keeps the one writer busy instead.
    Other processes (a CLI import while the server runs) still wait on the
    busy timeout.
    """

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        # Statement parameters never reach logs or error messages: they can
        # carry what someone answered in an anonymous poll.
        kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
        if self.is_sqlite:
            kwargs["connect_args"] = {"timeout": 30}
        else:
            kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True, pool_recycle=1800)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            _sqlite_tuning(self.engine)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # Reads start a deferred transaction: in WAL mode they see the last
        # commit and never wait for the writer.
        self._readers = async_sessionmaker(
            self.engine.execution_options(tongxin_read_only=True), expire_on_commit=False
        )
        self._write_lock = WriteLock() if self.is_sqlite else None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def transaction(self, *, urgent: bool = False) -> AsyncIterator[AsyncSession]:
        """One unit of work: commits on success, rolls back on any error.

        Never open a transaction inside another one: on SQLite the second
        would wait for the first forever. `urgent` (recording inbound
        messages, which a platform is waiting on) goes before queued writers.
        """
        async with self.write_turn(urgent), self.sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def write_turn(self, urgent: bool = False) -> AsyncIterator[None]:
        """This process's turn to write, for code that writes outside `transaction`.

        On SQLite the in-process writer lock; PostgreSQL needs none.
        """
        if self._write_lock is None:
            yield
            return
        async with self._write_lock.hold(urgent):
            yield

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A read-only session; on SQLite in WAL mode it never waits for writers."""
        async with self._readers() as session:
            yield session

    async def checkpoint(self) -> None:
        """SQLite: copy the WAL into the database file and empty it.

        Until a checkpoint the WAL keeps every page image written since the
        last one, each transaction's pages side by side; after it, only the
        current pages remain, in the database file, and what was deleted is
        zeroed there (secure_delete). A no-op on PostgreSQL.
        """
        if not self.is_sqlite:
            return
        async with self.write_turn(), self.engine.connect() as conn:
            raw = await conn.get_raw_connection()
            driver: Any = raw.driver_connection
            # Outside any transaction: a checkpoint cannot run inside one.
            await driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    async def ping(self) -> bool:
        try:
            async with asyncio.timeout(2.0), self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    async def dispose(self) -> None:
        await self.engine.dispose()


class WriteLock:
    """A lock handed over in arrival order, urgent waiters before the others."""

    def __init__(self) -> None:
        self._held = False
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._normal: deque[asyncio.Future[None]] = deque()

    @asynccontextmanager
    async def hold(self, urgent: bool) -> AsyncIterator[None]:
        if self._held:
            queue = self._urgent if urgent else self._normal
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            queue.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self._release()  # handed over just as we were cancelled
                else:
                    with contextlib.suppress(ValueError):
                        queue.remove(waiter)
                raise
        self._held = True
        try:
            yield
        finally:
            self._release()

    def _release(self) -> None:
        for queue in (self._urgent, self._normal):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)  # the lock passes on, still held
                    return
        self._held = False


def _sqlite_tuning(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control from the driver so "begin" below decides it.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL survives a process crash; only an OS crash or
        # power loss may lose the last commits.
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        # Deleted and overwritten content is zeroed, not left in free space:
        # a wiped payload or a deleted flow must not stay readable in the file.
        cur.execute("PRAGMA secure_delete=ON")
        cur.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        read_only = conn.get_execution_options().get("tongxin_read_only", False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
