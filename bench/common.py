"""Shared pieces of the benchmarks: servers in subprocesses, wrk, and reporting."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def need_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        sys.exit("wrk is needed: apt-get install -y wrk")
    return path


def wait_http(url: str, timeout: float = 20.0) -> None:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGXIN_")}
    env.update(extra)
    return env


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int

    def row(self, name: str, base: float | None = None) -> str:
        ratio = f"{self.rps / base:.0%}" if base else "—"
        return (
            f"| {name} | {self.rps:,.0f} | {ratio} | {self.p50_ms:.1f} | {self.p99_ms:.1f} |"
            f" {self.errors} |"
        )


def _ms(text: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s)", text)
    if not m:
        return float("nan")
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def run_wrk(
    url: str,
    lua: str,
    *,
    connections: int = 32,
    seconds: int = 8,
    rate: int | None = None,
) -> WrkResult:
    """Closed loop by default; `rate` asks for wrk2-style fixed offered load when supported."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(lua)
        script = f.name
    cmd = [need_wrk(), "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script, url]
    if rate is not None:
        cmd[1:1] = ["-R", str(rate)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    os.unlink(script)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    # Anchored: "68.50%" in the thread stats must not pass for the median.
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    err = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = int(err.group(1)) if err else 0
    if sock:
        errors += sum(int(g) for g in sock.groups())
    return WrkResult(rps, p50, p99, errors)


class Server:
    """A process serving HTTP on loopback, stopped on exit."""

    def __init__(self, args: list[str], env: dict[str, str], health: str) -> None:
        self.proc = subprocess.Popen(args, env=env, cwd=ROOT, stderr=subprocess.DEVNULL)
        wait_http(health)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


BARE_HANDLER = """
import sys
from aiohttp import web
async def handle(request):
    await request.json()
    return web.json_response({"replies": []})
async def ok(request):
    return web.json_response({"status": "ok"})
app = web.Application()
app.add_routes([web.post("/local/messages", handle), web.get("/healthz", ok)])
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""


def bare_server(port: int) -> Server:
    return Server(
        [sys.executable, "-c", BARE_HANDLER, str(port)],
        clean_env(),
        f"http://127.0.0.1:{port}/healthz",
    )


def tongxin_server(port: int, database_url: str, **settings: str) -> Server:
    env = clean_env(
        TONGXIN_DATABASE_URL=database_url, TONGXIN_PORT=str(port), TONGXIN_LOG_LEVEL="WARNING"
    )
    env.update({f"TONGXIN_{k.upper()}": v for k, v in settings.items()})
    subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    return Server([sys.executable, "-m", "bot", "serve"], env, f"http://127.0.0.1:{port}/healthz")
