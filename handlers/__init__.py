"""The features, in the order /帮助 lists them. A new feature adds one line."""

from bot.feature import Feature
from handlers import (
    broadcast,
    checkin,
    checkin_console,
    console,
    feedback,
    feedback_console,
    help,
    lianzheng_calendar,
    meetings,
    meetings_console,
    monthly,
    polls,
    polls_console,
    reminders,
    roster,
)

FEATURES: list[Feature] = [
    checkin.feature,
    polls.feature,
    feedback.feature,
    meetings.feature,
    reminders.feature,
    monthly.feature,
    lianzheng_calendar.feature,
    broadcast.feature,
    roster.feature,
    console.feature,
    help.feature,
    checkin_console.feature,
    meetings_console.feature,
    polls_console.feature,
    feedback_console.feature,
]
