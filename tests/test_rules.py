"""DOMAIN.md rules 1, 8, 9, 10, 11 and 12: who may do what, and which error says no.

Every refusal is checked to record nothing.
"""

from __future__ import annotations

import re
from datetime import datetime
from uuid import uuid4

import pytest

from lapor_domain import (
    Actor,
    ComplaintNotFound,
    DatedBeforeLastEvent,
    InvalidInput,
    LaporApp,
    LaporError,
    NotAllowed,
    NotPossibleInState,
    Reporter,
    UnknownOrganisation,
)

from sop import ADMIN, DINKES, DISHUB, NATIONAL, REPORTER, STRANGER, file_complaint, to_unit, wib

T0 = wib(2026, 1, 5, 9)


def refused(app: LaporApp, cid, error: type[LaporError], command, *args, **kwargs) -> str:  # type: ignore[no-untyped-def]
    before = app.history(cid)
    with pytest.raises(error) as caught:
        command(cid, *args, **kwargs)
    assert app.history(cid) == before, "a refused command must record nothing"
    return str(caught.value)


@pytest.fixture
def on_admin_desk(memory_app: LaporApp):  # type: ignore[no-untyped-def]
    c = file_complaint(memory_app, T0)
    memory_app.verify(c.id, by=NATIONAL, at=T0)
    memory_app.dispose(c.id, to="kota-cirebon", by=NATIONAL, at=T0)
    return memory_app, c.id


def test_only_a_reporter_submits(memory_app: LaporApp) -> None:
    with pytest.raises(NotAllowed):
        memory_app.submit(by=NATIONAL, at=T0, reporter=Reporter(name="x"), title="t", description="d")


def test_rule_1_naive_instants_are_invalid_input(memory_app: LaporApp) -> None:
    with pytest.raises(InvalidInput, match="timezone aware"):
        file_complaint(memory_app, datetime(2026, 1, 5, 9))
    c = file_complaint(memory_app, T0)
    refused(memory_app, c.id, InvalidInput, memory_app.verify, by=NATIONAL, at=datetime(2026, 1, 6))


def test_rule_1_commands_dated_before_the_last_event_are_refused(memory_app: LaporApp) -> None:
    c = file_complaint(memory_app, T0)
    message = refused(
        memory_app, c.id, DatedBeforeLastEvent, memory_app.verify, by=NATIONAL, at=wib(2026, 1, 5, 8, 59)
    )
    assert "comes before" in message
    memory_app.verify(c.id, by=NATIONAL, at=T0)  # the same instant is allowed


def test_unknown_complaint(memory_app: LaporApp) -> None:
    with pytest.raises(ComplaintNotFound):
        memory_app.verify(uuid4(), by=NATIONAL, at=T0)
    with pytest.raises(InvalidInput):
        memory_app.complaint("not-a-uuid")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "actor",
    [ADMIN, DINKES, REPORTER, Actor.system(), Actor.admin("provinsi-jawa-barat", "x")],
    ids=str,
)
def test_rule_9_only_the_national_desk_verifies_and_disposes_there(
    memory_app: LaporApp, actor: Actor
) -> None:
    c = file_complaint(memory_app, T0)
    refused(memory_app, c.id, NotAllowed, memory_app.verify, by=actor, at=T0)
    refused(memory_app, c.id, NotAllowed, memory_app.archive, reason="duplicate", by=actor, at=T0)
    memory_app.verify(c.id, by=NATIONAL, at=T0)
    refused(memory_app, c.id, NotAllowed, memory_app.dispose, to="kota-cirebon", by=actor, at=T0)


def test_rule_9_only_the_holding_institution_admin_acts(on_admin_desk) -> None:  # type: ignore[no-untyped-def]
    app, cid = on_admin_desk
    other = Actor.admin("kabupaten-cirebon", "admin-lain")
    refused(app, cid, NotAllowed, app.verify, by=other, at=T0)
    refused(app, cid, NotAllowed, app.verify, by=NATIONAL, at=T0)
    refused(app, cid, NotAllowed, app.return_up, reason="x", by=other, at=T0)
    refused(app, cid, NotAllowed, app.respond, message="x", by=DINKES, at=T0)


def test_rule_9_only_the_holding_units_liaison_responds_or_returns(memory_app: LaporApp) -> None:
    c = file_complaint(memory_app, T0)
    to_unit(memory_app, c.id, T0, unit="dinkes")
    for actor in (DISHUB, ADMIN, NATIONAL, Actor.liaison("kabupaten-cirebon", "dinkes", "p")):
        refused(memory_app, c.id, NotAllowed, memory_app.respond, message="x", by=actor, at=T0)
        refused(memory_app, c.id, NotAllowed, memory_app.return_up, reason="x", by=actor, at=T0)


def test_rule_9_only_the_complaints_own_reporter_replies(memory_app: LaporApp) -> None:
    c = file_complaint(memory_app, T0)
    to_unit(memory_app, c.id, T0)
    memory_app.respond(c.id, message="Sudah.", by=DINKES, at=T0)
    refused(memory_app, c.id, NotAllowed, memory_app.reply, message="x", by=STRANGER, at=T0)
    refused(memory_app, c.id, NotAllowed, memory_app.reply, message="x", by=DINKES, at=T0)
    memory_app.reply(c.id, message="Belum beres.", by=REPORTER, at=T0)


def test_rule_11_and_12_the_holder_asking_the_impossible(memory_app: LaporApp) -> None:
    c = file_complaint(memory_app, T0)
    refused(memory_app, c.id, NotPossibleInState, memory_app.dispose, to="kota-cirebon", by=NATIONAL, at=T0)
    memory_app.verify(c.id, by=NATIONAL, at=T0)
    refused(memory_app, c.id, NotPossibleInState, memory_app.verify, by=NATIONAL, at=T0)
    memory_app.dispose(c.id, to="kota-cirebon", by=NATIONAL, at=T0)
    refused(memory_app, c.id, NotPossibleInState, memory_app.dispose, to="dinkes", by=ADMIN, at=T0)


def test_rule_12_a_role_that_never_does_it_or_a_desk_not_held_is_not_allowed(memory_app: LaporApp) -> None:
    """Rule 12's two examples: the national desk returning (it can never return), and the
    reporter replying while the complaint sits on another desk than "awaiting the reporter"."""
    c = file_complaint(memory_app, T0)
    refused(memory_app, c.id, NotAllowed, memory_app.return_up, reason="x", by=NATIONAL, at=T0)
    to_unit(memory_app, c.id, T0)
    refused(memory_app, c.id, NotAllowed, memory_app.reply, message="x", by=REPORTER, at=T0)


def test_rule_8_finished_is_final_for_everyone(memory_app: LaporApp) -> None:
    c = file_complaint(memory_app, T0)
    memory_app.archive(c.id, reason="incomplete", by=NATIONAL, at=T0)
    for actor in (NATIONAL, ADMIN, REPORTER, DINKES):
        refused(memory_app, c.id, NotPossibleInState, memory_app.verify, by=actor, at=T0)
    refused(memory_app, c.id, NotPossibleInState, memory_app.archive, reason="duplicate", by=NATIONAL, at=T0)


def test_unknown_institution_or_unit_is_refused(on_admin_desk) -> None:  # type: ignore[no-untyped-def]
    app, cid = on_admin_desk
    app.verify(cid, by=ADMIN, at=T0)
    message = refused(app, cid, UnknownOrganisation, app.dispose, to="dinkess", by=ADMIN, at=T0)
    assert "dinkess" in message and "dinkes" in message
    # A unit of another institution is not this admin team's to dispose to.
    refused(app, cid, UnknownOrganisation, app.dispose, to="rsud-waled", by=ADMIN, at=T0)


def test_invalid_payloads_are_invalid_input(memory_app: LaporApp) -> None:
    c = file_complaint(memory_app, T0)
    refused(memory_app, c.id, InvalidInput, memory_app.archive, reason="bosan", by=NATIONAL, at=T0)
    to_unit(memory_app, c.id, T0)
    refused(memory_app, c.id, InvalidInput, memory_app.return_up, reason="", by=DINKES, at=T0)
    refused(memory_app, c.id, InvalidInput, memory_app.respond, message="", by=DINKES, at=T0)
    with pytest.raises(InvalidInput):
        memory_app.submit(by=REPORTER, at=T0, reporter=Reporter(name="x"), title="", description="d")


@pytest.mark.parametrize("blank", [" ", "\t\n  ", "\u3000"])
def test_a_blank_title_message_or_reason_is_invalid_input(memory_app: LaporApp, blank: str) -> None:
    with pytest.raises(InvalidInput, match="blank"):
        memory_app.submit(by=REPORTER, at=T0, reporter=Reporter(name="x"), title=blank, description="d")
    c = file_complaint(memory_app, T0)
    to_unit(memory_app, c.id, T0)
    refused(memory_app, c.id, InvalidInput, memory_app.respond, message=blank, by=DINKES, at=T0)
    refused(memory_app, c.id, InvalidInput, memory_app.return_up, reason=blank, by=DINKES, at=T0)


@pytest.mark.parametrize("to", [None, 7, "", "kota-atlantis"])
def test_disposing_to_nothing_or_nowhere_is_invalid_input(on_admin_desk, to: object) -> None:  # type: ignore[no-untyped-def]
    app, cid = on_admin_desk
    app.verify(cid, by=ADMIN, at=T0)
    refused(app, cid, InvalidInput, app.dispose, to=to, by=ADMIN, at=T0)


@pytest.mark.parametrize("batch", [0, -1, 2.5, True, "500"])
def test_a_sweep_in_batches_of_nothing_is_invalid_input(memory_app: LaporApp, batch: object) -> None:
    with pytest.raises(InvalidInput, match="batch"):
        memory_app.fire_due(T0, batch=batch)  # type: ignore[arg-type]


def test_actors_must_fit_their_role() -> None:
    with pytest.raises(ValueError, match="needs an institution"):
        Actor(role="tim-admin", person="x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="takes no institution"):
        Actor(role="pelapor", person="x", institution="kota-cirebon")  # type: ignore[arg-type]


def test_every_error_is_a_lapor_error_with_a_readable_message(memory_app: LaporApp) -> None:
    c = file_complaint(memory_app, T0)
    with pytest.raises(LaporError) as caught:
        memory_app.respond(c.id, message="x", by=DINKES, at=T0)
    text = str(caught.value)
    assert "pejabat-penghubung" in text and "lapor-sp4n" in text and "\n" not in text


def test_a_new_complaint_under_a_taken_id_is_refused(app: LaporApp) -> None:
    from lapor_domain import ComplaintExists

    taken = file_complaint(app, T0)
    with pytest.raises(ComplaintExists, match="already exists"):
        file_complaint(app, wib(2026, 1, 6), complaint_id=taken.id)
    assert [e.title for e in app.history(taken.id)] == [taken.title]  # type: ignore[attr-defined]


@pytest.mark.parametrize("actor", [NATIONAL, ADMIN, DINKES, REPORTER, Actor.system()], ids=str)
def test_an_actor_reads_back_from_its_text(actor: Actor) -> None:
    assert Actor.parse(str(actor)) == actor


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("walikota:budi", "unknown role 'walikota'"),
        ("tim-admin:budi", "expected tim-admin:INSTITUTION:PERSON"),
        ("pejabat-penghubung:kota-cirebon:budi", "expected pejabat-penghubung:INSTITUTION/UNIT:PERSON"),
        ("lapor-sp4n:", "expected lapor-sp4n:PERSON"),
    ],
)
def test_a_malformed_actor_is_invalid_input(text: str, says: str) -> None:
    with pytest.raises(InvalidInput, match=re.escape(says)):
        Actor.parse(text)


def test_rule_10_a_privacy_flag_once_set_is_never_cleared(memory_app: LaporApp) -> None:
    c = file_complaint(memory_app, T0, anonymous=True)
    verify = memory_app.verify
    message = refused(memory_app, c.id, NotPossibleInState, verify, by=NATIONAL, at=T0, anonymous=False)
    assert "never cleared" in message
    assert memory_app.verify(c.id, by=NATIONAL, at=T0, confidential=True).anonymous
