"""Everything the console's home page says."""

from __future__ import annotations

TITLE = "工作台"
MEETINGS = "本月和本季度的三会一课"
MEETINGS_MORE = "全部单位的情况见「督导」"
HELD = "已开"
DUE = "待开"
MISSED = "今年有缺开的单位"
KIND = "会议"
PERIOD = "本期"
UNITS_OF = "{n} 个单位"
NO_UNITS = "还没有单位。在群里发送「/绑定 第一党支部」，或在「单位」页新建。"
STATUS = {"held": "已开", "due": "待开", "missed": "未开"}
POLLS = "进行中的投票"
CALLS = "进行中的征求意见"
NO_POLLS = "没有进行中的投票。"
NO_CALLS = "没有进行中的征求意见。"
PARTICIPATION = "参与"
DEADLINE = "截止"
FAILED = "发送失败的消息"
PROBLEMS = "需要管理员处理的设置问题"
FAILED_LINK = "查看投递情况"
REMINDERS = "接下来的提醒"
NO_REMINDERS = "30 天内没有要发的提醒。"
REMINDER_KINDS = {"meeting": "会议提醒", "start": "会议开始", "lianzheng": "廉政提醒"}


def due_by(day: str) -> str:
    return f"{day}前"


# Past this many, missed periods are counted rather than named.
NAMED_MISSES = 3


def missed_periods(labels: list[str]) -> str:
    if len(labels) > NAMED_MISSES:
        return f"今年缺开 {len(labels)} 期"
    return "今年缺开：" + "、".join(labels)


def participation(done: int, total: int) -> str:
    return f"{done}/{total}"
