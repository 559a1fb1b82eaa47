"""`lapor audit`, `audit signer|sign|checkpoint`, `upgrade`, and `rebuild` refusing a damaged log."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import test_cli
from test_cli import as_json, lapor, ok, refused

office_hours, db, at_unit = test_cli.office_hours, test_cli.db, test_cli.at_unit  # the same fixtures
# rowids 1 and 2 are the policy and the base calendar the store began with (rule 16); rowid 3
# the complaint's submission
FLIP = "UPDATE stored_events SET state = CAST(replace(state, 'Jalan', 'Jalur') AS BLOB) WHERE rowid = 3"


def tamper(db: Path, statement: str) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute(statement)
    conn.close()


def test_an_untouched_log_audits_clean(db: Path, at_unit: str) -> None:
    result = ok(lapor(db, "audit"))
    assert "All holds." in result.stdout and "skipped" in result.stdout  # no key trusted: said so
    report = as_json(lapor(db, "audit", "--json"))
    assert report["ok"] is True and report["events"] == 7
    assert [c["check"] for c in report["checks"]] == [
        "chains",
        "tree head",
        "signatures",
        "deadline index",
        "views",
    ]


def test_a_checkpoint_kept_elsewhere_covers_the_log_and_catches_a_rewrite(
    db: Path, at_unit: str, tmp_path: Path
) -> None:
    key, kept = tmp_path / "signing.pem", tmp_path / "cp.json"
    ok(lapor(db, "audit", "signer", "--out", str(key)))
    assert key.stat().st_mode & 0o777 == 0o600
    refused(lapor(db, "audit", "signer", "--out", str(key)), 2, "never overwritten")
    written = as_json(
        lapor(db, "audit", "checkpoint", "--signing-key", str(key), "--out", str(kept), "--json")
    )
    assert written["size"] == 7 and json.loads(kept.read_text())["size"] == 7
    report = as_json(lapor(db, "audit", "--checkpoint", str(kept), "--json"))
    checks = {c["check"]: c for c in report["checks"]}
    assert checks["checkpoint"]["covers"] == 7 and checks["signatures"]["covers"] == 7
    # Rewrite the whole log's digests and head after a change: only the checkpoint can tell.
    tamper(db, "DELETE FROM stored_events WHERE rowid = (SELECT MAX(rowid) FROM stored_events)")
    tamper(db, "UPDATE lapor_tree_head SET size = 6")
    result = lapor(db, "audit", "--checkpoint", str(kept))
    assert result.exit_code == 6
    assert result.stderr.startswith("lapor: error: the audit failed:")
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_flipped_byte_fails_the_audit_with_exit_6_naming_the_event(db: Path, at_unit: str) -> None:
    tamper(db, FLIP)
    result = lapor(db, "audit", "--json")
    assert result.exit_code == 6
    report = json.loads(result.stdout)
    chains = next(c for c in report["checks"] if c["check"] == "chains")
    assert chains["status"] == "fail" and chains["first"] == {
        "position": 3,
        "complaint_id": at_unit,
        "version": 1,
    }
    assert at_unit in result.stderr


def test_rebuild_refuses_a_damaged_log_unless_the_damage_is_accepted_and_recorded(
    db: Path, at_unit: str
) -> None:
    tamper(db, FLIP)
    refused(lapor(db, "rebuild"), 6, "fails verification", at_unit)
    refused(lapor(db, "rebuild", "--accept-damage", "restored from backup"), 2, "--as")
    rebuilt = as_json(
        lapor(
            db, "rebuild", "--accept-damage", "restored from backup", "--as", "lapor-sp4n:sp4n-ayu", "--json"
        )
    )
    assert rebuilt == {"views_events": 0, "deadline_rows": 0, "complaints_left_out": 1}
    report = json.loads(lapor(db, "audit", "--json").stdout)
    overrides = next(c for c in report["checks"] if c["check"] == "overrides")
    assert "sp4n-ayu" in overrides["summary"] and "restored from backup" in overrides["summary"]


def test_tick_signs_the_head_once_per_size(db: Path, at_unit: str, tmp_path: Path) -> None:
    key = tmp_path / "signing.pem"
    ok(lapor(db, "audit", "signer", "--out", str(key)))
    assert "Signed the tree head: 7 events" in ok(lapor(db, "tick", LAPOR_SIGNING_KEY=str(key))).stdout
    assert "Signed" not in ok(lapor(db, "tick", LAPOR_SIGNING_KEY=str(key))).stdout
    report = as_json(lapor(db, "audit", "--trust", str(key), "--json"))
    assert next(c for c in report["checks"] if c["check"] == "signatures")["covers"] == 7
    key.chmod(0o644)
    refused(lapor(db, "tick", "--signing-key", str(key)), 2, "chmod 600")


def test_upgrade_chains_an_old_database_and_is_safe_to_run_twice(db: Path, at_unit: str) -> None:
    tamper(db, "UPDATE stored_events SET leaf = NULL, digest = NULL, previous = NULL")
    tamper(db, "DELETE FROM lapor_tree_head")
    refused(lapor(db, "submit", "--as", "pelapor:warga-9", "--title", "Lampu mati"), 4, "lapor upgrade")
    assert lapor(db, "audit").exit_code == 6
    assert as_json(lapor(db, "upgrade", "--json")) == {"identities sealed": 0, "events chained": 7}
    assert as_json(lapor(db, "upgrade", "--json")) == {"identities sealed": 0, "events chained": 0}
    ok(lapor(db, "audit"))


def test_a_changed_policy_version_fails_the_audit(db: Path, at_unit: str) -> None:
    """The recorded policy sets every deadline (rule 16): rewriting it is tampering like any other."""
    tamper(
        db,
        "UPDATE stored_events SET state = CAST(replace(state, 'Cirebon', 'Cirebox') AS BLOB) WHERE rowid = 1",
    )
    result = lapor(db, "audit", "--json")
    assert result.exit_code == 6
    chains = next(c for c in json.loads(result.stdout)["checks"] if c["check"] == "chains")
    assert chains["status"] == "fail" and chains["first"]["position"] == 1
