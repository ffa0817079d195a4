"""How a feature declares itself: commands, bare keywords, flows, jobs, hooks.

A feature module builds one `Feature` and the router does the rest:

    feature = Feature("checkin")
    checkin = feature.command("checkin", "签到", help="会议签到")

    @checkin.sub("start", "发起", role=Role.SECRETARY, help="发起签到",
                 keywords={"截止": "until"})
    async def start(ctx: Context, args: Args) -> None: ...
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib.resources import files
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

from bot.anonymous import Anonymous
from bot.args import Args
from bot.context import Context
from bot.roles import Role
from bot.timers import R, Timer

if TYPE_CHECKING:
    from aiohttp import web
    from pydantic import BaseModel
    from sqlalchemy.ext.asyncio import AsyncSession
    from sqlalchemy.orm import QueryableAttribute

    from bot.console.view import ConsoleView
    from bot.conversation import Flow
    from bot.person_data import Erased, Section, Subject
    from bot.roles import Actor
    from bot.runtime import Runtime
    from bot.timers import JobContext

Handler = Callable[[Context, Args], Awaitable[None]]
KeywordHandler = Callable[[Context, str], Awaitable[bool]]
PhraseHandler = Callable[[Context, re.Match[str]], Awaitable[bool]]
Job = Callable[["Runtime"], Awaitable[None]]
E = TypeVar("E")
D = TypeVar("D", bound="BaseModel")
Listener = Callable[["JobContext", Any], Awaitable[None]]
# A `tongxin …` sub-command a feature adds: (runtime, remaining argv) -> exit code.
CliCommand = Callable[["Runtime", list[str]], Awaitable[int]]
PageHandler = Callable[["ConsoleView"], Awaitable["web.StreamResponse"]]
# An export: (read session, who asks, parameters, now in the bot's time zone) ->
# (file name, XLSX bytes). It checks the asker's scope itself and raises
# bot.console.view.Forbidden.
Exporter = Callable[
    ["AsyncSession", "Actor", dict[str, str], datetime], Awaitable[tuple[str, bytes]]
]
# What a feature holds about a person (bot.person_data): its sections of an
# export, and the erasure of it in the caller's transaction.
PersonExport = Callable[["AsyncSession", "Subject"], Awaitable[list["Section"]]]
PersonErase = Callable[["AsyncSession", "Subject"], Awaitable[list["Erased"]]]


@dataclass
class PersonData:
    export: PersonExport
    erase: PersonErase
    # The columns that hold or name a person which this pair exports and erases
    # (bot.person_data.coverage checks that every such column has a pair).
    covers: tuple[QueryableAttribute[Any], ...]


@dataclass
class Page:
    """A console page under /console/<path>, listed in the menu when `menu` is set."""

    path: str
    title: str
    handler: PageHandler
    role: Role
    menu: bool
    # The feature whose templates/ folder the page's templates come from.
    feature: str
    # The largest file a POST to the page may carry, in bytes (0: the app's 1 MB for
    # the whole request).
    upload: int = 0


@dataclass
class Sub:
    names: tuple[str, ...]
    handler: Handler
    help: str
    role: Role
    keywords: dict[str, str]
    # One-line forms with their arguments, shown by `/帮助 <command>`.
    examples: tuple[str, ...] = ()


@dataclass
class Command:
    name: str
    zh: str
    help: str
    role: Role
    aliases: tuple[str, ...] = ()
    subs: list[Sub] = field(default_factory=list)
    default: Sub | None = None
    keywords: dict[str, str] = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, self.zh, *self.aliases)

    def sub(
        self,
        name: str,
        zh: str,
        *,
        help: str,
        role: Role | None = None,
        aliases: tuple[str, ...] = (),
        keywords: dict[str, str] | None = None,
        examples: tuple[str, ...] = (),
    ) -> Callable[[Handler], Handler]:
        """Declare `/cmd name` and `/中文 zh` as one sub-command."""

        def register(fn: Handler) -> Handler:
            self.subs.append(
                Sub(
                    (name, zh, *aliases),
                    fn,
                    help,
                    self.role if role is None else role,
                    keywords or {},
                    examples,
                )
            )
            return fn

        return register

    def bare(
        self, *, role: Role | None = None, keywords: dict[str, str] | None = None
    ) -> Callable[[Handler], Handler]:
        """The handler for the command with no (or an unknown) sub-command word."""

        def register(fn: Handler) -> Handler:
            self.default = Sub(
                (), fn, self.help, self.role if role is None else role, keywords or {}
            )
            return fn

        return register

    def find_sub(self, word: str) -> Sub | None:
        word = word.lower()
        for sub in self.subs:
            if word in (n.lower() for n in sub.names):
                return sub
        return None


@dataclass
class Keyword:
    words: tuple[str, ...]
    handler: KeywordHandler


@dataclass
class Phrase:
    """A whole message the way people say it ("我签到", "投1"), as a pattern."""

    pattern: re.Pattern[str]
    handler: PhraseHandler


@dataclass
class Feature:
    name: str
    # The feature's package (its __name__): its templates/ folder holds its pages'
    # templates, which the console names "<feature name>/<file>", and its
    # migrations/ folder, if any, its own migrations.
    package: str = ""
    # The modules that declare its tables (storage/<feature>.py or its own models.py).
    models: tuple[ModuleType, ...] = ()
    commands: list[Command] = field(default_factory=list)
    keywords: list[Keyword] = field(default_factory=list)
    phrases: list[Phrase] = field(default_factory=list)
    flows: list[Flow[Any]] = field(default_factory=list)
    jobs: list[tuple[timedelta, Job]] = field(default_factory=list)
    timers: list[Timer[Any]] = field(default_factory=list)
    listeners: dict[type, list[Listener]] = field(default_factory=dict)
    cli: dict[str, CliCommand] = field(default_factory=dict)
    pages: list[Page] = field(default_factory=list)
    exports: dict[str, Exporter] = field(default_factory=dict)
    holdings: list[PersonData] = field(default_factory=list)
    anonymous_kinds: list[Anonymous[Any]] = field(default_factory=list)

    @property
    def has_templates(self) -> bool:
        return bool(self.package) and files(self.package).joinpath("templates").is_dir()

    @property
    def migrations(self) -> Path | None:
        """The folder of the feature's own migrations, when it has one."""
        if not self.package:
            return None
        folder = Path(str(files(self.package).joinpath("migrations")))
        return folder if folder.is_dir() else None

    def command(
        self,
        name: str,
        zh: str,
        *,
        help: str,
        role: Role = Role.TEACHER,
        aliases: tuple[str, ...] = (),
    ) -> Command:
        cmd = Command(name, zh, help, role, aliases)
        self.commands.append(cmd)
        return cmd

    def keyword(self, *words: str) -> Callable[[KeywordHandler], KeywordHandler]:
        """A bare word (`签到`, `请假 …`) the feature may claim; return False to pass."""

        def register(fn: KeywordHandler) -> KeywordHandler:
            self.keywords.append(Keyword(words, fn))
            return fn

        return register

    def phrase(self, pattern: str) -> Callable[[PhraseHandler], PhraseHandler]:
        """A whole message matching `pattern` (fullmatch) the feature may claim.

        The handler gets the match and returns False to pass. Phrases are
        tried before bare keywords, in the order features declare them.
        """

        def register(fn: PhraseHandler) -> PhraseHandler:
            self.phrases.append(Phrase(re.compile(pattern), fn))
            return fn

        return register

    def flow(self, flow: Flow[D]) -> Flow[D]:
        self.flows.append(flow)
        return flow

    def every(self, interval: timedelta) -> Callable[[Job], Job]:
        """A periodic job; the app's ticker runs it, tests call `run_jobs()`."""

        def register(fn: Job) -> Job:
            self.jobs.append((interval, fn))
            return fn

        return register

    def timer(
        self, kind: str, *, ref: type[R], grace: bool = False, push: bool = False
    ) -> Timer[R]:
        """Work done at a time, once per row: set with `.set`, handled by `@….handler`.

        `grace`: a row found due long after its time is missed, not done (a
        reminder). `push`: its messages go to people and wait out quiet hours.
        """
        timer = Timer(kind, ref, grace=grace, push=push)
        self.timers.append(timer)
        return timer

    def anonymous(self, name: str, model: type[D]) -> Anonymous[D]:
        """Content written apart from its author's message (bot.anonymous):
        `await kind.submit(ctx, data)`, written by `@kind.writer`."""
        kind = Anonymous(name, model)
        self.anonymous_kinds.append(kind)
        return kind

    def on(
        self, event: type[E]
    ) -> Callable[[Callable[[JobContext, E], Awaitable[None]]], Callable[..., Any]]:
        """Answer an event another feature announces (bot.events)."""

        def register(fn: Callable[[JobContext, E], Awaitable[None]]) -> Callable[..., Any]:
            self.listeners.setdefault(event, []).append(fn)
            return fn

        return register

    def cli_command(self, words: str) -> Callable[[CliCommand], CliCommand]:
        """Add `tongxin WORDS …` (e.g. "export checkins", "holidays load")."""

        def register(fn: CliCommand) -> CliCommand:
            self.cli[words] = fn
            return fn

        return register

    def page(
        self,
        path: str,
        title: str,
        *,
        role: Role = Role.SECRETARY,
        menu: bool = True,
        upload: int = 0,
    ) -> Callable[[PageHandler], PageHandler]:
        """A web console page; GET and POST (with a checked CSRF token) both reach it.

        `upload`: the largest file (bytes) a POST may carry; a larger one is answered
        with a page saying so.
        """

        def register(fn: PageHandler) -> PageHandler:
            self.pages.append(Page(path.strip("/"), title, fn, role, menu, self.name, upload))
            return fn

        return register

    def export(self, kind: str) -> Callable[[Exporter], Exporter]:
        """An XLSX export, served at /console/export/<kind>?… and by one-time chat links."""

        def register(fn: Exporter) -> Exporter:
            self.exports[kind] = fn
            return fn

        return register

    def person_data(
        self,
        *,
        export: PersonExport,
        erase: PersonErase,
        covers: Iterable[QueryableAttribute[Any]],
    ) -> None:
        """Declare what the feature holds about a person, for `tongxin person export`
        and `tongxin person erase` (bot.person_data says what each must do), and
        the columns holding or naming a person that the pair handles
        (`covers=(Note.person_id,)`; bot.person_data.coverage)."""
        self.holdings.append(PersonData(export, erase, tuple(covers)))
