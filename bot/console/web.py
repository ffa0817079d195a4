"""Routes of /console/: sign-in by one-time link, sessions, pages, exports.

Who is signed in, and whether a POST carries the session's CSRF token, is
decided once, by `signed_in` (aiohttp middleware), for every page and export;
the routes behind it read `request[VISITOR]` and never check again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.console import auth, deliveries
from bot.console import texts as t
from bot.console.view import ConsoleView, Forbidden, NotFound, template_env, xlsx_response
from bot.feature import Exporter, Feature, Page
from bot.roles import Actor
from bot.runtime import Runtime

log = logging.getLogger("tongxin.console")
COOKIE = "tongxin_console"
PREFIX = "/console/"
# Reached without a session: they are how one starts or ends.
OPEN_PATHS = ("/console/login", "/console/logout", "/console/download/")
# Room for a form's other fields beside a page's largest file.
FORM_FIELDS = 64 * 1024


@dataclass(frozen=True)
class Visitor:
    """The signed-in person of a console request, with what they posted."""

    actor: Actor
    csrf: str
    form: dict[str, str]


VISITOR: web.RequestKey[Visitor] = web.RequestKey("tongxin_visitor", Visitor)


class Console:
    def __init__(self, runtime: Runtime, features: Sequence[Feature]) -> None:
        self.rt = runtime
        # The console's own pages come with it; the features add theirs.
        features = [*features, deliveries.feature]
        self.pages: dict[str, Page] = {p.path: p for f in features for p in f.pages}
        self.exports: dict[str, Exporter] = {k: e for f in features for k, e in f.exports.items()}
        self.templates = template_env(features)
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

    def message(self, title: str, text: str, status: int) -> web.Response:
        html = self.templates.get_template("message.html").render(
            title=title, text=text, actor=None, menu=[]
        )
        return web.Response(text=html, content_type="text/html", status=status)

    @web.middleware
    async def signed_in(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Sign-in and CSRF for every console route but those that start or end a session."""
        path = request.path
        if not path.startswith(PREFIX) or path.startswith(OPEN_PATHS):
            return await handler(request)
        now = self.rt.clock.now()
        token = request.cookies.get(COOKIE, "")
        async with self.rt.db.reading() as session:
            found = await auth.find_session(session, token, now) if token else None
            actor = await self._actor(session, found.person_id) if found else None
        if found is None or actor is None:
            return self.message(t.SIGN_IN_TITLE, t.SIGN_IN, 401)
        form: dict[str, str] = {}
        if request.method == "POST":
            page, _ = self._page_of(path)
            allowed = request.client_max_size
            if page is not None and page.upload:
                # A page that takes files takes a larger body than the app's limit:
                # the request's own (BaseRequest.clone(client_max_size=…),
                # docs.aiohttp.org/en/stable/web_reference.html).
                request = request.clone(client_max_size=page.upload + FORM_FIELDS)
                allowed = page.upload
            if (request.content_length or 0) > request.client_max_size:
                # Said before reading any of it.
                return self.message(t.TOO_LARGE_TITLE, t.too_large(allowed), 413)
            try:
                posted = await request.post()
            except web.HTTPRequestEntityTooLarge:
                # A body without Content-Length, stopped at the limit.
                return self.message(t.TOO_LARGE_TITLE, t.too_large(allowed), 413)
            form = {k: str(v) for k, v in posted.items() if isinstance(v, str)}
            if not auth.csrf_ok(found.csrf, form.get("csrf", "")):
                return self.message(t.CSRF_TITLE, t.CSRF, 403)
        request[VISITOR] = Visitor(actor, found.csrf, form)
        return await handler(request)

    async def _actor(self, session: Any, person_id: int) -> Actor | None:
        return await auth.actor_of(session, self.rt.settings, person_id)

    async def login(self, request: web.Request) -> web.StreamResponse:
        token = request.query.get("t", "")
        now = self.rt.clock.now()
        async with self.rt.db.transaction() as session:
            link = await auth.use_link(session, token, "login", now) if token else None
            actor = await self._actor(session, link.person_id) if link else None
            if actor is None:
                return self.message(t.LINK_INVALID_TITLE, t.LINK_INVALID, 403)
            cookie = await auth.start_session(session, actor.person_id, now)
            await auth.audit(session, actor.person_id, "console.login", "", now)
        resp = web.HTTPSeeOther(PREFIX)
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
        resp = self.message(t.LOGGED_OUT_TITLE, t.LOGGED_OUT, 200)
        resp.del_cookie(COOKIE, path="/console")
        return resp

    def _view(self, request: web.Request, session: Any) -> ConsoleView:
        visitor = request[VISITOR]
        menu = [
            (f"{PREFIX}{p.path}", p.title)
            for p in self.pages.values()
            if p.menu and visitor.actor.role >= p.role
        ]
        return ConsoleView(
            request,
            session,
            visitor.actor,
            self.rt,
            self.rt.clock.now(),
            visitor.csrf,
            visitor.form,
            menu,
            self.templates,
        )

    def _session(self, request: web.Request) -> AbstractAsyncContextManager[Any]:
        """A page view only reads, and on SQLite must not queue behind message handling."""
        return self.rt.db.transaction() if request.method == "POST" else self.rt.db.reading()

    async def index(self, request: web.Request) -> web.StreamResponse:
        """The home page a feature declares at path "" (the workbench), else a list of links."""
        home = self.pages.get("")
        if home is not None:
            return await self._serve(request, home, "")
        async with self._session(request) as session:
            return self._view(request, session).render("index.html", title=t.INDEX_TITLE)

    def _page_of(self, path: str) -> tuple[Page | None, str]:
        """The page a /console/… path is served by, and what follows the page's own path."""
        path = path.removeprefix(PREFIX).strip("/")
        head, _, rest = path.partition("/")
        page = self.pages.get(path) or self.pages.get(head)
        if page is None or not page.path:
            return None, ""
        return page, rest if page.path == head else ""

    async def page(self, request: web.Request) -> web.StreamResponse:
        page, rest = self._page_of(request.match_info["path"])
        if page is None:
            return self.message(t.NOT_FOUND_TITLE, t.NOT_FOUND, 404)
        return await self._serve(request, page, rest)

    async def _serve(self, request: web.Request, page: Page, rest: str) -> web.StreamResponse:
        if request[VISITOR].actor.role < page.role:
            return self.message(t.FORBIDDEN_TITLE, t.FORBIDDEN, 403)
        async with self._session(request) as session:
            view = self._view(request, session)
            view.rest = rest
            view.feature = page.feature
            try:
                answer = await page.handler(view)
            except Forbidden:
                return self.message(t.FORBIDDEN_TITLE, t.FORBIDDEN, 403)
            except NotFound:
                return self.message(t.NOT_FOUND_TITLE, t.NOT_FOUND, 404)
        for work in view.afterwards:
            await work()
        return answer

    async def export(self, request: web.Request) -> web.StreamResponse:
        kind = request.match_info["kind"]
        async with self.rt.db.transaction() as session:
            actor = request[VISITOR].actor
            return await self._run_export(kind, session, actor, dict(request.query))

    async def download(self, request: web.Request) -> web.StreamResponse:
        now = self.rt.clock.now()
        async with self.rt.db.transaction() as session:
            link = await auth.use_link(session, request.match_info["token"], "download", now)
            actor = await self._actor(session, link.person_id) if link else None
            if link is None or actor is None:
                return self.message(t.LINK_INVALID_TITLE, t.DOWNLOAD_INVALID, 403)
            params = {str(k): str(v) for k, v in link.params.items()}
            return await self._run_export(params.pop("kind", ""), session, actor, params)

    async def _run_export(
        self, kind: str, session: Any, actor: Actor, params: dict[str, str]
    ) -> web.StreamResponse:
        exporter = self.exports.get(kind)
        if exporter is None:
            return self.message(t.NOT_FOUND_TITLE, t.NOT_FOUND, 404)
        try:
            now = self.rt.clock.now().astimezone(self.rt.settings.tz)
            filename, content = await exporter(session, actor, params, now)
        except Forbidden:
            return self.message(t.FORBIDDEN_TITLE, t.FORBIDDEN, 403)
        except NotFound:
            return self.message(t.NOT_FOUND_TITLE, t.NOT_FOUND, 404)
        await auth.audit(
            session, actor.person_id, f"export.{kind}", str(params)[:400], self.rt.clock.now()
        )
        return xlsx_response(filename, content)
