"""/提醒 and /廉政日历: the coming reminders, holidays and their warning, the 廉政 calendar.

The scheduler itself (planning rows, firing them once) is core: bot.scheduler.

- holidays.py: loading the State Council's notice, and warning while a year is missing;
- upcoming.py: what the coming days will send (/提醒 列表 and the console);
- lianzheng.py: /廉政日历 and its reminders; options.py: what the county adds to it;
  occasions.py: the admins' own occasions; school.py: term dates and the calendar's settings;
- console.py: the console's page.
"""

from __future__ import annotations

from bot.feature import Feature
from bot.roles import Role
from handlers.reminders import texts as t
from storage import reminders as reminders_tables
from storage import school as school_tables

feature = Feature("reminders", __name__, models=(reminders_tables, school_tables))
remind = feature.command("remind", "提醒", help=t.HELP, role=Role.SECRETARY)
cal = feature.command("calendar", "廉政日历", help=t.CALENDAR_HELP)
holidays_timer = feature.timer("holidays", ref=int, grace=True, push=True)
lianzheng_timer = feature.timer("lianzheng", ref=str, grace=True, push=True)

from handlers.reminders import (  # noqa: E402
    console,
    holidays,
    lianzheng,
    occasions,
    school,
    upcoming,
)

__all__ = [
    "cal",
    "console",
    "feature",
    "holidays",
    "holidays_timer",
    "lianzheng",
    "lianzheng_timer",
    "occasions",
    "remind",
    "school",
    "upcoming",
]

from handlers.reminders import person_data  # noqa: E402, F401  (registers its hook)
