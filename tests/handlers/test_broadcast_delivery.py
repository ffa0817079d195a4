"""A broadcast to many groups: within the platform's limits, once per group, across a restart."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.delivery import Limit
from bot.outbox import batch_status
from storage.messaging import OutboxMessage
from storage.people import bind_group, ensure_unit
from tests.conftest import MakeChat
from tests.handlers.broadcast_robot import FakeRobot
from tests.harness import ChatHarness

GROUPS = [f"g{i:03d}" for i in range(200)]
FLAKY = GROUPS[::9]  # 23 groups whose first two attempts fail with a 502
NOTICE = "关于开展2026年度民主评议党员工作的通知：请各支部于12月10日前完成。"


@pytest.fixture
def robot() -> FakeRobot:
    # The platform as a whole also takes only 50 messages per 10 s, so the
    # broadcast is still under way when the process is restarted.
    return FakeRobot(flaky=FLAKY, overall=Limit("robot:app", 50, 10))


@pytest.fixture
async def chat(make_chat: MakeChat, robot: FakeRobot) -> ChatHarness:
    h = await make_chat(deliverers=[robot])
    robot.clock = h.clock
    async with h.db.transaction() as s:
        now = h.clock.now()
        units = [await ensure_unit(s, name) for name in ("一支部", "二支部")]
        for i, chat_id in enumerate(GROUPS):
            await bind_group(s, "robot", chat_id, units[i % 2], None, now)
    return h


async def test_two_hundred_groups_across_a_restart(chat: ChatHarness, robot: FakeRobot) -> None:
    admin = chat.user("a1", "赵书记", role="admin")
    await admin.says(f"/广播 {NOTICE}")
    admin.hears("将向 200 个群发送以下通知（范围：全部群）")
    await admin.says("确认")
    admin.hears("广播 #1 已开始发送，共 200 个群")

    # The first pass: 50 attempts within the platform's limit, some of them failing.
    sent = len(robot.received)
    failing = len([g for g in FLAKY if g < "g050"])
    assert sent == 50 - failing
    await admin.says("/广播 状态 1")
    admin.hears(f"已送达 {sent}，待发送 {200 - sent}（其中 {failing} 个在重试），失败 0")
    admin.hears("尚未送达的群：", "robot:g000：已试 1 次，HTTP 502", "……另有")

    # A worker claimed five rows and died before sending them: they stay
    # leased for a minute, then another process takes them over.
    async with chat.db.transaction() as s:
        claimed = list(
            await s.scalars(
                select(OutboxMessage.id)
                .where(OutboxMessage.state == "pending", OutboxMessage.attempts == 0)
                .order_by(OutboxMessage.id)
                .limit(5)
            )
        )
        await s.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(claimed))
            .values(state="sending", lease_until=chat.clock.now() + timedelta(seconds=60))
        )
        stranded = list(
            await s.scalars(select(OutboxMessage.chat_id).where(OutboxMessage.id.in_(claimed)))
        )

    await chat.restart()
    await chat.advance(seconds=55)
    assert not any(robot.received[g] for g in stranded)
    await chat.until_quiet()

    assert sorted(robot.received) == GROUPS
    assert all(robot.texts(g) == [NOTICE] for g in GROUPS)
    assert robot.busiest_minute() <= 20
    assert await batch_status(chat.db, "broadcast:1") == {"sent": 200}
    await admin.says("/广播 状态 1")
    admin.hears("共 200 个群", "已送达 200，待发送 0，失败 0", "已全部送达")


async def test_back_to_back_broadcasts_respect_each_groups_limit(
    chat: ChatHarness, robot: FakeRobot
) -> None:
    robot.flaky.clear()
    robot.overall = None
    admin = chat.user("a1", "赵书记", role="admin")
    unit_groups = GROUPS[0:6:2]
    for n in range(1, 26):
        await admin.says(f"/广播 群 {','.join(unit_groups)} 第{n}号通知")
        await admin.says("确认")
        admin.hears(f"广播 #{n} 已开始发送，共 3 个群")
    # Within the first minute each group takes 20; the other 5 wait their turn.
    assert [len(robot.received[g]) for g in unit_groups] == [20, 20, 20]
    await admin.says("/广播 状态 25")
    admin.hears("已送达 0，待发送 3，失败 0")
    await chat.advance(seconds=59)
    assert [len(robot.received[g]) for g in unit_groups] == [20, 20, 20]
    await chat.advance(seconds=2)
    for g in unit_groups:
        texts = robot.texts(g)
        assert texts[:20] == [f"第{n}号通知" for n in range(1, 21)]
        # The five that waited went out together, in whatever order the claim returned.
        assert sorted(texts[20:]) == sorted(f"第{n}号通知" for n in range(21, 26))
    assert robot.busiest_minute() == 20
    await admin.says("/广播 状态 25")
    admin.hears("已送达 3，待发送 0，失败 0")


async def test_a_unit_broadcast_goes_to_that_units_groups_only(
    chat: ChatHarness, robot: FakeRobot
) -> None:
    admin = chat.user("a1", "赵书记", role="admin")
    await admin.says(f"/广播 --unit 二支部 {NOTICE}")
    admin.hears("将向 100 个群发送以下通知（范围：单位：二支部）")
    await admin.says("确认")
    await chat.until_quiet()
    assert sorted(robot.received) == GROUPS[1::2]
