"""Every word the report shows (page and picture), in the SOP's Indonesian with English beside it.

Kept in one place so that a translation catalogue can replace ``TERMS`` later.
"""

from __future__ import annotations

TERMS: dict[str, tuple[str, str]] = {  # key -> (Indonesian, English)
    # the monthly recap's columns, one per SOP step (keys as ``lapor_projections.RECAP_EVENTS``)
    "month": ("Bulan", "month"),
    "received": ("Masuk", "received"),
    "verified": ("Diverifikasi", "verified"),
    "disposed": ("Didisposisikan", "disposed"),
    "responded": ("Ditindaklanjuti", "responded"),
    "finished": ("Selesai", "finished: auto-closed"),
    "escalated": ("Diteruskan ke Ombudsman RI", "escalated to Ombudsman RI"),
    "archived": ("Diarsipkan", "archived"),
    "returned": ("Dikembalikan", "returned: bukan wewenang"),
    "on_time": ("Tepat waktu", "on time"),
    "judged": ("Dinilai", "judged"),
    "total": ("Jumlah", "total"),
    # the cumulative flow's bands (keys as ``lapor_projections.FLOW_BANDS``)
    "band:finished": ("Selesai dalam periode", "finished in the period"),
    "band:pelapor": ("Menunggu tanggapan pelapor", "awaiting the reporter"),
    "band:unit": ("Meja unit (pejabat penghubung)", "unit desks"),
    "band:tim-admin": ("Meja Tim Admin", "admin desks"),
    "band:lapor-sp4n": ("Meja LAPOR!-SP4N", "national desk"),
    # the unit table
    "rank": ("No.", "#"),
    "unit": ("Unit", "unit"),
    "institution": ("Instansi", "institution"),
    "breaches": ("Melewati batas waktu", "breaches"),
    "escalations": ("Ke Ombudsman RI", "escalations"),
    "not_judged": ("belum dinilai", "not judged yet"),
    # colours of an on-time rate
    "rate:good": ("Baik", "good"),
    "rate:fair": ("Cukup", "fair"),
    "rate:poor": ("Kurang", "poor"),
    # headings and notes
    "header": ("Laporan kinerja", "performance report"),
    "period": ("Periode", "period"),
    "policy": ("Kebijakan SLA", "SLA policy"),
    "summary": ("Ringkasan", "summary"),
    "flow": ("Arus kumulatif per meja", "cumulative flow per desk"),
    "open": ("Pengaduan terbuka per meja", "open complaints per desk"),
    "units": ("Kinerja unit, terburuk lebih dulu", "units, worst on-time rate first"),
    "recap": ("Rekapitulasi bulanan", "monthly recapitulation"),
    "complaints": ("pengaduan", "complaints"),
    "none": ("Tidak ada data", "nothing in the period"),
}

GOOD, FAIR = 0.90, 0.70  # an on-time rate at or above GOOD is good; at or above FAIR, fair
RATE_COLOURS = {"rate:good": "#31a354", "rate:fair": "#fd8d3c", "rate:poor": "#de2d26"}
NOT_JUDGED_COLOUR = "#bdbdbd"
BAND_COLOURS = {
    "finished": "#b0b0b0",
    "pelapor": "#9ecae1",
    "unit": "#fd8d3c",
    "tim-admin": "#74c476",
    "lapor-sp4n": "#6a51a3",
}


def both(key: str) -> str:
    """The term as the page shows it: "Masuk / received"."""
    indonesian, english = TERMS[key]
    return f"{indonesian} / {english}"


def rate_class(rate: float | None) -> str | None:
    """The colour key of an on-time rate (``RATE_COLOURS``), none if nothing could be judged."""
    if rate is None:
        return None
    return "rate:good" if rate >= GOOD else "rate:fair" if rate >= FAIR else "rate:poor"


def rate_colour(rate: float | None) -> str:
    key = rate_class(rate)
    return RATE_COLOURS[key] if key else NOT_JUDGED_COLOUR


def rate_legend() -> list[tuple[str, str]]:
    """(colour, explanation) for each colour an on-time rate may take."""
    return [
        (RATE_COLOURS["rate:good"], f"{both('rate:good')}: >= {GOOD:.0%}"),
        (RATE_COLOURS["rate:fair"], f"{both('rate:fair')}: {FAIR:.0%}-{GOOD:.0%}"),
        (RATE_COLOURS["rate:poor"], f"{both('rate:poor')}: < {FAIR:.0%}"),
        (NOT_JUDGED_COLOUR, both("not_judged")),
    ]
