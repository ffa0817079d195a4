"""How long the closing summary and the XLSX of a large call take.

    .venv/bin/python -m bench.feedback [--members 2000]

A call to a county-sized audience (2,000 people: 1,000 named opinions, 300
anonymous ones, the rest silent) on SQLite. The baseline, in the same run, is
reading the members' rows alone, the least any report must do.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from handlers.feedback.report import build_feedback_export, render_summary, summarize
from schedules.timeparse import SHANGHAI
from storage.db import Database
from storage.feedback import (
    ANONYMOUS,
    NAMED,
    FeedbackCall,
    FeedbackMember,
    FeedbackOpinion,
    open_call,
)
from storage.migrate import upgrade
from storage.models import Person

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


async def seed(db: Database, members: int) -> int:
    async with db.transaction() as s:
        people = [
            Person(
                platform="local", platform_user_id=f"u{i}", display_name=f"老师{i}", created_at=NOW
            )
            for i in range(members)
        ]
        s.add_all(people)
        await s.flush()
        call = await open_call(
            s,
            FeedbackCall(
                platform="local",
                title="年度计划",
                deadline=NOW + timedelta(days=3),
                audience="unit",
                state="closed",
                creator_id=people[0].id,
                created_at=NOW,
            ),
            [p.id for p in people],
        )
        seats = list(
            await s.scalars(select(FeedbackMember).where(FeedbackMember.call_id == call.id))
        )
        for i, seat in enumerate(seats):
            if i < members // 2:
                seat.status = NAMED
                s.add(
                    FeedbackOpinion(
                        call_id=call.id,
                        person_id=seat.person_id,
                        kind="opinion",
                        text="意见" * 100,
                        receipt=f"N{i}",
                        submitted_at=NOW,
                    )
                )
            elif i < members // 2 + members * 3 // 20:
                seat.status = ANONYMOUS
                s.add(
                    FeedbackOpinion(
                        call_id=call.id, kind="opinion", text="匿名" * 100, receipt=f"A{i}"
                    )
                )
        return call.id


async def timed(db: Database, fn: Callable[[Any], Awaitable[object]], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        async with db.reading() as s:
            start = time.perf_counter()
            await fn(s)
            best = min(best, time.perf_counter() - start)
    return best * 1000


async def main(members: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite+aiosqlite:///{tmp}/bench.db")
        await upgrade(db)
        call_id = await seed(db, members)

        async def baseline(s: Any) -> object:
            return (
                await s.execute(select(FeedbackMember).where(FeedbackMember.call_id == call_id))
            ).all()

        async def summary(s: Any) -> object:
            found = await summarize(s, call_id)
            assert found is not None
            return render_summary(found, NOW, SHANGHAI)

        async def export(s: Any) -> object:
            return await build_feedback_export(s, call_id)

        base = await timed(db, baseline, rounds)
        print(f"members={members} rounds={rounds} (best of)")
        print(f"baseline: read member rows      {base:8.1f} ms")
        for name, fn in (("summary (text)", summary), ("export (XLSX)", export)):
            ms = await timed(db, fn, rounds)
            print(f"{name:<32}{ms:8.1f} ms  ({ms / base:5.1f}x baseline)")
        await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    ns = parser.parse_args()
    asyncio.run(main(ns.members, ns.rounds))
