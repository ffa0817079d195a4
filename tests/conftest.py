"""Shared fixtures: both databases, and the chat harness of tests/harness.py."""

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
from tests.dbs import REQUIRE_PG_ENV, Backends
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
async def chat(make_chat: MakeChat, request: pytest.FixtureRequest) -> ChatHarness:
    """The bot on a fresh database, spoken to over the local channel's HTTP API.

    A test (or module) marked `@pytest.mark.chat(...)` gets these settings, a
    `start` moment, or with `recording=True` the `recorder` fixture as its
    local platform (it sees what the outbox forgets once delivered).
    """
    marker = request.node.get_closest_marker("chat")
    options: dict[str, Any] = dict(marker.kwargs) if marker else {}
    if options.pop("recording", False):
        options["deliverers"] = [request.getfixturevalue("recorder")]
        options.setdefault("secret_key", TEST_KEY)
    return await make_chat(**options)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _ran:
        shown = ", ".join(f"{n} on {name}" for name, n in sorted(_ran.items()))
        terminalreporter.write_line(f"storage tests: {shown}")
