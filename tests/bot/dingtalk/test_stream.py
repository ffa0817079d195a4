"""Stream mode against the fake gateway: ack, answer, ping, drop and reconnect, backoff."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.platforms.dingtalk_stream import StreamClient
from handlers.help import texts as help_texts
from tests.conftest import START
from tests.fakes.dingtalk_api import SESSION, FakeDingTalkApi
from tests.fakes.dingtalk_gateway import FakeGateway
from tests.harness import ChatHarness

from .conftest import settings_for
from .helpers import now_ms, post_callback, robot_message

Fakes = tuple[FakeDingTalkApi, FakeGateway]


@pytest.fixture
async def streaming(db_url: str, tmp_path: Path, gateway_api: Fakes) -> AsyncIterator[ChatHarness]:
    api, _ = gateway_api
    harness = ChatHarness(db_url, START, tmp_path, **settings_for(api, dingtalk_mode="stream"))
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


async def test_callback_frames_are_acked_answered_and_survive_a_drop(
    streaming: ChatHarness, gateway_api: Fakes
) -> None:
    api, gateway = gateway_api
    await gateway.wait_connected()
    [opened] = gateway.opens
    assert opened["subscriptions"] == [{"type": "CALLBACK", "topic": "/v1.0/im/bot/messages/get"}]
    assert gateway.open_headers[0]["Accept"] == "application/json"
    body = robot_message(api, now_ms(streaming), "/帮助", group=False, session="s1")
    frame_id = await gateway.push_callback(body)
    ack = await gateway.next_ack()
    assert ack["code"] == 200 and ack["headers"]["messageId"] == frame_id
    assert json.loads(ack["data"]) == {"response": "OK"}
    await streaming.settle()
    [reply] = api.to(SESSION)
    assert reply.query["session"] == "s1" and help_texts.HEADER in reply.text

    ping_id = await gateway.ping()
    pong = await gateway.next_ack()
    assert pong["headers"]["messageId"] == ping_id
    assert json.loads(pong["data"]) == {"opaque": "p1"}

    await gateway.drop()
    await gateway.wait_connected()
    assert len(gateway.opens) == 2  # a new ticket for the new socket
    body = robot_message(api, now_ms(streaming), "/帮助", session="s2")
    frame_id = await gateway.push_callback(body)
    ack = await gateway.next_ack()
    assert ack["code"] == 200 and ack["headers"]["messageId"] == frame_id
    # The gateway redelivers a frame it thinks was lost: acked, handled once.
    await gateway.push_callback(body)
    assert (await gateway.next_ack())["code"] == 200
    await streaming.settle()
    assert [c.query["session"] for c in api.to(SESSION)] == ["s1", "s2"]


async def test_a_disconnect_notice_makes_the_client_reconnect(
    streaming: ChatHarness, gateway_api: Fakes
) -> None:
    api, gateway = gateway_api
    await gateway.wait_connected()
    await gateway.push("SYSTEM", "disconnect", "{}")
    await gateway.wait_connected()
    assert len(gateway.opens) == 2
    frame_id = await gateway.push_callback(
        robot_message(api, now_ms(streaming), "/帮助", session="s4")
    )
    ack = await gateway.next_ack()
    while ack["headers"]["messageId"] != frame_id:  # the notice's own ack, if it got out
        ack = await gateway.next_ack()
    assert ack["code"] == 200
    await streaming.settle()
    assert [c.query["session"] for c in api.to(SESSION)] == ["s4"]


async def test_stream_mode_serves_no_http_callback(
    streaming: ChatHarness, gateway_api: Fakes
) -> None:
    api, gateway = gateway_api
    await gateway.wait_connected()
    assert await post_callback(streaming, robot_message(api, now_ms(streaming), "/帮助")) == 404


async def test_unreadable_frames_are_refused_and_the_socket_stays(
    streaming: ChatHarness, gateway_api: Fakes
) -> None:
    api, gateway = gateway_api
    await gateway.wait_connected()
    await gateway.push("CALLBACK", "/v1.0/im/bot/messages/get", "{broken")
    assert (await gateway.next_ack())["code"] == 400
    await gateway.push("CALLBACK", "/v1.0/card/instances/callback", "{}")
    assert (await gateway.next_ack())["code"] == 404
    await gateway.push("EVENT", "chat_update_title", "{}")
    assert (await gateway.next_ack())["code"] == 200
    await gateway.push_callback(robot_message(api, now_ms(streaming), "/帮助", session="s3"))
    assert (await gateway.next_ack())["code"] == 200
    await streaming.settle()
    assert [c.query["session"] for c in api.to(SESSION)] == ["s3"]


async def test_failed_opens_back_off_then_connect(gateway_api: Fakes) -> None:
    api, gateway = gateway_api
    gateway.refuse_opens = 4
    delays: list[float] = []
    received: list[str] = []

    async def sleep(seconds: float) -> None:
        delays.append(seconds)

    async def on_message(data: str) -> bool:
        received.append(data)
        return True

    async with aiohttp.ClientSession() as http:
        client = StreamClient(
            lambda: http,
            api_base=api.url,
            client_id=api.app_key,
            client_secret=api.app_secret,
            on_message=on_message,
            sleep=sleep,
        )
        client.start()
        try:
            await gateway.wait_connected()
            await gateway.push_callback({"msgId": "x"})
            assert (await gateway.next_ack())["code"] == 200
        finally:
            await client.stop()
    assert len(gateway.opens) == 5
    assert len(delays) == 4
    for got, base in zip(delays, [1, 2, 4, 8], strict=True):
        assert base * 0.8 <= got <= base * 1.2
    assert json.loads(received[0]) == {"msgId": "x"}


async def test_the_gateway_answers_xml_to_a_client_that_does_not_ask_for_json(
    gateway_api: Fakes,
) -> None:
    api, _ = gateway_api
    body = {"clientId": api.app_key, "clientSecret": api.app_secret, "subscriptions": []}
    async with aiohttp.ClientSession() as http:
        url = f"{api.url}/v1.0/gateway/connections/open"
        async with http.post(url, json=body) as plain:
            assert plain.content_type == "application/xml"
            assert (await plain.text()).startswith("<")
        async with http.post(url, json=body, headers={"Accept": "application/json"}) as asked:
            assert set(await asked.json()) == {"endpoint", "ticket"}


async def test_a_non_json_answer_is_one_clear_error_then_a_calm_retry(
    gateway_api: Fakes, caplog: pytest.LogCaptureFixture
) -> None:
    api, gateway = gateway_api
    gateway.xml_always = True
    delays: list[float] = []

    async def sleep(seconds: float) -> None:
        delays.append(seconds)
        if len(delays) == 2:
            gateway.xml_always = False

    async def on_message(data: str) -> bool:
        return True

    caplog.set_level(logging.ERROR, "tongxin.dingtalk.stream")
    async with aiohttp.ClientSession() as http:
        client = StreamClient(
            lambda: http,
            api_base=api.url,
            client_id=api.app_key,
            client_secret=api.app_secret,
            on_message=on_message,
            sleep=sleep,
        )
        client.start()
        try:
            await gateway.wait_connected()
        finally:
            await client.stop()
    assert len(gateway.opens) == 3
    for got, base in zip(delays, [1, 2], strict=True):
        assert base * 0.8 <= got <= base * 1.2
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 2
    assert all("application/xml, not JSON" in e for e in errors)
    assert not any(r.exc_info for r in caplog.records)
