"""A misconfigured WeCom app keeps its messages, tells the admins once, shows on /healthz."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.messages import Outgoing
from bot.platforms import texts
from storage.messaging import OutboxMessage
from tests.fakes.wecom_api import FakeWeCom
from tests.harness import ChatHarness

SEND = "/cgi-bin/message/send"
TOKEN = "/cgi-bin/gettoken"


def direct(user: str, text: str) -> Outgoing:
    return Outgoing(platform="wecom", chat_type="direct", chat_id=user, text=text)


async def states(chat: ChatHarness) -> set[str]:
    async with chat.db.reading() as s:
        mine = OutboxMessage.platform == "wecom"
        found = await s.scalars(select(OutboxMessage.state).where(mine))
        return set(found)


async def problems(chat: ChatHarness) -> list[str]:
    assert chat.client is not None
    resp = await chat.client.get("/healthz")
    assert resp.status == 200
    found: list[str] = (await resp.json())["problems"]
    return found


async def alerts(chat: ChatHarness) -> list[str]:
    return [m["text"] for m in await chat.delivered("boss")]


@pytest.mark.chat(wecom=True, admins=["local:boss"], wecom_secret="typo")
async def test_a_wrong_secret_holds_the_messages_until_it_is_fixed(
    chat: ChatHarness, wecom: FakeWeCom
) -> None:
    await chat.send_out(*(direct(f"t{i}", f"提醒{i}") for i in range(5)))
    assert await states(chat) == {"pending"}
    assert len(wecom.sent(TOKEN)) == 1  # the refusal is remembered for the batch
    advice = texts.wecom_bad_secret(40001)
    assert await alerts(chat) == [texts.alert(advice)]
    assert await problems(chat) == [advice]
    await chat.advance(minutes=16)
    assert await states(chat) == {"pending"}
    assert len(await alerts(chat)) == 1  # told once
    wecom.secret = "typo"  # the admin put the app's real secret in place
    await chat.advance(minutes=16)
    assert await states(chat) == {"sent"}
    assert len(wecom.sent(SEND)) == 5
    assert await problems(chat) == []


@pytest.mark.chat(wecom=True, admins=["local:boss"])
async def test_a_wrong_corp_id_names_where_to_find_the_right_one(
    chat: ChatHarness, wecom: FakeWeCom
) -> None:
    wecom.corp_id = "ww-the-real-one"
    await chat.send_out(direct("t1", "提醒"))
    assert await states(chat) == {"pending"}
    advice = texts.wecom_bad_corp_id(40013)
    assert "我的企业" in advice
    assert await problems(chat) == [advice]
    assert await alerts(chat) == [texts.alert(advice)]


@pytest.mark.chat(wecom=True, admins=["local:boss"])
async def test_a_server_outside_the_trusted_ips_is_told_its_own_address(
    chat: ChatHarness, wecom: FakeWeCom
) -> None:
    wecom.untrusted_ip = "203.0.113.7"
    await chat.send_out(direct("t1", "提醒"), direct("t2", "提醒"))
    assert await states(chat) == {"pending"}
    advice = texts.wecom_ip_not_trusted("203.0.113.7")
    assert "203.0.113.7" in advice and "企业可信IP" in advice
    assert await problems(chat) == [advice]
    assert await alerts(chat) == [texts.alert(advice)]
    wecom.untrusted_ip = ""
    await chat.advance(minutes=16)
    assert await states(chat) == {"sent"}
    assert await problems(chat) == []
