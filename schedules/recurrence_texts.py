"""How a meeting's repeat reads in a preview or a list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

WEEKDAYS = "一二三四五六日"
_NTH = {1: "第一个", 2: "第二个", 3: "第三个", 4: "第四个", -1: "最后一个"}
_QUARTER_ENDS = (3, 6, 9, 12)


def when_label(at: datetime) -> str:
    return f"{at.month}月{at.day}日（周{WEEKDAYS[at.weekday()]}）{at.hour}:{at.minute:02d}"


def _day(day: int) -> str:
    """A day of the month as a rule means it (from 29 on: or the month's last)."""
    if day == 31:
        return "最后一天"
    return f"{day}日"


def _months(months: Sequence[int]) -> str:
    return "、".join(f"{m}月" for m in months)


def repeat_label(kind: str, first: datetime, nth: int, months: Sequence[int]) -> str:
    clock = f"{first.hour}:{first.minute:02d}"
    weekday = f"周{WEEKDAYS[first.weekday()]}"
    day = _day(first.day)
    # Only February lacks a 29th or 30th; say what happens then.
    february = "2月为当月最后一天" if first.day in (29, 30) else ""
    if kind == "once":
        return f"仅一次：{when_label(first)}"
    if kind == "weekly":
        return f"每{weekday} {clock}"
    if kind == "monthly_day":
        return f"每月{day}{f'（{february}）' if february else ''} {clock}"
    if kind == "monthly_nth":
        return f"每月{_NTH[nth]}{weekday} {clock}"
    if kind in ("quarterly", "halfyearly"):
        if first.day == 31 and tuple(months) == _QUARTER_ENDS:
            return f"每季度末（{_months(months)}的最后一天） {clock}"
        every = "每季度" if kind == "quarterly" else "每半年"
        note = f"，{february}" if february and 2 in months else ""
        return f"{every}（{_months(months)}的{day}{note}） {clock}"
    if kind == "yearly":
        if first.month == 2 and first.day == 29:
            return f"每年2月29日（平年为2月28日） {clock}"
        return f"每年{first.month}月{first.day}日 {clock}"
    raise ValueError(f"unknown repeat kind {kind!r}")


_QUARTERS = "一二三四"
_HALVES = ("上半年", "下半年")


def period_label(key: str) -> str:
    """A cadence period's key as people say it: 2026-12 → 2026年12月, 2026-Q4 →
    2026年第四季度, 2026-H1 → 2026年上半年, 2026 → 2026年度."""
    year, _, part = key.partition("-")
    if not part:
        return f"{year}年度"
    if part.startswith("Q"):
        return f"{year}年第{_QUARTERS[int(part[1:]) - 1]}季度"
    if part.startswith("H"):
        return f"{year}年{_HALVES[int(part[1:]) - 1]}"
    return f"{year}年{int(part)}月"
