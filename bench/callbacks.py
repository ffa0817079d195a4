"""What the platform callback benches share: their servers, the load and the run.

A platform bench (`bench.wecom_callbacks`, `bench.dingtalk_callbacks`) gives a
`Platform`: its usual minimal handler (the baseline), a sink standing in for
its API, tongxin's settings for it, and how it writes its callbacks and
measures one server. This module runs each server in its own process (the
bench module again, as `serve`), loads it closed loop with wrk and open loop
from this process, and prints the comparison with bare aiohttp and the baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypedDict

from aiohttp import web

from bench.common import ROOT, free_port

if TYPE_CHECKING:
    from bot.config import Settings

# Every line of the requests file is one callback: path, headers, body (see
# `Request`). wrk gets a slice of it, `first` and `count` lines, as script
# arguments and cycles through it; the bodies are pre-formatted once.
WRK_SCRIPT = """
local reqs = {}
local i = 0
function init(args)
  local first, count = tonumber(args[2]), tonumber(args[3])
  local n = 0
  for line in io.lines(args[1]) do
    if n >= first and n < first + count then
      local fields = {}
      for field in line:gmatch("[^\\t]+") do
        fields[#fields + 1] = field
      end
      local headers = {}
      for k = 2, #fields - 1 do
        local name, value = fields[k]:match("^([^:]+): (.*)$")
        headers[name] = value
      end
      reqs[#reqs + 1] = wrk.format("POST", fields[1], headers, fields[#fields])
    end
    n = n + 1
  end
end
function request()
  i = i % #reqs + 1
  return reqs[i]
end
"""


class Request(NamedTuple):
    """One callback as a line of the requests file that wrk and `open_loop` both read."""

    path: str
    headers: dict[str, str]
    body: str

    def line(self) -> str:
        # Tab-separated, so neither a header nor the body may hold a tab or a
        # newline: the platforms' bodies are compact JSON and XML.
        headers = (f"{name}: {value}" for name, value in self.headers.items())
        return "\t".join([self.path, *headers, self.body]) + "\n"

    @classmethod
    def parse(cls, line: str) -> Request:
        path, *headers, body = line.split("\t")
        return cls(path, dict(h.split(": ", 1) for h in headers), body)


def read_requests(data: Path) -> list[Request]:
    return [Request.parse(line) for line in data.read_text().splitlines()]


class Latency(TypedDict):
    achieved: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    failures: int


# -- the servers ------------------------------------------------------------


@dataclass(frozen=True)
class Platform:
    """What one platform's bench brings; the rest is the same for all."""

    # "wecom": the bench is `bench.wecom_callbacks`, the callbacks arrive at
    # /wecom/callback, WECOM_BENCH_PROFILE=file profiles each server.
    name: str
    # The name of the usual minimal handler in `apps`, the 100% of the comparison.
    baseline: str
    # The baseline's and the sink's ("sink") applications.
    apps: Mapping[str, Callable[[], web.Application]]
    # Tongxin's settings for this platform: (database URL, sink URL) -> Settings.
    settings: Callable[[str, str], Settings]
    # Writes the callbacks (and may say so) before the first server starts;
    # returns how to measure one server: (kind, database URL) -> rps, latency.
    plan: Callable[[Run], Callable[[str, str], tuple[float, Latency]]]
    # Whether tongxin starts on empty PostgreSQL tables: the runs that give
    # each phase its own SQLite file want the same of PostgreSQL.
    empty_postgres: bool

    @property
    def module(self) -> str:
        return f"bench.{self.name}_callbacks"

    @property
    def path(self) -> str:
        return f"/{self.name}/callback"


def bare_app(path: str) -> web.Application:
    async def handle(request: web.Request) -> web.Response:
        await request.read()
        return web.Response()

    app = web.Application()
    app.router.add_post(path, handle)
    return app


async def tongxin_app(settings: Settings, *, empty_postgres: bool) -> web.Application:
    from bot.app import Tongxin
    from storage.db import Database
    from storage.migrate import upgrade

    db = Database(settings.database_url)
    await upgrade(db)
    if empty_postgres and not db.is_sqlite:
        from sqlalchemy import text

        from bot.schema import metadata as gather
        from handlers import FEATURES

        metadata = gather(FEATURES)

        tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        async with db.engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await db.dispose()
    return Tongxin(settings).web


async def serve(platform: Platform, kind: str, port: int, database_url: str, sink: str) -> None:
    logging.basicConfig(level=logging.WARNING)
    if kind == "tongxin":
        settings = platform.settings(database_url, sink)
        app = await tongxin_app(settings, empty_postgres=platform.empty_postgres)
    elif kind == "bare":
        app = bare_app(platform.path)
    else:
        app = platform.apps[kind]()
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port, backlog=1024).start()
    if kind == "tongxin":
        from bot.app import settle_heap

        settle_heap()  # as `tongxin serve` does
    print("ready", flush=True)
    profile_to = os.environ.get(f"{platform.name.upper()}_BENCH_PROFILE")
    if profile_to:
        await profile_until_stopped(profile_to)
    else:
        await asyncio.Event().wait()


async def profile_until_stopped(path: str) -> None:
    """Profiles the server until `stop` terminates it, then writes the stats to `path`."""
    import cProfile
    import signal

    done = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, done.set)
    with cProfile.Profile() as prof:
        await done.wait()
    prof.dump_stats(path)
    # No shutdown of the app: only the stats were wanted.
    os._exit(0)


# Set (to anything) to run the servers on uvloop.
UVLOOP_ENV = "TONGXIN_BENCH_UVLOOP"


def start_server(
    platform: Platform, kind: str, database_url: str = "", sink: str = "", uvloop: bool = False
) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    argv = [sys.executable, "-m", platform.module, "serve", kind, str(port), database_url, sink]
    env = os.environ | {"PYTHONPATH": str(ROOT)} | ({UVLOOP_ENV: "1"} if uvloop else {})
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    if proc.stdout.readline().strip() != "ready":
        proc.kill()
        raise SystemExit(f"the {kind} server did not start")
    return proc, f"http://127.0.0.1:{port}"


def stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# -- the load ---------------------------------------------------------------


def wrk(url: str, lua: Path, data: Path, first: int, count: int, seconds: int, conns: int) -> float:
    """Closed loop over lines `first` to `first + count` of `data`: requests per second."""
    argv = ["wrk", "-t1", f"-c{conns}", f"-d{seconds}s", "-s", str(lua), url, "--"]
    out = subprocess.run(
        [*argv, str(data), str(first), str(count)], capture_output=True, text=True, check=True
    ).stdout
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise SystemExit(f"wrk saw {non2xx.group(1)} failed responses:\n{out}")
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert found, out
    return float(found.group(1))


async def open_loop(base: str, reqs: Sequence[Request], rate: float, pool: int) -> Latency:
    """`reqs` sent at `rate` a second, each timed from when it was due.

    `pool` caps the connections (0: no cap). With a cap, as wrk2 keeps, a
    request waiting for a connection counts that wait in its latency.
    """
    # The load generator must not pause on its own: a full collection over
    # the 100,000-odd prepared requests took 50-100 ms here and showed up as
    # the server's p99 in some runs. Everything alive now is left alone.
    gc.collect()
    gc.freeze()
    try:
        return await _sends_at_rate(base, reqs, rate, pool)
    finally:
        gc.unfreeze()


async def _sends_at_rate(base: str, reqs: Sequence[Request], rate: float, pool: int) -> Latency:
    import aiohttp

    latencies: list[float] = []
    failures = 0
    loop = asyncio.get_running_loop()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=pool)) as http:
        start = loop.time() + 0.2

        async def one(i: int, req: Request) -> None:
            nonlocal failures
            due = start + i / rate
            await asyncio.sleep(due - loop.time())
            async with http.post(base + req.path, data=req.body.encode(), headers=req.headers) as r:
                await r.read()
                if r.status != 200:
                    failures += 1
            latencies.append(loop.time() - due)

        await asyncio.gather(*(one(i, req) for i, req in enumerate(reqs)))
        elapsed = loop.time() - start
    latencies.sort()
    return {
        "achieved": len(latencies) / elapsed,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
        "max_ms": latencies[-1] * 1000,
        "failures": failures,
    }


# -- the run ----------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """One run's options and places, for a platform's `plan` to measure with."""

    platform: Platform
    seconds: int
    connections: int
    rate: float
    tmp: Path
    sink: str

    @property
    def lua(self) -> Path:
        return self.tmp / "post.lua"

    @contextmanager
    def server(self, kind: str, database_url: str) -> Iterator[str]:
        """A server of `kind` for one phase; yields its base URL."""
        proc, base = start_server(self.platform, kind, database_url, self.sink)
        try:
            yield base
        finally:
            stop(proc)

    def wrk(self, base: str, data: Path, first: int, count: int, seconds: int) -> float:
        return wrk(base, self.lua, data, first, count, seconds, self.connections)


def main(platform: Platform, doc: str | None) -> int:
    """The bench's command line, or `serve KIND PORT DATABASE_URL SINK` for one server."""
    if sys.argv[1:2] == ["serve"]:
        kind, port, database_url, sink = sys.argv[2:6]
        server = serve(platform, kind, int(port), database_url, sink)
        if os.environ.get(UVLOOP_ENV):
            import uvloop  # as `tongxin serve` runs, for every server of the run alike

            uvloop.run(server)
        else:
            asyncio.run(server)
        return 0
    p = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--seconds", type=int, default=5)
    p.add_argument("--connections", type=int, default=50)
    p.add_argument("--rate", type=float, default=1000.0)
    p.add_argument("--database-url", default=os.environ.get("TONGXIN_TEST_PG_URL", ""))
    ns = p.parse_args()
    if shutil.which("wrk") is None:
        print(
            f"{platform.module} needs wrk for the closed-loop load: apt-get install -y wrk",
            file=sys.stderr,
        )
        return 2
    rps: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="tongxin-bench-") as tmp:
        sink_proc, sink_url = start_server(platform, "sink")
        try:
            run = Run(platform, ns.seconds, ns.connections, ns.rate, Path(tmp), sink_url)
            run.lua.write_text(WRK_SCRIPT)
            measure = platform.plan(run)
            servers = ["bare", platform.baseline, "tongxin/sqlite"]
            if ns.database_url:
                servers.append("tongxin/postgresql")
            for name in servers:
                kind, _, backend = name.partition("/")
                url = (
                    ns.database_url
                    if backend == "postgresql"
                    else f"sqlite+aiosqlite:///{tmp}/{kind}.db"
                )
                rps[name], lat = measure(kind, url)
                print(
                    f"{name:20s} {rps[name]:9.0f} req/s   open loop @{ns.rate:.0f}/s: "
                    f"p50 {lat['p50_ms']:.1f} ms  p99 {lat['p99_ms']:.1f} ms  "
                    f"max {lat['max_ms']:.1f} ms  achieved {lat['achieved']:.0f}/s  "
                    f"failures {lat['failures']}",
                    flush=True,
                )
        finally:
            stop(sink_proc)
    bare, baseline = rps["bare"], rps[platform.baseline]
    print()
    for name, r in rps.items():
        print(f"{name:20s} {r / bare:6.1%} of bare   {r / baseline:6.1%} of {platform.baseline}")
    return 0
