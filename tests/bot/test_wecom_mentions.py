"""@-mentions as WeCom's AI bot delivers them reach the router as the command."""

from __future__ import annotations

from pathlib import Path

import pytest

from handlers.help import texts
from tests.bot.wecom_env import wecom_chat
from tests.fakes.wecom_callbacks import bot_text

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
    db_url: str, tmp_path: Path, typed: str, names: list[str], heard: str
) -> None:
    async with wecom_chat(db_url, tmp_path, bot_names=names) as chat:
        url = chat.fake.response_url("r1")
        payload = bot_text("t1", typed, "m1", chat_id="wrkG1", response_url=url)
        assert (await chat.call(chat.bot_sender.bot_post(payload))).status == 200
        await chat.settle()
        [reply] = chat.fake.texts("/aibot/response/r1")
        assert heard in reply


async def test_a_keyword_glued_to_the_bot_name_checks_in(db_url: str, tmp_path: Path) -> None:
    async with wecom_chat(db_url, tmp_path, bot_names=NAMES, admins=["wecom:sec1"]) as chat:
        said = [
            ("sec1", "@同心 /签到 发起 主题党日 截止 23:30"),
            ("t1", "@同心签到"),
        ]
        for i, (sender, typed) in enumerate(said):
            url = chat.fake.response_url(f"r{i}")
            payload = bot_text(sender, typed, f"m{i}", chat_id="wrkG1", response_url=url)
            assert (await chat.call(chat.bot_sender.bot_post(payload))).status == 200
            await chat.settle()
        [opened] = chat.fake.texts("/aibot/response/r0")
        assert "开始签到" in opened
        [checked_in] = chat.fake.texts("/aibot/response/r1")
        assert "「主题党日」已签到" in checked_in
