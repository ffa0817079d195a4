"""The features, in the order /帮助 lists them. A new feature adds one line."""

from bot.feature import Feature
from handlers import (
    broadcast,
    console,
    feedback,
    feedback_console,
    help,
    polls,
    polls_console,
    roster,
)

FEATURES: list[Feature] = [
    help.feature,
    roster.feature,
    broadcast.feature,
    console.feature,
    polls.feature,
    feedback.feature,
    polls_console.feature,
    feedback_console.feature,
]
