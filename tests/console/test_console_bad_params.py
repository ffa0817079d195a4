"""Ids and years out of range in console URLs answer with a page, never a crash."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.console.helpers import LINK, serve_publicly
from tests.harness import ChatHarness

BAD_IDS = ("²", "99999999999999999999", "-1", "1.5", "0x1", " 1")
BAD_YEARS = ("9999", "0000", "²²²²", "1", "20266", "٢٠٢٦")


async def admin_client(chat: ChatHarness) -> None:
    """Signed in as an admin, with a unit (#1) whose pages exist."""
    serve_publicly(chat)
    chat.user("sec1", "李书记", role="secretary", unit="一支部")
    admin = chat.user("adm", "王书记", role="admin")
    await admin.says("/后台")
    found = LINK.search("\n".join(admin.last))
    assert found
    assert chat.client is not None
    link = urlsplit(found.group(1))
    resp = await chat.client.get(f"{link.path}?{link.query}", allow_redirects=False)
    assert resp.status in (302, 303)


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
