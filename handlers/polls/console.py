"""The console's poll pages: the list, results as charts, the 测评 grid, closing, XLSX.

A page shows counts exactly when chat would show them to the poll's owner
(`polls_results.counts_visible`), and never a voter beside a choice: the
pages show numbers only, for named polls too; who chose what in a named poll
is in its XLSX, as in the CLI export.
"""

from __future__ import annotations

from datetime import datetime

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.svg import Bar, bar_chart
from bot.console.view import ConsoleView, Forbidden, export_url, managed
from bot.roles import Actor
from handlers.polls import feature
from handlers.polls import results as polls_results
from handlers.polls import texts as t
from storage.polls import Poll, counts_of, lock_poll, polls_of
from storage.polls_results import PollResults, poll_results

LISTED = 100


def _charts(res: PollResults) -> list[tuple[str, object]]:
    return [
        (
            item.label,
            bar_chart(
                [Bar(o.label, o.count, o.percent) for o in item.options],
                title=t.chart_title(item.label),
                unit=t.VOTES,
            ),
        )
        for item in res.items
    ]


@feature.page("polls", t.LIST_TITLE)
async def polls_page(view: ConsoleView) -> web.StreamResponse:
    if view.rest:
        return await _poll(view, view.int_param("rest"))
    actor = view.actor
    polls = await polls_of(view.session, actor.scope, actor.person_id, LISTED)
    tallies = await counts_of(view.session, [p.id for p in polls])
    rows = [(poll, *tallies[poll.id]) for poll in polls]
    return view.render("polls_list.html", title=t.LIST_TITLE, t=t, kinds=t.KIND_NAMES, rows=rows)


async def _poll(view: ConsoleView, poll_id: int) -> web.StreamResponse:
    poll = await managed(view.session, Poll, poll_id, view.actor)
    # The box is `required` in the form; checked here too, for a browser that ignores it.
    if view.is_post and view.form.get("action") == "close" and view.form.get("confirm") == "1":
        return await _close(view, poll.id)
    res = await poll_results(view.session, poll.id)
    assert res is not None
    shown = polls_results.counts_visible(poll, owner=True)
    return view.render(
        "poll.html",
        title=t.poll_title(poll.title, poll.id),
        t=t,
        poll=poll,
        res=res,
        kind=t.KIND_NAMES[poll.kind],
        shown=shown,
        hidden=t.hidden(poll.visibility, poll.anonymous),
        few=t.few_voters(res.voted, polls_results.MIN_ANONYMOUS)
        if polls_results.few_voters(res)
        else "",
        participation=bar_chart(
            [Bar(t.VOTED, res.voted, res.participation)], title=t.PARTICIPATION, unit=t.PEOPLE
        ),
        charts=_charts(res) if shown else [],
        download=export_url("poll", id=poll.id) if shown else "",
    )


async def _close(view: ConsoleView, poll_id: int) -> web.StreamResponse:
    poll = await lock_poll(view.session, poll_id, lock=True)
    assert poll is not None
    if poll.is_open:
        await view.runtime.send(
            view.session, await polls_results.close(view.session, poll, view.now)
        )
        await view.audit("poll.close", f"#{poll.id} {poll.title}")
    return view.redirect(f"/console/polls/{poll.id}")


@feature.export("poll")
async def export_poll(
    session: AsyncSession, actor: Actor, params: dict[str, str], now: datetime
) -> tuple[str, bytes]:
    ref = params.get("id", "")
    poll = await managed(session, Poll, ref, actor)
    # The file holds the counts: it follows the same rule as the page.
    if not polls_results.counts_visible(poll, owner=True):
        raise Forbidden(ref)
    content = await polls_results.build_poll_export(session, poll.id)
    assert content is not None
    return t.export_filename(poll.id), content
