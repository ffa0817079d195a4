"""The console's deliveries page (admins): what failed, what is being retried, 重发."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aiohttp import web
from sqlalchemy import select, update

from bot.console import texts as t
from bot.console.view import ConsoleView, NotFound
from bot.feature import Feature
from bot.numbers import whole
from bot.outbox import EXPIRED, MATTERS_FOR, UNCERTAIN
from bot.outbox_health import delivery_health
from bot.roles import Role
from bot.texts import PLATFORM_NAMES
from storage.messaging import OutboxMessage

# Core, not a feature package: its template sits with the console's own.
feature = Feature("deliveries", "bot.console")
SHOWN = 200
EXCERPT = 60


@dataclass
class Row:
    """One outbox row as the page shows it: never a sensitive row's recipient or words."""

    id: int
    created_at: datetime
    platform: str
    recipient: str
    text: str
    attempts: int
    reason: str
    detail: str
    resendable: bool


def _row(m: OutboxMessage) -> Row:
    body = m.body or {}
    sensitive = bool(body.get("sensitive"))
    purged = bool(body.get("purged"))
    if purged:
        text = t.PURGED_BODY
    elif sensitive:
        text = t.HIDDEN_BODY
    elif body.get("attachment"):
        text = t.FILE_BODY
    else:
        words = str(body.get("text", ""))
        text = words if len(words) <= EXCERPT else words[:EXCERPT] + "……"
    kind = t.CHAT_KINDS.get(m.chat_type, m.chat_type)
    recipient = t.HIDDEN_RECIPIENT if sensitive or purged else f"{kind} {m.chat_id}"
    if m.last_error.startswith(EXPIRED):
        reason = t.REASON_EXPIRED
    elif m.last_error.startswith(UNCERTAIN):
        reason = t.REASON_UNCERTAIN
    else:
        reason = t.REASON_REFUSED if m.state == "failed" else ""
    return Row(
        id=m.id,
        created_at=m.created_at,
        platform=PLATFORM_NAMES.get(m.platform, m.platform),
        recipient=recipient,
        text=text,
        attempts=m.attempts,
        reason=reason,
        # A platform's reason can name the person (an unknown staff id).
        detail="" if sensitive or purged else m.last_error[:300],
        resendable=m.state == "failed" and not purged,
    )


@feature.page("deliveries", t.DELIVERIES_TITLE, role=Role.ADMIN)
async def deliveries_page(view: ConsoleView) -> web.StreamResponse:
    if view.is_post:
        return await _resend(view)
    s = view.session
    failed = await s.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.state == "failed")
        .order_by(OutboxMessage.id.desc())
        .limit(SHOWN)
    )
    retrying = await s.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.state.in_(("pending", "sending")), OutboxMessage.attempts > 0)
        .order_by(OutboxMessage.id.desc())
        .limit(SHOWN)
    )
    health = await delivery_health(s, list(view.runtime.outbox.deliverers), view.now)
    platforms = [
        (PLATFORM_NAMES.get(name, name), t.STATE_FAILING if p.failing else t.STATE_OK, p)
        for name, p in sorted(health.platforms.items())
    ]
    return view.render(
        "deliveries.html",
        title=t.DELIVERIES_TITLE,
        t=t,
        failed=[_row(m) for m in failed],
        retrying=[_row(m) for m in retrying],
        platforms=platforms,
        problems=view.runtime.problems(),
        resent=view.query.get("resent") == "1",
    )


async def _resend(view: ConsoleView) -> web.StreamResponse:
    """Put a failed message back in the queue as if new: it matters for another day."""
    ref = whole(view.form.get("id", ""))
    if ref is None:
        raise NotFound("id")
    row = await view.session.get(OutboxMessage, ref)
    if row is None or row.state != "failed" or (row.body or {}).get("purged"):
        raise NotFound("id")
    await view.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row.id)
        .values(
            state="pending",
            attempts=0,
            next_attempt_at=view.now,
            expires_at=view.now + MATTERS_FOR,
            lease_until=None,
            lease_owner="",
            uncertain=0,
            uncertain_since=None,
            failed_at=None,
            alerted_at=None,
            last_error="",
        )
    )
    await view.audit("delivery.resend", f"outbox {row.id} ({row.platform})")
    view.runtime.outbox.wake()
    return view.redirect("/console/deliveries?resent=1")
