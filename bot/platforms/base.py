"""What a platform module gives the app: HTTP routes, delivery, start and stop."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

import aiohttp
from aiohttp import web

from bot.delivery import Deliverer
from bot.feature import Job
from bot.ingest import Ingest
from bot.runtime import Runtime


@dataclass
class AdapterEnv:
    runtime: Runtime
    ingest: Ingest
    # The app's one client session; it exists once the app has started.
    http: Callable[[], aiohttp.ClientSession]


class Adapter(Deliverer, Protocol):
    def routes(self) -> list[web.RouteDef]: ...

    def problems(self) -> list[str]:
        """Set-up problems an admin must fix, in plain Chinese (/healthz and the console)."""
        ...

    def jobs(self) -> list[tuple[timedelta, Job]]:
        """Periodic work the adapter needs, run as the app's other periodic jobs."""
        ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...


def is_loopback_peer(request: web.Request) -> bool:
    peer = request.remote or ""
    return peer in ("127.0.0.1", "::1", "localhost") or peer.startswith("127.")
