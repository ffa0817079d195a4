"""Local-channel messages per second through the whole path, against a bare handler.

    .venv/bin/python -m bench.ingest [--seconds 8] [--connections 32]

Each request is a distinct message (its own msg_id) from one of 500 teachers
asking `/我是谁`: parse, group-commit dedup insert, person upsert and role
lookup, route, reply, outbox row, done mark — then the HTTP answer with the
reply. Run under scripts/with-postgres.sh to add PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from bench.common import WrkResult, bare_server, free_port, run_wrk, tongxin_server

LUA = r"""
local n = 0
local thread_id = math.random(1, 1000000000)
request = function()
  n = n + 1
  local user = "t" .. (n % 500)
  local body = string.format(
    '{"chat_id":"%s","chat_type":"direct","sender_id":"%s","sender_name":"老师%d","text":"/我是谁","msg_id":"b-%d-%d"}',
    user, user, n % 500, thread_id, n)
  return wrk.format("POST", "/local/messages", {["Content-Type"] = "application/json"}, body)
end
"""


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=int, default=8)
    p.add_argument("--connections", type=int, default=32)
    ns = p.parse_args()
    results: list[tuple[str, WrkResult]] = []
    port = free_port()
    with bare_server(port):
        base = run_wrk(
            f"http://127.0.0.1:{port}/local/messages",
            LUA,
            connections=ns.connections,
            seconds=ns.seconds,
        )
    results.append(("bare aiohttp handler", base))
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        port = free_port()
        with tongxin_server(port, url):
            results.append(
                (
                    "tongxin, SQLite",
                    run_wrk(
                        f"http://127.0.0.1:{port}/local/messages",
                        LUA,
                        connections=ns.connections,
                        seconds=ns.seconds,
                    ),
                )
            )
    pg = os.environ.get("TONGXIN_TEST_PG_URL")
    if pg:
        port = free_port()
        with tongxin_server(port, pg):
            results.append(
                (
                    "tongxin, PostgreSQL",
                    run_wrk(
                        f"http://127.0.0.1:{port}/local/messages",
                        LUA,
                        connections=ns.connections,
                        seconds=ns.seconds,
                    ),
                )
            )
    print(f"{ns.connections} connections, {ns.seconds} s each, closed loop (wrk -t1)")
    print("| server | messages/s | vs bare | p50 ms | p99 ms | errors |")
    print("|---|---|---|---|---|---|")
    for name, r in results:
        print(r.row(name, None if r is base else base.rps))


if __name__ == "__main__":
    main()
