"""A unit's standing against its cadences: the current period, what is due, what was missed."""

from __future__ import annotations

from datetime import date

from bot.periods import elapsed, period_of
from bot.standing import monthly_attendance, standings
from storage.supervision import Cadence, MonthCounts

MONTHLY = Cadence(id=1, name="支委会", period="month", per_period=1, keywords="", position=0)
TWICE_A_QUARTER = Cadence(id=2, name="党课", period="quarter", per_period=2, position=1)
TODAY = date(2026, 11, 25)


def test_periods_of_a_year() -> None:
    q = period_of("quarter", TODAY)
    assert (q.start, q.end, q.label) == (date(2026, 10, 1), date(2027, 1, 1), "第四季度")
    assert period_of("half", date(2026, 3, 1)).label == "上半年"
    assert [p.label for p in elapsed("quarter", 2026, TODAY)] == [
        "第一季度",
        "第二季度",
        "第三季度",
        "第四季度",
    ]
    assert elapsed("month", 2027, TODAY) == []


def test_due_met_and_missed_this_year() -> None:
    counts: MonthCounts = {
        (7, 1): {1: [1, 10, 9], 11: [1, 10, 7]},
        (7, 2): {2: [1, 10, 10], 3: [1, 10, 8], 5: [1, 10, 10]},
    }
    [unit] = standings([(7, "一支部")], [MONTHLY, TWICE_A_QUARTER], counts, 2026, TODAY)
    committee, lecture = unit.cells
    assert (committee.status, committee.held_now, committee.held_year) == ("held", 1, 2)
    assert committee.expected_year == 11
    assert [p.label for p in committee.missed] == [f"{m}月" for m in range(2, 11)]
    # Twice a quarter: Q1 met (two), Q2 short (one), Q3 none; Q4 still due.
    assert [p.label for p in lecture.missed] == ["第二季度", "第三季度"]
    assert (lecture.status, lecture.expected_now, lecture.expected_year) == ("due", 2, 8)
    assert unit.missed == 11 and unit.behind
    assert round(unit.attendance or 0) == 88  # 44 of 50 expected
    trend = dict(monthly_attendance(counts, {7}))
    assert trend[1] == 90.0 and trend[4] is None and trend[11] == 70.0
    assert all(p is None for _, p in monthly_attendance(counts, {8}))


def test_a_past_year_is_over_and_a_future_one_owes_nothing() -> None:
    [past] = standings([(7, "一支部")], [MONTHLY], {}, 2025, TODAY)
    cell = past.cells[0]
    assert cell.current.label == "12月" and cell.status == "missed" and len(cell.missed) == 12
    [future] = standings([(7, "一支部")], [MONTHLY], {}, 2027, TODAY)
    cell = future.cells[0]
    assert (cell.expected_year, cell.missed, cell.status) == (0, [], "due")
