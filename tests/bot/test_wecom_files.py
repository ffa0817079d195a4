"""WeCom file messages: an export uploaded, then sent by media_id, on each route."""

from __future__ import annotations

import pytest

from bot.messages import Attachment, Outgoing
from storage.people import bind_group, revoke_role, unit_by_name
from tests.bot.wecom_helpers import (
    AGENT_ID,
    HOOK_KEY,
    app_sender,
    call,
)
from tests.console.helpers import serve_publicly
from tests.export_files import (
    LEDGER_FILE,
    attachments,
    meetings_sheet,
    one_meeting,
    secretary_on,
)
from tests.fakes.wecom_api import FakeWeCom, Fault
from tests.fakes.wecom_callbacks import app_text
from tests.harness import ChatHarness

pytestmark = pytest.mark.chat(wecom=True)

SEND = "/cgi-bin/message/send"
UPLOAD = "/cgi-bin/media/upload"
HOOK = "/cgi-bin/webhook/send"
HOOK_UPLOAD = "/cgi-bin/webhook/upload_media"


async def ledger_attachment(chat: ChatHarness, person_id: int) -> Attachment:
    async with chat.db.reading() as s:
        unit = await unit_by_name(s, "一支部")
    assert unit is not None
    return Attachment(
        export="checkin", params={"unit": str(unit.id), "year": "2026"}, person_id=person_id
    )


async def test_a_secretary_gets_the_link_and_the_ledger_as_a_file(
    chat: ChatHarness, wecom: FakeWeCom
) -> None:
    serve_publicly(chat)
    await one_meeting(chat)
    await secretary_on(chat, "wecom", "wsec")
    req = app_sender(chat).app_post(app_text("wsec", "/签到 台账 2026", 7001))
    assert (await call(chat, req)).status == 200
    await chat.settle()

    [upload] = wecom.uploads
    assert (upload.path, upload.filename) == (UPLOAD, LEDGER_FILE)
    assert upload.size == len(upload.content) > 0
    assert meetings_sheet(upload.content)[1][2] == "主题党日"
    # The link is a message of its own: sensitive, it is not merged with the summary.
    sent = wecom.sent(SEND)
    [file] = [s for s in sent if s.body["msgtype"] == "file"]
    link, summary = sorted(s.body["text"]["content"] for s in sent if s is not file)
    assert "/console/download/" in link
    assert "一支部 2026 年签到台账，共 1 次会议" in summary
    assert file.body == {
        "touser": "wsec",
        "agentid": AGENT_ID,
        "msgtype": "file",
        "file": {"media_id": upload.media_id},
    }
    assert [state for state, _, _ in await attachments(chat)] == ["sent"]


async def test_a_group_robot_uploads_with_its_key(chat: ChatHarness, wecom: FakeWeCom) -> None:
    await one_meeting(chat)
    pid = await secretary_on(chat, "wecom", "wsec")
    attachment = await ledger_attachment(chat, pid)
    async with chat.db.transaction() as s:
        kind = ("wecom_webhook", HOOK_KEY, "")
        unit_id = int(attachment.params["unit"])
        await bind_group(s, "wecom", "wrkG1", unit_id, kind, chat.clock.now())
        out = Outgoing(
            platform="wecom", chat_type="group", chat_id="wrkG1", text="", attachment=attachment
        )
        await chat.app.runtime.send(s, [out])
    await chat.settle()
    [upload] = wecom.uploads
    assert (upload.path, upload.filename) == (HOOK_UPLOAD, LEDGER_FILE)
    [sent] = wecom.sent(HOOK)
    assert sent.body == {"msgtype": "file", "file": {"media_id": upload.media_id}}
    assert wecom.sent(UPLOAD) == []


async def test_an_asker_who_lost_the_role_gets_no_file(chat: ChatHarness, wecom: FakeWeCom) -> None:
    await one_meeting(chat)
    pid = await secretary_on(chat, "wecom", "wsec")
    attachment = await ledger_attachment(chat, pid)
    async with chat.db.transaction() as s:
        await revoke_role(s, pid, "secretary", int(attachment.params["unit"]))
        out = Outgoing(
            platform="wecom", chat_type="direct", chat_id="wsec", text="", attachment=attachment
        )
        await chat.app.runtime.send(s, [out])
    await chat.settle()
    [(state, _, error)] = await attachments(chat)
    assert (state, error) == ("failed", "attachment checkin: the asker may no longer export")
    assert wecom.uploads == [] and wecom.sent(UPLOAD) == []
    assert wecom.sent(SEND) == []


async def test_a_failed_upload_is_tried_again_later(chat: ChatHarness, wecom: FakeWeCom) -> None:
    await one_meeting(chat)
    pid = await secretary_on(chat, "wecom", "wsec")
    attachment = await ledger_attachment(chat, pid)
    wecom.fail(UPLOAD, Fault(status=502))
    async with chat.db.transaction() as s:
        out = Outgoing(
            platform="wecom", chat_type="direct", chat_id="wsec", text="", attachment=attachment
        )
        await chat.app.runtime.send(s, [out])
    await chat.settle()
    [(state, _, error)] = await attachments(chat)
    assert (state, error) == ("pending", "media/upload: HTTP 502")
    assert wecom.sent(SEND) == []
    await chat.advance(seconds=10)
    [(state, _, _)] = await attachments(chat)
    assert state == "sent"
    [upload] = wecom.uploads
    [sent] = wecom.sent(SEND)
    assert sent.body["file"] == {"media_id": upload.media_id}
