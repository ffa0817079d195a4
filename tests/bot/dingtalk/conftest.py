"""The bot with DingTalk on, against the fake DingTalk API, on both databases."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.conftest import MakeChat, chat_settings
from tests.fakes.dingtalk_api import FakeDingTalkApi
from tests.fakes.dingtalk_gateway import FakeGateway
from tests.harness import ChatHarness


@pytest.fixture
async def api() -> AsyncIterator[FakeDingTalkApi]:
    fake = FakeDingTalkApi()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()


def settings_for(api: FakeDingTalkApi, **more: object) -> dict[str, object]:
    return {
        "dingtalk_app_key": api.app_key,
        "dingtalk_app_secret": api.app_secret,
        "dingtalk_robot_code": "robot-code",
        "dingtalk_api_base": api.url,
        "dingtalk_oapi_base": api.url,
        **more,
    }


@pytest.fixture
async def ding(
    make_chat: MakeChat, api: FakeDingTalkApi, request: pytest.FixtureRequest
) -> ChatHarness:
    """HTTP mode: callbacks are POSTed to chat.client; `@pytest.mark.chat(...)` adds settings."""
    options = chat_settings(request)
    return await make_chat(**settings_for(api, **options))


@pytest.fixture
async def gateway_api() -> AsyncIterator[tuple[FakeDingTalkApi, FakeGateway]]:
    fake = FakeDingTalkApi()
    gateway = FakeGateway(fake)  # its routes must exist before the server starts
    await fake.start()
    try:
        yield fake, gateway
    finally:
        await fake.close()
