"""Shared fixtures: both databases, the chat harness of tests/harness.py and the fake
platforms it can speak to."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import pytest

from bot.delivery import Deliverer
from bot.feature import Feature
from tests.bot.outage_helpers import Unreachable
from tests.bot.wecom_helpers import fake_wecom, wecom_settings
from tests.dbs import REQUIRE_PG_ENV, Backends
from tests.fakes.wecom_api import FakeWeCom
from tests.handlers.recorder import Recorder
from tests.harness import ChatHarness
from tests.keys import TEST_KEY

BACKENDS = ["sqlite", "postgresql"]
_ran: Counter[str] = Counter()


@pytest.fixture(scope="session")
def backends(tmp_path_factory: pytest.TempPathFactory) -> Backends:
    return Backends(tmp_path_factory.mktemp("db"))


@pytest.fixture(params=BACKENDS)
async def db_url(request: pytest.FixtureRequest, backends: Backends) -> str:
    """A migrated, empty database of each kind; PostgreSQL needs TONGXIN_TEST_PG_URL."""
    if request.param == "sqlite":
        url = await backends.sqlite_url()
    else:
        if backends.pg_url is None:
            if os.environ.get(REQUIRE_PG_ENV):
                pytest.fail("PostgreSQL is required (run the suite with `make test`)")
            pytest.skip("no PostgreSQL: set TONGXIN_TEST_PG_URL or run `make test`")
        url = await backends.postgres_url()
    _ran[request.param] += 1
    return url


@pytest.fixture
async def pg_url(backends: Backends) -> str:
    """PostgreSQL only: for what only PostgreSQL does (several replicas on one database)."""
    if backends.pg_url is None:
        if os.environ.get(REQUIRE_PG_ENV):
            pytest.fail("PostgreSQL is required (run the suite with `make test`)")
        pytest.skip("no PostgreSQL: set TONGXIN_TEST_PG_URL or run `make test`")
    _ran["postgresql"] += 1
    return await backends.postgres_url()


# Wednesday 2026-11-25 20:00 in Asia/Shanghai: the reference moment of CALENDAR.md.
START = datetime(2026, 11, 25, 20, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


class MakeChat(Protocol):
    async def __call__(
        self,
        *,
        start: datetime = START,
        features: Sequence[Feature] | None = None,
        deliverers: Sequence[Deliverer] = (),
        **settings: Any,
    ) -> ChatHarness: ...


@pytest.fixture
async def make_chat(db_url: str, tmp_path: Path) -> AsyncIterator[MakeChat]:
    """Start the bot on the fresh database, with other features, fakes or settings."""
    made: list[ChatHarness] = []

    async def make(
        *,
        start: datetime = START,
        features: Sequence[Feature] | None = None,
        deliverers: Sequence[Deliverer] = (),
        **settings: Any,
    ) -> ChatHarness:
        harness = ChatHarness(
            db_url, start, tmp_path, features=features, deliverers=deliverers, **settings
        )
        await harness.start()
        made.append(harness)
        return harness

    try:
        yield make
    finally:
        for harness in made:
            await harness.stop()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def unreachable() -> Unreachable:
    """A platform ("fake") that a test takes down and brings back."""
    return Unreachable()


@pytest.fixture
async def wecom() -> AsyncIterator[FakeWeCom]:
    """The fake WeCom API on loopback."""
    fake = fake_wecom()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()


@pytest.fixture(autouse=True)
def _marked_fakes(request: pytest.FixtureRequest) -> None:
    """Start the fake a `chat` marker names before the fixtures that read it: an async
    fixture cannot set up another async fixture by name, so `chat_settings` finds it ready."""
    marker = request.node.get_closest_marker("chat")
    if marker and marker.kwargs.get("wecom"):
        request.getfixturevalue("wecom")


def chat_settings(request: pytest.FixtureRequest) -> dict[str, Any]:
    """What the closest `@pytest.mark.chat(...)` asks of the harness, as make_chat's arguments.

    Besides settings and `start`, three flags bring in a fake platform fixture:
    `recording=True` delivers local messages to `recorder` (it sees what the outbox
    forgets once delivered), `unreachable=True` adds the `unreachable` platform, and
    `wecom=True` turns WeCom on against the `wecom` fake.
    """
    marker = request.node.get_closest_marker("chat")
    options: dict[str, Any] = dict(marker.kwargs) if marker else {}
    deliverers: list[Deliverer] = []
    if options.pop("recording", False):
        deliverers.append(request.getfixturevalue("recorder"))
        options.setdefault("secret_key", TEST_KEY)
    if options.pop("unreachable", False):
        deliverers.append(request.getfixturevalue("unreachable"))
    if deliverers:
        options["deliverers"] = deliverers
    if options.pop("wecom", False):
        options = wecom_settings(request.getfixturevalue("wecom"), **options)
    return options


@pytest.fixture
async def chat(make_chat: MakeChat, request: pytest.FixtureRequest) -> ChatHarness:
    """The bot on a fresh database, spoken to over the local channel's HTTP API.

    A test (or module) marked `@pytest.mark.chat(...)` gets what `chat_settings` reads.
    """
    return await make_chat(**chat_settings(request))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _ran:
        shown = ", ".join(f"{n} on {name}" for name, n in sorted(_ran.items()))
        terminalreporter.write_line(f"storage tests: {shown}")
