"""The message path's own tables: inbound log, conversations, outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class InboundMessage(Base):
    """Every accepted callback, keyed for dedup.

    The text and the reply handle are wiped once the message is handled: the
    row stays only as the dedup key, so the log never keeps what someone
    answered in an anonymous poll.
    """

    __tablename__ = "inbound_messages"
    __table_args__ = (
        UniqueConstraint("platform", "msg_id"),
        Index("ix_inbound_pending", "state", "lease_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    msg_id: Mapped[str] = mapped_column(String(160))
    state: Mapped[str] = mapped_column(String(12), default="pending")
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    received_at: Mapped[datetime]
    lease_until: Mapped[datetime]
    handled_at: Mapped[datetime | None]
    error: Mapped[str] = mapped_column(String(200), default="")


class ConversationState(Base):
    """Where a guided flow stands for one (platform, chat, user)."""

    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("platform", "chat_id", "user_id"),
        Index("ix_conversations_expires", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(128))
    chat_type: Mapped[str] = mapped_column(String(8))
    user_id: Mapped[str] = mapped_column(String(128))
    flow: Mapped[str] = mapped_column(String(64))
    step: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    expires_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class OutboxMessage(Base):
    """A message to deliver. It exists before any attempt, so nothing is lost.

    `lease_owner` names the worker holding a "sending" row, so only that
    worker records its result. `expires_at` is how long the message still
    matters (a reminder until its meeting starts): it is retried through an
    outage until then. `uncertain` counts attempts that may have reached the
    platform (a timeout after sending), since `uncertain_since`; they bound
    how often a message can be repeated. `failed_at`: when it was given up;
    `alerted_at`: when admins were told about it.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("idempotency_key"),
        Index("ix_outbox_due", "state", "next_attempt_at"),
        Index("ix_outbox_chat", "platform", "chat_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200))
    platform: Mapped[str] = mapped_column(String(16))
    chat_type: Mapped[str] = mapped_column(String(8))
    chat_id: Mapped[str] = mapped_column(String(128))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    batch: Mapped[str] = mapped_column(String(64), default="")
    expires_at: Mapped[datetime | None]
    lease_owner: Mapped[str] = mapped_column(String(32), default="")
    uncertain: Mapped[int] = mapped_column(default=0)
    uncertain_since: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    alerted_at: Mapped[datetime | None]


class SealedWrite(Base):
    """Anonymous content on its way to its tables, sealed (bot.anonymous).

    Written in the transaction of its author's message and applied in one of
    its own: a row holds only ciphertext, no time, and lives for a moment.
    """

    __tablename__ = "sealed_writes"

    id: Mapped[int] = mapped_column(primary_key=True)
    blob: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
