"""DingTalk callbacks on loopback: how many per second, and how fast each is acknowledged.

    .venv/bin/python -m bench.dingtalk_callbacks [--seconds 5] [--connections 50] [--rate 1000]
    scripts/with-postgres.sh .venv/bin/python -m bench.dingtalk_callbacks   # adds PostgreSQL

Three servers, each its own process, measured in the same run:
- bare:     an aiohttp handler that reads the body and answers 200;
- minimal:  the pattern most DingTalk robots use: check the timestamp and the
            HMAC sign header, json.loads the body, answer 200 (nothing kept);
- tongxin:  the real app (`bot.app.Tongxin`, SQLite in a temp dir, or
            PostgreSQL): timestamp window, constant-time sign, size cap,
            pydantic parsing, the dedup row committed by the group-commit
            writer, then 200; the messages are handled meanwhile and their
            replies POSTed to a sink standing in for the sessionWebhook.
Throughput is closed loop (wrk, the same connections for all); acknowledgement
latency is open loop at a fixed offered rate from this process, timed from
each request's scheduled send time (so queueing is not hidden).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
APP_KEY = "dingbenchkey"
SECRET = "bench-app-secret"
MAX_SKEW_MS = 3600 * 1000
WRK_SCRIPT = """
local reqs = {}
local i = 0
function init(args)
  local first, count = tonumber(args[2]), tonumber(args[3])
  local n = 0
  for line in io.lines(args[1]) do
    if n >= first and n < first + count then
      local a = line:find("\\t")
      local b = line:find("\\t", a + 1)
      local headers = {
        ["timestamp"] = line:sub(1, a - 1),
        ["sign"] = line:sub(a + 1, b - 1),
        ["Content-Type"] = "application/json",
      }
      reqs[#reqs + 1] = wrk.format("POST", "/dingtalk/callback", headers, line:sub(b + 1))
    end
    n = n + 1
  end
end
function request()
  i = i % #reqs + 1
  return reqs[i]
end
"""


def sign(timestamp: str) -> str:
    digest = hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


# -- the servers ------------------------------------------------------------


def bare_app() -> web.Application:
    async def handle(request: web.Request) -> web.Response:
        await request.read()
        return web.Response()

    app = web.Application()
    app.router.add_post("/dingtalk/callback", handle)
    return app


def minimal_app() -> web.Application:
    async def handle(request: web.Request) -> web.Response:
        ts = request.headers.get("timestamp", "")
        if not ts.isdigit() or abs(time.time() * 1000 - int(ts)) > MAX_SKEW_MS:
            return web.Response(status=403)
        if not hmac.compare_digest(sign(ts), request.headers.get("sign", "")):
            return web.Response(status=403)
        try:
            json.loads(await request.read())
        except ValueError:
            return web.Response(status=400)
        return web.Response()

    app = web.Application()
    app.router.add_post("/dingtalk/callback", handle)
    return app


def sink_app() -> web.Application:
    async def token(_request: web.Request) -> web.Response:
        return web.json_response({"accessToken": "t", "expireIn": 7200})

    async def ok(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"errcode": 0, "errmsg": "ok", "processQueryKey": "k"})

    app = web.Application()
    app.router.add_post("/v1.0/oauth2/accessToken", token)
    app.router.add_post("/robot/sendBySession", ok)
    app.router.add_post("/v1.0/robot/groupMessages/send", ok)
    app.router.add_post("/v1.0/robot/oToMessages/batchSend", ok)
    return app


async def serve(kind: str, port: int, database_url: str, sink: str) -> None:
    import logging

    logging.basicConfig(level=logging.WARNING)
    if kind == "tongxin":
        from bot.app import Tongxin
        from bot.config import Settings
        from storage.db import Database
        from storage.migrate import upgrade

        db = Database(database_url)
        await upgrade(db)
        await db.dispose()
        settings = Settings(
            database_url=database_url,
            local_channel=False,
            dingtalk_app_key=APP_KEY,
            dingtalk_app_secret=SECRET,
            dingtalk_api_base=sink,
            dingtalk_oapi_base=sink,
        )
        app = Tongxin(settings).web
    else:
        app = {"bare": bare_app, "minimal": minimal_app, "sink": sink_app}[kind]()
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port, backlog=1024).start()
    print("ready", flush=True)
    await asyncio.Event().wait()


# -- the callbacks ----------------------------------------------------------


def write_requests(path: Path, count: int, sink: str) -> None:
    """`count` signed group @-messages, each with its own msgId, one per line."""
    now_ms = int(time.time() * 1000)
    run = uuid.uuid4().hex[:8]
    with path.open("w") as out:
        for i in range(count):
            ts = str(now_ms - i % 1000)
            body = {
                "msgtype": "text",
                "text": {"content": " @同心 你好"},
                "msgId": f"msg{run}{i:09d}",
                "createAt": now_ms,
                "conversationType": "2",
                "conversationId": f"cidBench{i % 50}==",
                "conversationTitle": "压测群",
                "senderId": f"$:LWCP_v1:$u{i % 500}",
                "senderNick": f"老师{i % 500}",
                "senderStaffId": f"staff{i % 500}",
                "chatbotUserId": "$:LWCP_v1:$bot",
                "isInAtList": True,
                "atUsers": [{"dingtalkId": "$:LWCP_v1:$bot"}],
                "sessionWebhook": f"{sink}/robot/sendBySession?session=s{i}",
                "sessionWebhookExpiredTime": now_ms + 5400 * 1000,
            }
            line = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
            out.write(f"{ts}\t{sign(ts)}\t{line}\n")


# -- the load ---------------------------------------------------------------


def wrk(url: str, lua: Path, data: Path, first: int, count: int, seconds: int, conns: int) -> float:
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


async def open_loop(base: str, reqs: list[list[str]], rate: float) -> dict[str, Any]:
    import aiohttp

    latencies: list[float] = []
    failures = 0
    loop = asyncio.get_running_loop()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        start = loop.time() + 0.2

        async def one(i: int, ts: str, signature: str, body: str) -> None:
            nonlocal failures
            due = start + i / rate
            await asyncio.sleep(due - loop.time())
            headers = {"timestamp": ts, "sign": signature, "Content-Type": "application/json"}
            async with http.post(
                f"{base}/dingtalk/callback", data=body.encode(), headers=headers
            ) as resp:
                await resp.read()
                if resp.status != 200:
                    failures += 1
            latencies.append(loop.time() - due)

        await asyncio.gather(*(one(i, *r) for i, r in enumerate(reqs)))
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    kind: str, database_url: str = "", sink: str = ""
) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    argv = [sys.executable, __file__, "serve", kind, str(port), database_url, sink]
    env = os.environ | {"PYTHONPATH": str(ROOT)}
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


def main() -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--seconds", type=int, default=5)
    p.add_argument("--connections", type=int, default=50)
    p.add_argument("--rate", type=float, default=1000.0)
    p.add_argument("--database-url", default=os.environ.get("TONGXIN_TEST_PG_URL", ""))
    ns = p.parse_args()
    if shutil.which("wrk") is None:
        print("bench.dingtalk_callbacks needs wrk: apt-get install -y wrk", file=sys.stderr)
        return 2
    # Disjoint slices of distinct msgIds: open-loop warm-up, open loop, wrk
    # warm-up, wrk (wrk cycles through its slice, so it gets the most).
    rate = int(ns.rate)
    open_warm, open_count, wrk_warm = rate, rate * ns.seconds, 10000
    per_server = open_warm + open_count + wrk_warm + ns.seconds * 25000
    with tempfile.TemporaryDirectory(prefix="tongxin-bench-") as tmp:
        data, lua = Path(tmp) / "requests.tsv", Path(tmp) / "post.lua"
        lua.write_text(WRK_SCRIPT)
        sink, sink_url = start_server("sink")
        servers = ["bare", "minimal", "tongxin/sqlite"]
        if ns.database_url:
            servers.append("tongxin/postgresql")
        results: dict[str, dict[str, Any]] = {}
        try:
            for name in servers:
                # Fresh msgIds and timestamps for every server (the PostgreSQL
                # database may hold the last run's).
                write_requests(data, per_server, sink_url)
                reqs = [line.split("\t", 2) for line in data.read_text().splitlines()]
                kind, _, backend = name.partition("/")
                url = (
                    ns.database_url
                    if backend == "postgresql"
                    else f"sqlite+aiosqlite:///{tmp}/{kind}.db"
                )
                # Latency first, on a fresh database: the closed loop leaves a
                # backlog of messages still to handle that would weigh on it.
                proc, base = start_server(kind, url, sink_url)
                try:
                    asyncio.run(open_loop(base, reqs[:open_warm], ns.rate))
                    first = open_warm
                    lat = asyncio.run(open_loop(base, reqs[first : first + open_count], ns.rate))
                finally:
                    stop(proc)
                first = open_warm + open_count
                proc, base = start_server(kind, url, sink_url)
                try:
                    wrk(base, lua, data, first, wrk_warm, 1, ns.connections)
                    first += wrk_warm
                    rps = wrk(
                        base, lua, data, first, per_server - first, ns.seconds, ns.connections
                    )
                finally:
                    stop(proc)
                results[name] = {"rps": rps, **lat}
                print(
                    f"{name:20s} {rps:9.0f} req/s   open loop @{ns.rate:.0f}/s: "
                    f"p50 {lat['p50_ms']:.1f} ms  p99 {lat['p99_ms']:.1f} ms  "
                    f"max {lat['max_ms']:.1f} ms  achieved {lat['achieved']:.0f}/s  "
                    f"failures {lat['failures']}",
                    flush=True,
                )
        finally:
            stop(sink)
    bare, minimal = results["bare"]["rps"], results["minimal"]["rps"]
    print()
    for name, r in results.items():
        print(f"{name:20s} {r['rps'] / bare:6.1%} of bare   {r['rps'] / minimal:6.1%} of minimal")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        kind, port, db_url, sink = sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
        asyncio.run(serve(kind, port, db_url, sink))
    else:
        sys.exit(main())
