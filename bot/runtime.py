"""What the app owns and lends to handlers and jobs: settings, database, clock, router."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.clock import Clock
from bot.config import Settings
from bot.messages import Outgoing
from bot.outbox import Outbox, enqueue
from bot.router import Router
from storage.db import Database

log = logging.getLogger("tongxin.runtime")


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock
    router: Router
    outbox: Outbox

    async def emit(self, event: str, *args: Any, **kwargs: Any) -> list[Any]:
        """Call every feature's hook for `event`; a missing listener is no error."""
        results = []
        for feature in self.router.features:
            for hook in feature.hooks.get(event, []):
                results.append(await hook(*args, **kwargs))
        return results

    async def send(self, session: Any, outs: Sequence[Outgoing]) -> None:
        """Enqueue messages a job produced, in the job's transaction."""
        await enqueue(session, outs, self.clock.now())
        self.outbox.wake()
