"""One place every failure is reported: handlers, timers, periodic jobs.

The app calls each hook registered with `Tongxin.on_error` (as
python-telegram-bot's `add_error_handler` or Bolt's `@app.error`), after
logging the failure itself. A hook that raises is logged and ignored: the
report of a failure must never become another one.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from bot.messages import Outgoing
from storage.people import admin_chats

log = logging.getLogger("tongxin.errors")

Where = Literal["message", "timer", "job"]


@dataclass(frozen=True)
class Failure:
    where: Where
    # What failed: a timer's source ("poll.close:12"), a job's name, a message key.
    name: str
    error: BaseException
    attempts: int = 1
    # Given up on: it will not be tried again.
    final: bool = False


ErrorHook = Callable[[Failure], Awaitable[None]]


class ErrorReporter:
    def __init__(self) -> None:
        self.hooks: list[ErrorHook] = []

    async def report(self, failure: Failure) -> None:
        log.error(
            "%s %s failed (attempt %d%s)",
            failure.where,
            failure.name,
            failure.attempts,
            ", giving up" if failure.final else "",
            exc_info=failure.error,
        )
        for hook in self.hooks:
            try:
                await hook(failure)
            except Exception:
                log.exception("error hook %r failed", hook)


async def alert_admins(
    session: AsyncSession, configured: list[str], key: str, text: str
) -> list[Outgoing]:
    """One message to every admin, keyed so that the same alert is never sent twice."""
    return [
        Outgoing.direct(platform, user, text, key=f"alert:{key}:{platform}:{user}")
        for platform, user in await admin_chats(session, configured)
    ]
