"""The features, in the order /帮助 lists them. A new feature adds one line."""

from bot.feature import Feature
from handlers import checkin, help, roster

FEATURES: list[Feature] = [
    help.feature,
    roster.feature,
    checkin.feature,
]
