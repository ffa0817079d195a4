"""Acknowledgement latency while handling falls behind: DingTalk callbacks, open loop.

    .venv/bin/python -m bench.ack_load [--rate 1000] [--seconds 30] [--window 5]
    make bench BENCH="ack_load --seconds 30"       # the same, PostgreSQL added

Two servers (three under scripts/with-postgres.sh), each its own process, in
the same run:
- bare:     an aiohttp handler that reads the body and answers 200;
- tongxin:  the real app on SQLite in a temp dir (and on PostgreSQL): DingTalk
            HTTP callbacks (timestamp window, HMAC sign, size cap, parsing, the
            dedup row committed), then 200; meanwhile every message is handled
            (an @-mention in one of 50 groups from one of 500 teachers, answered
            with the fallback hint) and its reply POSTed to a sink standing in
            for the sessionWebhook.
Every server runs on uvloop, as `tongxin serve` does (`--asyncio`: on asyncio's
own loop). Callbacks come at a fixed offered rate (`--rate`, default 1,000/s) for
`--seconds` after a 2 s warm-up, each timed from its scheduled send time, so a
queue in front of the server counts. At 1,000/s the whole path on SQLite
cannot handle as many messages as it acknowledges on these 2-core machines,
so handling falls further behind for the whole run: latency is printed per
window, and a latency that grows with the backlog shows as a rising row.
Then how many messages were handled when the load stopped, and how long the
rest took (SQLite, read from the database file).

`ACK_LOAD_PROFILE=FILE` runs the SQLite server under cProfile; for a
sampling profile attach py-spy to the server's pid instead (printed).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from bench.callbacks import Latency, Request, read_requests, start_server, stop
from bench.dingtalk_callbacks import DINGTALK, write_requests

WARMUP_SECONDS = 2


def summarize(latencies: list[float], failures: int, elapsed: float) -> Latency:
    latencies = sorted(latencies)
    return {
        "achieved": len(latencies) / elapsed,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
        "max_ms": latencies[-1] * 1000,
        "failures": failures,
    }


class Client:
    """An HTTP/1.1 keep-alive client on bare asyncio streams, for the open loop.

    aiohttp's client costs about half a millisecond of CPU a request, which at
    1,000 a second on these two cores is taken from the server measured; this
    costs a tenth of that. Up to `pool` connections; a request waiting for one
    counts that wait in its latency, as wrk2 does.
    """

    def __init__(self, base: str, pool: int) -> None:
        host, _, port = base.removeprefix("http://").partition(":")
        self.host, self.port = host, int(port)
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.opened = 0
        self.pool = pool
        self.freed = asyncio.Condition()

    @staticmethod
    def render(req: Request) -> bytes:
        body = req.body.encode()
        head = "".join(f"{k}: {v}\r\n" for k, v in req.headers.items())
        return (
            f"POST {req.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body

    async def _conn(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        async with self.freed:
            while not self.idle and self.opened >= self.pool:
                await self.freed.wait()
            if self.idle:
                return self.idle.pop()
            self.opened += 1
        return await asyncio.open_connection(self.host, self.port)

    async def send(self, raw: bytes) -> int:
        reader, writer = await self._conn()
        writer.write(raw)
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        if length:
            await reader.readexactly(length)
        async with self.freed:
            self.idle.append((reader, writer))
            self.freed.notify()
        return status

    async def close(self) -> None:
        for _, writer in self.idle:
            writer.close()


async def sends_at_rate(
    base: str, reqs: list[Request], rate: float, pool: int = 256
) -> tuple[list[tuple[float, float]], int, float]:
    """(seconds after the start it was due, latency) of each request; failures; elapsed."""
    client = Client(base, pool)
    raws = [Client.render(r) for r in reqs]
    loop = asyncio.get_running_loop()
    series: list[tuple[float, float]] = []
    failures = 0
    tasks = []
    start = loop.time() + 0.2

    async def one(due: float, raw: bytes) -> None:
        nonlocal failures
        if await client.send(raw) != 200:
            failures += 1
        series.append((due - start, loop.time() - due))

    gc.collect()
    gc.freeze()  # the client's own collections must not count as latency
    try:
        for i, raw in enumerate(raws):
            due = start + i / rate
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(due, raw)))
        await asyncio.gather(*tasks)
    finally:
        gc.unfreeze()
        await client.close()
    return series, failures, loop.time() - start


def counts(db_file: Path) -> dict[str, int]:
    """Inbound rows by state, read without taking the server's write lock."""
    conn = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=30)
    try:
        rows = conn.execute("SELECT state, count(*) FROM inbound_messages GROUP BY state")
        return {state: int(n) for state, n in rows}
    finally:
        conn.close()


def run(kind: str, url: str, sink: str, tmp: Path, ns: argparse.Namespace) -> None:
    rate = int(ns.rate)
    warm, measured = rate * WARMUP_SECONDS, rate * ns.seconds
    data = tmp / f"{kind}-requests.tsv"
    write_requests(data, warm + measured, sink)
    reqs = read_requests(data)
    server, base = start_server(DINGTALK, kind, url, sink, uvloop=not ns.asyncio)
    print(f"{ns.label}: pid {server.pid}", flush=True)
    try:
        asyncio.run(sends_at_rate(base, reqs[:warm], ns.rate))
        series, failures, elapsed = asyncio.run(sends_at_rate(base, reqs[warm:], ns.rate))
        ended = time.monotonic()
        whole = summarize([lat for _, lat in series], failures, elapsed)
        windows: dict[int, list[float]] = {}
        for due, lat in series:
            windows.setdefault(int(due // ns.window), []).append(lat)
        print(
            f"{ns.label:20s} p50 {whole['p50_ms']:7.1f} ms  p99 {whole['p99_ms']:7.1f} ms  "
            f"max {whole['max_ms']:7.1f} ms  achieved {whole['achieved']:.0f}/s  "
            f"failures {whole['failures']}"
        )
        print("    window   p50 ms   p99 ms   max ms")
        for w, lats in sorted(windows.items()):
            part = summarize(lats, 0, 1.0)
            start = w * ns.window
            print(
                f"    {start:3d}-{start + ns.window:3d} s {part['p50_ms']:8.1f} "
                f"{part['p99_ms']:8.1f} {part['max_ms']:8.1f}"
            )
        if kind == "tongxin" and url.startswith("sqlite"):
            db_file = Path(url.removeprefix("sqlite+aiosqlite:///"))
            at_end = counts(db_file)
            total = sum(at_end.values())
            print(f"    handled when the load stopped: {at_end.get('done', 0)} of {total}")
            while (
                left := counts(db_file).get("pending", 0)
            ) and time.monotonic() - ended < ns.drain:
                time.sleep(0.5)
            if left:
                print(f"    {left} still unhandled {ns.drain:.0f} s after the load stopped")
            else:
                print(f"    all handled {time.monotonic() - ended:.1f} s after the load stopped")
        sys.stdout.flush()
    finally:
        stop(server)


def main() -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--rate", type=float, default=1000.0)
    p.add_argument("--seconds", type=int, default=30)
    p.add_argument("--window", type=int, default=5)
    p.add_argument(
        "--drain", type=float, default=180.0, help="seconds to wait for the backlog afterwards"
    )
    p.add_argument("--database-url", default=os.environ.get("TONGXIN_TEST_PG_URL", ""))
    p.add_argument("--only", choices=["bare", "sqlite", "postgresql"], default=None)
    p.add_argument(
        "--asyncio", action="store_true", help="servers on asyncio's loop instead of uvloop"
    )
    ns = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="tongxin-ack-") as tmp_name:
        tmp = Path(tmp_name)
        sink_proc, sink = start_server(DINGTALK, "sink", uvloop=not ns.asyncio)
        try:
            servers = [
                ("bare", "bare", ""),
                ("tongxin/sqlite", "tongxin", f"sqlite+aiosqlite:///{tmp}/ack.db"),
            ]
            if ns.database_url:
                servers.append(("tongxin/postgresql", "tongxin", ns.database_url))
            for label, kind, url in servers:
                if ns.only and not label.endswith(ns.only):
                    continue
                ns.label = label
                run(kind, url, sink, tmp, ns)
        finally:
            stop(sink_proc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
