"""督导: how every unit keeps its meeting cadences, for the bureau and for each secretary.

- overview.py: one row per unit, a column per cadence, the attendance trend, XLSX;
- unit.py: one unit's meetings, and recording a meeting held without the bot;
- kinds.py: the cadences themselves (an admin adds 政治学习 or changes how often).

The figures are bot.standing's, over storage.supervision's meetings.
"""

from __future__ import annotations

from bot.feature import Feature
from storage import supervision as supervision_tables

feature = Feature("supervision", __name__, models=(supervision_tables,))
