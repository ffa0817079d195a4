"""What a handler is given: the message, the person, a transaction, a way to answer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.messages import Choice, Incoming, Outgoing
from bot.roles import Actor
from bot.typed import typed

if TYPE_CHECKING:
    from pydantic import BaseModel

    from bot.conversation import Flow
    from bot.runtime import Runtime

D = TypeVar("D", bound="BaseModel")


@dataclass
class Context:
    incoming: Incoming
    session: AsyncSession
    actor: Actor
    runtime: Runtime
    now: datetime
    group_id: int | None = None
    group_unit_id: int | None = None
    out: list[Outgoing] = field(default_factory=list)

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    @property
    def tz(self) -> ZoneInfo:
        return self.runtime.settings.tz

    @property
    def local_now(self) -> datetime:
        return self.now.astimezone(self.tz)

    @property
    def platform(self) -> str:
        return self.incoming.platform

    @property
    def chat_id(self) -> str:
        return self.incoming.chat_id

    @property
    def in_group(self) -> bool:
        return self.incoming.is_group

    def typed(self, fragment: str) -> str:
        """`fragment` of the normalised text as the sender typed it: what a feature stores."""
        return typed(self.incoming, fragment)

    async def start(self, flow: Flow[D], data: D) -> None:
        """Start a guided flow for the sender in this chat (bot.conversation)."""
        await self.runtime.router.conversations.start(self, flow, data)

    def reply(
        self,
        text: str,
        *,
        mentions: Sequence[str] = (),
        markdown: bool = False,
        sensitive: bool = False,
        choices: Sequence[tuple[str, str]] = (),
    ) -> None:
        """Answer in the chat the message came from; `choices`: (label, reply) buttons."""
        msg = self.incoming
        self.out.append(
            Outgoing(
                platform=msg.platform,
                chat_type=msg.chat_type,
                chat_id=msg.chat_id,
                text=text,
                mentions=list(mentions),
                markdown=markdown,
                reply_handle=msg.reply_handle,
                sensitive=sensitive,
                choices=[Choice(label=label, reply=reply) for label, reply in choices],
            )
        )

    def send_direct(
        self,
        user_id: str,
        text: str,
        *,
        platform: str | None = None,
        key: str | None = None,
        sensitive: bool = False,
        markdown: bool = False,
    ) -> None:
        """Speak first to one person in their direct chat."""
        platform = platform or self.platform
        same_chat = platform == self.platform and not self.in_group and user_id == self.chat_id
        self.out.append(
            Outgoing.direct(
                platform,
                user_id,
                text,
                key=key,
                sensitive=sensitive,
                markdown=markdown,
                reply_handle=self.incoming.reply_handle if same_chat else None,
            )
        )

    def send_group(
        self,
        chat_id: str,
        text: str,
        *,
        platform: str | None = None,
        key: str | None = None,
        mentions: Sequence[str] = (),
    ) -> None:
        self.out.append(
            Outgoing.group(platform or self.platform, chat_id, text, key=key, mentions=mentions)
        )
