"""One-time links, sessions and CSRF tokens for the console.

Tokens are random (secrets.token_urlsafe) and only their SHA-256 is stored:
the database alone cannot be used to sign in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.roles import Actor, Role
from storage.console import AuditEntry, ConsoleLink, ConsoleSession
from storage.models import Person
from storage.people import grants_of

LOGIN_TTL = timedelta(minutes=10)
DOWNLOAD_TTL = timedelta(minutes=10)
SESSION_TTL = timedelta(hours=8)
# What an upload's preview showed waits this long for its confirmation.
UPLOAD_TTL = timedelta(minutes=30)
TTLS = {"login": LOGIN_TTL, "download": DOWNLOAD_TTL, "upload": UPLOAD_TTL}


async def actor_of(session: AsyncSession, settings: Settings, person_id: int) -> Actor | None:
    """The person a link, a session or a file message stands for, with roles read now.

    None unless they are (still) a secretary or an admin: teachers get no
    console and no exports.
    """
    person = await session.get(Person, person_id)
    if person is None:
        return None
    grants = await grants_of(session, person_id)
    actor = Actor(
        person_id=person.id,
        platform=person.platform,
        user_id=person.platform_user_id,
        name=person.display_name,
        is_admin=grants.is_admin
        or settings.is_configured_admin(person.platform, person.platform_user_id),
        secretary_units=grants.secretary_units,
    )
    return actor if actor.role >= Role.SECRETARY else None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_link(
    session: AsyncSession,
    person_id: int,
    purpose: str,
    now: datetime,
    params: dict[str, Any] | None = None,
) -> str:
    token = secrets.token_urlsafe(32)
    ttl = TTLS[purpose]
    session.add(
        ConsoleLink(
            token_hash=_hash(token),
            person_id=person_id,
            purpose=purpose,
            params=params or {},
            expires_at=now + ttl,
            used_at=None,
        )
    )
    return token


async def use_link(
    session: AsyncSession, token: str, purpose: str, now: datetime
) -> ConsoleLink | None:
    """The link if it is valid, marking it used in the same statement (one use only)."""
    result = await session.execute(
        update(ConsoleLink)
        .where(
            ConsoleLink.token_hash == _hash(token),
            ConsoleLink.purpose == purpose,
            ConsoleLink.used_at.is_(None),
            ConsoleLink.expires_at > now,
        )
        .values(used_at=now)
        .returning(ConsoleLink.id)
    )
    link_id = result.scalar_one_or_none()
    return await session.get(ConsoleLink, link_id) if link_id is not None else None


async def keep_upload(
    session: AsyncSession, person_id: int, now: datetime, params: dict[str, Any]
) -> str:
    """Keep what a visitor's upload held (its parsed rows) until they confirm it.

    The confirming form then carries a token, not the rows: a large file's rows
    would make a POST larger than the app takes. One upload per person waits;
    expired ones of anyone go at the same time, and at the daily retention pass
    (storage.retention) if nobody uploads again.
    """
    await session.execute(
        delete(ConsoleLink).where(
            ConsoleLink.purpose == "upload",
            (ConsoleLink.person_id == person_id) | (ConsoleLink.expires_at <= now),
        )
    )
    return await create_link(session, person_id, "upload", now, params)


async def take_upload(
    session: AsyncSession, token: str, person_id: int, now: datetime
) -> dict[str, Any] | None:
    """What `keep_upload` kept for this person under `token`; taken once, then gone."""
    result = await session.execute(
        delete(ConsoleLink)
        .where(
            ConsoleLink.token_hash == _hash(token),
            ConsoleLink.purpose == "upload",
            ConsoleLink.person_id == person_id,
            ConsoleLink.expires_at > now,
        )
        .returning(ConsoleLink.params)
    )
    return result.scalar_one_or_none()


async def start_session(session: AsyncSession, person_id: int, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        ConsoleSession(
            session_hash=_hash(token),
            person_id=person_id,
            csrf=secrets.token_urlsafe(24),
            created_at=now,
            expires_at=now + SESSION_TTL,
        )
    )
    await session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at < now))
    return token


async def find_session(session: AsyncSession, token: str, now: datetime) -> ConsoleSession | None:
    return await session.scalar(
        select(ConsoleSession).where(
            ConsoleSession.session_hash == _hash(token), ConsoleSession.expires_at > now
        )
    )


async def end_session(session: AsyncSession, token: str) -> None:
    await session.execute(delete(ConsoleSession).where(ConsoleSession.session_hash == _hash(token)))


def csrf_ok(expected: str, given: str) -> bool:
    return bool(given) and hmac.compare_digest(expected, given)


async def audit(
    session: AsyncSession, person_id: int, action: str, detail: str, now: datetime
) -> None:
    session.add(AuditEntry(person_id=person_id, action=action, detail=detail[:500], at=now))
