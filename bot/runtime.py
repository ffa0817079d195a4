"""What the app owns and lends to handlers and jobs: settings, database, clock, router."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.anonymous import Writes
from bot.clock import Clock
from bot.config import Settings
from bot.errors import ErrorReporter
from bot.events import Event
from bot.messages import Outgoing
from bot.outbox import Outbox, enqueue
from bot.router import Router
from bot.seal import Sealer

if TYPE_CHECKING:
    from bot.timers import JobContext, Timer
from storage.db import Database


def no_problems() -> list[str]:
    return []


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock
    router: Router
    outbox: Outbox
    # The key kept outside the database, and what seals with it (bot.seal).
    sealer: Sealer
    errors: ErrorReporter = field(default_factory=ErrorReporter)
    # Set when a transaction that left anonymous content to write commits (bot.anonymous).
    writes_due: asyncio.Event = field(default_factory=asyncio.Event)
    writes: Writes = field(init=False)
    # The platforms' set-up problems an admin must fix, in plain Chinese
    # (a wrong secret, a quota running out): the app fills this from its
    # adapters, so the console shows them without knowing any platform.
    problems: Callable[[], list[str]] = no_problems

    def __post_init__(self) -> None:
        self.writes = Writes(self)

    @property
    def timers(self) -> dict[str, Timer[Any]]:
        """Every timed kind the features declared, by kind."""
        return self.router.timers

    async def emit(self, job: JobContext, event: Event) -> None:
        """Hand `event` to every feature that listens for its type."""
        for feature in self.router.features:
            for listener in feature.listeners.get(type(event), []):
                await listener(job, event)

    async def send(self, session: Any, outs: Sequence[Outgoing]) -> None:
        """Enqueue messages a job produced, in the job's transaction."""
        await enqueue(session, outs, self.clock.now(), sealer=self.sealer)
        self.outbox.wake()
