"""GET /metrics: Prometheus text format, from the app's own registry."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.app import Tongxin
from bot.config import Settings
from storage.schedule import Firing
from tests.bot.wecom_helpers import app_sender, call
from tests.fakes.wecom_callbacks import app_text
from tests.harness import ChatHarness

pytestmark = pytest.mark.chat(wecom=True)

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


async def scrape(chat: ChatHarness) -> tuple[str, Samples]:
    assert chat.client is not None
    resp = await chat.client.get("/metrics")
    assert resp.status == 200
    assert resp.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    text = await resp.text()
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    return text, samples


async def test_metrics_are_scraped_with_their_names(chat: ChatHarness) -> None:
    now = chat.clock.now()
    async with chat.db.transaction() as s:
        closes = now - timedelta(minutes=5)
        s.add(Firing(source="poll.close:1", occurrence=closes, event_at=closes, due_at=closes))
        s.add(
            Firing(
                source="meeting:1",
                occurrence=now,
                event_at=now,
                due_at=now - timedelta(seconds=10),
                push=True,
            )
        )
    req = app_sender(chat).app_post(app_text("t1", "/帮助", 4561255354251345929))
    for _ in range(2):  # WeCom retried the callback once
        assert (await call(chat, req)).status == 200
    await chat.settle()
    teacher = chat.user("t2", "王老师")
    await teacher.says("/我是谁")

    text, samples = await scrape(chat)
    for name in (
        "tongxin_messages_received_total",
        "tongxin_messages_duplicate_total",
        "tongxin_messages_handled_total",
        "tongxin_ack_seconds",
        "tongxin_handling_seconds",
        "tongxin_deliveries_total",
        "tongxin_outbox_backlog",
        "tongxin_outbox_retrying",
        "tongxin_outbox_failing",
        "tongxin_outbox_failed_24h",
        "tongxin_inbound_backlog",
        "tongxin_timers_due",
        "tongxin_timers_late",
        "tongxin_token_refreshes_total",
    ):
        assert f"# HELP {name} " in text, name
    wecom = (("platform", "wecom"),)
    assert samples[("tongxin_messages_received_total", wecom)] == 1
    assert samples[("tongxin_messages_duplicate_total", wecom)] == 1
    assert samples[("tongxin_messages_handled_total", (*wecom, ("result", "done")))] == 1
    assert samples[("tongxin_messages_received_total", (("platform", "local"),))] == 1
    assert samples[("tongxin_ack_seconds_count", wecom)] == 2
    assert samples[("tongxin_handling_seconds_count", wecom)] == 1
    assert samples[("tongxin_deliveries_total", (*wecom, ("result", "sent")))] == 1
    assert samples[("tongxin_token_refreshes_total", wecom)] == 1
    assert samples[("tongxin_outbox_backlog", wecom)] == 0
    assert samples[("tongxin_timers_due", (("kind", "timers"),))] == 1
    assert samples[("tongxin_timers_late", (("kind", "timers"),))] == 1
    assert samples[("tongxin_timers_due", (("kind", "reminders"),))] == 1
    assert samples[("tongxin_timers_late", (("kind", "reminders"),))] == 0


async def test_each_app_has_its_own_registry(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    a, b = Tongxin(settings), Tongxin(settings)
    a.metrics.received.labels("local").inc()
    sample = ("tongxin_messages_received_total", {"platform": "local"})
    assert a.metrics.registry.get_sample_value(*sample) == 1
    assert b.metrics.registry.get_sample_value(*sample) is None
