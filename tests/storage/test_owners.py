"""One ownership rule over one creator column; removing a person keeps what they made."""

from __future__ import annotations

from sqlalchemy import delete, select

from bot.roles import Actor
from storage.checkin import Checkin
from storage.feedback import FeedbackCall
from storage.models import Person
from storage.polls import Poll
from storage.reminders import Meeting
from tests.handlers.feedback_helpers import open_call
from tests.handlers.polls_helpers import NAMED_SINGLE, branch, create
from tests.harness import ChatHarness


def actor(person_id: int, *, admin: bool = False, units: set[int] | None = None) -> Actor:
    return Actor(
        person_id, "local", f"u{person_id}", "", is_admin=admin, secretary_units=units or set()
    )


class Thing:
    def __init__(self, unit_id: int | None, creator_id: int | None) -> None:
        self.unit_id, self.creator_id = unit_id, creator_id


def test_who_may_manage() -> None:
    mine, theirs, loose = Thing(1, 7), Thing(2, 8), Thing(None, 8)
    assert actor(7).may_manage(mine)  # the creator, even without a role
    assert actor(9, units={1}).may_manage(mine)  # a secretary of its unit
    assert not actor(9, units={1}).may_manage(theirs)
    assert not actor(9, units={1}).may_manage(loose)  # no unit: only its creator
    assert actor(9, admin=True).may_manage(loose)
    assert not actor(9).may_manage(Thing(1, None))


async def test_removing_a_person_keeps_what_they_made(chat: ChatHarness) -> None:
    b = branch(chat, teachers=1)
    sec, g = b.sec, b.g
    await open_call(sec, g)
    await create(b, *NAMED_SINGLE)
    await sec.says("确认", g)
    sec.hears("投票已发布")
    await sec.says("/签到 发起 支部党员大会 截止 23:00", g)
    async with chat.db.transaction() as s:
        pid = await s.scalar(select(Person.id).where(Person.platform_user_id == "sec1"))
        s.add(
            Meeting(
                unit_id=None,
                title="支委会",
                rrule="",
                place="",
                offsets=[],
                holiday_policy="keep",
                targets=[],
                creator_id=pid,
                created_at=chat.clock.now(),
            )
        )
    async with chat.db.transaction() as s:
        await s.execute(delete(Person).where(Person.id == pid))
    async with chat.db.reading() as s:
        calls = list(await s.scalars(select(FeedbackCall.creator_id)))
        checkins = list(await s.scalars(select(Checkin.creator_id)))
        meetings = list(await s.scalars(select(Meeting.creator_id)))
        polls = list(await s.scalars(select(Poll.creator_id)))
    assert calls == [None] and checkins == [None] and meetings == [None] and polls == [None]
