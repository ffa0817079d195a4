"""Check-in burst: 5,000 roster members answer one check-in within one simulated minute.

    .venv/bin/python -m bench.checkin_burst [--members 5000] [--dup 0.1] [--db sqlite|pg|both]

Every message goes over HTTP to the local channel (POST /local/messages on a
real loopback socket), the way a platform's callback reaches the bot; 10% of
them are delivered twice with the same msg_id, as a platform retries. The
app runs as in production: background outbox and job ticker. The injected
clock walks through one minute over the burst, so the grouped progress line
and its timer work as they would in a room.

Baseline, same run, same app: messages the bot answers with its fallback
hint (the message path without the check-in), from --baseline members with
the same share of duplicates; compare the throughputs.
Checks: every member counted once, nobody lost, no one outside the roster.
PostgreSQL needs TONGXIN_TEST_PG_URL (scripts/with-postgres.sh sets it).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import ClientSession, TCPConnector
from aiohttp.test_utils import TestServer
from sqlalchemy import func, insert, select, text

from bot.app import Tongxin
from bot.clock import ManualClock
from bot.config import Settings
from bot.messages import Incoming
from storage.checkin import CheckinEntry
from storage.db import Database
from storage.messaging import InboundMessage
from storage.migrate import recreate
from storage.models import ChatGroup, Membership, Person, RoleGrant, Unit

START = datetime(2026, 11, 25, 19, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
GROUP = "burst-group"
# In-flight callbacks at once, as a platform's webhook fan-out would have.
CONCURRENCY = 64


@dataclass
class Run:
    label: str
    wall: float
    cpu: float
    latencies: list[float]
    messages: int

    @property
    def rate(self) -> float:
        return self.messages / self.wall

    def line(self) -> str:
        lat = sorted(self.latencies)
        p50 = statistics.median(lat) * 1000
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
        rate = self.rate
        return (
            f"{self.label:<22} {self.messages:>6} msgs  {self.wall:6.2f} s  "
            f"{rate:7.0f} msg/s  p50 {p50:6.1f} ms  p99 {p99:7.1f} ms  "
            f"CPU {self.cpu / self.messages * 1000:4.1f} ms/msg"
        )


async def prepare(url: str, members: int) -> None:
    db = Database(url)
    try:
        await recreate(db)
        now = START
        async with db.transaction() as s:
            await s.execute(insert(Unit).values(id=1, name="一支部", kind="branch"))
            people = [
                {
                    "id": i + 1,
                    "platform": "local",
                    "platform_user_id": f"u{i}",
                    "display_name": f"老师{i}",
                    "created_at": now,
                }
                for i in range(members + 1)
            ]
            await s.execute(insert(Person), people)
            await s.execute(
                insert(Membership), [{"person_id": p["id"], "unit_id": 1} for p in people]
            )
            await s.execute(
                insert(RoleGrant).values(
                    person_id=members + 1,
                    role="secretary",
                    unit_id=1,
                    scope="1",
                    granted_by="bench",
                    granted_at=now,
                )
            )
            await s.execute(
                insert(ChatGroup).values(
                    platform="local", chat_id=GROUP, title="", unit_id=1, first_seen_at=now
                )
            )
        if not db.is_sqlite:
            async with db.engine.begin() as conn:
                for table in ("people", "units", "chat_groups", "role_grants", "memberships"):
                    await conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT max(id) FROM {table}))"
                        )
                    )
    finally:
        await db.dispose()


Send = Callable[[str, str, str], Awaitable[None]]


def over_http(http: ClientSession, base: str) -> Send:
    async def send(user: str, words: str, msg_id: str) -> None:
        body = {
            "chat_id": GROUP,
            "chat_type": "group",
            "sender_id": user,
            "sender_name": "",
            "text": words,
            "msg_id": msg_id,
        }
        async with http.post(f"{base}/local/messages", json=body) as resp:
            await resp.read()
            if resp.status != 200:
                raise RuntimeError(f"{resp.status} for {msg_id}")

    return send


def into_ingest(app: Tongxin) -> Send:
    async def send(user: str, words: str, msg_id: str) -> None:
        incoming = Incoming(
            platform="local",
            chat_id=GROUP,
            chat_type="group",
            sender_id=user,
            text=words,
            msg_id=msg_id,
            at=app.clock.now(),
        )
        await app.ingest.submit(incoming, wait=True)

    return send


async def burst(
    send: Send,
    clock: ManualClock,
    label: str,
    text_of: str,
    members: int,
    dup: float,
    prefix: str,
) -> Run:
    rng = random.Random(7)
    sends = [(f"u{i}", f"{prefix}-{i}") for i in range(members)]
    sends += rng.sample(sends, int(members * dup))
    rng.shuffle(sends)
    start = clock.now()
    step = timedelta(seconds=60) / len(sends)
    sem = asyncio.Semaphore(CONCURRENCY)
    latencies: list[float] = []

    async def one(n: int, user: str, msg_id: str) -> None:
        async with sem:
            clock.set(start + step * n)
            t0 = time.perf_counter()
            await send(user, text_of, msg_id)
            latencies.append(time.perf_counter() - t0)

    t0, c0 = time.perf_counter(), time.process_time()
    await asyncio.gather(*(one(n, u, m) for n, (u, m) in enumerate(sends)))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    clock.set(start + timedelta(seconds=60))
    return Run(label, wall, cpu, latencies, len(sends))


async def bench(url: str, members: int, dup: float, baseline_n: int, via: str) -> list[str]:
    await prepare(url, members)
    clock = ManualClock(START)
    settings = Settings(database_url=url, local_channel=True, log_level="WARNING")
    app = Tongxin(settings, clock=clock)
    server = TestServer(app.web)
    await server.start_server()
    base = str(server.make_url("")).rstrip("/")
    out = []
    try:
        async with ClientSession(connector=TCPConnector(limit=CONCURRENCY)) as http:
            send = over_http(http, base) if via == "http" else into_ingest(app)
            baseline = await burst(send, clock, "baseline (fallback)", "你好", baseline_n, dup, "b")
            secretary = {
                "chat_id": GROUP,
                "chat_type": "group",
                "sender_id": f"u{members}",
                "text": "/签到 发起 主题党日 截止 20:00",
                "msg_id": "open",
            }
            t0 = time.perf_counter()
            async with http.post(f"{base}/local/messages", json=secretary) as resp:
                opened = (await resp.json())["replies"][0]["text"]
            open_s = time.perf_counter() - t0
            run = await burst(send, clock, "check-in burst", "签到", members, dup, "c")
        await app.ingest.idle()
        clock.advance(seconds=60)
        await app.run_jobs()
        async with app.db.reading() as s:
            counted = await s.scalar(
                select(func.count()).where(CheckinEntry.status.in_(("present", "late")))
            )
            distinct = await s.scalar(
                select(func.count(func.distinct(CheckinEntry.person_id))).where(
                    CheckinEntry.status == "present"
                )
            )
            outsiders = await s.scalar(select(func.count()).where(CheckinEntry.expected.is_(False)))
            handled = await s.scalar(
                select(func.count()).where(
                    InboundMessage.state == "done", InboundMessage.msg_id.like("c-%")
                )
            )
        ok = counted == distinct == members and outsiders == 0 and handled == members
        out += [
            f"database: {'SQLite' if url.startswith('sqlite') else 'PostgreSQL'}, "
            f"{members} members, {int(members * dup)} duplicate deliveries, "
            f"{CONCURRENCY} in flight, via {via}",
            f"opening the check-in (roster copy of {members + 1}): {open_s * 1000:.0f} ms "
            f"— {opened.splitlines()[0]}",
            baseline.line(),
            run.line(),
            f"throughput check-in/baseline: {run.rate / baseline.rate:.2f}",
            f"counted {counted}, distinct {distinct}, outside roster {outsiders}, "
            f"handled {handled}: {'OK' if ok else 'MISMATCH'}",
        ]
        if not ok:
            raise SystemExit("\n".join(out))
    finally:
        await server.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--dup", type=float, default=0.1)
    parser.add_argument("--db", choices=["sqlite", "pg", "both"], default="both")
    parser.add_argument("--baseline", type=int, default=1000, help="members in the baseline")
    parser.add_argument(
        "--via", choices=["http", "ingest"], default="http", help="local channel or submit()"
    )
    ns = parser.parse_args()
    urls = []
    tmp = tempfile.TemporaryDirectory()
    if ns.db in ("sqlite", "both"):
        urls.append(f"sqlite+aiosqlite:///{Path(tmp.name) / 'burst.db'}")
    pg = os.environ.get("TONGXIN_TEST_PG_URL")
    if ns.db in ("pg", "both"):
        if pg:
            urls.append(pg)
        else:
            print("PostgreSQL skipped: no TONGXIN_TEST_PG_URL", file=sys.stderr)
    try:
        for url in urls:
            baseline = min(ns.baseline, ns.members)
            for line in asyncio.run(bench(url, ns.members, ns.dup, baseline, ns.via)):
                print(line)
            print()
    finally:
        tmp.cleanup()


if __name__ == "__main__":
    main()
