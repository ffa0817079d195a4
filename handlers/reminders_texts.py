"""Everything the scheduler and the holiday commands say."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

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


def late_note(due: datetime) -> str:
    at = f"{due.month}月{due.day}日 {due.hour}:{due.minute:02d}"
    return f"（本提醒原定 {at} 发送，因系统暂停而延后。）"


def status(pending: int, sent: int, missed: int, quiet: str, grace: int) -> str:
    quiet_line = f"免打扰时段：{quiet}" if quiet else "免打扰时段：无"
    return (
        f"未来 60 天待发提醒 {pending} 条；已发 {sent} 条，错过 {missed} 条。\n"
        f"{quiet_line}（期间不推送，顺延到早上）。\n"
        f"系统暂停后 {grace} 分钟内到期的提醒仍会补发，超过则记为错过。"
    )
