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

import asyncio
import base64
import hashlib
import hmac
import json
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web

from bench.callbacks import Latency, Platform, Request, Run, main, open_loop, read_requests

if TYPE_CHECKING:
    from bot.config import Settings

APP_KEY = "dingbenchkey"
SECRET = "bench-app-secret"
MAX_SKEW_MS = 3600 * 1000


def sign(timestamp: str) -> str:
    digest = hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


# -- the servers ------------------------------------------------------------


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


def settings(database_url: str, sink: str) -> Settings:
    from bot.config import Settings

    return Settings(
        database_url=database_url,
        local_channel=False,
        dingtalk_app_key=APP_KEY,
        dingtalk_app_secret=SECRET,
        dingtalk_api_base=sink,
        dingtalk_oapi_base=sink,
    )


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
            headers = {"timestamp": ts, "sign": sign(ts), "Content-Type": "application/json"}
            line = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
            out.write(Request("/dingtalk/callback", headers, line).line())


# -- the run ----------------------------------------------------------------


def plan(run: Run) -> Callable[[str, str], tuple[float, Latency]]:
    """Disjoint slices of distinct msgIds: open-loop warm-up, open loop, wrk
    warm-up, wrk (wrk cycles through its slice, so it gets the most)."""
    rate = int(run.rate)
    open_warm, open_count, wrk_warm = rate, rate * run.seconds, 10000
    per_server = open_warm + open_count + wrk_warm + run.seconds * 25000
    data = run.tmp / "requests.tsv"

    def measure(kind: str, url: str) -> tuple[float, Latency]:
        # Fresh msgIds and timestamps for every server (the PostgreSQL
        # database may hold the last run's).
        write_requests(data, per_server, run.sink)
        reqs = read_requests(data)
        # Latency first, on a fresh database: the closed loop leaves a
        # backlog of messages still to handle that would weigh on it. The open
        # loop's connections are not capped, as when docs/BENCHMARKS.md's
        # DingTalk figures were measured.
        with run.server(kind, url) as base:
            asyncio.run(open_loop(base, reqs[:open_warm], run.rate, pool=0))
            first = open_warm
            lat = asyncio.run(open_loop(base, reqs[first : first + open_count], run.rate, pool=0))
        first = open_warm + open_count
        with run.server(kind, url) as base:
            run.wrk(base, data, first, wrk_warm, 1)
            first += wrk_warm
            rps = run.wrk(base, data, first, per_server - first, run.seconds)
        return rps, lat

    return measure


DINGTALK = Platform(
    name="dingtalk",
    baseline="minimal",
    apps={"minimal": minimal_app, "sink": sink_app},
    settings=settings,
    plan=plan,
    empty_postgres=False,
)

if __name__ == "__main__":
    sys.exit(main(DINGTALK, __doc__))
