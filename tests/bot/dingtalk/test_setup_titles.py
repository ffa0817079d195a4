"""Set-up from a DingTalk group: the group is called by its title, not its conversation id."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import START
from tests.fakes.dingtalk_api import SESSION, FakeDingTalkApi
from tests.harness import ChatHarness

from .conftest import settings_for
from .helpers import now_ms, post_callback, robot_message


async def test_bind_and_list_name_the_group_by_its_title(
    db_url: str, tmp_path: Path, api: FakeDingTalkApi
) -> None:
    chat = ChatHarness(db_url, START, tmp_path, **settings_for(api, admins=["dingtalk:boss"]))
    await chat.start()
    try:

        async def say(text: str, sender: str, nick: str, group: bool = True) -> str:
            body = robot_message(api, now_ms(chat), text, sender=sender, nick=nick, group=group)
            body["conversationTitle"] = "实验中学一支部群"
            assert await post_callback(chat, body) == 200
            await chat.settle()
            return api.to(SESSION)[-1].text

        await say("/我是谁", "li01", "李书记")
        assert "本群「实验中学一支部群」" in await say("/绑定 第一党支部", "boss", "王主任")
        reply = await say("确认", "boss", "王主任")
        assert "已把本群「实验中学一支部群」绑定到「第一党支部」" in reply
        assert "1 人已加入「第一党支部」名单" in reply
        reply = await say("/授权 李书记 书记", "boss", "王主任")
        assert "已授予 李书记 支部书记权限（第一党支部）" in reply
    finally:
        await chat.stop()
