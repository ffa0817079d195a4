"""@-mentions as DingTalk delivers them reach the router as the command."""

from __future__ import annotations

import pytest

from handlers.help import texts
from tests.fakes.dingtalk_api import SESSION, FakeDingTalkApi
from tests.harness import ChatHarness

from .helpers import now_ms, post_callback, robot_message


@pytest.mark.parametrize(
    ("content", "heard"),
    [
        # DingTalk takes its own robot's mention out of text.content and
        # leaves the others: "@张三 @同心 /帮助" arrives like this.
        ("@张三  /帮助", texts.HEADER),
        (" @张三 @李四 /签到", "本群现在没有进行中的签到"),
    ],
)
async def test_dingtalk_group_mentions(
    ding: ChatHarness, api: FakeDingTalkApi, content: str, heard: str
) -> None:
    body = robot_message(api, now_ms(ding), "", session="s1")
    body["text"] = {"content": content}
    assert await post_callback(ding, body) == 200
    await ding.settle()
    [reply] = api.to(SESSION)
    assert heard in reply.text
