"""/签到: open a check-in for a meeting, check in, ask leave, count, nudge, close.

Opening: `/签到 发起 主题党日 [截止 15:30] [签到码] [允许迟到] [地点 …]`, or
`/签到 发起` alone and a short conversation asks for the title and the
deadline. Teachers answer the way they talk (`我到了`, `请个假 孩子生病`).
Check-ins are acknowledged by one grouped progress line per 30 s, so a room
of fifty does not make fifty replies.

- opening.py: /签到 发起 and its flow; meeting.py: a scheduled meeting opens one;
- answer.py: what teachers send; ahead.py: leave asked for a coming meeting;
- manage.py: the secretary's commands and the timers; secretary.py: corrections;
- ops.py: what a check-in does, whoever asks; ledger.py: the year's 台账;
- console.py: the console's pages.
"""

from __future__ import annotations

from bot.feature import Feature
from handlers.checkin import texts as t
from storage import checkin as checkin_tables

feature = Feature("checkin", __name__, models=(checkin_tables,))
cmd = feature.command("checkin", "签到", help=t.HELP)
checkin_close = feature.timer("checkin.close", ref=int)
checkin_nudge = feature.timer("checkin.nudge", ref=int, push=True)
checkin_progress = feature.timer("checkin.progress", ref=int)
# Fires once a check-in not opened by a scheduled meeting closes: it says the meeting
# was held (MeetingHeld), from a job, where events are emitted.
checkin_held = feature.timer("checkin.held", ref=int)

from handlers.checkin import (  # noqa: E402
    ahead,
    answer,
    console,
    manage,
    meeting,
    opening,
    secretary,
)

__all__ = [
    "ahead",
    "answer",
    "checkin_close",
    "checkin_nudge",
    "checkin_progress",
    "cmd",
    "console",
    "feature",
    "manage",
    "meeting",
    "opening",
    "secretary",
]

from handlers.checkin import person_data  # noqa: E402, F401  (registers its hook)
