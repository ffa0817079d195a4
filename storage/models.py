"""People, units, roles and groups: who is who, and where messages go."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class Person(Base):
    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("platform", "platform_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    platform_user_id: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime]


class Unit(Base):
    """A school (学校) or a Party branch (支部); branches may sit under a school."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="branch")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))


class Membership(Base):
    """A person on a unit's roster: the 应到 of its meetings and audiences."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("person_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)


class RoleGrant(Base):
    """An elevated role. Teacher is everyone's default and is never stored.

    `unit_id` scopes a secretary to a unit; an admin grant has no unit. The
    empty-string `scope` mirrors the unit so the unique key also holds for
    admins (NULLs never collide in a unique index).
    """

    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("person_id", "role", "scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(16), default="")
    granted_by: Mapped[str] = mapped_column(String(160), default="")
    granted_at: Mapped[datetime]


class ChatGroup(Base):
    """A group chat the bot has been @-mentioned in, optionally bound to a unit."""

    __tablename__ = "chat_groups"
    __table_args__ = (UniqueConstraint("platform", "chat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(String(128), default="")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    first_seen_at: Mapped[datetime]


class GroupCredential(Base):
    """How to speak first in a group (a webhook key, a 加签 secret).

    Kept in its own table so nothing that lists groups ever loads a secret.
    """

    __tablename__ = "group_credentials"
    __table_args__ = (UniqueConstraint("group_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("chat_groups.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    secret: Mapped[str] = mapped_column(String(512))
    extra: Mapped[str] = mapped_column(String(512), default="")
    updated_at: Mapped[datetime]


class ChatParticipant(Base):
    """Who has spoken in a group: the fallback roster of a group with no unit."""

    __tablename__ = "chat_participants"
    __table_args__ = (
        UniqueConstraint("group_id", "person_id"),
        Index("ix_chat_participants_person", "person_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("chat_groups.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    last_seen_at: Mapped[datetime]
