"""The report page's charts, as inline SVG written by hand: polygons, rectangles, text labels.

No script and no external asset: the page opens offline, and the same numbers give the
same bytes. Every label passes through ``for_html``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo

from lapor_projections import FLOW_BANDS, CumulativeFlow, MonthRecap, for_html

from .report_terms import BAND_COLOURS, TERMS, both, rate_colour, rate_legend

FONT = 'font-family="system-ui, sans-serif" font-size="11"'
SMALL = 'font-family="system-ui, sans-serif" font-size="10"'
Scale = Callable[[float], float]
LEGEND_COLUMN = 360  # px per legend entry: three to a row on a page-wide chart


def flow_chart(
    flow: CumulativeFlow,
    zone: tzinfo,
    *,
    title: str,
    bands: Sequence[str] = FLOW_BANDS,
    width: int = 1080,
    height: int = 420,
) -> str:
    """Stacked areas, ``bands`` bottom up: how many complaints sat on each kind of desk over time."""
    per_row = max(1, width // LEGEND_COLUMN)
    rows = -(-len(bands) // per_row)
    left, right, top, bottom = 48, 12, 12, 34 + 20 * rows
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(flow.instants)
    totals = [sum(flow.counts[band][i] for band in bands) for i in range(n)]
    ceiling = _nice_ceiling(max(totals, default=0))

    def x(i: float) -> float:
        return left + plot_w * i / max(1, n - 1)

    def y(value: float) -> float:
        return top + plot_h * (1 - value / ceiling)

    parts = [_grid(left, top, plot_w, plot_h, ceiling, y)]
    below = [0] * n
    for band in bands:
        above = [b + c for b, c in zip(below, flow.counts[band], strict=True)]
        upper = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(above))
        lower = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in reversed(list(enumerate(below))))
        parts.append(f'<polygon points="{upper} {lower}" fill="{BAND_COLOURS[band]}"/>')
        below = above
    parts.append(_time_axis(flow.instants, zone, x, top + plot_h))
    legend = [(BAND_COLOURS[band], both("band:" + band)) for band in reversed(bands)]
    parts.append(_legend(legend, left, top + plot_h + 30, per_row=per_row))
    return _svg(width, height, title, parts)


def rate_bar(rate: float | None, *, width: int = 120, height: int = 12) -> str:
    """One on-time rate as a bar in its colour (grey and empty when nothing could be judged)."""
    filled = 0.0 if rate is None else width * rate
    label = TERMS["not_judged"][1] if rate is None else f"{rate:.0%}"
    return _svg(
        width,
        height,
        label,
        [
            f'<rect width="{width}" height="{height}" fill="#eeeeee" stroke="{rate_colour(rate)}"/>',
            f'<rect width="{filled:.1f}" height="{height}" fill="{rate_colour(rate)}"/>',
        ],
    )


def rate_legend_chart(*, width: int = 1080, height: int = 22) -> str:
    """What an on-time rate's colours mean, in one row."""
    items = rate_legend()
    step = width // len(items)
    parts = [
        f'<rect x="{k * step}" y="4" width="14" height="14" fill="{colour}"/>'
        f'<text x="{k * step + 20}" y="16" {FONT}>{for_html(text)}</text>'
        for k, (colour, text) in enumerate(items)
    ]
    return _svg(width, height, both("on_time"), parts)


def month_chart(months: Sequence[MonthRecap], *, width: int = 1080, height: int = 200) -> str:
    """Each month's on-time share as a column in its colour, with the count judged beneath."""
    left, top, bottom = 48, 16, 36
    plot_w, plot_h = width - left - 10, height - top - bottom
    slot = plot_w / max(1, len(months))
    parts = [_grid(left, top, plot_w, plot_h, 100, lambda v: top + plot_h * (1 - v / 100), suffix="%")]
    for k, m in enumerate(months):
        rate = m.on_time_rate
        bar = plot_h * (rate or 0)
        x0 = left + k * slot + slot * 0.15
        parts.append(
            f'<rect x="{x0:.1f}" y="{top + plot_h - bar:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{bar:.1f}" fill="{rate_colour(rate)}"/>'
        )
        middle = left + (k + 0.5) * slot
        label = "-" if rate is None else f"{rate:.0%}"
        parts.append(
            f'<text x="{middle:.1f}" y="{top + plot_h - bar - 3:.1f}" {SMALL} text-anchor="middle">'
            f"{label}</text>"
            f'<text x="{middle:.1f}" y="{top + plot_h + 14}" {SMALL} text-anchor="middle">'
            f"{m.month:%Y-%m}</text>"
            f'<text x="{middle:.1f}" y="{top + plot_h + 27}" {SMALL} text-anchor="middle" fill="#444">'
            f"n={m.judged}</text>"
        )
    return _svg(width, height, both("on_time"), parts)


def _svg(width: int, height: int, title: str, parts: Sequence[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img"><title>{for_html(title)}</title>'
        + "".join(parts)
        + "</svg>"
    )


def _grid(left: int, top: int, w: float, h: float, ceiling: int, y: Scale, *, suffix: str = "") -> str:
    lines = []
    for k in range(5):
        value = ceiling * k // 4
        level = y(value)
        lines.append(
            f'<line x1="{left}" y1="{level:.1f}" x2="{left + w:.1f}" y2="{level:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{level + 4:.1f}" {FONT} text-anchor="end">{value}{suffix}</text>'
        )
    lines.append(f'<rect x="{left}" y="{top}" width="{w:.1f}" height="{h:.1f}" fill="none" stroke="#888"/>')
    return "".join(lines)


def _time_axis(instants: Sequence[datetime], zone: tzinfo, x: Scale, base: float) -> str:
    """A tick and a label at the first sample of each month (every other month past a year)."""
    months: list[tuple[int, str]] = []
    for i, instant in enumerate(instants):
        label = f"{instant.astimezone(zone):%Y-%m}"
        if not months or months[-1][1] != label:
            months.append((i, label))
    every = 1 if len(months) <= 13 else 2
    return "".join(
        f'<line x1="{x(i):.1f}" y1="{base}" x2="{x(i):.1f}" y2="{base + 5}" stroke="#888"/>'
        f'<text x="{x(i):.1f}" y="{base + 18}" {FONT} text-anchor="middle">{label}</text>'
        for k, (i, label) in enumerate(months)
        if k % every == 0
    )


def _legend(items: Sequence[tuple[str, str]], x: int, y: float, *, per_row: int) -> str:
    parts = []
    for k, (colour, text) in enumerate(items):
        left, top = x + LEGEND_COLUMN * (k % per_row), y + 20 * (k // per_row)
        parts.append(
            f'<rect x="{left}" y="{top}" width="14" height="14" fill="{colour}"/>'
            f'<text x="{left + 20}" y="{top + 11}" {FONT}>{for_html(text)}</text>'
        )
    return "".join(parts)


def _nice_ceiling(value: int) -> int:
    """The smallest of 4, 8, 20, 40, 80, 200, ... at or above ``value``: gridlines at whole quarters."""
    scale = 1
    while True:
        for ceiling in (4 * scale, 8 * scale, 20 * scale):
            if ceiling >= value:
                return ceiling
        scale *= 10
