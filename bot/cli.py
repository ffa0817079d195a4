"""`tongxin …`: serve, chat, db, roster, group, person, when, and the features'
own commands (calendar, export …).

A command that needs the database first checks that it is there and
migrated (bot.dbcheck) and otherwise says so in one line; a database error
on the way is one line too, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot import cli_texts as t
from bot.cli_parser import Parser
from bot.config import ConfigError, Settings, load_settings
from bot.logs import configure

Command = Callable[[Settings, argparse.Namespace], Awaitable[int]]
# Commands that read or write the database; `chat` migrates its own, `db` makes it.
NEEDS_DATABASE = ("serve", "roster", "group")


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        settings = load_settings()
    except ConfigError as err:
        print(f"tongxin: {err}", file=sys.stderr)
        raise SystemExit(2) from None
    configure(settings.log_format, settings.log_level)
    parser, commands = _parser()
    if argv and _feature_command(argv):
        raise SystemExit(_guarded(settings, True, lambda: _run_feature(settings, argv)))
    ns = parser.parse_args(argv)
    if getattr(ns, "cmd", None) not in commands:
        parser.print_help()
        raise SystemExit(2)
    needs = ns.cmd in NEEDS_DATABASE
    raise SystemExit(_guarded(settings, needs, lambda: commands[ns.cmd](settings, ns)))


def _guarded(
    settings: Settings, needs_database: bool, command: Callable[[], Awaitable[int]]
) -> int:
    """Run a command; a database that is missing, unmigrated or failing is one line."""

    async def go() -> int:
        if needs_database:
            from bot.dbcheck import problem
            from handlers import FEATURES

            found = await problem(settings.database_url, FEATURES)
            if found is not None:
                print(f"tongxin: {found}", file=sys.stderr)
                return 2
        return await command()

    try:
        return run_loop(go())
    except KeyboardInterrupt:
        return 130
    except SQLAlchemyError as err:
        print(f"tongxin: {t.database_error(type(err).__name__)}", file=sys.stderr)
        return 1


def run_loop(main: Coroutine[Any, Any, int]) -> int:
    """Run on uvloop where it is installed (Linux): the same asyncio, a faster loop."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


def _parser() -> tuple[argparse.ArgumentParser, dict[str, Command]]:
    p = Parser(prog="tongxin", description="同心：党支部工作群助手")
    sub = p.add_subparsers(dest="cmd")
    commands: dict[str, Command] = {}

    sub.add_parser("serve", help="start the HTTP server")
    commands["serve"] = _serve

    chat = sub.add_parser("chat", help="talk to the bot in the terminal (local channel)")
    chat.add_argument("--as", dest="user", required=True, help="your user id")
    chat.add_argument("--name", default="", help="your display name")
    chat.add_argument("--group", default="", help="speak in this group chat id")
    chat.add_argument("--role", default="", help="grant yourself a role first (secretary/admin)")
    chat.add_argument("--unit", default="", help="the unit for --role secretary")
    commands["chat"] = _chat

    db = sub.add_parser("db", help="database migrations, backup and restore")
    db_sub = db.add_subparsers(dest="db_cmd", required=True)
    db_sub.add_parser("upgrade", help="apply migrations")
    back = db_sub.add_parser("backup", help="copy the database to FILE (safe while serving)")
    back.add_argument("file", type=Path)
    back_in = db_sub.add_parser("restore", help="replace the database with the backup in FILE")
    back_in.add_argument("file", type=Path)
    rev = db_sub.add_parser("revision", help="(developers) autogenerate a migration")
    rev.add_argument("message")
    rev.add_argument("--rev-id", required=True)
    rev.add_argument("--down", default=None, help="parent revision (default: the base)")
    rev.add_argument("--feature", default="", help="keep it in this feature's migrations/")
    commands["db"] = _db

    roster = sub.add_parser("roster", help="people, units and roles")
    roster_sub = roster.add_subparsers(dest="roster_cmd", required=True)
    imp = roster_sub.add_parser("import", help="load a CSV or XLSX roster")
    imp.add_argument("file", type=Path)
    imp.add_argument(
        "--platform", default="", help="wecom/dingtalk for a 通讯录 export with no 平台"
    )
    commands["roster"] = _roster

    group = sub.add_parser("group", help="groups")
    group_sub = group.add_subparsers(dest="group_cmd", required=True)
    bind = group_sub.add_parser("bind", help="attach a group to a unit and a credential")
    bind.add_argument("target", help="PLATFORM:CHAT_ID")
    bind.add_argument("--unit", default="")
    bind.add_argument("--webhook", default="", help="群机器人 webhook key / access_token")
    bind.add_argument("--secret", default="", help="钉钉自定义机器人 加签 secret (SEC…)")
    bind.add_argument("--kind", default="", help="credential kind, when not the default")
    commands["group"] = _group

    person = sub.add_parser("person", help="a person's data (PIPL): export it, or erase it")
    person_sub = person.add_subparsers(dest="person_cmd", required=True)
    exp = person_sub.add_parser("export", help="write everything held about a person to a file")
    exp.add_argument("ref", help="the person's number, or PLATFORM:USERID")
    exp.add_argument("--out", type=Path, default=None, help="FILE.json (default) or FILE.xlsx")
    era = person_sub.add_parser("erase", help="erase a person; ledgers keep their counts")
    era.add_argument("ref", help="the person's number, or PLATFORM:USERID")
    era.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    commands["person"] = _person

    when = sub.add_parser("when", help="what time the bot understands for an expression")
    when.add_argument("expr")
    when.add_argument("--now", default="", help="ISO 8601 moment to resolve against")
    commands["when"] = _when
    _feature_parsers(sub)
    return p, commands


def _feature_parsers(sub: Any) -> None:
    """The features' own commands, listed by --help (they parse their own arguments)."""
    from handlers import FEATURES

    groups: dict[str, Any] = {}
    for feature in FEATURES:
        for words, fn in sorted(feature.cli.items()):
            about = (fn.__doc__ or "").strip().partition("\n")[0].replace("`", "")
            head, _, tail = words.partition(" ")
            if not tail:
                sub.add_parser(head, help=about, add_help=False)
                continue
            if head not in groups:
                groups[head] = sub.add_parser(head, help=f"{head} …").add_subparsers(
                    dest=f"{head}_cmd", required=True
                )
            groups[head].add_parser(tail, help=about, add_help=False)


def _feature_command(argv: list[str]) -> bool:
    return bool(_find_feature_command(argv)[0])


def _find_feature_command(argv: list[str]) -> tuple[str, int]:
    from handlers import FEATURES

    names = {name for f in FEATURES for name in f.cli}
    for n in (3, 2, 1):
        words = " ".join(argv[:n])
        if len(argv) >= n and words in names:
            return words, n
    return "", 0


async def _run_feature(settings: Settings, argv: list[str]) -> int:
    from bot.app import Tongxin

    words, n = _find_feature_command(argv)
    app = Tongxin(settings)
    try:
        for feature in app.router.features:
            if words in feature.cli:
                return await feature.cli[words](app.runtime, argv[n:])
        return 2
    finally:
        await app.db.dispose()


async def _serve(settings: Settings, _ns: argparse.Namespace) -> int:
    from bot.app import serve

    await serve(settings)
    return 0


async def _db(settings: Settings, ns: argparse.Namespace) -> int:
    if ns.db_cmd in ("backup", "restore"):
        return await _backup(settings, ns.db_cmd, ns.file)
    from bot.schema import migrate, new_revision
    from handlers import FEATURES
    from storage.db import Database

    db = Database(settings.database_url)
    try:
        if ns.db_cmd == "upgrade":
            await migrate(db, FEATURES)
            print(t.UP_TO_DATE)
        else:
            await new_revision(db, FEATURES, ns.message, ns.rev_id, ns.down, ns.feature)
    finally:
        await db.dispose()
    return 0


async def _backup(settings: Settings, what: str, file: Path) -> int:
    from bot.backup import BackupError, backup, restore

    try:
        lines = await (backup if what == "backup" else restore)(settings, file)
    except BackupError as err:
        print(f"tongxin: {err}", file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    return 0


async def _roster(settings: Settings, ns: argparse.Namespace) -> int:
    from bot import roster_texts
    from bot.clock import SystemClock
    from bot.roster_file import import_in_batches, read_rows
    from storage.db import Database

    if not ns.file.is_file():
        print(f"tongxin: {t.no_file(str(ns.file))}", file=sys.stderr)
        return 2
    try:
        rows, errors = read_rows(ns.file, ns.platform)
    except ValueError as err:
        print(f"tongxin: {err}", file=sys.stderr)
        return 2
    for e in errors:
        print(roster_texts.line_error(e.line, e.reason), file=sys.stderr)
    db = Database(settings.database_url)
    try:
        # In batches: a running bot's writes wait for one batch, not the whole file.
        n = await import_in_batches(db, rows, SystemClock().now())
    finally:
        await db.dispose()
    print(roster_texts.imported(n, len(errors)))
    return 1 if errors else 0


async def _group(settings: Settings, ns: argparse.Namespace) -> int:
    from bot.clock import SystemClock
    from storage.db import Database
    from storage.people import CREDENTIAL_KINDS, bind_group, mask_secret, unit_by_name

    platform, _, chat_id = ns.target.partition(":")
    if platform not in ("wecom", "dingtalk", "local") or not chat_id:
        print(f"tongxin: {t.BAD_TARGET}", file=sys.stderr)
        return 2
    credential = None
    if ns.webhook:
        kind = ns.kind or CREDENTIAL_KINDS.get(platform, "")
        if not kind:
            print(f"tongxin: {t.KIND_NEEDED}", file=sys.stderr)
            return 2
        credential = (kind, ns.webhook, ns.secret)
    db = Database(settings.database_url)
    try:
        async with db.transaction() as session:
            unit_id = None
            if ns.unit:
                unit = await unit_by_name(session, ns.unit)
                if unit is None:
                    print(f"tongxin: {t.no_unit(ns.unit)}", file=sys.stderr)
                    return 2
                unit_id = unit.id
            await bind_group(session, platform, chat_id, unit_id, credential, SystemClock().now())
    finally:
        await db.dispose()
    shown = t.credential(credential[0], mask_secret(credential[1])) if credential else ""
    print(t.bound(f"{platform}:{chat_id}", ns.unit, shown))
    return 0


async def _person(settings: Settings, ns: argparse.Namespace) -> int:
    from bot.person_data.cli import erase_command, export_command
    from handlers import FEATURES

    if ns.person_cmd == "export":
        return await export_command(settings, FEATURES, ns.ref, ns.out)
    return await erase_command(settings, FEATURES, ns.ref, ns.yes)


async def _when(settings: Settings, ns: argparse.Namespace) -> int:
    from schedules.timeparse import TimeParseError, parse_span

    tz = settings.tz
    try:
        now = datetime.fromisoformat(ns.now) if ns.now else datetime.now(tz)
    except ValueError:
        print(f"tongxin: {t.BAD_NOW}{ns.now!r}", file=sys.stderr)
        return 2
    if now.tzinfo is None:
        now = now.replace(tzinfo=tz)
    try:
        span = parse_span(ns.expr, now, tz=tz)
    except TimeParseError as err:
        print(err.reason, file=sys.stderr)
        return 2
    # A range prints as an ISO 8601 interval, start/end; what the bot would
    # add to its echo (a skipped year, an estimated holiday) goes to stderr.
    print(span.iso())
    for note in dict.fromkeys(w.note for w in (span.start, span.end) if w and w.note):
        print(note, file=sys.stderr)
    return 0


async def _chat(settings: Settings, ns: argparse.Namespace) -> int:
    from bot.repl import run_repl

    return await run_repl(settings, ns.user, ns.name, ns.group, ns.role, ns.unit)
