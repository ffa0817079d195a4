"""A chat you can script: users say things and hear replies, the clock moves on command.

    sec = chat.user("sec1", role="secretary", unit="一支部")
    g = chat.group("g1", unit="一支部")
    await sec.says("/签到 发起 主题党日 截止 15:30", g)
    sec.hears("已发起")
    await chat.advance(hours=1)
    assert g.received("签到已结束")

Messages go over HTTP to POST /local/messages, the same way a platform's
callback reaches the bot; deliveries the bot makes on its own (reminders,
ballots, nudges) are read back from GET /local/outbox.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bot.app import Tongxin
from bot.clock import ManualClock
from bot.config import Settings
from bot.delivery import Deliverer
from bot.feature import Feature
from bot.messages import Outgoing
from storage.messaging import OutboxMessage
from storage.people import add_membership, bind_group, ensure_unit, grant_role, touch_person
from storage.schedule import Firing
from tests.keys import TEST_KEY


class ChatHarness:
    """The bot over the local channel; `features` and extra `deliverers` (fake platforms)
    replace or join the defaults for the app it makes, and for every restart."""

    def __init__(
        self,
        db_url: str,
        start: datetime,
        tmp_path: Path,
        *,
        features: Sequence[Feature] | None = None,
        deliverers: Sequence[Deliverer] = (),
        **settings: Any,
    ) -> None:
        self.clock = ManualClock(start)
        self.tmp_path = tmp_path
        settings.setdefault("export_dir", str(tmp_path / "exports"))
        # Tests move the clock by months and read back what was delivered:
        # retention keeps it all unless a test (tests/bot/test_retention.py)
        # asks for the real period.
        settings = {"retention_days": 36500} | settings
        # Never a key file in the working directory (where PostgreSQL's would go).
        settings.setdefault("secret_key", TEST_KEY)
        self.settings = Settings(database_url=db_url, local_channel=True, workers=4, **settings)
        self.features = features
        self.deliverers = list(deliverers)
        self.app = self.make_app()
        self.client: TestClient[Any, Any] | None = None
        self._msg = 0
        self.users: dict[str, User] = {}
        self.groups: dict[str, Group] = {}

    def make_app(self) -> Tongxin:
        app = Tongxin(
            self.settings,
            clock=self.clock,
            features=self.features,
            extra_deliverers=self.deliverers,
        )
        app.background = False
        return app

    async def start(self) -> None:
        self.client = TestClient(TestServer(self.app.web))
        await self.client.start_server()

    async def stop(self) -> None:
        if self.client is not None:
            await self.client.close()
            self.client = None

    async def restart(self) -> None:
        """Stop the process and start a new one on the same database."""
        await self.stop()
        self.app = self.make_app()
        await self.start()

    @property
    def db(self) -> Any:
        return self.app.db

    def user(
        self, user_id: str, name: str | None = None, *, role: str = "", unit: str = ""
    ) -> User:
        u = User(self, user_id, name or user_id, role, unit)
        self.users[user_id] = u
        return u

    def group(self, chat_id: str, *, unit: str = "") -> Group:
        g = Group(self, chat_id, unit)
        self.groups[chat_id] = g
        return g

    async def setup_people(self) -> None:
        """Write roles, units and memberships of the declared users, as a roster import would."""
        async with self.db.transaction() as s:
            now = self.clock.now()
            for u in self.users.values():
                if u.ready:
                    continue
                pid = await touch_person(s, "local", u.user_id, u.name, now)
                unit_id = await ensure_unit(s, u.unit) if u.unit else None
                if unit_id is not None:
                    await add_membership(s, pid, unit_id)
                if u.role == "secretary":
                    await grant_role(s, pid, "secretary", unit_id, "test", now)
                elif u.role == "admin":
                    await grant_role(s, pid, "admin", None, "test", now)
                u.ready = True
            for g in self.groups.values():
                if g.ready:
                    continue
                if g.unit:
                    unit_id = await ensure_unit(s, g.unit)
                    await bind_group(s, "local", g.chat_id, unit_id, None, now)
                g.ready = True

    async def post(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        assert self.client is not None
        resp = await self.client.post("/local/messages", json=body)
        return resp.status, await resp.json()

    async def send(
        self, user: User, text: str, group: Group | None, msg_id: str | None = None
    ) -> list[str]:
        await self.setup_people()
        self._msg += 1
        body = {
            "chat_id": group.chat_id if group else user.user_id,
            "chat_type": "group" if group else "direct",
            "sender_id": user.user_id,
            "sender_name": user.name,
            "text": text,
            "msg_id": msg_id or f"m{self._msg}",
        }
        status, data = await self.post(body)
        assert status == 200, data
        await self.settle()
        user.taps = [
            (c["label"], c["reply"]) for r in data["replies"] for c in r.get("choices", [])
        ]
        return [r["text"] for r in data["replies"]]

    async def send_out(self, *outs: Outgoing) -> None:
        """Queue messages as a handler would, then deliver what is due."""
        async with self.db.transaction() as session:
            await self.app.runtime.send(session, outs)
        await self.settle()

    async def settle(self) -> None:
        """Deliver everything due now (the outbox worker's job, made deterministic)."""
        await self.app.ingest.idle()
        await self.app.writes.run_once()
        while await self.app.outbox.run_once():
            pass

    async def tick(self) -> None:
        """Run every periodic job once, then deliver what they enqueued."""
        await self.app.run_jobs()
        await self.settle()

    async def advance(self, **delta: float) -> None:
        self.clock.advance(**delta)
        await self.tick()

    async def run_until(self, end: datetime) -> None:
        """Move the clock from due row to due row, at most ten days at a time, up to `end`.

        Each step on a new day re-plans (the nightly plan), then fires what is due.
        """
        while self.clock.now() < end:
            async with self.db.reading() as s:
                due = await s.scalar(
                    select(func.min(Firing.due_at)).where(Firing.state == "pending")
                )
            now = self.clock.now()
            step = min(d for d in (due, now + timedelta(days=10), end) if d is not None)
            self.clock.set(max(step, now + timedelta(seconds=1)))
            await self.tick()

    async def until_quiet(self, *, step: float = 5, limit: int = 400) -> int:
        """Move the clock in steps until the outbox holds nothing undelivered; seconds taken."""
        for i in range(limit):
            async with self.db.reading() as s:
                left = await s.scalar(
                    select(func.count()).where(OutboxMessage.state.in_(["pending", "sending"]))
                )
            if not left:
                return int(i * step)
            await self.advance(seconds=step)
        raise AssertionError(f"outbox still busy after {limit * step} s")

    async def delivered(self, chat_id: str) -> list[dict[str, Any]]:
        assert self.client is not None
        resp = await self.client.get("/local/outbox", params={"chat_id": chat_id})
        assert resp.status == 200
        messages: list[dict[str, Any]] = (await resp.json())["messages"]
        return messages


class User:
    def __init__(self, chat: ChatHarness, user_id: str, name: str, role: str, unit: str) -> None:
        self.chat = chat
        self.user_id = user_id
        self.name = name
        self.role = role
        self.unit = unit
        self.ready = False
        self.last: list[str] = []
        # The buttons of the last replies: (label, what a tap sends).
        self.taps: list[tuple[str, str]] = []

    async def says(self, text: str, group: Group | None = None, msg_id: str | None = None) -> str:
        """Send a message (in `group`, else in direct chat); returns the joined replies."""
        self.last = await self.chat.send(self, text, group, msg_id)
        return "\n".join(self.last)

    def hears(self, *fragments: str) -> None:
        said = "\n".join(self.last)
        for fragment in fragments:
            assert fragment in said, f"expected {fragment!r} in the reply:\n{said}"

    async def taps_on(self, label: str, group: Group | None = None) -> str:
        """Tap the button `label` of the last replies: its reply goes back as a message."""
        reply = dict(self.taps)[label]
        return await self.says(reply, group)

    def hears_nothing(self) -> None:
        assert not self.last, f"expected no reply, got {self.last}"

    async def inbox(self) -> list[str]:
        """Everything delivered to this person's direct chat, replies included."""
        return [m["text"] for m in await self.chat.delivered(self.user_id)]


class Group:
    def __init__(self, chat: ChatHarness, chat_id: str, unit: str) -> None:
        self.chat = chat
        self.chat_id = chat_id
        self.unit = unit
        self.ready = False

    async def messages(self) -> list[str]:
        return [m["text"] for m in await self.chat.delivered(self.chat_id)]

    async def received(self, fragment: str) -> bool:
        return any(fragment in m for m in await self.messages())
