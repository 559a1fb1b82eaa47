"""Rule 10 in every view, for every viewer and every as-of instant (flags as they stand now).

Random histories set the flags at submission or at a later verification; every view of
every complaint is then asked as of a random instant, by every viewer role: an identity
whose complaint is anonymous now never reaches a unit or the public, and a complaint
that is confidential now never reaches a public view.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lapor_domain import Actor, ComplaintNotFound, LaporApp, Role, can_see_identity
from lapor_projections import ReadModels, ViewReader, complaint_card, timeline

from conftest import OFFICE_KEYS, OfficeApp, complaint_events, complaint_ids
from sop import NATIONAL, wib
from walk import random_walk

START = wib(2025, 3, 3, 8)
VIEWERS = [None, Role.NATIONAL, Role.ADMIN, Role.LIAISON, Role.REPORTER, Role.SYSTEM]
PUBLIC = (None, Role.REPORTER, Role.SYSTEM)
VIEWERS_AS_ACTORS = {  # named viewers: an identity is shown only to an actor, with a key at hand
    Role.NATIONAL: NATIONAL,
    Role.ADMIN: Actor.admin("kota-cirebon", "admin-dodi"),
    Role.LIAISON: Actor.liaison("kota-cirebon", "dinkes", "pp-sari"),
    Role.REPORTER: Actor.reporter("warga-1"),
}  # a reporter's role anyone may claim, the system


def markers(app: LaporApp, cid: UUID) -> set[str]:
    """What identifies the complaint's reporter: its name and account id (tests/walk.py)."""
    shown = app.identity(cid, viewer=NATIONAL, purpose="test").identity
    assert shown is not None
    return {shown.account, shown.reporter.name}


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), days=st.integers(0, 200))
def test_no_view_of_any_instant_shows_what_rule_10_hides_now(seed: int, days: int) -> None:
    """Every viewer, as of every event's instant of every complaint and one random instant."""
    app = OfficeApp(keys=OFFICE_KEYS)
    app.register_reader_keys(OFFICE_KEYS)
    try:
        random_walk(app, seed, complaints=5, start=START)
        for cid in complaint_ids(app):
            history = app.history(cid)
            for as_of in sorted({*(e.at for e in history), START + timedelta(days=days, hours=5)}):
                if as_of >= history[0].at:
                    for viewer in VIEWERS:
                        check_views(app, cid, as_of, viewer)
    finally:
        app.close()


def check_views(app: LaporApp, cid: UUID, as_of: datetime, viewer: Role | None) -> None:
    now = app.complaint(cid)
    then = app.complaint(cid, as_of=as_of)
    if now.confidential and viewer in PUBLIC:
        with pytest.raises(ComplaintNotFound):
            timeline(app, cid, as_of=as_of, viewer=viewer)
        with pytest.raises(ComplaintNotFound):
            complaint_card(then, app.rules.calendars, as_of, viewer, now=now)
        return
    actor = VIEWERS_AS_ACTORS.get(viewer)
    identity = app.identity(cid, viewer=actor, purpose="test") if actor else None
    entries = timeline(app, cid, as_of=as_of, viewer=actor or viewer)
    card = complaint_card(then, app.rules.calendars, as_of, viewer, now=now, identity=identity)
    shown = json.dumps([e.model_dump(mode="json") for e in entries]) + card.model_dump_json()
    hidden = markers(app, cid) if not can_see_identity(viewer, now.anonymous) else set()
    leaked = {m for m in hidden if m in shown}
    assert not leaked, f"{viewer} saw the anonymous reporter of {cid} as of {as_of}"
    assert (card.anonymous, card.confidential) == (now.anonymous, now.confidential)


def test_an_as_of_replay_keeps_the_flags_as_they_stand_now(tmp_path: Path) -> None:
    app = OfficeApp(str(tmp_path / "live.db"))
    try:
        last = random_walk(app, 3, complaints=12, start=START)
        live = ReadModels(app)
        live.catch_up()
        replayed = live.build_as_of(START + timedelta(days=1), str(tmp_path / "then.db"))
        reader = ViewReader(replayed.db, app.policy)
        ids = {e.originator_id for e in complaint_events(app) if e.at <= START + timedelta(days=1)}
        assert ids
        stored = replayed.store.load(ids)
        for cid in ids:
            now = app.complaint(cid)
            assert (stored[cid].complaint.anonymous, stored[cid].complaint.confidential) == (
                now.anonymous,
                now.confidential,
            )
            assert (reader.public_status(cid) is None) == now.confidential
        assert last > START
        replayed.close()
        live.close()
    finally:
        app.close()
