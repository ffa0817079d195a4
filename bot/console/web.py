"""Routes of /console/: sign-in by one-time link, sessions, pages, exports."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from aiohttp import web

from bot.console import auth, deliveries
from bot.console import texts as t
from bot.console.view import ConsoleView, Forbidden, NotFound, template_env, xlsx_response
from bot.feature import Exporter, Feature, Page
from bot.roles import Actor
from bot.runtime import Runtime

log = logging.getLogger("tongxin.console")
COOKIE = "tongxin_console"


class Console:
    def __init__(self, runtime: Runtime, features: Sequence[Feature]) -> None:
        self.rt = runtime
        # The console's own pages come with it; the features add theirs.
        features = [*features, deliveries.feature]
        self.pages: dict[str, Page] = {p.path: p for f in features for p in f.pages}
        self.exports: dict[str, Exporter] = {k: e for f in features for k, e in f.exports.items()}
        self.templates = template_env()
        self.templates.globals["tz"] = runtime.settings.tz

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/console/login", self.login),
            web.get("/console/logout", self.logout),
            web.get("/console/download/{token}", self.download),
            web.get("/console/export/{kind}", self.export),
            web.get("/console/", self.index),
            web.get("/console/{path:.+}", self.page),
            web.post("/console/{path:.+}", self.page),
        ]

    @property
    def secure(self) -> bool:
        return self.rt.settings.public_url.startswith("https://")

    def _message(self, title: str, text: str, status: int) -> web.Response:
        html = self.templates.get_template("message.html").render(
            title=title, text=text, actor=None, menu=[]
        )
        return web.Response(text=html, content_type="text/html", status=status)

    async def _actor(self, session: Any, person_id: int) -> Actor | None:
        return await auth.actor_of(session, self.rt.settings, person_id)

    async def login(self, request: web.Request) -> web.StreamResponse:
        token = request.query.get("t", "")
        now = self.rt.clock.now()
        async with self.rt.db.transaction() as session:
            link = await auth.use_link(session, token, "login", now) if token else None
            actor = await self._actor(session, link.person_id) if link else None
            if actor is None:
                return self._message(t.LINK_INVALID_TITLE, t.LINK_INVALID, 403)
            cookie = await auth.start_session(session, actor.person_id, now)
            await auth.audit(session, actor.person_id, "console.login", "", now)
        resp = web.HTTPSeeOther("/console/")
        resp.set_cookie(
            COOKIE,
            cookie,
            max_age=int(auth.SESSION_TTL.total_seconds()),
            path="/console",
            httponly=True,
            samesite="Strict",
            secure=self.secure,
        )
        raise resp

    async def logout(self, request: web.Request) -> web.StreamResponse:
        token = request.cookies.get(COOKIE, "")
        if token:
            async with self.rt.db.transaction() as session:
                await auth.end_session(session, token)
        resp = self._message(t.LOGGED_OUT_TITLE, t.LOGGED_OUT, 200)
        resp.del_cookie(COOKIE, path="/console")
        return resp

    async def _view(self, request: web.Request, session: Any) -> ConsoleView | web.Response:
        now = self.rt.clock.now()
        token = request.cookies.get(COOKIE, "")
        found = await auth.find_session(session, token, now) if token else None
        actor = await self._actor(session, found.person_id) if found else None
        if found is None or actor is None:
            return self._message(t.SIGN_IN_TITLE, t.SIGN_IN, 401)
        form: dict[str, str] = {}
        if request.method == "POST":
            posted = await request.post()
            form = {k: str(v) for k, v in posted.items() if isinstance(v, str)}
            if not auth.csrf_ok(found.csrf, form.get("csrf", "")):
                return self._message(t.CSRF_TITLE, t.CSRF, 403)
        menu = [
            (f"/console/{p.path}", p.title)
            for p in self.pages.values()
            if p.menu and actor.role >= p.role
        ]
        return ConsoleView(
            request, session, actor, self.rt, now, found.csrf, form, menu, self.templates
        )

    def _session(self, request: web.Request) -> AbstractAsyncContextManager[Any]:
        """A page view only reads, and on SQLite must not queue behind message handling."""
        return self.rt.db.transaction() if request.method == "POST" else self.rt.db.reading()

    async def index(self, request: web.Request) -> web.StreamResponse:
        async with self._session(request) as session:
            view = await self._view(request, session)
            if isinstance(view, web.Response):
                return view
            return view.render("index.html", title=t.INDEX_TITLE)

    async def page(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"].strip("/")
        head, _, rest = path.partition("/")
        page = self.pages.get(path) or self.pages.get(head)
        async with self._session(request) as session:
            view = await self._view(request, session)
            if isinstance(view, web.Response):
                return view
            if page is None:
                return self._message(t.NOT_FOUND_TITLE, t.NOT_FOUND, 404)
            if view.actor.role < page.role:
                return self._message(t.FORBIDDEN_TITLE, t.FORBIDDEN, 403)
            view.rest = rest
            try:
                return await page.handler(view)
            except Forbidden:
                return self._message(t.FORBIDDEN_TITLE, t.FORBIDDEN, 403)
            except NotFound:
                return self._message(t.NOT_FOUND_TITLE, t.NOT_FOUND, 404)

    async def export(self, request: web.Request) -> web.StreamResponse:
        kind = request.match_info["kind"]
        async with self.rt.db.transaction() as session:
            view = await self._view(request, session)
            if isinstance(view, web.Response):
                return view
            return await self._run_export(kind, session, view.actor, dict(request.query))

    async def download(self, request: web.Request) -> web.StreamResponse:
        now = self.rt.clock.now()
        async with self.rt.db.transaction() as session:
            link = await auth.use_link(session, request.match_info["token"], "download", now)
            actor = await self._actor(session, link.person_id) if link else None
            if link is None or actor is None:
                return self._message(t.LINK_INVALID_TITLE, t.DOWNLOAD_INVALID, 403)
            params = {str(k): str(v) for k, v in link.params.items()}
            return await self._run_export(params.pop("kind", ""), session, actor, params)

    async def _run_export(
        self, kind: str, session: Any, actor: Actor, params: dict[str, str]
    ) -> web.StreamResponse:
        exporter = self.exports.get(kind)
        if exporter is None:
            return self._message(t.NOT_FOUND_TITLE, t.NOT_FOUND, 404)
        try:
            now = self.rt.clock.now().astimezone(self.rt.settings.tz)
            filename, content = await exporter(session, actor, params, now)
        except Forbidden:
            return self._message(t.FORBIDDEN_TITLE, t.FORBIDDEN, 403)
        except NotFound:
            return self._message(t.NOT_FOUND_TITLE, t.NOT_FOUND, 404)
        await auth.audit(
            session, actor.person_id, f"export.{kind}", str(params)[:400], self.rt.clock.now()
        )
        return xlsx_response(filename, content)
