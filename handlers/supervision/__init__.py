"""督导: how every unit keeps its meeting cadences, for the bureau and for each secretary.

- figures.py: the units in view and their standings (bot.standing), for every page;
- overview.py: one row per unit, a column per cadence, the attendance trend, XLSX;
- unit.py: one unit's meetings, and recording a meeting held without the bot;
- kinds.py: the cadences themselves (an admin adds 政治学习 or changes how often);
- tally.py: closed check-ins counted once, in the background;
- person_data.py: the records a person made or is named in (`tongxin person export/erase`).

What was held comes from storage.supervision: the check-ins and the records.
"""

from __future__ import annotations

from bot.feature import Feature
from storage import supervision as supervision_tables

feature = Feature("supervision", __name__, models=(supervision_tables,))

from handlers.supervision import overview, tally  # noqa: E402  (they register on `feature`)

__all__ = ["feature", "overview", "tally"]

from handlers.supervision import person_data  # noqa: E402, F401  (registers its hook)
