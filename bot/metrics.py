"""Prometheus metrics of one app: its own registry, counters where things happen,
and what the database knows (backlogs, failures, timers) read at scrape time.

`GET /metrics` answers in the Prometheus text format. What the counters and
histograms count is this process's; the database figures are the same from
every replica. See docs/operations.md for the names and a dashboard.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.outbox_health import FAILING_ATTEMPTS, LATE, delivery_health
from storage.schedule import PENDING, Firing

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
ACK_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
HANDLING_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)


@dataclass
class Snapshot:
    """What the database said at the last scrape."""

    outbox: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)
    inbound_backlog: int = 0
    timers: dict[str, tuple[int, int]] = field(default_factory=dict)
    token_refreshes: dict[str, int] = field(default_factory=dict)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.received = Counter(
            "tongxin_messages_received",
            "Messages recorded from a platform (first delivery of each).",
            ["platform"],
            registry=r,
        )
        self.duplicates = Counter(
            "tongxin_messages_duplicate",
            "Callbacks for a message already recorded (the platform retried).",
            ["platform"],
            registry=r,
        )
        self.handled = Counter(
            "tongxin_messages_handled",
            "Messages handled; result done or failed (a handler raised).",
            ["platform", "result"],
            registry=r,
        )
        self.ack = Histogram(
            "tongxin_ack_seconds",
            "Time to answer a platform's callback (the local channel answers after handling).",
            ["platform"],
            buckets=ACK_BUCKETS,
            registry=r,
        )
        self.handling = Histogram(
            "tongxin_handling_seconds",
            "Time from recording a message to having handled it.",
            ["platform"],
            buckets=HANDLING_BUCKETS,
            registry=r,
        )
        self.deliveries = Counter(
            "tongxin_deliveries",
            "Delivery attempts by outcome: sent, retry, failed (given up).",
            ["platform", "result"],
            registry=r,
        )
        self.snapshot = Snapshot()
        r.register(_FromDatabase(self.snapshot))

    async def refresh(
        self,
        session: AsyncSession,
        platforms: list[str],
        now: datetime,
        token_refreshes: dict[str, int],
    ) -> None:
        """Read what only the database knows, for the scrape under way."""
        health = await delivery_health(session, platforms, now)
        snap = self.snapshot
        snap.outbox = {
            name: (p.backlog, p.retrying, p.failing, p.failed_recent)
            for name, p in health.platforms.items()
        }
        snap.inbound_backlog = health.inbound_backlog
        # One table holds both; a push (a reminder to people) may wait out the
        # quiet hours, a timer (a poll's close) fires on time.
        snap.timers = {
            "timers": await _due(session, now, push=False),
            "reminders": await _due(session, now, push=True),
        }
        snap.token_refreshes = dict(token_refreshes)

    def render(self) -> bytes:
        return generate_latest(self.registry)


async def _due(session: AsyncSession, now: datetime, *, push: bool) -> tuple[int, int]:
    """(due, late) pending firings: due now, and due for longer than LATE."""
    late = case((Firing.due_at < now - LATE, 1), else_=0)
    row = (
        await session.execute(
            select(func.count(), func.sum(late)).where(
                Firing.state == PENDING, Firing.due_at <= now, Firing.push.is_(push)
            )
        )
    ).one()
    return int(row[0] or 0), int(row[1] or 0)


class _FromDatabase(Collector):
    def __init__(self, snapshot: Snapshot) -> None:
        self.s = snapshot

    def collect(self) -> Iterator[Metric]:
        s = self.s
        names = (
            ("tongxin_outbox_backlog", "Messages due over a minute ago and not sent."),
            ("tongxin_outbox_retrying", "Messages waiting for another attempt after a failed one."),
            (
                "tongxin_outbox_failing",
                f"Messages failed {FAILING_ATTEMPTS} attempts or more, still retried.",
            ),
            ("tongxin_outbox_failed_24h", "Messages given up in the last 24 hours."),
        )
        for i, (name, doc) in enumerate(names):
            gauge = GaugeMetricFamily(name, doc, labels=["platform"])
            for platform, values in sorted(s.outbox.items()):
                gauge.add_metric([platform], values[i])
            yield gauge
        yield GaugeMetricFamily(
            "tongxin_inbound_backlog",
            "Recorded messages waiting over a minute to be handled.",
            value=s.inbound_backlog,
        )
        due = GaugeMetricFamily("tongxin_timers_due", "Timers due and not fired.", labels=["kind"])
        late = GaugeMetricFamily(
            "tongxin_timers_late",
            f"Timers due for over {int(LATE / timedelta(seconds=1))} s and not fired.",
            labels=["kind"],
        )
        for kind, (n_due, n_late) in sorted(s.timers.items()):
            due.add_metric([kind], n_due)
            late.add_metric([kind], n_late)
        yield due
        yield late
        tokens = CounterMetricFamily(
            "tongxin_token_refreshes", "Access tokens fetched from a platform.", labels=["platform"]
        )
        for platform, n in sorted(s.token_refreshes.items()):
            tokens.add_metric([platform], n)
        yield tokens
