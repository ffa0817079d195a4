"""Bar charts drawn on the server as inline SVG: no JavaScript, no outside fonts.

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
