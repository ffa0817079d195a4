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

import argparse
import asyncio
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiohttp import web

TOKEN = "benchtoken"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
CORP_ID = "wwbenchcorp"
SECRET = "bench-secret"
WRK_SCRIPT = """
local reqs = {}
local i = 0
function init(args)
  local first, count = tonumber(args[2]), tonumber(args[3])
  local n = 0
  for line in io.lines(args[1]) do
    if n >= first and n < first + count then
      local tab = line:find("\\t")
      reqs[#reqs + 1] = wrk.format("POST", line:sub(1, tab - 1), nil, line:sub(tab + 1))
    end
    n = n + 1
  end
end
function request()
  i = i % #reqs + 1
  return reqs[i]
end
"""


# -- the servers ------------------------------------------------------------


def bare_app() -> web.Application:
    async def handle(request: web.Request) -> web.Response:
        await request.read()
        return web.Response()

    app = web.Application()
    app.router.add_post("/wecom/callback", handle)
    return app


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
        if not db.is_sqlite:
            # The same PostgreSQL serves every phase: each starts from empty tables.
            from sqlalchemy import text

            from storage.schema import metadata

            tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
            async with db.engine.begin() as conn:
                await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        await db.dispose()
        settings = Settings(
            database_url=database_url,
            local_channel=False,
            wecom_corp_id=CORP_ID,
            wecom_token=TOKEN,
            wecom_aes_key=AES_KEY,
            wecom_agent_id=1000002,
            wecom_secret=SECRET,
            wecom_api_base=sink,
        )
        app = Tongxin(settings).web
    else:
        app = {"bare": bare_app, "wechatpy": wechatpy_app, "sink": sink_app}[kind]()
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port, backlog=1024).start()
    print("ready", flush=True)
    profile_to = os.environ.get("WECOM_BENCH_PROFILE")
    if not profile_to:
        await asyncio.Event().wait()
    import cProfile
    import signal

    done = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, done.set)
    with cProfile.Profile() as prof:
        await done.wait()
    prof.dump_stats(profile_to)
    os._exit(0)


# -- the callbacks ----------------------------------------------------------


def write_requests(path: Path, count: int) -> None:
    """`count` encrypted text callbacks, each with its own MsgId, one per line."""
    from wechatpy.enterprise.crypto import WeChatCrypto

    crypto = WeChatCrypto(TOKEN, AES_KEY, CORP_ID)
    field = re.compile(r"<(Encrypt|MsgSignature)><!\[CDATA\[(.*?)\]\]></\1>")
    first_id = random.randrange(10**15, 10**17)
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
            nonce, ts = str(i), "1700000000"
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
            out.write(f"{quote(url, safe='/?=&')}\t{body}\n")


# -- the load ---------------------------------------------------------------


def wrk(url: str, lua: Path, data: Path, first: int, count: int, seconds: int, conns: int) -> float:
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{conns}",
            f"-d{seconds}s",
            "-s",
            str(lua),
            url,
            "--",
            str(data),
            str(first),
            str(count),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise SystemExit(f"wrk saw {non2xx.group(1)} failed responses:\n{out}")
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert found, out
    return float(found.group(1))


def lines_of(data: Path, first: int, count: int) -> list[str]:
    return data.read_text().splitlines()[first : first + count]


async def open_loop(
    base: str, data: Path, first: int, count: int, rate: float, conns: int = 50
) -> dict[str, Any]:
    import aiohttp

    reqs = [line.split("\t", 1) for line in lines_of(data, first, count)]
    latencies: list[float] = []
    failures = 0
    loop = asyncio.get_running_loop()
    # A fixed pool of connections, as wrk2 keeps: a request waiting for one
    # counts that wait in its latency, and nothing opens thousands of sockets.
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=conns)) as http:
        start = loop.time() + 0.2

        async def one(i: int, path: str, body: str) -> None:
            nonlocal failures
            due = start + i / rate
            await asyncio.sleep(due - loop.time())
            async with http.post(base + path, data=body.encode()) as resp:
                await resp.read()
                if resp.status != 200:
                    failures += 1
            latencies.append(loop.time() - due)

        await asyncio.gather(*(one(i, p, b) for i, (p, b) in enumerate(reqs)))
        elapsed = loop.time() - start
    latencies.sort()
    return {
        "offered": rate,
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
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, text=True, env=os.environ | {"PYTHONPATH": str(ROOT)}
    )
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


ROOT = Path(__file__).resolve().parent.parent


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
        print(
            "bench.wecom_callbacks needs wrk for the closed-loop load: apt-get install -y wrk",
            file=sys.stderr,
        )
        return 2
    closed, opened, warm = ns.seconds * 12000, int(ns.rate * ns.seconds), 10000
    per_server = closed + opened + warm
    warm_first = closed + opened
    with tempfile.TemporaryDirectory(prefix="tongxin-bench-") as tmp:
        data, lua = Path(tmp) / "requests.tsv", Path(tmp) / "post.lua"
        lua.write_text(WRK_SCRIPT)
        t0 = time.perf_counter()
        write_requests(data, per_server)
        print(f"{per_server} encrypted callbacks written in {time.perf_counter() - t0:.1f} s")
        sink, sink_url = start_server("sink")
        servers = ["bare", "wechatpy", "tongxin/sqlite"]
        if ns.database_url:
            servers.append("tongxin/postgresql")
        results: dict[str, dict[str, Any]] = {}
        try:
            for name in servers:
                kind, _, backend = name.partition("/")
                url = (
                    ns.database_url
                    if backend == "postgresql"
                    else f"sqlite+aiosqlite:///{tmp}/{kind}.db"
                )
                # A fresh server (and database) per phase: the open loop must
                # not inherit the closed loop's backlog of messages to handle.
                proc, base = start_server(
                    kind, f"{url}-closed" if "sqlite" in url else url, sink_url
                )
                try:
                    wrk(base, lua, data, warm_first, warm, 1, ns.connections)
                    rps = wrk(base, lua, data, 0, closed, ns.seconds, ns.connections)
                finally:
                    stop(proc)
                proc, base = start_server(kind, url, sink_url)
                try:
                    asyncio.run(open_loop(base, data, warm_first, 200, 200.0))
                    lat = asyncio.run(open_loop(base, data, closed, opened, ns.rate))
                finally:
                    stop(proc)
                results[name] = {"rps": rps, **lat}
                print(
                    f"{name:20s} {rps:9.0f} req/s   open loop @{ns.rate:.0f}/s: "
                    f"p50 {lat['p50_ms']:.1f} ms  p99 {lat['p99_ms']:.1f} ms  "
                    f"max {lat['max_ms']:.1f} ms"
                    f"  achieved {lat['achieved']:.0f}/s  failures {lat['failures']}",
                    flush=True,
                )
        finally:
            stop(sink)
    bare, minimal = results["bare"]["rps"], results["wechatpy"]["rps"]
    print()
    for name, r in results.items():
        print(f"{name:20s} {r['rps'] / bare:6.1%} of bare   {r['rps'] / minimal:6.1%} of wechatpy")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        kind, port, db_url, sink = sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
        asyncio.run(serve(kind, port, db_url, sink))
    else:
        sys.exit(main())
