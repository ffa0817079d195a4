"""One dispatcher for timed work: a raising handler holds back nothing, is retried, given up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.errors import Failure
from bot.feature import Feature
from bot.scheduler import MAX_ATTEMPTS
from bot.timers import JobContext
from handlers import FEATURES
from storage.schedule import Firing
from tests.conftest import MakeChat
from tests.harness import ChatHarness

probe = Feature("probe")
boom = probe.timer("probe.boom", ref=int)
fine = probe.timer("probe.fine", ref=int)
done: list[int] = []
broken_runs: list[int] = []


@boom.handler
async def explode(job: JobContext, ref: int) -> None:
    job.to_group("local", "g1", "这条不该发出", key=f"boom:{ref}")
    raise RuntimeError("the handler's own bug")


@fine.handler
async def work(job: JobContext, ref: int) -> None:
    done.append(ref)
    job.to_group("local", "g1", f"任务 {ref} 完成", key=f"fine:{ref}")


@probe.every(timedelta(minutes=1))
async def broken_job(rt: object) -> None:
    broken_runs.append(1)
    raise OSError("disk full")


@pytest.fixture
async def chat(make_chat: MakeChat) -> ChatHarness:
    done.clear()
    broken_runs.clear()
    return await make_chat(features=[*FEATURES, probe], admins=["local:adm"])


async def firing(chat: ChatHarness, source: str) -> Firing:
    async with chat.db.reading() as s:
        row = await s.scalar(select(Firing).where(Firing.source == source))
    assert row is not None
    return row


async def test_a_raising_timer_holds_back_nothing_and_is_given_up_once(chat: ChatHarness) -> None:
    seen: list[Failure] = []

    async def hook(failure: Failure) -> None:
        seen.append(failure)

    chat.app.on_error(hook)
    now = chat.clock.now()
    async with chat.db.transaction() as s:
        await boom.set(s, 1, now + timedelta(minutes=1))
        await fine.set(s, 2, now + timedelta(minutes=2))
    await chat.advance(minutes=2, seconds=5)
    assert done == [2]
    assert "任务 2 完成" in await chat.groups.setdefault("g1", chat.group("g1")).messages()
    row = await firing(chat, "probe.boom:1")
    assert (row.state, row.attempts) == ("pending", 1)
    assert row.last_error == "RuntimeError: the handler's own bug"
    assert row.due_at > chat.clock.now()  # backing off
    for _ in range(20):
        await chat.advance(minutes=30)
    row = await firing(chat, "probe.boom:1")
    assert (row.state, row.attempts) == ("failed", MAX_ATTEMPTS)
    timer_failures = [f for f in seen if f.where == "timer"]
    assert len(timer_failures) == MAX_ATTEMPTS and timer_failures[-1].final
    alerts = [m for m in await chat.user("adm").inbox() if "probe.boom:1" in m]
    assert len(alerts) == 1 and "已停止重试" in alerts[0]
    assert not any("这条不该发出" in m for m in await chat.groups["g1"].messages())


async def test_a_failing_job_is_reported_paused_and_told_once(chat: ChatHarness) -> None:
    seen: list[Failure] = []

    async def hook(failure: Failure) -> None:
        seen.append(failure)

    chat.app.on_error(hook)
    for _ in range(8):
        await chat.tick()  # every job once, the broken one among them
    assert len(broken_runs) == 8
    job_failures = [f for f in seen if f.where == "job" and f.name == "broken_job"]
    assert [f.attempts for f in job_failures] == list(range(1, 9))
    [periodic] = [p for p in chat.app.jobs.periodic if p.name == "broken_job"]
    assert periodic.pause() == 600  # a minute doubled per failure, at most ten
    alerts = [m for m in await chat.user("adm").inbox() if "broken_job" in m]
    assert len(alerts) == 1 and "仍在重试" in alerts[0]
