"""Everything the monthly duties (政治学习 at least once a month) say."""

from __future__ import annotations

DEFAULT_TITLE = "政治学习"
NO_UNIT = "请在支部群里发送，或先确认您只负责一个支部（/我是谁）。"


def created(title: str) -> str:
    return (
        f"已设置：每月至少一次「{title}」。每月20日和最后一个工作日，若本月还没有记录，"
        f"我会私信提醒您。开完后发送「/会议 已开 {title}」记录。"
    )


def already(title: str) -> str:
    return f"「{title}」已在每月清单里。"


def unknown(title: str) -> str:
    return f"每月清单里没有「{title}」。先发送「/会议 每月 {title}」设置。"


def _month(key: str) -> str:
    year, month = key.split("-")
    return f"{year}年{int(month)}月"


def recorded(title: str, month: str) -> str:
    return f"已记录：{_month(month)}的「{title}」已开。本月不再提醒。"


def nag(title: str, month: str, last_day: bool) -> str:
    when = "今天是本月最后一个工作日" if last_day else "本月已过大半"
    return (
        f"【每月清单】{when}，{_month(month)}的「{title}」还没有记录。"
        f"请尽快组织；开完后发送「/会议 已开 {title}」记录。"
    )
