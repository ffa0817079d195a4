"""The deliveries page: admins see what failed (never an anonymous message's words or
recipient) and put it back in the queue with 重发."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.messages import Outgoing
from bot.platforms import texts
from storage.messaging import OutboxMessage
from tests.bot.dingtalk.conftest import settings_for
from tests.bot.outage_helpers import Unreachable, group
from tests.conftest import START
from tests.console.helpers import login_link, serve_publicly
from tests.fakes.dingtalk_api import GROUP_SEND, FakeDingTalkApi
from tests.harness import ChatHarness

pytestmark = pytest.mark.chat(unreachable=True, admins=["local:boss"])

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def sign_in(chat: ChatHarness, user_id: str, role: str) -> None:
    """Follow the /后台 link with the test client, which keeps the session cookie."""
    assert chat.client is not None
    link = await login_link(chat.user(user_id, role=role, unit="一支部"))
    resp = await chat.client.get(link.removeprefix(chat.settings.public_url))
    assert resp.status == 200


async def test_failed_deliveries_are_listed_and_resent(
    chat: ChatHarness, unreachable: Unreachable
) -> None:
    assert chat.client is not None
    serve_publicly(chat)
    unreachable.down = True
    minute = chat.clock.now() + timedelta(minutes=1)
    ballot = Outgoing(
        platform="fake",
        chat_type="direct",
        chat_id="voter-t9",
        text="您的选择：丙方案",
        sensitive=True,
        key="ballot",
        expires_at=minute,
    )
    await chat.send_out(group(1, expires_at=minute), ballot, group(2))
    for _ in range(4):
        await chat.advance(seconds=30)

    await sign_in(chat, "boss", "admin")
    resp = await chat.client.get("/console/deliveries")
    assert resp.status == 200
    html = await resp.text()
    assert "通知1" in html and "已过期" in html and "群 g1" in html
    assert "通知2" in html  # still being retried, listed apart
    assert "丙方案" not in html and "voter-t9" not in html
    # The anonymous message, given up, was wiped: nothing of it left to show.
    assert "（内容已清除，无法重发）" in html and "（匿名，不显示）" in html
    found = CSRF.search(html)
    assert found

    async with chat.db.reading() as s:
        row = await s.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == "m1"))
    assert row is not None and row.state == "failed"
    refused = await chat.client.post("/console/deliveries", data={"id": str(row.id)})
    assert refused.status == 403
    unreachable.down = False
    resp = await chat.client.post(
        "/console/deliveries",
        data={"id": str(row.id), "csrf": found.group(1)},
        allow_redirects=False,
    )
    assert resp.status == 303 and resp.headers["Location"] == "/console/deliveries?resent=1"
    await chat.settle()
    assert unreachable.shown["通知1"] == 1
    async with chat.db.reading() as s:
        again = await s.get(OutboxMessage, row.id)
    assert again is not None and again.state == "sent"
    # Only a failed row goes back; a second click changes nothing.
    resp = await chat.client.post(
        "/console/deliveries", data={"id": str(row.id), "csrf": found.group(1)}
    )
    assert resp.status == 404
    await chat.settle()
    assert unreachable.shown["通知1"] == 1


async def test_only_admins_see_the_page(chat: ChatHarness) -> None:
    assert chat.client is not None
    serve_publicly(chat)
    await sign_in(chat, "li", "secretary")
    resp = await chat.client.get("/console/deliveries")
    assert resp.status == 403
    assert "发送失败" not in await (await chat.client.get("/console/")).text()


@pytest.fixture
async def ding(db_url: str, tmp_path: Path) -> AsyncIterator[tuple[ChatHarness, FakeDingTalkApi]]:
    """DingTalk on, against the fake DingTalk API; an admin who reads the local channel."""
    api = FakeDingTalkApi()
    await api.start()
    h = ChatHarness(db_url, START, tmp_path, **settings_for(api, admins=["local:boss"]))
    await h.start()
    try:
        yield h, api
    finally:
        await h.stop()
        await api.close()


async def test_set_up_problems_head_the_admins_pages_in_plain_words(
    ding: tuple[ChatHarness, FakeDingTalkApi],
) -> None:
    chat, api = ding
    assert chat.client is not None
    serve_publicly(chat)
    api.refuse(GROUP_SEND, "Forbidden.AccessDenied.IpNotInWhiteList")
    notice = Outgoing(platform="dingtalk", chat_type="group", chat_id="cidG==", text="开会通知")
    async with chat.db.transaction() as s:
        await chat.app.runtime.send(s, [notice])
    await chat.settle()
    advice = html.escape(texts.DINGTALK_IP_NOT_ALLOWED)

    await sign_in(chat, "boss", "admin")
    page = await (await chat.client.get("/console/deliveries")).text()
    assert "需要管理员处理的设置问题" in page and advice in page
    # Above everything else on the page.
    assert page.index(advice) < page.index("各平台状态")
    home = await (await chat.client.get("/console/")).text()
    assert advice in home and 'href="/console/deliveries"' in home

    await sign_in(chat, "li", "secretary")
    home = await (await chat.client.get("/console/")).text()
    assert "工作台" in home
    assert "设置问题" not in home and advice not in home

    # Fixed on the platform's side: the next send goes through and the notice is gone.
    await chat.advance(minutes=16)
    await sign_in(chat, "boss", "admin")
    page = await (await chat.client.get("/console/deliveries")).text()
    assert advice not in page and "设置问题" not in page
