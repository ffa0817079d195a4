"""A scheduled meeting begins: its group gets a check-in, once."""

from __future__ import annotations

from datetime import timedelta

from bot.events import MeetingStarted
from bot.timers import JobContext
from handlers.checkin import feature, ops
from handlers.checkin import texts as t
from handlers.checkin.opening import TITLE_MAX
from storage import checkin as store
from storage.models import ChatGroup
from storage.people import touch_group

MEETING_GRACE = timedelta(minutes=15)


@feature.on(MeetingStarted)
async def on_meeting(job: JobContext, event: MeetingStarted) -> None:
    """A scheduled meeting began: open its check-in, once per meeting."""
    session = job.session
    platform, chat_id, key, unit_id = event.platform, event.chat_id, event.key, event.unit_id
    if await store.by_meeting_key(session, key) is not None:
        return
    if await store.open_in_chat(session, platform, chat_id) is not None:
        return
    group_id = await touch_group(session, platform, chat_id, "", job.now)
    if unit_id is None:
        group = await session.get(ChatGroup, group_id)
        unit_id = group.unit_id if group is not None else None
    ck, text = await ops.open_checkin(
        session,
        platform=platform,
        chat_id=chat_id,
        group_id=group_id,
        unit_id=unit_id,
        title=event.title[:TITLE_MAX],
        code="",
        late=True,
        creator_id=None,
        now=job.now,
        deadline=job.now + MEETING_GRACE,
        closes_at=event.ends_at,
        settings=job.runtime.settings,
        meeting_key=key,
        meeting_ids=[event.meeting_id] if event.meeting_id is not None else [],
        details=ops.Details(place=event.place),
    )
    job.to_group(platform, chat_id, text, key=f"checkin:{ck.id}:opened", choices=t.TAPS)


from handlers.checkin import console  # noqa: E402  (registers on `feature`)

__all__ = ["console", "feature"]
