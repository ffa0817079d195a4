"""Charts drawn on the server as inline SVG (bars, a trend line): no JavaScript, no outside fonts.

Text uses the page's CSS font families (layout.html styles `svg text`), so a
phone shows the fonts it already has. Every bar carries its label, its value
and its share, so the chart reads without a legend.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from markupsafe import Markup

ROW = 30
BAR = 18
LABEL_WIDTH = 120
BAR_WIDTH = 190
VALUE_WIDTH = 100
# A CJK character is about one em wide; labels longer than this are cut.
LABEL_CHARS = 7


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    percent: float


def _label(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def bar_chart(bars: list[Bar], *, title: str, unit: str = "") -> Markup:
    """Horizontal bars, one row each; the longest bar is the largest share."""
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    height = ROW * len(bars) + 8
    top = max((b.percent for b in bars), default=0.0) or 100.0
    scale = min(1.0, 100.0 / top) if top > 100.0 else 1.0
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" style="max-width: 640px" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for i, b in enumerate(bars):
        y = 4 + i * ROW
        mid = y + BAR / 2 + 5
        length = round(BAR_WIDTH * min(b.percent * scale, 100.0) / 100.0, 1)
        parts.append(
            f'<g class="bar" data-label="{escape(b.label)}" data-value="{b.value}" '
            f'data-percent="{b.percent:.0f}">'
            f'<text x="{LABEL_WIDTH - 8}" y="{mid}" text-anchor="end" font-size="15">'
            f"{escape(_label(b.label))}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{BAR_WIDTH}" height="{BAR}" '
            f'fill="#f1e4e2" rx="3"/>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR}" '
            f'fill="#b3261e" rx="3"/>'
            f'<text x="{LABEL_WIDTH + BAR_WIDTH + 8}" y="{mid}" font-size="15">'
            f"{b.value}{escape(unit)} · {b.percent:.0f}%</text>"
            "</g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True)
class Point:
    label: str
    # None: nothing to show for this label (a month with no meeting).
    percent: float | None


# The trend's own size in SVG units: about a phone's width, so its text stays
# legible there and grows on a wider screen.
TREND_WIDTH, TREND_HEIGHT = 360, 190
TREND_LEFT, TREND_RIGHT, TREND_TOP, TREND_BOTTOM = 34, 12, 22, 24


def trend_chart(points: list[Point], *, title: str) -> Markup:
    """A line over 0–100 %, one point per label, each with its value; gaps where none."""
    inner_w = TREND_WIDTH - TREND_LEFT - TREND_RIGHT
    inner_h = TREND_HEIGHT - TREND_TOP - TREND_BOTTOM
    # Each label gets a slot; its point sits in the middle, clear of the axis.
    step = inner_w / max(len(points), 1)

    def x(i: int) -> float:
        return round(TREND_LEFT + (i + 0.5) * step, 1)

    def y(percent: float) -> float:
        return round(TREND_TOP + inner_h * (1 - min(max(percent, 0.0), 100.0) / 100.0), 1)

    parts = [
        f'<svg class="chart trend" role="img" viewBox="0 0 {TREND_WIDTH} {TREND_HEIGHT}" '
        f'width="100%" style="max-width: 520px" xmlns="http://www.w3.org/2000/svg" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for level in (0, 50, 100):
        parts.append(
            f'<line x1="{TREND_LEFT}" x2="{TREND_WIDTH - TREND_RIGHT}" y1="{y(level)}" '
            f'y2="{y(level)}" stroke="#e3e3e3"/>'
            f'<text x="{TREND_LEFT - 4}" y="{y(level) + 4}" text-anchor="end" font-size="10" '
            f'fill="#666">{level}%</text>'
        )
    run: list[str] = []
    for i, p in enumerate([*points, Point("", None)]):
        if p.percent is not None:
            run.append(f"{x(i)},{y(p.percent)}")
            continue
        if len(run) > 1:
            parts.append(
                f'<polyline points="{" ".join(run)}" fill="none" stroke="#b3261e" '
                f'stroke-width="2"/>'
            )
        run = []
    for i, p in enumerate(points):
        parts.append(
            f'<text x="{x(i)}" y="{TREND_HEIGHT - 6}" text-anchor="middle" font-size="10" '
            f'fill="#666">{escape(p.label)}</text>'
        )
        if p.percent is None:
            continue
        parts.append(
            f'<g class="point" data-label="{escape(p.label)}" data-percent="{p.percent:.0f}">'
            f'<circle cx="{x(i)}" cy="{y(p.percent)}" r="3.5" fill="#b3261e"/>'
            f'<text x="{x(i)}" y="{y(p.percent) - 7}" text-anchor="middle" font-size="10">'
            f"{p.percent:.0f}</text></g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
