"""@-mentions as WeCom's AI bot delivers them reach the router as the command."""

from __future__ import annotations

import pytest

from handlers.help import texts
from tests.bot.wecom_helpers import bot_sender, call, wecom_settings
from tests.conftest import MakeChat
from tests.fakes.wecom_api import FakeWeCom
from tests.fakes.wecom_callbacks import bot_text
from tests.harness import ChatHarness

NAMES = ["同心", "同心 助手"]


@pytest.mark.parametrize(
    ("typed", "names", "heard"),
    [
        ("@张三 @同心 /帮助", NAMES, texts.HEADER),
        ("@张三 @同心 /帮助", [], texts.HEADER),
        ("@同心 助手 /帮助", NAMES, texts.HEADER),
        ("@同心/签到", NAMES, "本群现在没有进行中的签到"),
        ("@同心助手 /帮助", [], texts.HEADER),
    ],
)
async def test_wecom_group_mentions(
    make_chat: MakeChat, wecom: FakeWeCom, typed: str, names: list[str], heard: str
) -> None:
    chat = await make_chat(**wecom_settings(wecom, bot_names=names))
    url = wecom.response_url("r1")
    payload = bot_text("t1", typed, "m1", chat_id="wrkG1", response_url=url)
    assert (await call(chat, bot_sender(chat).bot_post(payload))).status == 200
    await chat.settle()
    [reply] = wecom.texts("/aibot/response/r1")
    assert heard in reply


@pytest.mark.chat(wecom=True, bot_names=NAMES, admins=["wecom:sec1"])
async def test_a_keyword_glued_to_the_bot_name_checks_in(
    chat: ChatHarness, wecom: FakeWeCom
) -> None:
    said = [
        ("sec1", "@同心 /签到 发起 主题党日 截止 23:30"),
        ("t1", "@同心签到"),
    ]
    for i, (sender, typed) in enumerate(said):
        url = wecom.response_url(f"r{i}")
        payload = bot_text(sender, typed, f"m{i}", chat_id="wrkG1", response_url=url)
        assert (await call(chat, bot_sender(chat).bot_post(payload))).status == 200
        await chat.settle()
    [opened] = wecom.texts("/aibot/response/r0")
    assert "开始签到" in opened
    [checked_in] = wecom.texts("/aibot/response/r1")
    assert "「主题党日」已签到" in checked_in
