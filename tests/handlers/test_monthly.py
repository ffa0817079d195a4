"""政治学习 at least once a month: nag on the 20th and the last workday until recorded."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.harness import ChatHarness

SH = ZoneInfo("Asia/Shanghai")


async def test_nags_until_recorded(chat: ChatHarness) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    g = chat.group("g1", unit="一支部")
    await sec.says("/会议 已开 政治学习", g)
    sec.hears("每月清单里没有")
    await sec.says("/会议 每月 政治学习", g)
    sec.hears("每月20日和最后一个工作日")
    await sec.says("/会议 每月 政治学习", g)
    sec.hears("已在每月清单里")
    # November 2026: the last workday is Monday 11-30.
    await chat.run_until(datetime(2026, 11, 30, 9, 5, tzinfo=SH))
    nags = [m for m in await sec.inbox() if m.startswith("【每月清单】")]
    assert len(nags) == 1 and "最后一个工作日" in nags[0] and "2026年11月" in nags[0]
    await chat.run_until(datetime(2026, 12, 1, 10, 0, tzinfo=SH))
    await sec.says("/会议 已开 政治学习", g)
    sec.hears("2026年12月的「政治学习」已开")
    # December is recorded: neither the 20th nor 12-31 nags.
    await chat.run_until(datetime(2027, 1, 1, 9, 0, tzinfo=SH))
    assert len([m for m in await sec.inbox() if m.startswith("【每月清单】")]) == 1
