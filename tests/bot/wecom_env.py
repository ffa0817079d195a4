"""The bot with WeCom on, its API pointed at the fake, and WeCom's side of callbacks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import ClientResponse

from tests.conftest import START
from tests.fakes.wecom_api import FakeWeCom
from tests.fakes.wecom_callbacks import Request, Sender
from tests.harness import ChatHarness

CORP_ID = "wwcorp"
APP_TOKEN = "apptoken"
APP_AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
BOT_TOKEN = "bottoken"
BOT_AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
AGENT_ID = 1000002
HOOK_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"


class WeComChat(ChatHarness):
    def __init__(
        self,
        db_url: str,
        tmp_path: Path,
        fake: FakeWeCom,
        start: datetime = START,
        **settings: Any,
    ) -> None:
        defaults: dict[str, Any] = {
            "wecom_corp_id": CORP_ID,
            "wecom_token": APP_TOKEN,
            "wecom_aes_key": APP_AES_KEY,
            "wecom_agent_id": AGENT_ID,
            "wecom_secret": fake.secret,
            "wecom_bot_token": BOT_TOKEN,
            "wecom_bot_aes_key": BOT_AES_KEY,
            "wecom_api_base": fake.base,
        }
        super().__init__(db_url, start, tmp_path, **(defaults | settings))
        self.fake = fake
        s = self.settings
        self.app_sender = Sender(s.wecom_token, s.wecom_aes_key, s.wecom_corp_id, self.clock)
        self.bot_sender = Sender(s.wecom_bot_token, s.wecom_bot_aes_key, "", self.clock)

    async def call(self, req: Request) -> ClientResponse:
        assert self.client is not None
        return await self.client.post(req.url, data=req.body)

    async def get(self, url: str) -> ClientResponse:
        assert self.client is not None
        return await self.client.get(url)


@asynccontextmanager
async def wecom_chat(
    db_url: str, tmp_path: Path, start: datetime = START, **settings: Any
) -> AsyncIterator[WeComChat]:
    fake = FakeWeCom(corp_id=settings.get("wecom_corp_id", CORP_ID), webhook_keys={HOOK_KEY})
    await fake.start()
    chat = WeComChat(db_url, tmp_path, fake, start, **settings)
    await chat.start()
    try:
        yield chat
    finally:
        await chat.stop()
        await fake.close()
