"""A dossier's evidence (rule 15): a printed copy of one complaint can be checked later, without
the database, against a checkpoint an auditor kept; any change to the copy is caught."""

from __future__ import annotations

import base64
import copy
import json
import re
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lapor_cli.main import cli
from lapor_domain import (
    Actor,
    Checkpoint,
    InvalidInput,
    LaporApp,
    Reporter,
    Role,
    SigningKey,
    dossier_evidence,
    verify_evidence,
)
from lapor_projections import build_dossier, evidence_of, readable_differs, render_html

from conftest import OfficeApp

WIB = ZoneInfo("Asia/Jakarta")
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=WIB)
NATIONAL = Actor.national("ayu")
KEY = SigningKey.generate()


def walked(app: LaporApp, title: str = "Jalan rusak") -> Any:
    c = app.submit(
        by=Actor.reporter("warga-1"),
        at=T0,
        reporter=Reporter(name="Siti"),
        title=title,
        description="Berlubang",
    )
    app.verify(c.id, by=NATIONAL, at=T0 + timedelta(hours=1))
    app.dispose(c.id, to="kota-cirebon", by=NATIONAL, at=T0 + timedelta(hours=2))
    return c.id


@pytest.fixture(scope="module")
def proved() -> tuple[dict[str, Any], Checkpoint]:
    app = OfficeApp()
    walked(app, "Sebelum")  # another complaint's events share the tree
    cid = walked(app)
    walked(app, "Sesudah")
    kept = app.ledger.checkpoint(KEY)
    return dossier_evidence(app.ledger, cid, kept), kept


def test_an_untouched_copy_holds(proved: tuple[dict[str, Any], Checkpoint]) -> None:
    evidence, kept = proved
    found = verify_evidence(json.loads(json.dumps(evidence)), kept)
    assert found.holds and found.events == found.covered == 3 and found.problems == []


def _flip(text: str) -> str:
    raw = bytearray(base64.b64decode(text))
    raw[len(raw) // 2] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


TAMPERINGS = {
    "a flipped byte of the stored state": lambda e: e["events"][1].update(
        state=_flip(e["events"][1]["state"])
    ),
    "a changed topic": lambda e: e["events"][0].update(topic="lapor.Archived"),
    "a recomputed-looking digest": lambda e: e["events"][2].update(digest="00" * 32),
    "a deleted event": lambda e: e["events"].pop(1),
    "two events swapped": lambda e: e["events"].reverse(),
    "a changed proof": lambda e: e["events"][0]["proof"].__setitem__(0, "11" * 32),
    "another tree": lambda e: e["tree"].update(size=e["tree"]["size"] + 1),
}


@pytest.mark.parametrize("how", sorted(TAMPERINGS))
def test_a_tampered_copy_fails_and_says_where(proved: tuple[dict[str, Any], Checkpoint], how: str) -> None:
    evidence, kept = proved
    changed = copy.deepcopy(evidence)
    TAMPERINGS[how](changed)
    found = verify_evidence(changed, kept)
    assert not found.holds and found.problems, how
    if how != "another tree":
        assert any(f"complaint {evidence['complaint_id']}, event" in p for p in found.problems)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(event=st.integers(0, 2), offset=st.integers(0, 10_000), bit=st.integers(0, 7))
def test_any_flipped_bit_of_any_stored_state_is_caught(
    proved: tuple[dict[str, Any], Checkpoint], event: int, offset: int, bit: int
) -> None:
    evidence, kept = proved
    changed = copy.deepcopy(evidence)
    raw = bytearray(base64.b64decode(changed["events"][event]["state"]))
    raw[offset % len(raw)] ^= 1 << bit
    changed["events"][event]["state"] = base64.b64encode(bytes(raw)).decode()
    assert not verify_evidence(changed, kept).holds


def test_a_forged_checkpoint_is_refused(proved: tuple[dict[str, Any], Checkpoint]) -> None:
    _, kept = proved
    forged = kept.to_dict() | {"root": "22" * 32}
    with pytest.raises(InvalidInput, match="signature"):
        Checkpoint.from_json(json.dumps(forged))


def test_events_after_the_checkpoint_are_listed_unproved() -> None:
    app = OfficeApp()
    cid = walked(app)
    kept = app.ledger.checkpoint(KEY)
    app.verify(cid, by=Actor.admin("kota-cirebon", "dodi"), at=T0 + timedelta(hours=3))
    evidence = dossier_evidence(app.ledger, cid, kept)
    assert [e["proof"] is not None for e in evidence["events"]] == [True, True, True, False]
    found = verify_evidence(evidence, kept)
    assert found.covered == 3 and found.events == 4 and not found.holds and found.problems == []


def test_the_page_carries_the_evidence_and_reads_it_back(proved: tuple[dict[str, Any], Checkpoint]) -> None:
    evidence, _ = proved
    app = OfficeApp()
    cid = walked(app)
    made = build_dossier(app, cid, viewer=Role.NATIONAL, at=T0 + timedelta(days=1), evidence=evidence)
    assert evidence_of(render_html(made)) == evidence


def test_the_commands(tmp_path: Path) -> None:
    db, key, kept, page = (str(tmp_path / n) for n in ("d.db", "key.pem", "cp.json", "d.html"))
    runner = CliRunner()

    def lapor(*args: str) -> Any:
        return runner.invoke(cli, ["--db", db, *args])

    assert lapor("simulate", "--replace", "--complaints", "15", "--seed", "4").exit_code == 0
    assert lapor("audit", "signer", "--out", key).exit_code == 0
    assert lapor("audit", "checkpoint", "--signing-key", key, "--out", kept).exit_code == 0
    cid = json.loads(lapor("--json", "list", "--limit", "1").output)[0]["complaint_id"]
    made = lapor("dossier", cid, "--out", page, "--viewer", "lapor-sp4n", "--checkpoint", kept)
    assert made.exit_code == 0, made.output
    assert runner.invoke(cli, ["audit", "proof", page, "--checkpoint", kept]).exit_code == 0
    text = Path(page).read_text(encoding="utf-8")
    evidence = evidence_of(text)
    assert evidence is not None
    evidence["events"][0]["state"] = _flip(evidence["events"][0]["state"])
    other = OfficeApp()  # any page will do: the proof reads only the appendix
    page_of = build_dossier(other, walked(other), viewer=Role.NATIONAL, at=T0, evidence=evidence)
    tampered = render_html(page_of)
    Path(page).write_text(tampered, encoding="utf-8")
    refused = runner.invoke(cli, ["audit", "proof", page, "--checkpoint", kept])
    assert refused.exit_code == 6 and "stored bytes do not give its digest" in refused.output
    signed = lapor("dossier", cid, "--out", page, "--signing-key", key, "--viewer", "lapor-sp4n")
    assert signed.exit_code == 0, signed.output
    embedded = evidence_of(Path(page).read_text(encoding="utf-8"))
    assert embedded is not None
    assert embedded["checkpoint"]["fingerprint"] == SigningKey.load(key).public.fingerprint


def test_no_dossier_carries_an_identity_its_viewer_may_not_see(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    app = LaporApp.sqlite(db, clock=lambda: T0 + timedelta(days=3))
    c = app.submit(
        by=Actor.reporter("akun-rahasia-77"),
        at=T0,
        reporter=Reporter(name="Nama Penanda Unik", contact="0899-PENANDA"),
        title="Pungli di loket",
        description="Diminta uang",
        anonymous=True,
    )
    app.close()
    runner = CliRunner()
    for viewer in ("public", "pelapor", "pejabat-penghubung"):
        page = tmp_path / f"{viewer}.html"
        args = ["--db", str(db), "dossier", str(c.id), "--out", str(page), "--viewer", viewer]
        done = runner.invoke(cli, args)
        assert done.exit_code == 0, done.output
        text = page.read_text(encoding="utf-8")
        evidence = evidence_of(text)
        shown = text + json.dumps(evidence) + "".join(
            base64.b64decode(e["state"]).decode(errors="replace") for e in (evidence or {}).get("events", [])
        )
        for marker in ("Penanda", "PENANDA", "akun-rahasia"):
            assert marker not in shown, (viewer, marker)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=20,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_evidence_is_checked_or_refused_never_crashes(
    proved: tuple[dict[str, Any], Checkpoint], data: st.DataObject
) -> None:
    evidence, kept = proved
    mangled = copy.deepcopy(evidence)
    path = data.draw(st.sampled_from(["", "tree", "events", "events.0", "events.1.proof", "checkpoint"]))
    target: Any = mangled
    for part in [p for p in path.split(".") if p]:
        target = target[int(part)] if isinstance(target, list) else target[part]
    replacement = data.draw(JSON)
    if isinstance(target, dict) and target:
        key = data.draw(st.sampled_from(sorted(target)))
        target[key] = replacement
    elif isinstance(target, list) and target:
        target[data.draw(st.integers(0, len(target) - 1))] = replacement
    try:
        found = verify_evidence(mangled, kept)
    except InvalidInput:
        return

    def proved_part(e: dict[str, Any]) -> Any:  # what the check covers (the embedded checkpoint is not it)
        fields = ("version", "leaf", "topic", "state", "previous", "digest", "proof")
        return e["complaint_id"], e["tree"], [[ev[k] for k in fields] for ev in e["events"]]

    if found.holds:  # whatever was changed, nothing the proof covers was
        assert proved_part(mangled) == proved_part(evidence)


@settings(max_examples=200)
@given(st.text(max_size=300))
def test_any_page_reads_back_or_is_refused(text: str) -> None:
    try:
        found = evidence_of(text)
    except ValueError:
        return
    assert found is None or isinstance(found, dict)


def test_an_edited_printout_fails_though_its_appendix_is_untouched(tmp_path: Path) -> None:
    app = OfficeApp()
    cid = walked(app, "Jalan berlubang")
    kept = app.ledger.checkpoint(KEY)
    made = build_dossier(app, cid, viewer=Role.NATIONAL, at=T0 + timedelta(days=1))
    page = render_html(replace(made, evidence=dossier_evidence(app.ledger, cid, kept)))
    assert readable_differs(page) == []
    forged = page.replace("Jalan berlubang", "Jalan mulus, tidak ada masalah")
    assert any("title" in p for p in readable_differs(forged))
    assert any("description" in p for p in readable_differs(page.replace("Berlubang", "Baik-baik saja")))
    dropped = re.sub(r"<tr><td>2</td>.*?</tr>\n", "", page, count=1, flags=re.S)
    assert any("timeline" in p for p in readable_differs(dropped))
    renamed = page.replace("<td>Disposed</td>", "<td>Archived</td>")
    assert any("event 3" in p for p in readable_differs(renamed))
    (tmp_path / "cp.json").write_text(kept.to_json())
    (tmp_path / "forged.html").write_text(forged, encoding="utf-8")
    refused = CliRunner().invoke(
        cli, ["audit", "proof", str(tmp_path / "forged.html"), "--checkpoint", str(tmp_path / "cp.json")]
    )
    assert refused.exit_code == 6 and "title" in refused.output
