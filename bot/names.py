"""Names in lists read in pinyin order (安, 白, 陈 … 张, 赵), as a 花名册 does.

pypinyin reads each character; a surname has its own reading where the
character is polyphonic (曾 is zēng as a surname, not céng), so the first
character of a name is looked up in a small table first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import TypeVar

from pypinyin import Style, lazy_pinyin

T = TypeVar("T")

# Surnames whose everyday reading is not the surname's.
_SURNAMES = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "区": "ou",
    "查": "zha",
    "朴": "piao",
    "覃": "qin",
    "缪": "miao",
    "盖": "ge",
    "乐": "yue",
    "翟": "zhai",
    "秘": "bi",
    "种": "chong",
    "召": "shao",
    "繁": "po",
    "句": "gou",
    "长": "chang",
    "重": "chong",
    "薄": "bo",
    "卜": "bu",
    "隗": "wei",
    "冼": "xian",
}


@lru_cache(maxsize=4096)
def pinyin_key(name: str) -> tuple[str, ...]:
    """The name as pinyin syllables, the surname read as a surname; then the name itself."""
    if not name:
        return ("",)
    first = _SURNAMES.get(name[0])
    rest = lazy_pinyin(name[1:] if first else name, style=Style.NORMAL, errors="default")
    syllables = [first, *rest] if first else rest
    return (*(s.lower() for s in syllables), name)


def by_pinyin(names: Iterable[str]) -> list[str]:
    return sorted(names, key=pinyin_key)


def sort_by_pinyin(items: Iterable[T], name: Callable[[T], str]) -> list[T]:
    return sorted(items, key=lambda item: pinyin_key(name(item)))
