"""民意测验 and 民主测评: /投票 新建 · 结果 · 提醒 · 结束 · 导出, `投票 1,3`, the private ballot.

- create.py: the creation flow and publishing;
- vote.py: casting ballots, in a group (named polls) or the private ballot;
- manage.py: the secretary's commands (results, reminders, closing, export);
- results.py: what closing and reminding send, and the XLSX;
- console.py: the console's pages.

storage.polls explains how anonymous ballots stay unlinkable.
"""

from __future__ import annotations

from bot.feature import Feature
from handlers.polls import texts as t
from storage import polls as polls_tables

feature = Feature("polls", __name__, models=(polls_tables,))
poll_cmd = feature.command("poll", "投票", help=t.HELP)
poll_close = feature.timer("poll.close", ref=int)
poll_nudge = feature.timer("poll.nudge", ref=int, push=True)

from handlers.polls import console, create, manage, vote  # noqa: E402  (they register on feature)

__all__ = ["console", "create", "feature", "manage", "poll_close", "poll_cmd", "poll_nudge", "vote"]

from handlers.polls import person_data  # noqa: E402, F401  (registers its hook)
