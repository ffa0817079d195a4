"""A broadcast to many groups: what 确认 costs, how fast the outbox drains it, what status costs.

    .venv/bin/python -m bench.broadcast [--groups 2000]

Baseline, in the same run and on the same database: the engine's own
`enqueue` of the same number of plain group messages in one transaction.
The broadcast's 确认 adds the target query, the record and the keyed rows on
top of the admin's message being handled. Delivery goes to a platform that
accepts at once and declares the group robots' 20-a-minute limit per group.
Run under scripts/with-postgres.sh to add PostgreSQL (TONGXIN_TEST_PG_URL).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from bot.app import Tongxin
from bot.clock import ManualClock
from bot.config import Settings
from bot.delivery import Delivery, Limit
from bot.messages import Incoming, Outgoing
from bot.outbox import enqueue
from storage.db import Database
from storage.migrate import recreate
from storage.people import bind_group, ensure_unit, grant_role, touch_person


class NullRobot:
    name = "robot"
    inline_replies = False

    def limits(self, delivery: Delivery) -> list[Limit]:
        return [Limit(f"robot:group:{delivery.chat_id}", 20, 60)]

    async def deliver(self, delivery: Delivery) -> None:
        return None


async def fresh(url: str) -> None:
    db = Database(url)
    try:
        await recreate(db)
    finally:
        await db.dispose()


def says(app: Tongxin, n: int, words: str) -> Incoming:
    return Incoming(
        platform="local",
        chat_id="admin",
        chat_type="direct",
        sender_id="admin",
        sender_name="管理员",
        text=words,
        msg_id=f"bench-{n}",
        at=app.clock.now(),
    )


async def run(name: str, url: str, groups: int) -> list[str]:
    await fresh(url)
    clock = ManualClock(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    settings = Settings(database_url=url, local_channel=True)
    app = Tongxin(settings, clock=clock, extra_deliverers=[NullRobot()])
    await app.start(background=False)
    try:
        async with app.db.transaction() as s:
            now = clock.now()
            pid = await touch_person(s, "local", "admin", "管理员", now)
            await grant_role(s, pid, "admin", None, "bench", now)
            unit = await ensure_unit(s, "一支部")
            for i in range(groups):
                await bind_group(s, "robot", f"g{i:05d}", unit, None, now)

        outs = [
            Outgoing(platform="robot", chat_type="group", chat_id=f"g{i:05d}", text="基线")
            for i in range(groups)
        ]
        t0 = time.perf_counter()
        async with app.db.transaction() as s:
            for i in range(0, groups, 500):
                await enqueue(s, outs[i : i + 500], clock.now())
        base = time.perf_counter() - t0
        async with app.db.transaction() as s:
            await s.execute(text("DELETE FROM outbox"))

        await app.ingest.submit(says(app, 1, "/广播 关于开展民主评议党员工作的通知"), wait=True)
        t0 = time.perf_counter()
        _, replies = await app.ingest.submit(says(app, 2, "确认"), wait=True)
        confirm = time.perf_counter() - t0
        assert "已开始发送" in replies[0].text, replies

        t0 = time.perf_counter()
        while await app.outbox.run_once():
            pass
        drain = time.perf_counter() - t0

        # Status of a half-failed broadcast: the worst case of its listing queries.
        async with app.db.transaction() as s:
            await s.execute(
                text(
                    "UPDATE outbox SET state = 'failed', last_error = 'errcode 93000'"
                    " WHERE id % 2 = 0 AND batch = 'broadcast:1'"
                )
            )
        t0 = time.perf_counter()
        _, replies = await app.ingest.submit(says(app, 3, "/广播 状态 1"), wait=True)
        status = time.perf_counter() - t0
        assert f"共 {groups} 个群" in replies[0].text, replies
    finally:
        await app.stop()
    return [
        f"| {name} | enqueue {groups} plain rows (baseline) | {base * 1000:.0f} ms | 100% |",
        f"| {name} | 确认 → {groups} broadcast rows | {confirm * 1000:.0f} ms"
        f" | {confirm / base:.0%} |",
        f"| {name} | drain {groups} through the outbox | {drain * 1000:.0f} ms"
        f" ({groups / drain:,.0f}/s) | — |",
        f"| {name} | /广播 状态 (half failed) | {status * 1000:.0f} ms | — |",
    ]


async def main_async(groups: int) -> None:
    rows: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        rows += await run("sqlite", f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", groups)
    pg = os.environ.get("TONGXIN_TEST_PG_URL")
    if pg:
        rows += await run("postgresql", pg, groups)
    else:
        print("(no TONGXIN_TEST_PG_URL: PostgreSQL skipped)", file=sys.stderr)
    print("| db | what | time | vs baseline |")
    print("|---|---|---|---|")
    print("\n".join(rows))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--groups", type=int, default=2000)
    asyncio.run(main_async(p.parse_args().groups))


if __name__ == "__main__":
    main()
