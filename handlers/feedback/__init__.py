"""征求意见 and the 意见箱: a secretary opens a call, teachers answer by a deadline.

"逾期未反馈视为无意见": at the deadline the call closes and whoever stayed
silent is counted as having no objection. A day before, those who have not
answered are reminded.

- opening.py: /征求意见 新建 and its flow; answer.py: a teacher answers;
- manage.py: the secretary's commands and the deadline's timers;
- report.py: the summary and the XLSX; suggestions.py: the 意见箱;
- steps.py: the step where someone writes; console.py: the console's pages.
"""

from __future__ import annotations

from bot.feature import Feature
from handlers.feedback import texts as t
from storage import feedback as feedback_tables

feature = Feature("feedback", __name__, models=(feedback_tables,))
feedback_cmd = feature.command("feedback", "征求意见", help=t.CMD_HELP, aliases=("反馈",))
suggest_cmd = feature.command("suggest", "意见箱", help=t.SUGGEST_HELP)
reply_cmd = feature.command("reply", "回复", help=t.REPLY_HELP)
feedback_close = feature.timer("feedback.close", ref=int)
feedback_nudge = feature.timer("feedback.nudge", ref=int, push=True)

from handlers.feedback import answer, console, manage, opening, suggestions  # noqa: E402

__all__ = [
    "answer",
    "console",
    "feature",
    "feedback_close",
    "feedback_cmd",
    "feedback_nudge",
    "manage",
    "opening",
    "reply_cmd",
    "suggest_cmd",
    "suggestions",
]

from handlers.feedback import person_data  # noqa: E402, F401  (registers its hook)
