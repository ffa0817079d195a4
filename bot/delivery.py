"""What the outbox asks of a platform adapter, and what an adapter may answer."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol, runtime_checkable

import aiohttp

from bot.messages import Attachment

# A platform asking for a longer pause than this is not taken at its word:
# the message's own expiry decides how long it is worth waiting.
RETRY_AFTER_MAX = 3600.0


@dataclass(frozen=True)
class Delivery:
    """One outbox row as an adapter sees it."""

    id: int
    key: str
    platform: str
    chat_type: str
    chat_id: str
    body: dict[str, Any]
    attempts: int
    created_at: datetime | None = None
    # Until when the message is worth sending (None: the outbox's default).
    expires_at: datetime | None = None
    # Earlier attempts whose outcome is unknown, and when the first was.
    uncertain: int = 0
    uncertain_since: datetime | None = None

    @property
    def text(self) -> str:
        return str(self.body.get("text", ""))

    @property
    def mentions(self) -> list[str]:
        return list(self.body.get("mentions") or [])

    @property
    def markdown(self) -> bool:
        return bool(self.body.get("markdown"))

    @property
    def reply_handle(self) -> dict[str, Any]:
        return dict(self.body.get("reply_handle") or {})

    @property
    def choices(self) -> list[tuple[str, str]]:
        """Tap-to-answer buttons: (label, the reply a tap sends)."""
        return [(str(c[0]), str(c[1])) for c in self.body.get("choices") or []]

    @property
    def attachment(self) -> Attachment | None:
        """The file this message carries (an export to build at delivery), if any."""
        raw = self.body.get("attachment")
        return Attachment.model_validate(raw) if raw else None


@dataclass(frozen=True)
class Limit:
    """At most `count` sends per `seconds` for everything sharing `key`."""

    key: str
    count: int
    seconds: float


class TransientError(Exception):
    """Try again later; `retry_after` (seconds) when the platform said how long.

    `maybe_sent`: the request may have reached the platform (a timeout after
    it was sent, a connection dropped while waiting for the answer), so a
    retry may show the message twice.
    """

    def __init__(
        self, reason: str, retry_after: float | None = None, *, maybe_sent: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.maybe_sent = maybe_sent


def maybe_sent(err: BaseException) -> bool:
    """Whether a failed HTTP call may still have been carried out by the server.

    Only a connection that was never made (refused, unreachable, a connect
    timeout) proves the request never left.
    """
    return not isinstance(err, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (RFC 9110 §10.2.3), or None.

    Delay-seconds or an HTTP-date; anything else (empty, `nan`, `inf`,
    negative, garbage) is None, and a huge wait is cut to RETRY_AFTER_MAX.
    """
    text = (value or "").strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - now).total_seconds()
        seconds = max(seconds, 0.0)
    return sane_delay(seconds)


def sane_delay(seconds: float | None) -> float | None:
    """A wait a platform asked for, if it is a number we can honour."""
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return None
    return min(seconds, RETRY_AFTER_MAX)


class NeedsAdmin(TransientError):
    """The platform refuses every message until an admin acts: keep this one.

    A wrong secret or corp id, a server address the platform does not allow,
    a spent monthly quota. The message is not at fault, so it waits
    `retry_after` (long) and is tried again. `problem` names the problem (the
    admins hear of each once), `advice` says in plain Chinese how to fix it.
    """

    def __init__(self, reason: str, problem: str, advice: str, retry_after: float) -> None:
        super().__init__(reason, retry_after)
        self.problem = problem
        self.advice = advice


class PermanentError(Exception):
    """Never going to work (unknown chat, no credential): give up and record why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Deliverer(Protocol):
    name: str
    # Replies to a message on this platform are answered in the HTTP response
    # itself (the local channel), so their outbox rows are born delivered.
    inline_replies: bool

    def limits(self, delivery: Delivery) -> list[Limit]: ...

    async def deliver(self, delivery: Delivery) -> None: ...


@runtime_checkable
class Deduplicating(Protocol):
    """A deliverer whose platform drops a repeat of some deliveries by itself."""

    def dedup_seconds(self, delivery: Delivery) -> float:
        """How long after a send the platform drops the same send again (0: never)."""
        ...
