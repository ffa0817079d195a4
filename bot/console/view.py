"""What a console page handler is given, and how it answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote
from zoneinfo import ZoneInfo

import jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.auth import audit
from bot.feature import Feature
from bot.numbers import is_whole, whole, year_in
from bot.roles import Actor, Owned
from bot.runtime import Runtime


class Forbidden(Exception):
    """The viewer may not see this (another unit's page, a teacher)."""


class NotFound(Exception):
    pass


Own = TypeVar("Own", bound=Owned)


def parse_id(ref: object) -> int:
    """A numeric id from a URL (bot.numbers); anything else is a 404 page, not a crash."""
    n = whole(str(ref))
    if n is None:
        raise NotFound(ref)
    return n


def is_id(text: str) -> bool:
    """Whether `text` is an id as `parse_id` takes it (for the CLI, which has no 404)."""
    return is_whole(text)


def parse_year(ref: object) -> int:
    """A year from a URL (four ASCII digits, within YEARS); anything else is a 404 page."""
    n = year_in(str(ref))
    if n is None:
        raise NotFound(ref)
    return n


async def managed(session: AsyncSession, model: type[Own], ref: object, actor: Actor) -> Own:
    """The row of `model` numbered `ref`, when `actor` may manage it (bot.roles)."""
    found = await session.get(model, parse_id(ref))
    if found is None:
        raise NotFound(ref)
    if not actor.may_manage(found):
        raise Forbidden(ref)
    return found


def template_env(features: Sequence[Feature]) -> jinja2.Environment:
    """Templates of the console itself, and each feature's as "<feature>/<file>"."""
    own = {
        f.name: jinja2.PackageLoader(f.package, "templates") for f in features if f.has_templates
    }
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [jinja2.PackageLoader("bot.console", "templates"), jinja2.PrefixLoader(own)]
        ),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["local"] = lambda dt, fmt="%Y-%m-%d %H:%M": (
        dt.astimezone(env.globals["tz"]).strftime(fmt) if dt else ""
    )
    return env


@dataclass
class ConsoleView:
    request: web.Request
    session: AsyncSession
    actor: Actor
    runtime: Runtime
    now: datetime
    csrf: str
    form: Mapping[str, str]
    menu: list[tuple[str, str]]
    templates: jinja2.Environment
    # What follows the page's own path: /console/polls/12 gives "12".
    rest: str = ""
    # The feature whose page this is: its templates are found by their file name.
    feature: str = ""
    # Work that takes transactions of its own, run once the page's has committed.
    afterwards: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    @property
    def tz(self) -> ZoneInfo:
        return self.runtime.settings.tz

    @property
    def query(self) -> Mapping[str, str]:
        return self.request.query

    @property
    def is_post(self) -> bool:
        return self.request.method == "POST"

    def int_param(self, name: str) -> int:
        """A numeric id from the URL; anything else is a 404, not a crash."""
        return parse_id(self.rest if name == "rest" else self.query.get(name, ""))

    def render(
        self, template: str, *, title: str, status: int = 200, **values: Any
    ) -> web.Response:
        if self.feature and "/" not in template:
            template = f"{self.feature}/{template}"
        html = self.templates.get_template(template).render(
            title=title, actor=self.actor, csrf=self.csrf, menu=self.menu, now=self.now, **values
        )
        return web.Response(text=html, content_type="text/html", status=status)

    def redirect(self, path: str) -> web.Response:
        """See other, returned rather than raised: raising would roll back the page's changes."""
        return web.Response(status=303, headers={"Location": path})

    async def audit(self, action: str, detail: str = "") -> None:
        await audit(self.session, self.actor.person_id, action, detail, self.now)

    def after_commit(self, work: Callable[[], Awaitable[None]]) -> None:
        """Run `work` after the page's transaction commits, before the answer goes.

        For work in many short transactions (a large import): inside the page's
        own, on SQLite, it would wait for the write lock the page holds.
        """
        self.afterwards.append(work)


def export_url(kind: str, **params: object) -> str:
    query = "&".join(f"{k}={quote(str(v))}" for k, v in params.items())
    return f"/console/export/{kind}" + (f"?{query}" if query else "")


def xlsx_response(filename: str, content: bytes) -> web.Response:
    return web.Response(
        body=content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )
