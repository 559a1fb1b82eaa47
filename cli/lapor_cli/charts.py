"""The SLA picture: a cumulative flow of complaints per desk, and each unit's on-time rate.

Drawn with matplotlib's object API on the Agg canvas: no display, no pyplot state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .errors import CliError

BANDS = (  # bottom to top
    ("finished", "finished in the period", "#b0b0b0"),
    ("pelapor", "awaiting the reporter", "#9ecae1"),
    ("unit", "unit desks (pejabat penghubung)", "#fd8d3c"),
    ("tim-admin", "admin desks (tim admin)", "#74c476"),
    ("lapor-sp4n", "national desk (LAPOR!-SP4N)", "#6a51a3"),
)


@dataclass(frozen=True, slots=True)
class Flow:
    """How many complaints sat in each band at each instant."""

    instants: Sequence[datetime]
    counts: dict[str, list[int]]  # band key -> one count per instant


@dataclass(frozen=True, slots=True)
class UnitRate:
    desk: str
    on_time_rate: float
    finished: int
    open_past_limit: int


def draw(flow: Flow, units: Sequence[UnitRate], out: Path, *, title: str, limit_days: int) -> tuple[int, int]:
    """Write the PNG; returns its size in pixels."""
    try:
        from matplotlib.figure import Figure  # ~0.3 s to import: only when drawing
    except ImportError:
        raise CliError("`lapor report` needs matplotlib: pip install 'matplotlib>=3.8,<4'") from None

    figure = Figure(figsize=(15, 7), dpi=100, layout="constrained")
    left, right = figure.subplots(1, 2, width_ratios=(3, 2))
    figure.suptitle(title, fontsize=13)

    left.stackplot(
        list(flow.instants),
        *[flow.counts[key] for key, _, _ in BANDS],
        labels=[label for _, label, _ in BANDS],
        colors=[colour for _, _, colour in BANDS],
    )
    if flow.instants:
        left.set_xlim(flow.instants[0], flow.instants[-1])
    left.set_ylim(bottom=0)
    left.set_title("Cumulative flow: where the complaints are")
    left.set_ylabel("complaints")
    left.legend(loc="upper left", fontsize=8)
    left.grid(alpha=0.3)
    for tick in left.get_xticklabels():
        tick.set_rotation(30)

    shown = sorted(units, key=lambda u: u.on_time_rate)
    names = [u.desk.removeprefix("unit:") for u in shown]
    rates = [100 * u.on_time_rate for u in shown]
    colours = ["#31a354" if r >= 90 else "#fd8d3c" if r >= 70 else "#de2d26" for r in rates]
    right.barh(names, rates, color=colours)
    for y, unit in enumerate(shown):
        right.text(
            1,
            y,
            f"{100 * unit.on_time_rate:.0f}%  (n={unit.finished + unit.open_past_limit})",
            va="center",
            fontsize=7,
            color="white" if unit.on_time_rate > 0.15 else "black",
        )
    right.set_xlim(0, 100)
    right.axvline(100, color="black", linewidth=0.8)
    right.set_title(f"Unit desks: finished within the SOP limit ({limit_days} working days)")
    right.set_xlabel("on time, %")
    right.tick_params(axis="y", labelsize=7)
    if not shown:
        right.text(50, 0.5, "no unit desk finished a complaint in the period", ha="center")

    figure.savefig(out, format="png")
    width, height = figure.get_size_inches() * figure.dpi
    return int(width), int(height)
