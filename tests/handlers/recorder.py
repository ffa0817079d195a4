"""A recording platform that also sees messages the outbox forgets once delivered.

Relays to an anonymous author are `sensitive`: once delivered, their outbox
row no longer says what was sent or to whom, so GET /local/outbox cannot show
them. A recording deliverer stands in for the platform and keeps what it was
handed, which is what the author's phone would show.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.delivery import Delivery, Limit


@dataclass
class Recorder:
    name: str = "local"
    inline_replies: bool = True
    seen: list[tuple[str, str]] = field(default_factory=list)

    def limits(self, delivery: Delivery) -> list[Limit]:
        return []

    async def deliver(self, delivery: Delivery) -> None:
        self.seen.append((delivery.chat_id, delivery.text))

    def to(self, chat_id: str) -> list[str]:
        return [text for cid, text in self.seen if cid == chat_id]
