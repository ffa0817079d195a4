"""The console's home page: what needs doing now, for the person signed in."""

from __future__ import annotations

from bot.feature import Feature

feature = Feature("workbench", __name__)

from handlers.workbench import home  # noqa: E402  (registers on `feature`)

__all__ = ["feature", "home"]
