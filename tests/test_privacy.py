"""Rule 10 in the domain, and the read side's complaint card honouring it."""

from __future__ import annotations

import pytest

from lapor_domain import (
    NATIONAL_READER,
    Actor,
    IdentityState,
    KeyRing,
    LaporApp,
    Reporter,
    Role,
    can_see_identity,
)
from lapor_projections import complaint_card

from sop import NATIONAL, REPORTER, file_complaint, wib


@pytest.mark.parametrize(
    ("viewer", "anonymous", "sees"),
    [
        (Role.NATIONAL, True, True),
        (Role.ADMIN, True, True),
        (Role.LIAISON, False, True),
        (Role.LIAISON, True, False),
        (Role.REPORTER, False, False),
        (Role.SYSTEM, False, False),
        (None, False, False),
    ],
)
def test_who_may_see_who_complained(viewer: Role | None, anonymous: bool, sees: bool) -> None:
    assert can_see_identity(viewer, anonymous) is sees


def test_the_card_shows_the_reporter_only_to_whom_rule_10_allows(memory_app: LaporApp) -> None:
    c = file_complaint(memory_app, wib(2026, 1, 5, 9))
    c = memory_app.verify(c.id, by=NATIONAL, at=wib(2026, 1, 5, 10), anonymous=True)
    at = wib(2026, 1, 7, 12)
    keys = KeyRing.generate([NATIONAL_READER])
    memory_app.hold_keys(keys)
    memory_app.register_reader_keys(keys)  # after the submission: its identity is sealed for no one
    sealed = memory_app.identity(c.id, viewer=NATIONAL, purpose="test")
    assert sealed.state is IdentityState.SEALED and sealed.label == "(tersegel)"
    c = memory_app.submit(
        by=REPORTER, at=at, reporter=Reporter(name="Siti Aminah"), title="t", description="d"
    )
    c = memory_app.verify(c.id, by=NATIONAL, at=at, anonymous=True)
    shown = memory_app.identity(c.id, viewer=NATIONAL, purpose="test")
    withheld = memory_app.identity(c.id, viewer=Actor.liaison("kota-cirebon", "dinkes", "sari"), purpose="t")
    assert withheld.state is IdentityState.WITHHELD and withheld.identity is None
    national = complaint_card(c, memory_app.rules.calendars, at, Role.NATIONAL, identity=shown)
    unit = complaint_card(c, memory_app.rules.calendars, at, Role.LIAISON, identity=withheld)
    assert national.reporter is not None and "Siti Aminah" in national.reporter
    assert unit.reporter is None and unit.model_dump(exclude={"reporter", "identity"}) == national.model_dump(
        exclude={"reporter", "identity"}
    )
    assert [d.viewer for d in memory_app.disclosures(c.id)] == [str(NATIONAL)]
    assert national.desk == "lapor-sp4n" and national.anonymous and national.sla is not None
