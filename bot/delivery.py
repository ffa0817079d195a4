"""What the outbox asks of a platform adapter, and what an adapter may answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from bot.messages import Attachment


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
    """Try again later; `retry_after` (seconds) when the platform said how long."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


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
