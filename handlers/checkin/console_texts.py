"""What the console's check-in pages say."""

TITLE = "签到台账"
NO_UNITS = "您还没有可以查看的支部。"
EMPTY = "这一年还没有签到记录。"
MEETINGS = "会议"
LEDGER = "个人出勤"
MEETINGS_HEAD = ["日期", "时间", "会议", "应到", "实到", "迟到", "请假", "未到"]
DOWNLOAD = "下载 Excel 台账"
PREV_YEAR = "上一年"
NEXT_YEAR = "下一年"
EXPECTED = "应到"
ATTENDED = "实到"
LATE = "迟到"
LEAVE = "请假"
ABSENT = "未到"
OUTSIDERS = "名单外签到"
NOBODY = "（无）"
OPEN = "签到进行中"
CLOSED = "签到已结束"
CHART = "出勤情况"
PEOPLE = "人"


def heading(unit: str, year: int) -> str:
    return f"{unit} {year} 年签到台账"


def meeting_title(title: str, day: str) -> str:
    return f"{title}（{day}）"


def export_label(unit: str, year: int) -> str:
    return f"{unit} {year} 年签到台账"


def with_reason(name: str, reason: str) -> str:
    return f"{name}（{reason}）" if reason else name
