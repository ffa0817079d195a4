"""Whole numbers as people, URLs, forms and headers give them: ASCII digits, within bounds.

`str.isdigit()` is true of "²", "①" and of digits no `int()` reads ("᧚"), and
`int()` takes Arabic-Indic digits, a sign, spaces and thousands of digits; a
number read from outside goes through `whole()`, which takes what a person
means by a number and nothing else, so a bad one gets an answer, not a traceback.
"""

from __future__ import annotations

import re

# Row ids are PostgreSQL `integer`s: nine digits always fit.
ID_MAX = 999_999_999
# The years a ledger or calendar can be asked for: those the calendar knows (and dates hold).
YEARS = range(1901, 2100)
# The most digits taken (a millisecond timestamp has 13); longer is never a number we take.
LONGEST = 10**18 - 1
_DIGITS = re.compile(r"[0-9]{1,18}")


def whole(text: str, lo: int = 0, hi: int = ID_MAX) -> int | None:
    """`text` as an int when it is ASCII digits only and lo <= n <= hi; else None."""
    if not _DIGITS.fullmatch(text):
        return None
    n = int(text)
    return n if lo <= n <= hi else None


def is_whole(text: str, lo: int = 0, hi: int = ID_MAX) -> bool:
    return whole(text, lo, hi) is not None


def year_in(text: str) -> int | None:
    """A year as four ASCII digits within YEARS, else None."""
    return whole(text, YEARS[0], YEARS[-1]) if len(text) == 4 else None
