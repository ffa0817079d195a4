"""The features, in the order /帮助 lists them. A new feature adds one line."""

from bot.feature import Feature
from handlers import help, lianzheng_calendar, meetings, monthly, reminders, roster

FEATURES: list[Feature] = [
    help.feature,
    roster.feature,
    reminders.feature,
    meetings.feature,
    monthly.feature,
    lianzheng_calendar.feature,
]
