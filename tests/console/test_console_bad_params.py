"""Ids and years out of range in console URLs answer with a page, never a crash."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from handlers.supervision import texts as supervision_texts
from storage.supervision import Cadence, MeetingRecord
from tests.console.helpers import client_signed_in, serve_publicly
from tests.harness import ChatHarness

BAD_IDS = ("²", "99999999999999999999", "-1", "1.5", "0x1", " 1")
BAD_YEARS = ("9999", "0000", "²²²²", "1", "20266", "٢٠٢٦", "²", "２０２６")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def admin_client(chat: ChatHarness) -> None:
    """Signed in as an admin, with a unit (#1) whose pages exist."""
    serve_publicly(chat)
    chat.user("sec1", "李书记", role="secretary", unit="一支部")
    await client_signed_in(chat, chat.user("adm", "王书记", role="admin"))


@pytest.mark.parametrize("bad", BAD_IDS)
async def test_ids_out_of_range_are_404_pages(chat: ChatHarness, bad: str) -> None:
    await admin_client(chat)
    assert chat.client is not None
    paths = [f"/console/{page}/{bad}" for page in ("polls", "feedback", "suggestions", "checkins")]
    paths += [f"/console/checkins?unit={bad}"]
    paths += [f"/console/export/{kind}?id={bad}" for kind in ("poll", "feedback")]
    paths += [f"/console/export/checkin?unit={bad}&year=2026"]
    for path in paths:
        resp = await chat.client.get(path, params=None)
        assert resp.status == 404, (path, resp.status)
        assert "没有找到您要的内容" in await resp.text(), path


@pytest.mark.parametrize("bad", BAD_YEARS)
async def test_years_out_of_range_are_answered_with_a_page(chat: ChatHarness, bad: str) -> None:
    await admin_client(chat)
    assert chat.client is not None
    for path in (
        f"/console/checkins?unit=1&year={bad}",
        f"/console/export/checkin?unit=1&year={bad}",
    ):
        resp = await chat.client.get(path)
        assert resp.status in (400, 404), (path, resp.status)
        assert "<html" in (await resp.text()).lower(), path


@pytest.mark.parametrize("bad", BAD_YEARS)
async def test_supervision_years_out_of_range_are_answered_with_a_page(
    chat: ChatHarness, bad: str
) -> None:
    await admin_client(chat)
    assert chat.client is not None
    for path in ("/console/supervision", "/console/supervision/1", "/console/export/supervision"):
        resp = await chat.client.get(path, params={"year": bad})
        assert resp.status == 404, (path, bad, resp.status)
        assert "没有找到您要的内容" in await resp.text(), path


BAD_NUMBERS = ("²", "٢", "①", "-1", "1.0", "1e3", "99999999999999999999", "9" * 5000)


async def csrf_of(chat: ChatHarness, path: str) -> str:
    assert chat.client is not None
    found = CSRF.search(await (await chat.client.get(path)).text())
    assert found, path
    return found.group(1)


@pytest.mark.parametrize("field", ["expected", "attended", "leave"])
async def test_a_recorded_meeting_with_a_bad_count_is_refused_in_chinese(
    chat: ChatHarness, field: str
) -> None:
    await admin_client(chat)
    assert chat.client is not None
    async with chat.db.reading() as s:
        kind = await s.scalar(select(Cadence.id).where(Cadence.name == "党课"))
    good = {"day": "2026-01-05", "kind": str(kind), "expected": "6", "attended": "5", "leave": "1"}
    for bad in BAD_NUMBERS:
        form = {**good, field: bad, "csrf": await csrf_of(chat, "/console/supervision/1")}
        resp = await chat.client.post("/console/supervision/1", data=form)
        assert resp.status == 200, (field, bad, resp.status)
        assert supervision_texts.BAD_COUNTS in await resp.text(), (field, bad)
    async with chat.db.reading() as s:
        assert await s.scalar(select(func.count()).select_from(MeetingRecord)) == 0


async def test_a_meeting_kind_with_a_bad_number_per_period_is_refused_in_chinese(
    chat: ChatHarness,
) -> None:
    await admin_client(chat)
    assert chat.client is not None
    async with chat.db.reading() as s:
        before = {(c.id, c.per_period) for c in await s.scalars(select(Cadence))}
    some = min(before)[0]
    for bad in BAD_NUMBERS:
        for action in ("add", "save"):
            form = {
                "action": action,
                "name": "政治学习",
                "kind": str(some),
                "period": "month",
                "per_period": bad,
                "csrf": await csrf_of(chat, "/console/supervision/kinds"),
            }
            resp = await chat.client.post("/console/supervision/kinds", data=form)
            assert resp.status == 200, (action, bad, resp.status)
            assert supervision_texts.BAD_PER_PERIOD in await resp.text(), (action, bad)
    async with chat.db.reading() as s:
        assert {(c.id, c.per_period) for c in await s.scalars(select(Cadence))} == before
