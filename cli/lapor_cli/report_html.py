"""The managers' report page: one self-contained HTML file, charts inline as SVG, no script.

Counts and desk names only (rule 10: no reporter, no complaint text); every text that
comes from the database is escaped with ``for_html`` all the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import tzinfo

from lapor_projections import (
    FINISHED_BAND,
    FLOW_BANDS,
    RECAP_EVENTS,
    ManagerReport,
    MonthRecap,
    UnitRecord,
    for_html,
)

from .report_svg import flow_chart, month_chart, rate_bar, rate_legend_chart
from .report_terms import TERMS, both
from .timeparse import local_text


def render_report(report: ManagerReport, zone: tzinfo, names: Mapping[str, str]) -> str:
    """The page for ``report``; the same report gives the same bytes (no generation time on it).

    ``names``: a unit desk's key -> the unit's official name, where the directory knows it.
    """
    e = for_html
    period = f"{local_text(report.since, zone)} - {local_text(report.until, zone)}"
    heading = f"LAPOR!-SP4N: {both('header')}"
    return _PAGE.format(
        title=e(f"{heading}, {period}"),
        heading=e(heading),
        period_term=e(both("period")),
        period=e(period),
        policy_term=e(both("policy")),
        policy=e(report.policy),
        summary_term=e(both("summary")),
        summary=_summary(report.months),
        flow_term=e(both("flow")),
        flow=flow_chart(report.flow, zone, title=both("flow")),
        open_term=e(both("open")),
        open_flow=flow_chart(
            report.flow,
            zone,
            title=both("open"),
            bands=[band for band in FLOW_BANDS if band != FINISHED_BAND],
            height=300,
        ),
        units_term=e(both("units")),
        units_count=len(report.units),
        legend=rate_legend_chart(),
        units=_unit_table(report.units, names),
        recap_term=e(both("recap")),
        recap_chart=month_chart(report.months) if report.months else "",
        recap=_recap_table(report.months),
    )


def _summary(months: Sequence[MonthRecap]) -> str:
    judged = sum(m.judged for m in months)
    within = sum(m.within_limit for m in months)
    tiles = [(both(key), str(sum(getattr(m, key) for m in months))) for key in RECAP_EVENTS]
    tiles.append((both("on_time"), f"{within / judged:.0%} (n={judged})" if judged else "-"))
    return "".join(f"<div class=tile><b>{for_html(v)}</b><span>{for_html(k)}</span></div>" for k, v in tiles)


UNIT_COLUMNS = ("on_time", "judged", "breaches", "escalations", "returned", "received")


def _unit_table(units: Sequence[UnitRecord], names: Mapping[str, str]) -> str:
    if not units:
        return f"<p>{for_html(both('none'))}</p>"
    head = "".join(_header(key, numeric=False) for key in ("rank", "unit", "institution"))
    head += _header("on_time", numeric=False) + "".join(_header(key) for key in UNIT_COLUMNS[1:])
    rows = []
    for rank, u in enumerate(units, start=1):
        share = "-" if u.on_time_rate is None else f"{u.on_time_rate:.0%}"
        name = names.get(u.desk, "")
        cells = [
            f"<td class=n>{rank}</td>",
            f"<td>{for_html(name)} <code>{for_html(u.unit or u.desk)}</code></td>",
            f"<td><code>{for_html(u.institution or '')}</code></td>",
            f"<td class=bar><span class=n>{for_html(share)}</span> {rate_bar(u.on_time_rate)}</td>",
            *(f"<td class=n>{n}</td>" for n in (u.judged, u.breaches, u.escalations, u.returned, u.received)),
        ]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table class=units><tr>{head}</tr>" + "\n".join(rows) + "</table>"


def _header(key: str, *, numeric: bool = True) -> str:
    """A column's heading: the Indonesian term, the English beneath it."""
    indonesian, english = TERMS[key]
    css = " class=n" if numeric else ""
    return f"<th{css}>{for_html(indonesian)}<br><small>{for_html(english)}</small></th>"


def _recap_table(months: Sequence[MonthRecap]) -> str:
    if not months:
        return f"<p>{for_html(both('none'))}</p>"
    head = _header("month", numeric=False) + "".join(_header(key) for key in (*RECAP_EVENTS, "on_time"))
    rows = [_recap_row(f"{m.month:%Y-%m}", [getattr(m, key) for key in RECAP_EVENTS], m) for m in months]
    totals = [sum(getattr(m, key) for m in months) for key in RECAP_EVENTS]
    judged, within = sum(m.judged for m in months), sum(m.within_limit for m in months)
    rows.append(_recap_row(both("total"), totals, None, judged=judged, within=within, css="total"))
    return f"<table class=recap><tr>{head}</tr>" + "\n".join(rows) + "</table>"


def _recap_row(
    label: str,
    counts: Sequence[int],
    month: MonthRecap | None,
    *,
    judged: int = 0,
    within: int = 0,
    css: str = "",
) -> str:
    if month is not None:
        judged, within = month.judged, month.within_limit
    share = f"{within / judged:.0%} ({within}/{judged})" if judged else "-"
    cells = "".join(f"<td class=n>{n}</td>" for n in counts)
    return f"<tr class='{css}'><th>{for_html(label)}</th>{cells}<td class=n>{for_html(share)}</td></tr>"


_PAGE = """<!DOCTYPE html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{title}</title>
<style>
@page {{ size: A4 landscape; margin: 12mm; }}
body {{ font: 10.5pt/1.4 system-ui, sans-serif; color: #111; max-width: 78em; margin: 1em auto;
  padding: 0 1em; }}
h1 {{ font-size: 15pt; margin: 0 0 .2em; }}
h2 {{ font-size: 12pt; border-bottom: 1px solid #999; margin-top: 1.4em; }}
table {{ border-collapse: collapse; width: 100%; margin: .5em 0; }}
th, td {{ border: 1px solid #bbb; padding: .15em .4em; text-align: left; vertical-align: middle; }}
th {{ background: #eee; font-weight: 600; }}
.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
td.bar {{ white-space: nowrap; }}
td.bar span {{ display: inline-block; width: 3em; }}
td.bar svg {{ max-width: none; vertical-align: middle; }}
code {{ font: 8.5pt ui-monospace, monospace; color: #555; }}
th small {{ font-weight: 400; color: #555; }}
td code {{ white-space: nowrap; }}
tr.total th, tr.total td {{ font-weight: 700; border-top: 2px solid #666; }}
.tiles {{ display: flex; flex-wrap: wrap; gap: .5em; }}
.tile {{ border: 1px solid #bbb; padding: .3em .6em; min-width: 8em; }}
.tile b {{ display: block; font-size: 15pt; }}
.tile span, .meta, .note {{ color: #444; font-size: 9pt; }}
svg {{ max-width: 100%; height: auto; }}
@media print {{ h2 {{ break-after: avoid; }} tr {{ break-inside: avoid; }} }}
</style>
</head>
<body>
<p class=meta>LAPOR!-SP4N &middot; SOP 025/SOP-PIP/2018 &middot; untuk pimpinan (for managers):
jumlah dan nama unit saja, tanpa identitas pelapor (counts and unit names only, no reporter)</p>
<h1>{heading}</h1>
<p class=meta>{period_term}: {period} &middot; {policy_term}: {policy}</p>
<h2>{summary_term}</h2>
<div class=tiles>{summary}</div>
<h2>{flow_term}</h2>
<p class=note>Setiap pengaduan yang berada di suatu meja, atau sudah selesai, pada setiap hari (every
complaint on a desk, or finished, day by day; the grey band grows with every finished complaint).</p>
{flow}
<h2>{open_term}</h2>
{open_flow}
<h2>{units_term} ({units_count})</h2>
<p class=note>Tepat waktu: tinggal di meja unit yang selesai dalam batas waktu SOP, dibagi yang selesai
ditambah yang masih terbuka melewati batas (on time: stays finished within the SOP limit, over those
finished plus those still open past it). Dinilai / judged: that denominator.</p>
{legend}
{units}
<h2>{recap_term}</h2>
<p class=note>Setiap kolom menghitung pengaduan yang menjalani langkah itu dalam bulan tersebut, satu kali
per pengaduan (each column counts the complaints that went through that step in the month, once each).
Tepat waktu: semua meja ber-SLA (on time: every desk with an SLA).</p>
{recap_chart}
{recap}
</body>
</html>
"""
