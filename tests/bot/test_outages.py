"""A platform outage: messages wait as long as they matter, admins hear once, /healthz says so."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from bot.outbox import EXPIRED
from tests.bot.outage_helpers import Unreachable, group, healthz, rows
from tests.harness import ChatHarness

pytestmark = pytest.mark.chat(unreachable=True, admins=["local:boss"])

ALERT = "消息发送出现问题"


async def test_a_five_minute_outage_loses_nothing_that_still_matters(
    chat: ChatHarness, unreachable: Unreachable
) -> None:
    """It marked all 27 queued messages failed for good (8 attempts, ~330 s), no alert."""
    chat.user("root", role="admin")  # granted in the database, besides TONGXIN_ADMINS
    await chat.setup_people()
    unreachable.down = True
    soon = chat.clock.now() + timedelta(minutes=3)
    await chat.send_out(*(group(n) for n in range(26)), group(26, expires_at=soon))
    status, health = await healthz(chat)
    assert status == 200 and health["platforms"]["fake"]["state"] == "ok"
    for _ in range(10):  # five minutes of refused connections
        await chat.advance(seconds=30)
    status, health = await healthz(chat)
    assert status == 200 and health["status"] == "degraded"
    assert health["platforms"]["fake"]["state"] == "failing"
    assert health["platforms"]["fake"]["retrying"] == 26
    assert health["platforms"]["fake"]["failed_24h"] == 1
    assert health["platforms"]["local"]["state"] == "ok"
    found = await rows(chat)
    assert found["m26"].state == "failed" and found["m26"].last_error.startswith(EXPIRED)
    assert {found[f"m{n}"].state for n in range(26)} == {"pending"}

    unreachable.down = False
    for _ in range(12):  # backoff is capped at five minutes
        await chat.advance(seconds=30)
    found = await rows(chat)
    assert {found[f"m{n}"].state for n in range(26)} == {"sent"}
    assert unreachable.shown == Counter({f"通知{n}": 1 for n in range(26)})
    status, health = await healthz(chat)
    assert status == 200 and health["status"] == "ok"
    assert health["platforms"]["fake"] == {
        "state": "ok",
        "backlog": 0,
        "retrying": 0,
        "failed_24h": 1,
    }
    # Told once, each admin, while it was happening; the expiry later added nothing.
    for admin in ("boss", "root"):
        [alert] = [m["text"] for m in await chat.delivered(admin) if ALERT in m["text"]]
        assert "fake：27 条多次发送失败、仍在重试" in alert and "「发送失败」" in alert


async def test_admins_are_told_again_only_about_new_failures_and_at_most_hourly(
    chat: ChatHarness, unreachable: Unreachable
) -> None:
    unreachable.down = True
    await chat.send_out(group(1, expires_at=chat.clock.now() + timedelta(minutes=1)))
    for _ in range(6):
        await chat.advance(seconds=30)
    alerts = [m["text"] for m in await chat.delivered("boss") if ALERT in m["text"]]
    assert len(alerts) == 1 and "1 条未能送达" in alerts[0]
    # More failures within the hour wait for the next alert.
    await chat.send_out(group(2, expires_at=chat.clock.now() + timedelta(minutes=1)))
    for _ in range(6):
        await chat.advance(seconds=30)
    assert len([m for m in await chat.delivered("boss") if ALERT in m["text"]]) == 1
    await chat.advance(hours=1)
    alerts = [m["text"] for m in await chat.delivered("boss") if ALERT in m["text"]]
    assert len(alerts) == 2 and "1 条未能送达" in alerts[1]
    # Nothing new: nothing said.
    await chat.advance(hours=2)
    assert len([m for m in await chat.delivered("boss") if ALERT in m["text"]]) == 2
