"""Tap to answer on WeCom: button cards out, template_card_event callbacks back in."""

from __future__ import annotations

from typing import Any

import pytest

from storage.people import add_membership, ensure_unit, grant_role, touch_person
from tests.bot.wecom_helpers import app_sender, bot_sender, call
from tests.fakes.wecom_api import FakeWeCom
from tests.fakes.wecom_callbacks import app_card_tap, app_text, bot_card_tap, bot_text
from tests.harness import ChatHarness

pytestmark = pytest.mark.chat(wecom=True)

SEND = "/cgi-bin/message/send"


def buttons(body: dict[str, Any]) -> list[tuple[str, str]]:
    assert body["msgtype"] == "template_card", body
    card = body["template_card"]
    assert card["card_type"] == "button_interaction" and card["task_id"].startswith("tx-")
    return [(b["text"], b["key"]) for b in card["button_list"]]


async def test_a_group_check_in_by_a_tap_on_the_ai_bots_card(
    chat: ChatHarness, wecom: FakeWeCom
) -> None:
    now = chat.clock.now()
    async with chat.db.transaction() as s:
        sec = await touch_person(s, "wecom", "sec1", "李书记", now)
        await grant_role(s, sec, "secretary", await ensure_unit(s, "一支部"), "test", now)
    # t1 has spoken in the group (an unbound group's roster is who spoke there).
    await call(
        chat, bot_sender(chat).bot_post(bot_text("t1", "@同心 /帮助", "m0", chat_id="wrkG1"))
    )
    await chat.settle()
    opened = wecom.response_url("r1")
    line = "@同心 /签到 发起 主题党日 截止 21:00"
    await call(
        chat,
        bot_sender(chat).bot_post(
            bot_text("sec1", line, "m1", chat_id="wrkG1", response_url=opened)
        ),
    )
    await chat.settle()
    [card] = wecom.sent("/aibot/response/r1")
    assert buttons(card.body) == [("签到", "签到"), ("请假", "请假")]
    assert "「主题党日」开始签到" in card.body["template_card"]["main_title"]["title"]
    task = card.body["template_card"]["task_id"]
    tapped = wecom.response_url("r2")
    tap = bot_card_tap("t1", "签到", task, "e1", chat_id="wrkG1", response_url=tapped)
    for _ in range(2):  # a retried callback counts once
        assert (await call(chat, bot_sender(chat).bot_post(tap))).status == 200
    await chat.settle()
    [answer] = wecom.sent("/aibot/response/r2")
    assert "「主题党日」已签到 2/2（新到：t1）" in answer.body["markdown"]["content"]


async def test_a_direct_flow_answered_by_taps_on_app_cards(
    chat: ChatHarness, wecom: FakeWeCom
) -> None:
    async with chat.db.transaction() as s:
        pid = await touch_person(s, "wecom", "t1", "王老师", chat.clock.now())
        await add_membership(s, pid, await ensure_unit(s, "一支部"))
    await call(chat, app_sender(chat).app_post(app_text("t1", "/意见箱", 1)))
    await call(chat, app_sender(chat).app_post(app_text("t1", "食堂菜太咸，建议少放盐\n完成", 2)))
    await chat.settle()
    way = wecom.sent(SEND)[-1].body
    assert buttons(way) == [("实名", "1"), ("匿名", "2")]
    task = way["template_card"]["task_id"]
    await call(chat, app_sender(chat).app_post(app_card_tap("t1", "1", task, stamp="1700000100")))
    await chat.settle()
    confirm = wecom.sent(SEND)[-1].body
    assert buttons(confirm) == [("确认", "确认"), ("取消", "取消")]
    task = confirm["template_card"]["task_id"]
    await call(
        chat, app_sender(chat).app_post(app_card_tap("t1", "确认", task, stamp="1700000200"))
    )
    await chat.settle()
    assert "已投入意见箱" in wecom.sent(SEND)[-1].body["text"]["content"]


async def test_a_long_text_comes_first_then_its_buttons(
    chat: ChatHarness, wecom: FakeWeCom
) -> None:
    async with chat.db.transaction() as s:
        pid = await touch_person(s, "wecom", "t1", "王老师", chat.clock.now())
        await add_membership(s, pid, await ensure_unit(s, "一支部"))
    long = "建议" * 120
    for i, said in enumerate(("/意见箱", f"{long}\n完成", "实名"), 1):
        await call(chat, app_sender(chat).app_post(app_text("t1", said, i)))
        await chat.settle()
    sent = [c.body for c in wecom.sent(SEND)]
    preview = next(i for i, b in enumerate(sent) if long in b.get("text", {}).get("content", ""))
    card = next(b for b in sent[preview:] if b["msgtype"] == "template_card")
    assert card["template_card"]["main_title"]["title"] == "点选回复"
    assert buttons(card) == [("确认", "确认"), ("取消", "取消")]
