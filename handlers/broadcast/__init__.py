"""/广播: an admin sends one notice to many groups, after seeing it and confirming.

On confirm the broadcast's record and one outbox row per group commit in the
message's own transaction, each row keyed `broadcast:<id>:<platform>:<chat_id>`,
so the outbox delivers each group's copy once, within the platform's limits,
and picks up where it stood after a restart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel

from bot.args import Args
from bot.context import Context
from bot.conversation import Confirm, Flow
from bot.feature import Feature
from bot.messages import Incoming, Outgoing, normalize_text
from bot.numbers import whole
from bot.outbox import enqueue
from bot.roles import Role
from bot.roster_file import PLATFORM_WORDS
from handlers.broadcast import texts as t
from schedules.timeparse import When, format_when
from storage import broadcast as broadcast_tables
from storage import broadcast as store
from storage.people import unit_by_name

FLOW = "broadcast.send"
# Bytes per text message, where a platform caps it (PROTOCOLS.md: WeCom ≤2048 B).
MAX_BYTES = {"wecom": 2048}
# Rows per INSERT: PostgreSQL takes at most 32767 parameters in one statement.
CHUNK = 500
SHOWN = 10
EXCERPT = 30
REASON = 120

feature = Feature("broadcast", __name__, models=(broadcast_tables,))
broadcast_cmd = feature.command("broadcast", "广播", help=t.HELP, role=Role.ADMIN)

# Options lead the text; what follows the last one is the notice, line breaks
# and all, so a notice may say "单位" anywhere after its first word.
_OPTION = re.compile(
    r"\s*(?:--(?P<en>unit|platform|groups?)(?:=|\s+)|(?P<zh>单位|平台|群)(?::\s*|\s+))(?P<value>\S+)"
)
_OPTION_NAMES = {
    "unit": "unit",
    "单位": "unit",
    "platform": "platform",
    "平台": "platform",
    "group": "groups",
    "groups": "groups",
    "群": "groups",
}
_CREDENTIAL_PARAM = re.compile(
    r"(?i)\b(key|access_token|accesstoken|secret|sign|signature|token)=[^&\s\"']+"
)


@dataclass
class Request:
    text: str
    units: list[str]
    platform: str
    groups: list[str]


def parse_request(raw: str) -> Request:
    req = Request(text="", units=[], platform="", groups=[])
    pos = 0
    while m := _OPTION.match(raw, pos):
        name = _OPTION_NAMES[m["en"] or m["zh"]]
        values = [v for v in m["value"].split(",") if v]
        if name == "unit":
            req.units += values
        elif name == "platform":
            req.platform = PLATFORM_WORDS.get(m["value"].lower(), m["value"].lower())
        else:
            req.groups += values
        pos = m.end()
    req.text = raw[pos:].strip()
    return req


def verbatim(incoming: Incoming, body: str) -> str:
    """`body`, a tail of the normalised text, as the admin typed it (full-width ，：、 kept).

    The words before it are counted in the normalised text and skipped in the
    raw one (one more when a leading @-mention was stripped); if the raw tail
    does not normalise back to `body`, the normalised body is what goes out.
    """
    raw = incoming.raw_text.replace("\r\n", "\n")
    if not raw or not body:
        return body
    lead = len(incoming.text[: len(incoming.text) - len(body)].split())
    for skip in (lead, lead + 1):
        m = re.match(rf"\s*(?:\S+\s+){{{skip}}}", raw)
        if m and normalize_text(raw[m.end() :]) == body:
            return raw[m.end() :].strip()
    return body


def describe(req: Request) -> str:
    parts = []
    if req.units:
        parts.append(t.unit_scope(req.units))
    if req.platform:
        parts.append(t.platform_scope(req.platform))
    if req.groups:
        parts.append(t.groups_scope(req.groups))
    return "；".join(parts) or t.ALL_GROUPS


def _reachable(
    ctx: Context, groups: list[store.GroupRef]
) -> tuple[list[store.GroupRef], list[str]]:
    """The groups on platforms this process delivers to, and the platforms it does not."""
    on = ctx.runtime.outbox.deliverers
    off = sorted({g.platform for g in groups if g.platform not in on})
    return [g for g in groups if g.platform in on], off


@broadcast_cmd.bare()
async def start(ctx: Context, args: Args) -> None:
    req = parse_request(args.text)
    req.text = verbatim(ctx.incoming, req.text)
    scope = describe(req)
    # "/广播 单位" with nothing after it is a half-written option, not a notice.
    if not req.text or req.text.lower().lstrip("-") in _OPTION_NAMES:
        ctx.reply(t.empty_body(scope) if scope != t.ALL_GROUPS else t.USAGE)
        return
    unit_ids: list[int] = []
    missing = []
    for name in req.units:
        unit = await unit_by_name(ctx.session, name)
        if unit is None:
            missing.append(name)
        else:
            unit_ids.append(unit.id)
    if missing:
        ctx.reply(t.unknown_units(missing))
        return
    if req.platform:
        known = await store.known_platforms(ctx.session)
        if req.platform not in known:
            ctx.reply(t.unknown_platform(req.platform, known))
            return
    target = store.Target(tuple(unit_ids), req.platform, tuple(req.groups))
    found = await store.target_groups(ctx.session, target)
    named = {g.chat_id for g in found} | {g.title for g in found}
    absent = [c for c in req.groups if c not in named]
    if absent:
        ctx.reply(t.unknown_groups(absent))
        return
    groups, off_platforms = _reachable(ctx, found)
    if not groups:
        ctx.reply(t.no_groups(scope))
        return
    size = len(req.text.encode())
    for platform in sorted({g.platform for g in groups}):
        limit = MAX_BYTES.get(platform)
        if limit is not None and size > limit:
            ctx.reply(t.too_long(platform, size, limit))
            return
    data = Pending(
        text=req.text,
        scope=scope,
        unit_ids=unit_ids,
        platform=req.platform,
        groups=req.groups,
        count=len(groups),
        off=len(found) - len(groups),
        off_platforms=off_platforms,
    )
    await ctx.start(confirm_flow, data)


class Pending(BaseModel):
    """A broadcast written and waiting for its sender's confirmation."""

    text: str
    scope: str
    unit_ids: list[int]
    platform: str
    groups: list[str]
    count: int
    off: int
    off_platforms: list[str]
    confirm: bool | None = None


def _preview(ctx: Context, data: Pending) -> str:
    return t.preview(data.text, data.scope, data.count, data.off, data.off_platforms)


async def _send(ctx: Context, data: Pending) -> None:
    # The groups are chosen again: one may have been bound or added since the preview.
    target = store.Target(tuple(data.unit_ids), data.platform, tuple(data.groups))
    groups, _ = _reachable(ctx, await store.target_groups(ctx.session, target))
    if not groups:
        ctx.reply(t.no_groups(data.scope))
        return
    row = await store.record(
        ctx.session,
        text=data.text,
        scope=data.scope[: store.SCOPE_CHARS],
        group_count=len(groups),
        by=ctx.actor.key,
        by_name=ctx.actor.name[: store.NAME_CHARS],
        now=ctx.now,
    )
    batch = store.batch_name(row.id)
    outs = [
        Outgoing.group(
            g.platform,
            g.chat_id,
            row.text,
            key=store.message_key(row.id, g.platform, g.chat_id),
            batch=batch,
        )
        for g in groups
    ]
    for i in range(0, len(outs), CHUNK):
        await enqueue(ctx.session, outs[i : i + CHUNK], ctx.now)
    ctx.reply(t.started(row.id, len(groups)))


confirm_flow = feature.flow(
    Flow(FLOW, t.TITLE, Pending, steps=[Confirm("confirm", _preview)], on_done=_send)
)


def _when(ctx: Context, row: store.Broadcast) -> str:
    return format_when(When(row.created_at.astimezone(ctx.tz), True), ctx.local_now)


def _excerpt(text: str) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= EXCERPT else one_line[:EXCERPT] + "…"


def redact(reason: str, secrets: list[str]) -> str:
    """An error as an admin may read it: no webhook key, token or signing secret."""
    for secret in secrets:
        reason = reason.replace(secret, "***")
    reason = _CREDENTIAL_PARAM.sub(lambda m: f"{m[1]}=***", reason)
    return reason if len(reason) <= REASON else reason[:REASON] + "…"


@broadcast_cmd.sub("status", "状态", help=t.HELP_STATUS, aliases=("进度",))
async def status(ctx: Context, args: Args) -> None:
    ref = args.first.lstrip("#")
    n = whole(ref) if ref else None
    if ref and n is None:
        ctx.reply(t.STATUS_USAGE)
        return
    row = await store.get(ctx.session, n)
    if row is None:
        ctx.reply(t.unknown_broadcast(n) if n is not None else t.NO_BROADCASTS)
        return
    p = await store.progress(ctx.session, row.id, show=SHOWN)
    lines = [
        t.status_head(
            row.id,
            row.created_by_name or row.created_by,
            _when(ctx, row),
            row.scope,
            row.group_count,
            _excerpt(row.text),
        ),
        t.status_counts(p.sent, p.pending, p.retrying, p.failed),
    ]
    if not p.pending and not p.failed:
        lines.append(t.status_done())
    open_groups = [*p.failed_groups, *p.pending_groups]
    secrets = await store.secrets_of(ctx.session, [(u.platform, u.chat_id) for u in open_groups])
    for header, shown, count in (
        (t.FAILED_HEADER, p.failed_groups, p.failed),
        (t.PENDING_HEADER, p.pending_groups, p.pending),
    ):
        if not shown:
            continue
        lines.append(header)
        for u in shown:
            reason = redact(u.error, secrets)
            if u.state != "failed" and u.attempts:
                reason = t.retry_reason(u.attempts, reason)
            lines.append(t.group_line(u.title, u.platform, u.chat_id, reason))
        if count > len(shown):
            lines.append(t.more(count - len(shown)))
    ctx.reply("\n".join(lines))


@broadcast_cmd.sub("list", "记录", help=t.HELP_LIST, aliases=("history",))
async def history(ctx: Context, args: Args) -> None:
    rows = await store.recent(ctx.session)
    if not rows:
        ctx.reply(t.NO_BROADCASTS)
        return
    lines = [t.HISTORY_HEADER]
    for row in rows:
        who = row.created_by_name or row.created_by
        lines.append(
            t.history_line(
                row.id, _when(ctx, row), who, row.scope, row.group_count, _excerpt(row.text)
            )
        )
    ctx.reply("\n".join(lines))


from handlers.broadcast import person_data  # noqa: E402, F401  (registers its hook)
