"""Everything the 督导 pages say."""

from __future__ import annotations

TITLE = "督导"
UNIT = "单位"
ATTENDANCE = "出席率"
MISSED = "缺开"
THIS_YEAR = "全年"
UNITS = "单位数"
BEHIND = "落后单位"
HELD = "今年已开"
ONLY_BEHIND = "只看落后单位"
ALL = "全部单位"
TREND = "出席率走势（按月）"
TREND_EMPTY = "今年还没有会议记录。"
DOWNLOAD = "下载 Excel"
KINDS_LINK = "会议类型与频次"
NO_UNITS = "没有可查看的单位。"
PREV_YEAR = "上一年"
NEXT_YEAR = "下一年"
STATUS = {"held": "已开", "due": "待开", "missed": "未开"}
NOTE = (
    "每格：本期（表头所示）已开/应开，下面是全年已开/应开。出席率 = 实到 ÷ 应到。"
    "会议按名称归类，见「会议类型与频次」。"
)
SOURCE_CHECKIN = "签到"
SOURCE_RECORD = "补录"
MEETINGS = "今年的会议"
MEETINGS_HEAD = ("日期", "类型", "会议", "来源", "应到", "实到", "请假", "出席率", "地点", "主持人")
NO_MEETINGS = "今年还没有会议记录。"
RECORD = "补录会议"
RECORD_HINT = "没有用机器人签到的会议（例如纸质签到），在这里补录，督导数据才完整。"
DATE = "日期"
KIND = "类型"
PLACE = "地点"
HOST = "主持人"
EXPECTED = "应到"
ATTENDED = "实到"
LEAVE = "请假"
SAVE = "保存"
DELETE = "删除"
RECORDED = "已补录。"
DELETED = "已删除这条补录。"
BAD_DATE = "日期请写成 2026-11-20，且不能晚于今天。"
BAD_COUNTS = "人数请填整数：应到至少 1，实到加请假不能超过应到。"
BACK = "返回督导"

KINDS_TITLE = "会议类型与频次"
KINDS_HEAD = ("类型", "频次", "每期次数", "名称里的关键词")
KINDS_INTRO = (
    "会议按名称归类：签到或会议的名称里含有类型名或任一关键词，就算作这一类（按列表顺序取第一个）。"
    "学校可以增加类型，例如 政治学习（每月）。"
)
NEW_KIND = "增加类型"
KIND_NAME = "类型名称"
PER_PERIOD = "每期次数"
KEYWORDS = "关键词（用逗号分开，可不填）"
ADD = "增加"
KIND_SAVED = "已保存。"
KIND_ADDED = "已增加。"
KIND_DELETED = "已删除。"
KIND_NAME_EMPTY = "请填写类型名称。"
KIND_NAME_TAKEN = "已经有这个类型了。"
KIND_IN_USE = "已有这一类的补录记录，不能删除。"
BAD_PER_PERIOD = "每期次数请填 1 到 31 之间的整数。"
EXPORT_HEAD_UNIT = "单位"
EXPORT_SHEET = "督导"


def file_name(year: int) -> str:
    return f"三会一课督导-{year}.xlsx"


def head_note(current: str, period: str, times: int) -> str:
    """Under a kind's name: "11月 · 本月 1 次"."""
    return f"{current} · {period} {times} 次"


def cell_year(held: int, expected: int) -> str:
    return f"全年 {held}/{expected}"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"


def title_year(year: int) -> str:
    return f"{year} 年三会一课督导"


def unit_title(name: str, year: int) -> str:
    return f"{name} · {year} 年"


def trend_label(month: int) -> str:
    return f"{month}月"


def audit_record(unit: str, kind: str, day: str) -> str:
    return f"补录「{unit}」{day} {kind}"


def audit_record_deleted(unit: str, kind: str, day: str) -> str:
    return f"删除补录「{unit}」{day} {kind}"


def audit_kind(name: str) -> str:
    return f"会议类型「{name}」"


# What `tongxin person export` shows of meetings recorded by hand (补录), and
# its erasure's summary.
PD_RECORDS = "补录的会议"
PD_RECORDS_NOTE = "您补录的会议，以及主持人一栏写着您姓名的补录（同名的人也会列在这里）。"
PD_AS = "您是"
PD_AS_CREATOR = "补录人"
PD_AS_HOST = "主持人"
PD_AT = "补录时间"
PD_CREATORS = "补录会议的补录人"
PD_HOSTS = "补录会议的主持人署名"
