"""/console/supervision: one row per unit, a column per cadence, sortable; the trend; XLSX.

An admin sees every branch (units that are schools above branches are left
out); a secretary sees their own units. Sorting and the "behind only" filter
are links, so the page needs no JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.svg import Point, trend_chart
from bot.console.view import ConsoleView, export_url
from bot.console.xlsx import table_xlsx
from bot.numbers import whole
from bot.roles import Actor
from bot.standing import Standing, monthly_attendance
from handlers.supervision import feature, kinds, unit
from handlers.supervision import texts as t
from handlers.supervision.figures import figures, this_period, units_in_view, year_of
from storage.supervision import Cadence

SORTS = ("name", "attendance", "missed")


def _ratio(row: Standing, cadence_id: int) -> float:
    cell = next(c for c in row.cells if c.cadence.id == cadence_id)
    return cell.held_year / cell.expected_year if cell.expected_year else 1.0


def _sorter(sort: str) -> Callable[[Standing], Any]:
    if sort == "attendance":
        return lambda r: (r.attendance is None, r.attendance or 0.0, r.name)
    if sort == "missed":
        return lambda r: (r.missed, r.name)
    if sort.startswith("c") and (cadence_id := whole(sort[1:])) is not None:
        return lambda r: (_ratio(r, cadence_id), r.name)
    return lambda r: r.name


# One table row as plain values: hundreds of rows render quickest from tuples.
Line = tuple[int, str, bool, list[tuple[str, str, str, int]], str, str, int]


def line_of(r: Standing) -> Line:
    cells: list[tuple[str, str, str, int]] = [
        (
            c.status,
            f"{c.held_now}/{c.expected_now}",
            t.cell_year(c.held_year, c.expected_year),
            len(c.missed),
        )
        for c in r.cells
    ]
    shown = "" if r.attendance is None else f"{r.attendance:.1f}"
    return (r.unit_id, r.name, r.behind, cells, t.percent(r.attendance), shown, r.missed)


def sort_rows(rows: list[Standing], kinds: list[Cadence], sort: str, desc: bool) -> list[Standing]:
    known = {*SORTS, *(f"c{k.id}" for k in kinds)}
    return sorted(rows, key=_sorter(sort if sort in known else "name"), reverse=desc)


@feature.page("supervision", t.TITLE)
async def supervision_page(view: ConsoleView) -> web.StreamResponse:
    if view.rest == "kinds":
        return await kinds.kinds_page(view)
    if view.rest:
        return await unit.unit_page(view, view.int_param("rest"))
    now = view.now.astimezone(view.tz)
    year = year_of(view.query.get("year", ""), now.date())
    units = await units_in_view(view.session, view.actor)
    f = await figures(view.session, view.actor, units, year, now)
    sort = view.query.get("sort", "name")
    desc = view.query.get("dir", "") == "desc"
    behind_only = view.query.get("behind") == "1"
    rows = sort_rows(f.rows, f.kinds, sort, desc)
    shown = [r for r in rows if r.behind] if behind_only else rows
    # The trend of the units in view (a secretary's: theirs).
    trend = monthly_attendance(f.counts, {r.unit_id for r in f.rows})
    return view.render(
        "supervision.html",
        title=t.TITLE,
        heading=t.title_year(year),
        t=t,
        f=f,
        lines=[line_of(r) for r in shown],
        behind=sum(1 for r in rows if r.behind),
        overall=f.attendance,
        sort=sort,
        desc=desc,
        behind_only=behind_only,
        this_period=this_period,
        chart=trend_chart([Point(t.trend_label(m), p) for m, p in trend], title=t.TREND),
        has_trend=any(p is not None for _, p in trend),
        download=export_url("supervision", year=year),
    )


@feature.export("supervision")
async def export_supervision(
    session: AsyncSession, actor: Actor, params: dict[str, str], now: datetime
) -> tuple[str, bytes]:
    """The page's table: per unit and cadence, this period and this year, and attendance."""
    year = year_of(params.get("year", ""), now.date())
    units = await units_in_view(session, actor)
    f = await figures(session, actor, units, year, now)
    header = [t.EXPORT_HEAD_UNIT]
    for k in f.kinds:
        header += [f"{k.name} {this_period(k.period)}", f"{k.name} {t.THIS_YEAR}"]
        header.append(f"{k.name} {t.MISSED}")
    header += [t.ATTENDANCE, t.MISSED]
    rows = []
    for r in f.rows:
        line: list[object] = [r.name]
        for c in r.cells:
            line += [f"{c.held_now}/{c.expected_now}", f"{c.held_year}/{c.expected_year}"]
            line.append(len(c.missed))
        line += [t.percent(r.attendance), r.missed]
        rows.append(line)
    return t.file_name(year), table_xlsx(t.EXPORT_SHEET, header, rows)
