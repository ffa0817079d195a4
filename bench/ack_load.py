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
Callbacks come at a fixed offered rate (`--rate`, default 1,000/s) for
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
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from bench.callbacks import read_requests, sends_at_rate, start_server, stop, summarize
from bench.dingtalk_callbacks import DINGTALK, write_requests

WARMUP_SECONDS = 2


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
    server, base = start_server(DINGTALK, kind, url, sink)
    print(f"{ns.label}: pid {server.pid}", flush=True)
    try:
        asyncio.run(sends_at_rate(base, reqs[:warm], ns.rate, 0))
        series, failures, elapsed = asyncio.run(sends_at_rate(base, reqs[warm:], ns.rate, 0))
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
            while counts(db_file).get("pending", 0) and time.monotonic() - ended < 600:
                time.sleep(0.5)
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
    p.add_argument("--database-url", default=os.environ.get("TONGXIN_TEST_PG_URL", ""))
    p.add_argument("--only", choices=["bare", "sqlite", "postgresql"], default=None)
    ns = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="tongxin-ack-") as tmp_name:
        tmp = Path(tmp_name)
        sink_proc, sink = start_server(DINGTALK, "sink")
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
