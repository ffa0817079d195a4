"""DingTalk file messages: an export uploaded (oapi media/upload), sent as sampleFile."""

from __future__ import annotations

import json

from bot.messages import Attachment, Outgoing
from storage.people import unit_by_name
from tests.console.helpers import serve_publicly
from tests.export_files import (
    LEDGER_FILE,
    attachments,
    meetings_sheet,
    one_meeting,
    secretary_on,
)
from tests.fakes.dingtalk_api import GROUP_SEND, OTO_SEND, SESSION, UPLOAD, FakeDingTalkApi
from tests.harness import ChatHarness

from .helpers import now_ms, post_callback, robot_message


async def test_a_secretary_gets_the_link_and_the_ledger_as_a_file(
    ding: ChatHarness, api: FakeDingTalkApi
) -> None:
    serve_publicly(ding)
    await one_meeting(ding)
    await secretary_on(ding, "dingtalk", "staff09")
    body = robot_message(
        api, now_ms(ding), "/签到 台账 2026", group=False, sender="staff09", session="s9"
    )
    assert await post_callback(ding, body) == 200
    await ding.settle()

    # The words in the conversation, the file by the OpenAPI (a session cannot carry one).
    link, summary = sorted(r.text for r in api.to(SESSION))
    assert "/console/download/" in link and "共 1 次会议" in summary
    [upload] = api.uploads
    assert upload.filename == LEDGER_FILE and upload.size > 0
    assert meetings_sheet(upload.content)[1][2] == "主题党日"
    [upload_call] = api.to(UPLOAD)
    assert upload_call.query["type"] == "file"
    [sent] = api.to(OTO_SEND)
    assert sent.body["userIds"] == ["staff09"]
    assert sent.body["msgKey"] == "sampleFile"
    assert json.loads(sent.body["msgParam"]) == {
        "mediaId": upload.media_id,
        "fileName": LEDGER_FILE,
        "fileType": "xlsx",
    }
    assert [state for state, _, _ in await attachments(ding)] == ["sent"]


async def test_a_group_file_goes_through_group_messages(
    ding: ChatHarness, api: FakeDingTalkApi
) -> None:
    await one_meeting(ding)
    pid = await secretary_on(ding, "dingtalk", "staff09")
    async with ding.db.reading() as s:
        unit = await unit_by_name(s, "一支部")
    assert unit is not None
    attachment = Attachment(
        export="checkin", params={"unit": str(unit.id), "year": "2026"}, person_id=pid
    )
    async with ding.db.transaction() as s:
        out = Outgoing(
            platform="dingtalk",
            chat_type="group",
            chat_id="cidG==",
            text="",
            attachment=attachment,
            reply_handle={"session_webhook": api.session_url("g"), "expires_ms": 2**62},
        )
        await ding.app.runtime.send(s, [out])
    await ding.settle()
    assert api.to(SESSION) == []
    [sent] = api.to(GROUP_SEND)
    assert sent.body["openConversationId"] == "cidG=="
    assert api.files() == [
        {"mediaId": api.uploads[0].media_id, "fileName": LEDGER_FILE, "fileType": "xlsx"}
    ]


async def test_a_refused_upload_token_is_renewed_once(
    ding: ChatHarness, api: FakeDingTalkApi
) -> None:
    await one_meeting(ding)
    pid = await secretary_on(ding, "dingtalk", "staff09")
    async with ding.db.reading() as s:
        unit = await unit_by_name(s, "一支部")
    assert unit is not None
    await ding.app.outbox.deliverers["dingtalk"].api.token()  # type: ignore[attr-defined]
    api.valid_tokens.clear()
    attachment = Attachment(
        export="checkin", params={"unit": str(unit.id), "year": "2026"}, person_id=pid
    )
    async with ding.db.transaction() as s:
        out = Outgoing(
            platform="dingtalk",
            chat_type="direct",
            chat_id="staff09",
            text="",
            attachment=attachment,
        )
        await ding.app.runtime.send(s, [out])
    await ding.settle()
    assert len(api.to(UPLOAD)) == 2 and len(api.uploads) == 1
    assert [state for state, _, _ in await attachments(ding)] == ["sent"]
