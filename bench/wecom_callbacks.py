"""WeCom callbacks on loopback: how many per second, and how fast each is acknowledged.

    .venv/bin/python -m bench.wecom_callbacks [--seconds 5] [--connections 50] [--rate 1000]

Three servers, each its own process, measured in the same run:
- bare:     an aiohttp handler that reads the body and answers 200;
- wechatpy: the pattern most WeCom bots use: wechatpy verifies, decrypts and
            parses (xmltodict) the callback, then answers 200;
- tongxin:  the real app (`bot.app.Tongxin`, SQLite in a temp dir, or PostgreSQL
            with --database-url / TONGXIN_TEST_PG_URL): size cap, constant-time
            signature, decryption, parsing, the dedup row committed by the
            group-commit writer, then 200; the messages are handled meanwhile
            and their replies sent to a sink standing in for WeCom's API.
Throughput is closed loop (wrk, the same connections for all); acknowledgement
latency is open loop at a fixed offered rate from a separate process, timed
from each request's scheduled send time (so queueing is not hidden).
"""

from __future__ import annotations

import asyncio
import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from aiohttp import web

from bench.callbacks import Latency, Platform, Request, Run, main, open_loop, read_requests

if TYPE_CHECKING:
    from bot.config import Settings

TOKEN = "benchtoken"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
CORP_ID = "wwbenchcorp"
SECRET = "bench-secret"


# -- the servers ------------------------------------------------------------


def wechatpy_app() -> web.Application:
    from wechatpy.enterprise import parse_message
    from wechatpy.enterprise.crypto import WeChatCrypto

    crypto = WeChatCrypto(TOKEN, AES_KEY, CORP_ID)

    async def handle(request: web.Request) -> web.Response:
        body = await request.read()
        q = request.query
        try:
            xml = crypto.decrypt_message(body, q["msg_signature"], q["timestamp"], q["nonce"])
            parse_message(xml)
        except Exception:
            return web.Response(status=400)
        return web.Response()

    app = web.Application()
    app.router.add_post("/wecom/callback", handle)
    return app


def sink_app() -> web.Application:
    async def token(_request: web.Request) -> web.Response:
        return web.json_response({"errcode": 0, "access_token": "t", "expires_in": 7200})

    async def ok(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"errcode": 0, "errmsg": "ok", "invaliduser": ""})

    app = web.Application()
    app.router.add_get("/cgi-bin/gettoken", token)
    app.router.add_post("/cgi-bin/message/send", ok)
    return app


def settings(database_url: str, sink: str) -> Settings:
    from bot.config import Settings

    return Settings(
        database_url=database_url,
        local_channel=False,
        wecom_corp_id=CORP_ID,
        wecom_token=TOKEN,
        wecom_aes_key=AES_KEY,
        wecom_agent_id=1000002,
        wecom_secret=SECRET,
        wecom_api_base=sink,
    )


# -- the callbacks ----------------------------------------------------------


def write_requests(path: Path, count: int) -> None:
    """`count` encrypted text callbacks, each with its own MsgId, one per line."""
    from wechatpy.enterprise.crypto import WeChatCrypto

    crypto = WeChatCrypto(TOKEN, AES_KEY, CORP_ID)
    field = re.compile(r"<(Encrypt|MsgSignature)><!\[CDATA\[(.*?)\]\]></\1>")
    first_id = random.randrange(10**15, 10**17)
    # Signed now: the bot refuses callbacks signed more than an hour away.
    now = str(int(time.time()))
    with path.open("w") as out:
        for i in range(count):
            msg_id = first_id + i
            plain = (
                f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName>"
                f"<FromUserName><![CDATA[t{i % 500}]]></FromUserName>"
                "<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
                f"<Content><![CDATA[你好]]></Content><MsgId>{msg_id}</MsgId>"
                "<AgentID>1000002</AgentID></xml>"
            )
            nonce, ts = str(i), now
            fields = dict(field.findall(crypto.encrypt_message(plain, nonce, ts)))
            url = (
                f"/wecom/callback?msg_signature={fields['MsgSignature']}"
                f"&timestamp={ts}&nonce={nonce}"
            )
            body = (
                f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName>"
                f"<Encrypt><![CDATA[{fields['Encrypt']}]]></Encrypt>"
                "<AgentID><![CDATA[1000002]]></AgentID></xml>"
            )
            out.write(Request(quote(url, safe="/?=&"), {}, body).line())


# -- the run ----------------------------------------------------------------


def plan(run: Run) -> Callable[[str, str], tuple[float, Latency]]:
    """One set of callbacks for all servers: slices for the closed loop, the
    open loop and the warm-ups, each server starting on empty tables."""
    closed, opened, warm = run.seconds * 12000, int(run.rate * run.seconds), 10000
    per_server = closed + opened + warm
    warm_first = closed + opened
    data = run.tmp / "requests.tsv"
    t0 = time.perf_counter()
    write_requests(data, per_server)
    print(f"{per_server} encrypted callbacks written in {time.perf_counter() - t0:.1f} s")
    reqs = read_requests(data)

    def measure(kind: str, url: str) -> tuple[float, Latency]:
        # A fresh server (and database) per phase: the open loop must not
        # inherit the closed loop's backlog of messages to handle.
        with run.server(kind, f"{url}-closed" if "sqlite" in url else url) as base:
            run.wrk(base, data, warm_first, warm, 1)
            rps = run.wrk(base, data, 0, closed, run.seconds)
        # A fixed pool of 50 connections, as wrk2 keeps: nothing opens
        # thousands of sockets.
        with run.server(kind, url) as base:
            asyncio.run(open_loop(base, reqs[warm_first : warm_first + 200], 200.0, pool=50))
            lat = asyncio.run(open_loop(base, reqs[closed:warm_first], run.rate, pool=50))
        return rps, lat

    return measure


WECOM = Platform(
    name="wecom",
    baseline="wechatpy",
    apps={"wechatpy": wechatpy_app, "sink": sink_app},
    settings=settings,
    plan=plan,
    empty_postgres=True,
)

if __name__ == "__main__":
    sys.exit(main(WECOM, __doc__))
