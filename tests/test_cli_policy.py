"""`lapor policy`: a database keeps the policy it began with, a new Perwali is recorded as a new
version when it is entered, and every deadline says which version set it (rule 16)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

import test_cli
from lapor_cli.timeparse import parse_instant
from lapor_domain import SlaPolicy
from test_cli import ADMIN, NATIONAL, REPORTER, SUBMITTED, WIB, as_json, lapor, ok, refused

office_hours, db = test_cli.office_hours, test_cli.db  # the same fixtures

PERWALI = "Perwali Cirebon 12/2026"
CIREBON = SlaPolicy.cirebon()


def file_with(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def to_admin(db: Path, at: str, *policy: str) -> str:
    """A complaint submitted, verified and sent to Kota Cirebon's admin team, each a minute apart."""
    start = parse_instant(at, WIB)
    step = [(start + timedelta(minutes=n)).isoformat() for n in range(3)]
    cid = ok(
        lapor(db, *policy, "submit", "--as", REPORTER, "--title", "Jalan", "--at", step[0])
    ).stdout.strip()
    ok(lapor(db, *policy, "verify", cid, "--as", NATIONAL, "--at", step[1]))
    ok(lapor(db, *policy, "dispose", cid, "--to", "kota-cirebon", "--as", NATIONAL, "--at", step[2]))
    return cid


def admin_limit(arrived: str, days: int) -> str:
    return CIREBON.calendar.deadline(parse_instant(arrived, WIB), days).isoformat()


def test_a_database_keeps_the_policy_it_began_with(db: Path, tmp_path: Path) -> None:
    uji = file_with(tmp_path, "uji.toml", 'name = "Uji"\n[national]\ntarget = 2\nlimit = 4\n')
    cid = ok(lapor(db, "--policy", uji, "submit", "--as", REPORTER, "--title", "J", "--at", SUBMITTED)).stdout
    cid = cid.strip()
    card = as_json(lapor(db, "show", cid, "--as-of", "2026-03-14", "--json"))  # no --policy: the recorded
    assert card["target"] == CIREBON.calendar.deadline(parse_instant(SUBMITTED, WIB), 2).isoformat()
    (first,) = as_json(lapor(db, "policy", "history", "--json"))
    assert first["version"] == 1 and first["name"] == "Uji" and first["by"].startswith("system:")
    ok(lapor(db, "--policy", uji, "show", cid))  # the same policy again: fine
    other = file_with(tmp_path, "other.toml", "[national]\ntarget = 5\nlimit = 6\n")
    refused(lapor(db, "--policy", other, "show", cid), 2, "lapor policy record", "national.limit")


def test_a_new_version_counts_for_desks_entered_after_it_and_running_ones_keep_theirs(
    db: Path, tmp_path: Path
) -> None:
    before = to_admin(db, "2026-03-13T10:00")
    perwali = file_with(
        tmp_path, "perwali.toml", "[admin]\ntarget = 4\nlimit = 7\n[unit]\ntarget = 5\nlimit = 7\n"
    )
    recorded = as_json(lapor(db, "policy", "record", perwali, "--basis", PERWALI, "--as", NATIONAL, "--json"))
    assert recorded["version"] == 2 and recorded["changed"] == ["admin.limit", "admin.target", "unit.limit"]
    assert recorded["recorded_at"].startswith("2026-03-13T10:02")  # when entered, never earlier
    after = to_admin(db, "2026-03-13T10:05")
    assert as_json(lapor(db, "show", before, "--json"))["limit"] == admin_limit("2026-03-13T10:02", 5)
    assert as_json(lapor(db, "show", after, "--json"))["limit"] == admin_limit("2026-03-13T10:07", 7)
    assert as_json(lapor(db, "history", before, "--json"))[-1]["deadline_policy"] == 1
    assert as_json(lapor(db, "history", after, "--json"))[-1]["deadline_policy"] == 2
    report = as_json(lapor(db, "sla", "--from", "2026-03-01", "--to", "2026-03-31", "--json"))
    admin = next(r for r in report if r["desk"] == "tim-admin:kota-cirebon")
    assert admin["policy_versions"] == [1, 2]  # which policies judged the stays it counts
    versions = as_json(lapor(db, "policy", "history", "--json"))
    assert [(v["version"], v["basis"]) for v in versions][1] == (2, PERWALI)
    assert versions[1]["changed"] == "admin.limit, admin.target, unit.limit"
    assert as_json(lapor(db, "policy", "show", "1"))["policy"]["admin"] == {"target": 3, "limit": 5}
    assert as_json(lapor(db, "policy", "show"))["policy"]["admin"] == {"target": 4, "limit": 7}
    ok(lapor(db, "--policy", perwali, "queue"))  # the version in force, given again: fine
    refused(lapor(db, "policy", "show", "3"), 2, "no policy version 3")


@pytest.mark.parametrize(
    ("text", "by", "code", "words"),
    [
        ("", NATIONAL, 2, ("nothing to record",)),
        ('timezone = "Asia/Makassar"\n', NATIONAL, 2, ("timezone",)),
        ("late_entry_grace = 'PT1H'\n", NATIONAL, 2, ("late_entry_grace",)),
        ("[extra_closing_days]\n2026-04-01 = 'Libur'\n", NATIONAL, 2, ("calendar amendment",)),
        ("[unit]\ntarget = 5\nlimit = 7\n", "pejabat-penghubung:kota-cirebon/dinkes:rina", 1, ("may not",)),
        ("[unit]\ntarget = 9\nlimit = 7\n", ADMIN, 2, ("invalid SLA policy",)),
    ],
    ids=["unchanged", "zone", "grace", "closing-days", "a-unit", "target-after-limit"],
)
def test_a_version_that_may_not_be_recorded_is_refused_and_nothing_changes(
    db: Path, tmp_path: Path, text: str, by: str, code: int, words: tuple[str, ...]
) -> None:
    to_admin(db, "2026-03-13T10:00")
    before = as_json(lapor(db, "policy", "history", "--json"))
    new = file_with(tmp_path, "new.toml", text or "\n")
    refused(lapor(db, "--lang", "en", "policy", "record", new, "--basis", PERWALI, "--as", by), code, *words)
    assert as_json(lapor(db, "policy", "history", "--json")) == before
