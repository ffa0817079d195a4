"""Shared fixtures: both databases, and the chat harness of tests/harness.py."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.dbs import REQUIRE_PG_ENV, Backends
from tests.harness import ChatHarness

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


@pytest.fixture
async def chat(db_url: str, tmp_path: Path) -> AsyncIterator[ChatHarness]:
    """The bot on a fresh database, spoken to over the local channel's HTTP API."""
    harness = ChatHarness(db_url, START, tmp_path)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _ran:
        shown = ", ".join(f"{n} on {name}" for name, n in sorted(_ran.items()))
        terminalreporter.write_line(f"storage tests: {shown}")
