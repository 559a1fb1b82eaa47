"""The read side tells events apart by class, never by stored name: a stored name may be renamed.

events.py lets a class take a new stored name and keep the old one in ``former_names``.
After such a rename the SLA report must still count returns and escalations, both the
stays stored before the rename (labelled with the old name) and those after.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lapor_domain import EscalatedToOmbudsman, LaporApp, Returned
from lapor_domain.model import events
from lapor_projections import ReadModels, ViewReader, event_label, labelled_event

from sop import DISHUB, file_complaint, to_unit, wib

RENAMES = {Returned: "lapor.PengaduanDikembalikan", EscalatedToOmbudsman: "lapor.DiteruskanKeOmbudsman"}


def _forget_labels() -> None:
    event_label.cache_clear()
    labelled_event.cache_clear()


@pytest.fixture
def rename(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Call it to give Returned and EscalatedToOmbudsman new stored names, the old ones kept as former."""

    def renamed() -> None:
        for cls, new in RENAMES.items():
            monkeypatch.setattr(cls, "former_names", (cls.stored_name, *cls.former_names))
            monkeypatch.setattr(cls, "stored_name", new)
            monkeypatch.setitem(events._REGISTRY, new, cls)
        _forget_labels()

    yield renamed
    monkeypatch.undo()
    _forget_labels()


def _return_from_dishub(app: LaporApp, day: int) -> None:
    c = file_complaint(app, wib(2026, 1, day, 9))
    to_unit(app, c.id, wib(2026, 1, day, 10), unit="dishub")
    app.return_up(c.id, reason="Bukan wewenang", by=DISHUB, at=wib(2026, 1, day + 1, 9))


def test_a_renamed_stored_name_keeps_the_sla_reports_counts(app: LaporApp, rename: object) -> None:
    read_models = ReadModels(app).attach()
    try:
        _return_from_dishub(app, 5)  # stored as "Returned"
        rename()  # type: ignore[operator]
        _return_from_dishub(app, 12)  # stored under the new name
        waiting = file_complaint(app, wib(2026, 1, 5, 9))
        to_unit(app, waiting.id, wib(2026, 1, 5, 10), unit="dinkes")
        app.fire_due(wib(2026, 6, 1))  # 60 working days without a response: escalated (new name)
        reader = ViewReader(read_models.db, app.policy)
        labels = {v.left_by for v in reader.stays(since=wib(2026, 1, 1), until=wib(2026, 7, 1))}
        assert {"Returned", "PengaduanDikembalikan", "DiteruskanKeOmbudsman"} <= labels

        def counts() -> dict[str, tuple[int, int]]:
            report = reader.sla_report(since=wib(2026, 1, 1), until=wib(2026, 7, 1))
            return {r.desk: (r.returned, r.escalations) for r in report if r.returned or r.escalations}

        # The two returned complaints wait on the admin desk until they escalate there too.
        expected = {
            "unit:kota-cirebon/dishub": (2, 0),
            "unit:kota-cirebon/dinkes": (0, 1),
            "tim-admin:kota-cirebon": (0, 2),
        }
        assert counts() == expected
        read_models.rebuild()  # every stay now labelled with the new names
        assert counts() == expected
    finally:
        read_models.close()
