"""Everything the scheduler and the holiday commands say."""

from __future__ import annotations

from collections.abc import Sequence

HOLIDAYS_USAGE = (
    "用法：/提醒 放假安排 后接国务院办公厅通知的放假安排，每行一条，例如：\n"
    "2027-10-01~2027-10-07,休,国庆节\n"
    "2027-09-26,班,国庆节"
)
CLI_HOLIDAYS_USAGE = "usage: tongxin holidays load FILE (CSV or JSON of the State Council notice)"
CLI_CALENDAR_USAGE = "usage: tongxin calendar YEAR (1901–2099)"


def holidays_loaded(count: int, years: Sequence[int]) -> str:
    shown = "、".join(str(y) for y in years)
    return f"已载入 {shown} 年放假安排 {count} 天。此后的提醒按新的安排重新排期。"


def holidays_missing(year: int) -> str:
    return (
        f"【放假安排提醒】{year} 年的放假安排尚未载入。在此之前，{year} 年的节前廉政提醒"
        "和遇节假日顺延的会议按估算日期安排。国务院办公厅通知发布后，请用"
        "「/提醒 放假安排」或 tongxin holidays load 载入。"
    )


def status(pending: int, sent: int, missed: int, quiet: str, grace: int) -> str:
    quiet_line = f"免打扰时段：{quiet}" if quiet else "免打扰时段：无"
    return (
        f"未来 60 天待发提醒 {pending} 条；已发 {sent} 条，错过 {missed} 条。\n"
        f"{quiet_line}（期间不推送，顺延到早上）。\n"
        f"系统暂停后 {grace} 分钟内到期的提醒仍会补发，超过则记为错过。"
    )


# What /提醒 列表 and the console's reminders page call each kind of row.
UPCOMING_BEFORE = "会前提醒"
UPCOMING_START = "会议开始（发起签到）"
UPCOMING_LIANZHENG = "廉政提醒"
UPCOMING_ESTIMATED = "（日期为估算）"
UPCOMING_THIS_GROUP = "本群"
UPCOMING_NONE = "未来 60 天没有安排提醒。"
UPCOMING_NO_GROUPS = "您还没有可以查看的群。请在群里 @我 发送「/提醒 列表」。"
UPCOMING_MORE = "……另有 {n} 条，完整日程请在网页后台查看（/后台）。"


def upcoming_header(name: str) -> str:
    return f"{name}近期提醒："


def upcoming_line(due: str, kind: str, title: str) -> str:
    return f"{due} {kind} · {title}"
