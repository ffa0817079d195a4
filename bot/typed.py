"""What people typed, for what the bot stores; the normalised text is for matching only.

`Incoming.text` is folded (full-width ，：；、 as ASCII, spaces collapsed, the
leading @-mention gone) so that commands, numbers and keywords match however
they were typed. What a feature keeps — a title, an option, an opinion, a
leave reason — must read as the person wrote it: "一、加强政治建设；二、…"
stays so, and is never stored as "一,加强政治建设;二,…".

`typed(incoming, fragment)` finds a fragment of the normalised text in the
raw text, folding the raw text one character at a time so each folded
character knows where it came from, and returns that stretch of the raw
text. When it cannot (the adapter kept no raw text), the fragment itself.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.messages import Incoming, fold


@lru_cache(maxsize=256)
def _aligned(raw: str) -> tuple[str, tuple[int, ...]]:
    """`raw` folded, and for each folded character the index of the raw one it came from."""
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(raw):
        folded = fold(ch)
        chars.append(folded)
        origin.extend([i] * len(folded))
    return "".join(chars), tuple(origin)


def _loose(fragment: str) -> re.Pattern[str]:
    """The fragment as a pattern that allows what normalising collapsed or dropped."""
    parts = []
    for ch in fragment:
        if ch == "\n":
            parts.append(r"\s*\n\s*")
        elif ch.isspace():
            parts.append(r"[^\S\n]+")
        else:
            parts.append(re.escape(ch))
    return re.compile("".join(parts))


def typed_in(raw: str, fragment: str) -> str:
    """The stretch of `raw` that normalises to `fragment` (or `fragment` when none does)."""
    fragment = fragment.strip()
    if not raw or not fragment:
        return fragment
    folded, origin = _aligned(raw)
    found = _loose(fragment).search(folded)
    if found is None:
        return fragment
    start, end = origin[found.start()], origin[found.end() - 1] + 1
    return raw[start:end].replace("\r\n", "\n")


def typed(incoming: Incoming, fragment: str) -> str:
    """`fragment`, a piece of `incoming.text`, as the sender typed it."""
    return typed_in(incoming.raw_text, fragment)
