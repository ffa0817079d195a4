"""/会议: recurring meetings (三会一课, 主题党日 …), their reminders, and meeting quotas.

A meeting is an RRULE (schedules.recurrence), advance offsets and a holiday
policy; its firings are rows the core scheduler plans (bot.scheduler). At a
meeting's start the row of offset 0 announces MeetingStarted once per group
(the check-in feature opens a check-in on it) and MeetingHeld, which records
the period of a quota of its kind (quotas.py).

- schedule.py: /会议 新建 · 修改 · 删除 · 列表 and the flow; timing.py: its time and
  holiday answers;
- reminders.py: planning and firing a meeting's reminders;
- quotas.py: /会议 每月 · 已开: quotas by cadence that nag until recorded.
"""

from __future__ import annotations

from bot.feature import Feature
from bot.roles import Role
from handlers.meetings import texts as t
from storage import reminders as reminders_tables
from storage import school as school_tables

feature = Feature("meetings", __name__, models=(reminders_tables, school_tables))
meeting_cmd = feature.command("meeting", "会议", help=t.HELP, role=Role.SECRETARY)
meeting_timer = feature.timer("meeting", ref=int, grace=True, push=True)
# The kind keeps the name it had when every quota was monthly: stored rows still fire.
quota_timer = feature.timer("monthly", ref=int, grace=True, push=True)

from handlers.meetings import quotas, reminders, schedule  # noqa: E402

__all__ = [
    "feature",
    "meeting_cmd",
    "meeting_timer",
    "quota_timer",
    "quotas",
    "reminders",
    "schedule",
]

from handlers.meetings import person_data  # noqa: E402, F401  (registers its hook)
