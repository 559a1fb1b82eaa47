"""Every path of DOMAIN.md's lifecycle, walked with real dates, on every store.

The dates are worked by hand from the SKB 3 Menteri lists: Idul Fitri 2025 closed
28 March and 31 March - 7 April; Idul Fitri 2026 closed 18-24 March.
"""

from __future__ import annotations

from lapor_domain import DeskKind, LaporApp, Outcome, SlaState
from lapor_domain.model.deadlines import Clock

from sop import ADMIN, DINKES, DISHUB, DPUTR, JABAR_ADMIN, NATIONAL, REPORTER, file_complaint, to_unit, wib


def names(app: LaporApp, cid) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.name.removeprefix("lapor.") for e in app.history(cid)]


def test_submitted_before_idul_fitri_2025_national_clock_waits_for_the_holidays(app: LaporApp) -> None:
    c = file_complaint(app, wib(2025, 3, 27, 10))
    assert c.desk is not None and c.desk.key == "lapor-sp4n"
    sla = app.desk_deadlines(c.id)
    assert sla is not None
    # 28 Mar and 31 Mar - 7 Apr are closed: the first working day is Tue 8 April.
    assert sla.target == wib(2025, 4, 9)
    assert sla.limit == wib(2025, 4, 11)
    assert sla.state_at(wib(2025, 4, 8, 23, 59)) is SlaState.ON_TRACK
    assert sla.state_at(wib(2025, 4, 9)) is SlaState.LATE
    assert sla.state_at(wib(2025, 4, 11)) is SlaState.BREACHED


def test_happy_path_responded_then_silence_auto_closes(app: LaporApp) -> None:
    c = file_complaint(app, wib(2025, 3, 27, 10))
    to_unit(app, c.id, wib(2025, 4, 8, 9))
    c = app.respond(c.id, message="Sudah ditambal.", by=DINKES, at=wib(2025, 4, 16, 14))
    assert c.desk is not None and c.desk.kind is DeskKind.REPORTER
    # Ten working days after Wed 16 Apr, skipping Good Friday and 1 May: Fri 2 May.
    deadline = app.pending_deadline(c.id)
    assert deadline is not None and deadline.clock is Clock.AUTO_CLOSE
    assert deadline.due == wib(2025, 5, 3)
    assert app.fire_due(wib(2025, 5, 2, 23, 59)) == []
    fired = app.fire_due(wib(2025, 5, 5, 8))
    assert [(f.complaint_id, f.due) for f in fired] == [(c.id, wib(2025, 5, 3))]
    closed = app.complaint(c.id)
    assert closed.outcome is Outcome.AUTO_CLOSED and closed.desk is None
    assert names(app, c.id)[-2:] == ["Responded", "AutoClosed"]
    assert app.history(c.id)[-1].at == wib(2025, 5, 3)


def test_reporter_reply_goes_back_to_the_same_unit_and_restarts_its_clock(app: LaporApp) -> None:
    c = file_complaint(app, wib(2026, 3, 13, 9))
    to_unit(app, c.id, wib(2026, 3, 16, 10), unit="dinkes")
    app.respond(c.id, message="Jadwal fogging Senin.", by=DINKES, at=wib(2026, 3, 17, 10))
    c = app.reply(c.id, message="Belum datang.", by=REPORTER, at=wib(2026, 3, 25, 8))
    assert c.desk is not None and c.desk.key == "unit:kota-cirebon/dinkes"
    sla = app.desk_deadlines(c.id)
    assert sla is not None and sla.arrived == wib(2026, 3, 25, 8)
    assert app.pending_deadline(c.id) is None  # responded once: no escalation; no silence clock
    app.respond(c.id, message="Fogging selesai 27 Maret.", by=DINKES, at=wib(2026, 3, 27, 15))
    assert app.fire_due(wib(2026, 4, 30)) != []
    assert app.complaint(c.id).outcome is Outcome.AUTO_CLOSED


def test_a_reply_exactly_at_the_auto_close_instant_is_late(app: LaporApp) -> None:
    from lapor_domain import NotPossibleInState

    c = file_complaint(app, wib(2025, 3, 27, 10))
    to_unit(app, c.id, wib(2025, 4, 8, 9))
    app.respond(c.id, message="Sudah ditambal.", by=DINKES, at=wib(2025, 4, 16, 14))
    before = len(app.history(c.id))
    try:
        app.reply(c.id, message="Terima kasih", by=REPORTER, at=wib(2025, 5, 3))
    except NotPossibleInState:
        pass
    else:  # pragma: no cover - the assertion below explains
        raise AssertionError("a reply at the auto-close instant must be refused")
    assert len(app.history(c.id)) == before  # refused: not even the noticed deadline is recorded
    assert app.fire_due(wib(2025, 5, 3))[0].due == wib(2025, 5, 3)


def test_no_response_in_sixty_working_days_goes_to_ombudsman(app: LaporApp) -> None:
    c = file_complaint(app, wib(2025, 3, 27, 10))
    to_unit(app, c.id, wib(2025, 4, 8, 9))
    # The 60th working day after 27 March 2025 is Friday 11 July.
    assert app.fire_due(wib(2025, 7, 11, 23, 59)) == []
    fired = app.fire_due(wib(2025, 8, 1))
    assert [(f.clock, f.due) for f in fired] == [(Clock.ESCALATION, wib(2025, 7, 12))]
    assert app.complaint(c.id).outcome is Outcome.ESCALATED
    assert app.fire_due(wib(2025, 8, 1)) == []  # a second sweep does nothing


def test_returns_walk_back_up_and_verification_survives_them(app: LaporApp) -> None:
    c = file_complaint(app, wib(2026, 3, 13, 9))
    to_unit(app, c.id, wib(2026, 3, 16, 10), unit="dishub")
    c = app.return_up(
        c.id, reason="Bukan wewenang: jalan kota, bukan lalu lintas", by=DISHUB, at=wib(2026, 3, 17, 9)
    )
    assert c.desk is not None and c.desk.key == "tim-admin:kota-cirebon"
    # The admin team verified once for this disposal: it re-disposes without verifying.
    c = app.dispose(c.id, to="dputr", by=ADMIN, at=wib(2026, 3, 17, 10))
    c = app.return_up(c.id, reason="Jalan provinsi", by=DPUTR, at=wib(2026, 3, 25, 9))
    c = app.return_up(c.id, reason="Kewenangan Provinsi Jawa Barat", by=ADMIN, at=wib(2026, 3, 25, 11))
    assert c.desk is not None and c.desk.key == "lapor-sp4n"
    # National verified once: it disposes again to another institution directly.
    c = app.dispose(c.id, to="provinsi-jawa-barat", by=NATIONAL, at=wib(2026, 3, 26, 9))
    # A new institution verifies for itself before it disposes.
    from lapor_domain import NotPossibleInState

    try:
        app.dispose(c.id, to="dinkes", by=JABAR_ADMIN, at=wib(2026, 3, 26, 10))
    except NotPossibleInState:
        pass
    else:  # pragma: no cover
        raise AssertionError("disposing before verifying must be refused")
    app.verify(c.id, by=JABAR_ADMIN, at=wib(2026, 3, 26, 10))
    c = app.dispose(c.id, to="dbmpr", by=JABAR_ADMIN, at=wib(2026, 3, 26, 11))
    assert c.desk is not None and c.desk.key == "unit:provinsi-jawa-barat/dbmpr"
    assert names(app, c.id).count("Returned") == 3


def test_a_return_restarts_the_receiving_desks_clock(app: LaporApp) -> None:
    c = file_complaint(app, wib(2026, 3, 13, 9))
    to_unit(app, c.id, wib(2026, 3, 16, 10), unit="dishub")
    app.return_up(c.id, reason="Bukan wewenang", by=DISHUB, at=wib(2026, 3, 17, 9))
    sla = app.desk_deadlines(c.id)
    assert sla is not None
    # Admin desk 3/5 days from Tue 17 March: 18-24 March closed, so 25, 26, 27 / 30, 31.
    assert (sla.arrived, sla.target, sla.limit) == (wib(2026, 3, 17, 9), wib(2026, 3, 28), wib(2026, 4, 1))


def test_national_desk_archives_a_duplicate(app: LaporApp) -> None:
    c = file_complaint(app, wib(2026, 1, 5, 9))
    c = app.archive(
        c.id, reason="duplicate", note="Sama dengan laporan 2026-0001", by=NATIONAL, at=wib(2026, 1, 5, 11)
    )
    assert c.outcome is Outcome.ARCHIVED and c.desk is None
    assert app.pending_deadline(c.id) is None
    assert app.fire_due(wib(2027, 1, 1)) == []


def test_archive_after_a_return_needs_no_new_verification(app: LaporApp) -> None:
    c = file_complaint(app, wib(2026, 1, 5, 9))
    app.verify(c.id, by=NATIONAL, at=wib(2026, 1, 5, 10))
    app.dispose(c.id, to="kota-cirebon", by=NATIONAL, at=wib(2026, 1, 5, 10))
    app.return_up(c.id, reason="Bukan laporan pelayanan publik", by=ADMIN, at=wib(2026, 1, 6, 9))
    c = app.archive(c.id, reason="out-of-scope", by=NATIONAL, at=wib(2026, 1, 6, 10))
    assert c.outcome is Outcome.ARCHIVED


def test_privacy_flags_set_at_verification_are_audited(app: LaporApp) -> None:
    c = file_complaint(app, wib(2026, 1, 5, 9))
    assert not c.anonymous and not c.confidential
    c = app.verify(c.id, by=NATIONAL, at=wib(2026, 1, 5, 10), anonymous=True, note="identitas dilindungi")
    assert c.anonymous and not c.confidential
    app.dispose(c.id, to="kota-cirebon", by=NATIONAL, at=wib(2026, 1, 5, 10))
    c = app.verify(c.id, by=ADMIN, at=wib(2026, 1, 5, 11), confidential=True)
    assert c.anonymous and c.confidential
    verified = [e for e in app.history(c.id) if e.name == "lapor.Verified"]
    assert [(e.actor.role.value, e.anonymous, e.confidential) for e in verified] == [  # type: ignore[attr-defined]
        ("lapor-sp4n", True, None),
        ("tim-admin", None, True),
    ]


def test_state_as_of_a_past_instant(app: LaporApp) -> None:
    c = file_complaint(app, wib(2025, 3, 27, 10))
    to_unit(app, c.id, wib(2025, 4, 8, 9))
    app.respond(c.id, message="Sudah ditambal.", by=DINKES, at=wib(2025, 4, 16, 14))
    then = app.complaint(c.id, as_of=wib(2025, 3, 30))
    assert then.desk is not None and then.desk.key == "lapor-sp4n" and then.version == 1
    # Not yet swept, but as of 5 May the auto-close had happened (rule 7).
    later = app.complaint(c.id, as_of=wib(2025, 5, 5))
    assert later.outcome is Outcome.AUTO_CLOSED
    assert app.complaint(c.id).outcome is None  # the recorded state is untouched
