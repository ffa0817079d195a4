"""The step where a teacher writes an opinion over one or more messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.context import Context
from bot.conversation import DONE_WORDS, Invalid, Step
from bot.messages import fold
from handlers.feedback import texts as t

MAX_CHARS = 5000
MAX_MESSAGES = 20
NO_OPINION = "无意见"


@dataclass
class Opinion(Step):
    """Messages kept whole (line breaks included) until 完成.

    The value is the list of messages. A message that would pass the length
    or the message limit is refused with the reason, and everything written
    before it stays. With `allow_none`, a first message of 无意见 is the answer.
    """

    allow_none: bool = True
    max_chars: int = MAX_CHARS
    max_messages: int = MAX_MESSAGES

    async def take(self, ctx: Context, text: str, data: Any) -> tuple[bool, Any]:
        parts: list[str] = list(self.value(data) or [])
        if self.allow_none and not parts and text == NO_OPINION:
            return True, [NO_OPINION]
        # Kept as typed: "太咸，能否反映一下？" is stored with its full-width marks.
        lines = ctx.typed(text).splitlines()
        finished = bool(lines) and fold(lines[-1]).strip().lower() in DONE_WORDS
        if finished:
            lines = lines[:-1]
        text = "\n".join(lines).strip()
        if text:
            if len(parts) >= self.max_messages:
                raise Invalid(t.too_many_messages(self.max_messages))
            used = sum(len(p) for p in parts)
            if used + len(text) > self.max_chars:
                raise Invalid(t.too_long(self.max_chars, used, len(text)))
            parts.append(text)
        if finished and not parts:
            raise Invalid(t.EMPTY_OPINION)
        if not finished:
            ctx.reply(t.kept(len(parts), sum(len(p) for p in parts)), sensitive=True)
        return finished, parts


def is_no_opinion(parts: list[str]) -> bool:
    return parts == [NO_OPINION]


def joined(parts: list[str]) -> str:
    return "\n".join(parts)
