"""The bot with WeCom on: its settings for the fake WeCom API, and WeCom's side of callbacks.

A test marked `@pytest.mark.chat(wecom=True)` gets a `chat` whose WeCom API is the
`wecom` fixture (tests/conftest.py); the functions here sign and post callbacks to it.
"""

from __future__ import annotations

from typing import Any

from aiohttp import ClientResponse

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


def fake_wecom() -> FakeWeCom:
    return FakeWeCom(corp_id=CORP_ID, webhook_keys={HOOK_KEY})


def wecom_settings(fake: FakeWeCom, **settings: Any) -> dict[str, Any]:
    """Settings that turn WeCom on against `fake`; `settings` override them."""
    return {
        "wecom_corp_id": CORP_ID,
        "wecom_token": APP_TOKEN,
        "wecom_aes_key": APP_AES_KEY,
        "wecom_agent_id": AGENT_ID,
        "wecom_secret": fake.secret,
        "wecom_bot_token": BOT_TOKEN,
        "wecom_bot_aes_key": BOT_AES_KEY,
        "wecom_api_base": fake.base,
    } | settings


def app_sender(chat: ChatHarness) -> Sender:
    """Signs as WeCom does for the self-built app's callbacks to this bot."""
    s = chat.settings
    return Sender(s.wecom_token, s.wecom_aes_key, s.wecom_corp_id, chat.clock)


def bot_sender(chat: ChatHarness) -> Sender:
    """Signs as WeCom does for the AI bot's callbacks (an empty receive id)."""
    s = chat.settings
    return Sender(s.wecom_bot_token, s.wecom_bot_aes_key, "", chat.clock)


async def call(chat: ChatHarness, req: Request) -> ClientResponse:
    assert chat.client is not None
    return await chat.client.post(req.url, data=req.body)


async def get(chat: ChatHarness, url: str) -> ClientResponse:
    assert chat.client is not None
    return await chat.client.get(url)
