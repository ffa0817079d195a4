"""The 督导 page for many units and a year of meetings: how long it takes to render.

Generates UNITS branches of MEMBERS people each and a year of 三会一课 and
主题党日 (check-ins with every member's entry, one meeting in ten recorded by
hand, some units falling behind), then times GET /console/supervision for a
signed-in admin through the whole console (middleware, session, query,
figures, template). Baseline in the same run: the 单位 page over the same
units (one grouped query per column, the same layout).

    .venv/bin/python -m bench.supervision [--units 500] [--members 20] [--runs 20]

`generate` also makes the data of the console test (tests/console).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from storage.checkin import Checkin, CheckinEntry
from storage.db import Database
from storage.models import Membership, Person, Unit
from storage.supervision import MeetingRecord, cadences, tally_closed

TZ = ZoneInfo("Asia/Shanghai")
# Titles a secretary would type, per seeded cadence; {m} a month, {q} a quarter.
TITLES = {
    "支部党员大会": ["支部党员大会", "第{q}季度党员大会"],
    "支委会": ["支委会", "{m}月支委会"],
    "党小组会": ["党小组会", "第一党小组会议"],
    "党课": ["党课", "专题党课：学习党章"],
    "主题党日": ["{m}月主题党日", "主题党日活动"],
}
# Check-ins that are no cadence's: left out of every figure.
NOISE = ["教职工座谈会", "家长会"]
MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}


@dataclass(frozen=True)
class Meeting:
    """What the generator made, to check the page against."""

    unit: str
    kind: str
    day: date
    expected: int
    attended: int
    record: bool


async def generate(
    db: Database, *, units: int, members: int, year: int, until: date, seed: int = 7
) -> list[Meeting]:
    """Branches 第001党支部…, their rosters and a year of meetings up to `until`."""
    rng = random.Random(seed)
    now = datetime(year, 1, 1, tzinfo=UTC)
    made: list[Meeting] = []
    async with db.transaction() as s:
        kinds = await cadences(s)
        unit_ids = list(
            await s.scalars(
                insert(Unit).returning(Unit.id, sort_by_parameter_order=True),
                [{"name": f"第{u + 1:03d}党支部", "kind": "branch"} for u in range(units)],
            )
        )
        person_ids = list(
            await s.scalars(
                insert(Person).returning(Person.id, sort_by_parameter_order=True),
                [
                    {
                        "platform": "local",
                        "platform_user_id": f"u{u}-{i}",
                        "display_name": f"党员{u}-{i}",
                        "created_at": now,
                    }
                    for u in range(units)
                    for i in range(members)
                ],
            )
        )
        roster = {
            uid: person_ids[u * members : (u + 1) * members] for u, uid in enumerate(unit_ids)
        }
        await s.execute(
            insert(Membership),
            [{"person_id": p, "unit_id": uid} for uid, people in roster.items() for p in people],
        )
        checkins: list[dict[str, object]] = []
        attendance: list[list[str]] = []
        records: list[dict[str, object]] = []
        for u, uid in enumerate(unit_ids):
            name = f"第{u + 1:03d}党支部"
            # A few units keep every date; most miss one now and then; some fall behind.
            diligence = rng.choice([1.0, 1.0, 0.92, 0.85, 0.7])
            turnout = rng.uniform(0.7, 1.0)
            for kind in kinds:
                size = MONTHS[kind.period]
                for start_month in range(1, 13, size):
                    first = date(year, start_month, 1)
                    if first > until or rng.random() > diligence:
                        continue
                    last = min(_month_end(year, start_month + size - 1), until)
                    day = first + timedelta(days=rng.randrange((last - first).days + 1))
                    title = rng.choice(TITLES.get(kind.name, [kind.name])).format(
                        m=day.month, q=(day.month - 1) // 3 + 1
                    )
                    statuses = [
                        "present" if rng.random() < turnout else rng.choice(["leave", "", "late"])
                        for _ in range(members)
                    ]
                    attended = sum(1 for x in statuses if x in ("present", "late"))
                    leave = statuses.count("leave")
                    by_hand = rng.random() < 0.1
                    made.append(Meeting(name, kind.name, day, members, attended, by_hand))
                    if by_hand:
                        records.append(_record(uid, kind.id, day, members, attended, leave, now))
                        continue
                    checkins.append(_checkin(uid, title, day))
                    attendance.append(statuses)
            if rng.random() < 0.5:
                checkins.append(_checkin(uid, rng.choice(NOISE), date(year, 3, 3)))
                attendance.append(["present"] * members)
        ids = list(
            await s.scalars(
                insert(Checkin).returning(Checkin.id, sort_by_parameter_order=True), checkins
            )
        )
        entries = [
            {
                "checkin_id": cid,
                "person_id": person,
                "expected": True,
                "status": status,
                "reason": "",
                "at": None,
                "announced": False,
            }
            for cid, row, statuses in zip(ids, checkins, attendance, strict=True)
            for person, status in zip(roster[int(str(row["unit_id"]))], statuses, strict=True)
        ]
        for i in range(0, len(entries), 20_000):
            await s.execute(insert(CheckinEntry), entries[i : i + 20_000])
        if records:
            await s.execute(insert(MeetingRecord), records)
    return made


def _month_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def _checkin(unit_id: int, title: str, day: date) -> dict[str, object]:
    opened = datetime(day.year, day.month, day.day, 15, tzinfo=TZ)
    return {
        "platform": "local",
        "chat_id": f"g{unit_id}",
        "unit_id": unit_id,
        "title": title,
        "code": "",
        "accept_late": True,
        "roster_source": "unit",
        "opened_at": opened,
        "deadline": opened + timedelta(minutes=15),
        "closes_at": opened + timedelta(hours=2),
        "closed_at": opened + timedelta(hours=2),
        "state": "closed",
        "progress_pending": False,
    }


def _record(
    unit_id: int,
    cadence_id: int,
    day: date,
    expected: int,
    attended: int,
    leave: int,
    now: datetime,
) -> dict[str, object]:
    return {
        "unit_id": unit_id,
        "cadence_id": cadence_id,
        "held_on": day,
        "place": "党员活动室",
        "host": "书记",
        "expected": expected,
        "attended": attended,
        "leave": leave,
        "created_at": now,
    }


async def _time(client: object, path: str, runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of each request (client and server share the process)."""
    from aiohttp.test_utils import TestClient

    assert isinstance(client, TestClient)
    wall, cpu = [], []
    for _ in range(runs):
        started, used = time.perf_counter(), time.process_time()
        resp = await client.get(path)
        body = await resp.read()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
        assert resp.status == 200, body[:200]
    return wall, cpu


async def bench(units: int, members: int, runs: int) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    from bot.app import Tongxin
    from bot.clock import ManualClock
    from bot.config import Settings
    from bot.console.auth import start_session
    from bot.schema import migrate
    from handlers import FEATURES
    from storage.people import grant_role, touch_person

    now = datetime(2026, 12, 20, 10, tzinfo=TZ)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        db = Database(url)
        await migrate(db, FEATURES)
        started = time.perf_counter()
        made = await generate(db, units=units, members=members, year=2026, until=now.date())
        print(
            f"generated {units} units × {members} members, {len(made)} meetings "
            f"in {time.perf_counter() - started:.1f} s"
        )
        started = time.perf_counter()
        while True:
            async with db.transaction() as s:
                if await tally_closed(s, TZ, await cadences(s), 1000) < 1000:
                    break
        print(f"closed check-ins counted in {time.perf_counter() - started:.1f} s (once)")
        async with db.transaction() as s:
            boss = await touch_person(s, "local", "boss", "局党委", now)
            await grant_role(s, boss, "admin", None, "bench", now)
            cookie = await start_session(s, boss, now)
        await db.dispose()
        app = Tongxin(Settings(database_url=url, local_channel=True), clock=ManualClock(now))
        app.background = False
        client = TestClient(TestServer(app.web), cookies={"tongxin_console": cookie})
        await client.start_server()
        try:
            for path in ("/console/units", "/console/supervision"):
                await _time(client, path, 2)  # warm the caches
            base = await _time(client, "/console/units", runs)
            page = await _time(client, "/console/supervision", runs)
            export = await _time(client, "/console/export/supervision", max(3, runs // 4))
        finally:
            await client.close()
    print(f"SQLite, {runs} requests each (ms)   median    p95   CPU median")
    for label, (wall, cpu) in (
        ("单位 page (baseline)", base),
        ("督导 page", page),
        ("督导 XLSX", export),
    ):
        p95 = sorted(wall)[max(0, round(len(wall) * 0.95) - 1)]
        median = statistics.median(wall)
        print(f"  {label:<24} {median:7.1f} {p95:7.1f} {statistics.median(cpu):7.1f}")
    ratio = statistics.median(page[0]) / statistics.median(base[0])
    print(f"  督导 page / baseline: {ratio:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--runs", type=int, default=20)
    ns = parser.parse_args()
    asyncio.run(bench(ns.units, ns.members, ns.runs))


if __name__ == "__main__":
    main()
