"""The console's home page: what needs doing now, for the person signed in."""

from __future__ import annotations

from bot.feature import Feature

feature = Feature("workbench", __name__)
