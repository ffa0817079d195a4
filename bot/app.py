"""The app object: owns the engine, the workers, the scheduler and the HTTP session."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import timedelta

import aiohttp
from aiohttp import web

from bot import retention, scheduler, texts
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.console.web import Console
from bot.conversation import take_expired
from bot.delivery import Deliverer
from bot.errors import ErrorHook
from bot.feature import Feature, Job
from bot.ingest import Ingest
from bot.jobs import Jobs
from bot.messages import Outgoing
from bot.metrics import CONTENT_TYPE, Metrics
from bot.outbox import Outbox
from bot.outbox_health import alert_delivery_trouble, delivery_health
from bot.platforms import dingtalk, local, wecom
from bot.platforms.base import Adapter, AdapterEnv
from bot.router import Router
from bot.runtime import Runtime
from bot.seal import Sealer
from storage.db import Database

log = logging.getLogger("tongxin.app")

AdapterFactory = Callable[[AdapterEnv], Adapter | None]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
APP_KEY: web.AppKey[Tongxin] = web.AppKey("tongxin")
# POSTs that are platform callbacks, by platform (DESIGN.md's endpoints).
# How long shutdown waits for periodic jobs to finish the run they are in.
JOB_GRACE = 5.0
CALLBACK_PATHS = {
    "/wecom/callback": "wecom",
    "/wecom/bot": "wecom",
    "/dingtalk/callback": "dingtalk",
    "/local/messages": "local",
}


def default_features() -> list[Feature]:
    from handlers import FEATURES

    return list(FEATURES)


def default_adapters() -> list[AdapterFactory]:
    # Each platform decides from the settings whether it is on.
    return [local.create, wecom.create, dingtalk.create]


class Tongxin:
    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        features: Sequence[Feature] | None = None,
        adapters: Sequence[AdapterFactory] | None = None,
        extra_deliverers: Sequence[Deliverer] = (),
    ) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.db = Database(settings.database_url)
        self.router = Router(
            default_features() if features is None else features,
            timedelta(minutes=settings.conversation_timeout_minutes),
        )
        # The app's own registry: no process-wide default, so two apps never mix.
        self.metrics = Metrics()
        sealer = Sealer(settings)
        self.outbox = Outbox(self.db, self.clock, {}, sealer=sealer, metrics=self.metrics)
        self.runtime = Runtime(settings, self.db, self.clock, self.router, self.outbox, sealer)
        self.ingest = Ingest(self.runtime, settings.workers, self.metrics)
        self.writes = self.runtime.writes
        self._http: aiohttp.ClientSession | None = None
        env = AdapterEnv(self.runtime, self.ingest, self.http)
        made = [f(env) for f in (default_adapters() if adapters is None else adapters)]
        self.adapters: list[Adapter] = [a for a in made if a is not None]
        for d in [*self.adapters, *extra_deliverers]:
            self.outbox.deliverers[d.name] = d
        self.runtime.problems = self.problems
        self.jobs = Jobs(
            self.runtime,
            [
                (timedelta(seconds=15), sweep_conversations),
                (timedelta(seconds=10), recover_inbound(self.ingest)),
                (timedelta(minutes=5), scheduler.plan),
                (timedelta(seconds=5), scheduler.dispatch),
                (timedelta(minutes=1), alert_delivery_trouble),
                (retention.INTERVAL, retention.Retention()),
                *[job for a in self.adapters for job in a.jobs()],
                *[job for f in self.router.features for job in f.jobs],
            ],
        )
        self._tasks: list[asyncio.Task[None]] = []
        self._closers: list[Callable[[], Awaitable[None]]] = []
        console = Console(self.runtime, self.router.features)
        self.web = web.Application(
            client_max_size=1024 * 1024, middlewares=[self._time_ack, console.signed_in]
        )
        self.web[APP_KEY] = self
        self.web.add_routes(
            [web.get("/healthz", self.healthz), web.get("/metrics", self.metrics_page)]
        )
        for adapter in self.adapters:
            self.web.add_routes(adapter.routes())
        self.web.add_routes(console.routes())
        self.web.cleanup_ctx.append(self._lifetime)
        self.background = True

    def on_error(self, hook: ErrorHook) -> ErrorHook:
        """Call `hook` with every failure: a handler, a timer, a periodic job."""
        self.runtime.errors.hooks.append(hook)
        return hook

    def http(self) -> aiohttp.ClientSession:
        if self._http is None:
            raise RuntimeError("the HTTP client session exists only while the app runs")
        return self._http

    async def start(self, *, background: bool = True) -> None:
        """Start workers; with background=False, tests drive the outbox and jobs."""
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        self.ingest.start()
        for adapter in self.adapters:
            await adapter.start()
        if background:
            self._tasks.append(asyncio.create_task(self.outbox.run(), name="outbox"))
            self._tasks.append(asyncio.create_task(self.writes.run(), name="anonymous-writes"))
            for p in self.jobs.periodic:
                self._tasks.append(asyncio.create_task(self.jobs.forever(p), name=p.name))
            self._closers.append((await scheduler.start_alarm(self.runtime)).close)
        names = ", ".join(a.name for a in self.adapters) or "none"
        log.info("platforms on: %s", names)
        for off in self.platforms_off():
            log.info("platform off (settings absent): %s", off)

    def platforms_off(self) -> list[str]:
        on = {a.name for a in self.adapters}
        return [p for p in ("wecom", "dingtalk", "local") if p not in on]

    async def stop(self) -> None:
        """Stop taking new work first, then finish what was accepted, then let go."""
        for close in self._closers:
            await close()
        self._closers.clear()
        self.jobs.stop()
        jobs = [t for t in self._tasks if t.get_name() in {p.name for p in self.jobs.periodic}]
        if jobs:
            await asyncio.wait(jobs, timeout=JOB_GRACE)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        for adapter in self.adapters:
            await adapter.close()
        # Replies of messages handled while draining stay in the outbox and
        # go out at the next start.
        await self.ingest.stop()
        await self.outbox.drain()
        if self._http is not None:
            await self._http.close()
            self._http = None
        await self.db.dispose()

    async def _lifetime(self, _app: web.Application) -> AsyncIterator[None]:
        """Start with the web app, stop with it: one place pairs the two."""
        await self.start(background=self.background)
        yield
        await self.stop()

    async def run_jobs(self) -> None:
        """Run every periodic job once, now (the ticker's unit of work)."""
        await self.jobs.run_all()

    @web.middleware
    async def _time_ack(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """How long each platform callback waits for its answer (tongxin_ack_seconds)."""
        platform = CALLBACK_PATHS.get(request.path) if request.method == "POST" else None
        if platform is None:
            return await handler(request)
        started = time.perf_counter()
        try:
            return await handler(request)
        finally:
            self.metrics.ack.labels(platform).observe(time.perf_counter() - started)

    async def metrics_page(self, _request: web.Request) -> web.Response:
        """Prometheus text format; what the database knows is read now."""
        async with asyncio.timeout(5.0), self.db.reading() as session:
            await self.metrics.refresh(
                session, list(self.outbox.deliverers), self.clock.now(), self.token_refreshes()
            )
        return web.Response(body=self.metrics.render(), headers={"Content-Type": CONTENT_TYPE})

    def token_refreshes(self) -> dict[str, int]:
        """Access tokens each platform's adapter has fetched (its token cache counts them)."""
        counts = {}
        for adapter in self.adapters:
            cache = getattr(adapter, "token", None) or getattr(adapter, "api", None)
            refreshes = getattr(cache, "refreshes", None)
            if isinstance(refreshes, int):
                counts[adapter.name] = refreshes
        return counts

    def problems(self) -> list[str]:
        """Set-up problems an admin must fix (a wrong secret, an address a platform
        does not allow, a quota running out); the bot itself stays up meanwhile."""
        return [p for adapter in self.adapters for p in adapter.problems()]

    async def healthz(self, _request: web.Request) -> web.Response:
        """200 while the database answers; "degraded" with a backlog or a failing platform."""
        problems = self.problems()
        if not await self.db.ping():
            body = {"status": "unavailable", "database": "unreachable", "problems": problems}
            return web.json_response(body, status=503)
        try:
            async with asyncio.timeout(5.0), self.db.reading() as session:
                health = await delivery_health(
                    session, list(self.outbox.deliverers), self.clock.now()
                )
        except Exception:
            log.exception("healthz: reading the delivery state failed")
            body = {"status": "degraded", "database": "ok", "problems": problems}
            return web.json_response(body)
        status = "degraded" if health.degraded else "ok"
        return web.json_response(
            {"status": status, "database": "ok", **health.as_json(), "problems": problems}
        )


async def sweep_conversations(rt: Runtime) -> None:
    """Close flows left alone past their expiry and tell the person so."""
    flows = rt.router.conversations.flows
    async with rt.db.transaction() as session:
        expired = await take_expired(session, rt.clock.now())
        outs = [
            Outgoing(
                platform=s.platform,
                chat_type="group" if s.chat_type == "group" else "direct",
                chat_id=s.chat_id,
                text=texts.timed_out(rt.router.conversations.title_of(s.flow)),
                mentions=[s.user_id] if s.chat_type == "group" else [],
                key=f"timeout:{s.id}:{s.updated_at.isoformat()}",
                # That someone left a ballot open says where they were.
                sensitive=s.flow in flows and flows[s.flow].sensitive,
            )
            for s in expired
        ]
        await rt.send(session, outs)


def recover_inbound(ingest: Ingest) -> Job:
    async def recover(_rt: Runtime) -> None:
        await ingest.recover()

    recover.__name__ = "recover_inbound"
    return recover


def settle_heap() -> None:
    """Keep what start-up built (models, metadata, templates) out of the collector's way.

    A full collection walked it all and paused the event loop for about
    100 ms every few seconds under load: the acknowledgement p99 was those
    pauses (docs/BENCHMARKS.md, acknowledgement latency under load).
    """
    gc.collect()
    gc.freeze()


async def serve(settings: Settings) -> None:
    """Run until SIGINT/SIGTERM, then shut down cleanly."""
    app = Tongxin(settings)
    runner = web.AppRunner(app.web, handle_signals=True)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    await site.start()
    settle_heap()
    log.info("tongxin listening on http://%s:%d", settings.host, settings.port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        log.info("shutting down")
        await runner.cleanup()
