"""Everything the meeting commands and their reminders say."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

HELP = "安排会议与提醒"
HELP_NEW = "安排会议（可重复）"
EXAMPLES_NEW = (
    "/会议 新建 每月第一个周五15:00 支委会",
    "/会议 新建 每周三16:00 政治学习 地点 三楼会议室",
    "/会议 新建 12月4日15:00 主题党日",
    "/会议 新建 每季度末 15:00 党课",
)
ONE_LINE_HINT = (
    "没看懂开会时间，我们一步一步来。一句话的写法如「/会议 新建 每月第一个周五15:00 支委会」。"
)
HELP_EDIT = "修改会议安排（重新回答各项）"
HELP_DELETE = "删除会议，不再提醒"
HELP_LIST = "查看已安排的会议"
HELP_MONTHLY = "设置定期必开的会议（如 政治学习 每月、党员大会 每季度）"
HELP_HELD = "记录本期已开（如 政治学习）"
FLOW_NEW = "安排会议"
# Meeting kinds by code; "other" asks for a name.
KINDS = {
    "committee": "支委会",
    "group": "党小组会",
    "congress": "党员大会",
    "lecture": "党课",
    "theme_day": "主题党日",
    "study": "政治学习",
    "forum": "座谈会",
    "other": "其他",
}
REPEATS = {
    "once": "只开一次",
    "weekly": "每周",
    "monthly_day": "每月固定日期",
    "monthly_nth": "每月第几个星期几",
    "quarterly": "每季度",
    "halfyearly": "每半年",
    "yearly": "每年",
}
# Numbered as they were before "previous" and the 调休 choice came, so a
# secretary's habitual "1" still means 顺延.
POLICIES = {
    "next": "顺延到下一个工作日",
    "skip": "跳过这一次",
    "keep": "照常举行",
    "previous": "提前到上一个工作日",
    "next_swapped": "顺延到下一个工作日或调休上班日",
}
# Words for a holiday answer that do not begin its label ("取消" stays the
# flow's own word: it ends the conversation).
POLICY_WORDS = {"不开": "skip", "正常": "keep", "不变": "keep"}
NO_PLACE = ("无", "没有", "-", "不填")
DEFAULT_WORDS = ("默认", "default", "好")
THIS_GROUP = ("本群", "这个群", "此群")

ASK_KIND = "会议类型？"
ASK_NAME = "会议名称？"
ASK_REPEAT = "多久开一次？"
ASK_FIRST = "（第一次）开会时间？例如「12月4日15:00」「下周五下午3点到5点」"
ASK_PLACE = "会议地点？没有可回复「无」"
ASK_GROUPS = "提醒发到哪些群？回复「本群」，或群ID（多个用逗号分开）"
ASK_OFFSETS = "提前多久提醒？回复「默认」即提前1天和1小时，也可写「2天,30分钟」"
ASK_POLICY = "遇到节假日怎么办？"
NEED_TIME = "请写上几点开会，例如「12月4日15:00」。"
NEED_END_TIME = "请写上几点结束，例如「12月4日15:00到17:00」。"
TOO_LONG = "一次会议最长 12 小时，请检查结束时间，例如「下午3点到5点」。"
NOT_IN_GROUP = "这里不是群聊，请写群ID。"
BAD_OFFSETS = "没看懂。请写「1天,1小时」这样的时长，最长提前30天。"
USAGE_ID = "请写会议编号，例如：/会议 删除 3。编号见 /会议 列表。"
NONE_YET = "还没有安排会议。发送 /会议 新建 来安排。"
NOT_YOURS = "这不是您所在支部的会议，不能改动。"

WEEKDAYS = "一二三四五六日"


def unknown_groups(ids: Sequence[str]) -> str:
    return f"我还不在这些群里：{'、'.join(ids)}。请先在群里@我一次，或检查群ID。"


def foreign_groups(ids: Sequence[str]) -> str:
    return f"这些群属于其他支部，不能发提醒：{'、'.join(ids)}。"


def unknown_meeting(ref: str) -> str:
    return f"没有编号为 {ref} 的会议。发送 /会议 列表 查看。"


def when_label(at: datetime) -> str:
    return f"{at.month}月{at.day}日（周{WEEKDAYS[at.weekday()]}）{at.hour}:{at.minute:02d}"


def offset_label(minutes: int) -> str:
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = [
        f"{days}天" if days else "",
        f"{hours}小时" if hours else "",
        f"{mins}分钟" if mins else "",
    ]
    return "".join(parts) or "开始时"


def offsets_label(offsets: Sequence[int]) -> str:
    return "、".join(f"提前{offset_label(m)}" for m in offsets) or "不提前提醒"


def policy_label(policy: str) -> str:
    return POLICIES[policy]


def repeat_until(repeat: str, end: datetime | None) -> str:
    """The rule's words, with the end of the meeting when one was given."""
    return f"{repeat}–{end.hour}:{end.minute:02d}" if end else repeat


def preview(
    title: str, repeat: str, place: str, groups: Sequence[str], offsets: Sequence[int], policy: str
) -> str:
    return (
        f"请确认会议安排：\n{title}\n时间：{repeat}\n地点：{place or '未定'}\n"
        f"提醒：{offsets_label(offsets)}，发到 {len(groups)} 个群\n"
        f"遇节假日：{policy_label(policy)}"
    )


def created(meeting_id: int, title: str, next_at: datetime | None) -> str:
    nxt = f"下次：{when_label(next_at)}。" if next_at else ""
    return f"已安排「{title}」（编号 {meeting_id}）。{nxt}"


def updated(meeting_id: int, title: str) -> str:
    return f"已修改「{title}」（编号 {meeting_id}），此后的提醒按新安排发送。"


def deleted(meeting_id: int, title: str) -> str:
    return f"已删除「{title}」（编号 {meeting_id}），不再提醒。"


def listing(lines: Sequence[str]) -> str:
    return "已安排的会议：\n" + "\n".join(lines)


def list_line(
    meeting_id: int, title: str, repeat: str, place: str, next_at: datetime | None
) -> str:
    nxt = f"，下次 {when_label(next_at)}" if next_at else ""
    where = f"，{place}" if place else ""
    return f"{meeting_id}. {title}：{repeat}{where}{nxt}"


ESTIMATED = "放假安排尚未公布，调整后的日期为估算，请以国务院办公厅通知为准"


def reminder(
    title: str,
    at: datetime,
    place: str,
    moved_from: datetime | None,
    merged: Sequence[datetime] = (),
    estimated: bool = False,
) -> str:
    """A meeting's advance reminder, saying why its day is not the usual one."""
    where = f"，地点：{place}" if place else ""
    notes = []
    if moved_from:
        way = "提前" if moved_from > at else "顺延"
        notes.append(f"原定 {when_label(moved_from)}，因节假日{way}")
    if merged:
        days = "、".join(when_label(d) for d in merged)
        notes.append(f"原定 {days} 的一次因节假日改到这天，两次合并召开")
    if estimated:
        notes.append(ESTIMATED)
    why = f"（{'；'.join(notes)}）" if notes else ""
    return f"【会议提醒】「{title}」将于 {when_label(at)} 召开{where}。{why}请大家准时参加。"


# --- quotas -------------------------------------------------------------------

QUOTA_USAGE = (
    "请写明哪项会议，例如「/会议 每月 政治学习」「/会议 每月 党员大会」。"
    "多久一次按规定来：党员大会、党课每季度，主题党日、政治学习每月，组织生活会每年。"
)
HELD_USAGE = "请写明开了哪项会议，例如「/会议 已开 政治学习」。"


def other_cadence(title: str, said: str, windows: Sequence[tuple[int, int]]) -> str:
    """A cadence word that is not the duty's own: say the duty's and the command."""
    return (
        f"「{title}」按规定是{cadence_label(windows)}，不是{said}。"
        f"发送「/会议 每月 {title}」即按规定设置提醒。"
    )


NO_UNIT = "请在支部群里发送，或先确认您只负责一个支部（/我是谁）。"

_QUARTERS = ((1, 3), (4, 6), (7, 9), (10, 12))
_HALVES = ((1, 6), (7, 12))


def cadence_label(windows: Sequence[tuple[int, int]]) -> str:
    """How often a quota asks for a meeting: 每季度至少一次, 每年一次（12月至次年2月）."""
    if len(windows) == 12:
        return "每月至少一次"
    if tuple(windows) == _QUARTERS:
        return "每季度至少一次"
    if tuple(windows) == _HALVES:
        return "每半年至少一次"
    spans = "、".join(f"{a}月至{'次年' if b < a else ''}{b}月" for a, b in windows)
    if len(windows) == 1:
        return f"每年一次（{spans}）"
    return f"每年{len(windows)}次（{spans}各一次）"


def _nag_months(windows: Sequence[tuple[int, int]]) -> str:
    if len(windows) == 12:
        return "每月"
    if tuple(windows) == _QUARTERS:
        return "每季度最后一个月"
    return "每年" + "、".join(f"{b}月" for _, b in sorted(windows, key=lambda w: w[1]))


def quota_created(title: str, windows: Sequence[tuple[int, int]]) -> str:
    return (
        f"已设置：「{title}」{cadence_label(windows)}。{_nag_months(windows)}的20日"
        f"和最后一个工作日（遇节假日顺延，寒暑假不提醒），若还没有记录，我会私信提醒您。"
        f"开完后发送「/会议 已开 {title}」记录。"
    )


def already(title: str) -> str:
    return f"「{title}」已在定期工作清单里。"


def unknown(title: str) -> str:
    return f"清单里没有「{title}」。先发送「/会议 每月 {title}」设置。"


def recorded(title: str, period: str) -> str:
    return f"已记录：{period}的「{title}」已开。这一期不再提醒。"


def out_of_season(title: str, windows: Sequence[tuple[int, int]]) -> str:
    return f"「{title}」{cadence_label(windows)}，现在不在这个时段，没有记录。"


def _nag_kind(period_key: str) -> str:
    _, _, part = period_key.partition("-")
    if not part:
        return "年度"
    if part.startswith("Q"):
        return "季度"
    if part.startswith("H"):
        return "半年"
    return "每月"


def nag(title: str, period_key: str, period: str, last_day: bool) -> str:
    when = f"今天是{period}的最后一个工作日" if last_day else f"{period}即将结束"
    return (
        f"【{_nag_kind(period_key)}清单】{when}，「{title}」还没有记录。"
        f"请尽快组织；开完后发送「/会议 已开 {title}」记录。"
    )


# What `tongxin person export` shows a person of their own records.
CREATED = "创建的会议"
DUTIES = "每月事项提醒"
RECORDED = "记录完成的每月事项"
CREATORS = "会议创建人"
REMINDED = "每月事项的提醒对象"
RECORDERS = "每月事项记录人"
K_TITLE = "会议"
K_DUTY = "事项"
K_CREATED_AT = "创建时间"
K_MONTH = "月份"
K_AT = "记录时间"
