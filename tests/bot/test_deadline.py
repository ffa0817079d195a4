"""The one deadline parser: what a reading assumed is said to the person at once."""

from __future__ import annotations

from tests.handlers.polls_helpers import NAMED_SINGLE, branch, create
from tests.harness import ChatHarness


async def test_a_skipped_year_is_said_before_the_next_question(chat: ChatHarness) -> None:
    b = branch(chat)
    # Wednesday 2026-11-25: 2027 has no 2月29日, so the deadline is in 2028.
    said = await create(b, *NAMED_SINGLE[:5], "2月29日17:00")
    assert "2027年没有2月29日，按2028年2月29日理解。" in said
    await create(b, *NAMED_SINGLE[:5], "明天17:00")
    assert "理解" not in "\n".join(b.sec.last)
