"""The SLA picture: a cumulative flow of complaints per desk, and the worst units' on-time rates.

Drawn with matplotlib's object API on the Agg canvas: no display, no pyplot state.
Its words and colours are the report page's (``report_terms``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from lapor_projections import FLOW_BANDS, CumulativeFlow, UnitRecord

from .errors import CliError
from .report_terms import BAND_COLOURS, TERMS, rate_colour, rate_legend


def draw(
    flow: CumulativeFlow,
    units: Sequence[UnitRecord],
    out: Path,
    *,
    title: str,
    limit_days: int,
    judged_units: int,
) -> tuple[int, int]:
    """Write the PNG; returns its size in pixels. ``units``: the worst first, of ``judged_units``."""
    try:
        from matplotlib.figure import Figure  # ~0.3 s to import: only when drawing
        from matplotlib.patches import Patch
    except ImportError:
        raise CliError("`lapor report` needs matplotlib: pip install 'matplotlib>=3.8,<4'") from None

    figure = Figure(figsize=(15, 7), dpi=100, layout="constrained")
    left, right = figure.subplots(1, 2, width_ratios=(3, 2))
    figure.suptitle(title, fontsize=13)

    left.stackplot(
        list(flow.instants),
        *[flow.counts[band] for band in FLOW_BANDS],
        labels=[TERMS["band:" + band][1] for band in FLOW_BANDS],
        colors=[BAND_COLOURS[band] for band in FLOW_BANDS],
    )
    if flow.instants:
        left.set_xlim(flow.instants[0], flow.instants[-1])
    left.set_ylim(bottom=0)
    left.set_title("Cumulative flow: where the complaints are")
    left.set_ylabel("complaints")
    handles, labels = left.get_legend_handles_labels()
    left.legend(handles[::-1], labels[::-1], loc="upper left", fontsize=8)  # in the stack's order
    left.grid(alpha=0.3)
    for tick in left.get_xticklabels():
        tick.set_rotation(30)

    shown = list(reversed(units))  # barh draws bottom up: the worst at the top
    rates = [100 * (u.on_time_rate or 0) for u in shown]
    rows = list(range(len(shown)))  # by position: two institutions may have units of one code
    right.barh(rows, rates, color=[rate_colour(u.on_time_rate) for u in shown])
    right.set_yticks(rows, _unit_labels(shown))
    right.set_ylim(-0.6, max(len(shown), 1) - 0.4)
    for y, (unit, rate) in enumerate(zip(shown, rates, strict=True)):
        right.text(
            1,
            y,
            f"{rate:.0f}%  (n={unit.judged})",
            va="center",
            fontsize=7,
            color="white" if rate > 15 else "black",
        )
    right.set_xlim(0, 100)
    right.axvline(100, color="black", linewidth=0.8)
    right.set_title(
        f"The {len(units)} worst of {judged_units} unit desks\n"
        f"finished within the SOP limit ({limit_days} working days)",
        fontsize=10,
    )
    right.set_xlabel("on time, % (n: stays finished, or open past the limit)")
    right.tick_params(axis="y", labelsize=7)
    legend = [Patch(color=colour, label=text) for colour, text in rate_legend()[:3]]
    right.legend(
        handles=legend, loc="upper center", bbox_to_anchor=(0.5, -0.09), ncol=3, fontsize=8, frameon=False
    )
    if not shown:
        right.text(50, 0.5, "no unit desk finished a complaint in the period", ha="center")

    figure.savefig(out, format="png")
    width, height = figure.get_size_inches() * figure.dpi
    return int(width), int(height)


def _unit_labels(units: Sequence[UnitRecord]) -> list[str]:
    """Each unit's code, with its institution where another shown unit has the same code."""
    codes = [u.unit or u.desk for u in units]
    return [
        f"{code} ({u.institution})" if codes.count(code) > 1 else code
        for code, u in zip(codes, units, strict=True)
    ]
