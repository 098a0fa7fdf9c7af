"""Bar charts drawn on the server as SVG: no JavaScript, no style attributes (the CSP).

Pure functions from numbers to markup. Each chart names itself (``<title>``) and sums
itself up (``<desc>``); the page puts the same numbers in a table beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 720, 200
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 10, 28
INK = "#1b1f24"
GRID = "#c9ced4"
COLOURS = ("#0b5cad", "#b04a00")  # blue and a dark orange, told apart without colour too


@dataclass(frozen=True)
class Series:
    label: str
    values: list[int]


def nice_ceiling(value: float) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50 … at or above ``value`` (at least 1)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def bar_chart(
    chart_id: str,
    title: str,
    summary: str,
    series: list[Series],
    tick_labels: list[tuple[int, str]],
) -> SafeString:
    """A bar chart of one or two series side by side, x ticks at ``(index, label)``."""
    count = max(len(s.values) for s in series)
    top = nice_ceiling(max([1, *(max(s.values, default=0) for s in series)]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(count, 1)
    bar = max(slot / len(series) * 0.85, 0.5)
    parts = [
        format_html(
            '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-t {}-d">',
            WIDTH,
            HEIGHT,
            chart_id,
            chart_id,
        ),
        format_html('<title id="{}-t">{}</title>', chart_id, title),
        format_html('<desc id="{}-d">{}</desc>', chart_id, summary),
    ]
    # Gridlines at whole numbers only: half a login means nothing.
    for fraction in (0, 0.5, 1) if top > 1 else (0, 1):
        y = TOP + plot_h * (1 - fraction)
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1"/>'
                '<text x="{}" y="{}" text-anchor="end" font-size="11" fill="{}">{}</text>',
                LEFT,
                WIDTH - RIGHT,
                f"{y:.1f}",
                f"{y:.1f}",
                GRID,
                LEFT - 4,
                f"{y + 4:.1f}",
                INK,
                _number(top * fraction),
            )
        )
    for number, one in enumerate(series):
        colour = COLOURS[number % len(COLOURS)]
        for index, value in enumerate(one.values):
            if not value:
                continue
            height = plot_h * value / top
            x = LEFT + index * slot + number * bar
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                    f"{x:.2f}",
                    f"{TOP + plot_h - height:.2f}",
                    f"{bar:.2f}",
                    f"{height:.2f}",
                    colour,
                )
            )
    for index, label in tick_labels:
        x = LEFT + index * slot
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}"/>'
                '<text x="{}" y="{}" font-size="11" fill="{}">{}</text>',
                f"{x:.1f}",
                f"{x:.1f}",
                TOP + plot_h,
                TOP + plot_h + 5,
                INK,
                f"{x + 2:.1f}",
                HEIGHT - 8,
                INK,
                label,
            )
        )
    parts.append(mark_safe("</svg>"))  # noqa: S308 - constant markup
    return mark_safe("".join(str(part) for part in parts))  # noqa: S308 - built escaped


def _number(value: float) -> str:
    return escape(f"{value:g}")
