"""The features, one package each, in the order /帮助 lists them. A new feature adds one line."""

from bot.feature import Feature
from handlers import (
    broadcast,
    checkin,
    console,
    feedback,
    help,
    meetings,
    polls,
    reminders,
    roster,
    supervision,
    workbench,
)

FEATURES: list[Feature] = [
    # No chat commands: first for its place in the console's menu.
    supervision.feature,
    checkin.feature,
    polls.feature,
    feedback.feature,
    meetings.feature,
    reminders.feature,
    broadcast.feature,
    roster.feature,
    workbench.feature,
    console.feature,
    help.feature,
]
