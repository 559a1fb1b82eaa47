"""The SLA policy is data: Cirebon by default, replaceable from TOML, validated."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from lapor_domain import DeskSla, InvalidInput, SlaLevel, SlaPolicy

from conftest import OfficeApp
from sop import NATIONAL, file_complaint, wib

CUSTOM = """
name = "Kabupaten Contoh"
timezone = "Asia/Makassar"
day_ends_at = "16:00:00"
auto_close_working_days = 5
escalation_working_days = 20

[national]
target = 2
limit = 4

[extra_closing_days]
2026-01-06 = "Hari jadi kabupaten"
"""


def test_the_default_is_the_cirebon_sop() -> None:
    policy = SlaPolicy.cirebon()
    assert [(policy.for_level(level).target, policy.for_level(level).limit) for level in SlaLevel] == [
        (1, 3),
        (3, 5),
        (5, 10),
    ]
    assert (policy.auto_close_working_days, policy.escalation_working_days) == (10, 60)
    assert policy.timezone == "Asia/Jakarta" and policy.day_ends_at is None


def test_a_policy_loads_from_toml_text_and_file(tmp_path: Path) -> None:
    policy = SlaPolicy.from_toml(CUSTOM)
    assert policy.national.target == 2 and policy.admin.limit == 5  # unspecified keeps the default
    assert policy.day_ends_at == time(16) and policy.extra_closing_days == {
        date(2026, 1, 6): "Hari jadi kabupaten"
    }
    path = tmp_path / "policy.toml"
    path.write_text(CUSTOM, encoding="utf-8")
    assert SlaPolicy.from_toml_file(path) == policy


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("[unit]\ntarget = 10\nlimit = 5\n", "limit (5) is shorter than target (10)"),
        ('timezone = "Mars/Olympus"\n', "unknown time zone"),
        ("auto_close_working_days = 0\n", "auto_close_working_days"),
        ("surprise = 1\n", "surprise"),
        ("[national\n", "invalid SLA policy"),
    ],
)
def test_bad_policies_are_invalid_input(text: str, complaint: str) -> None:
    with pytest.raises(InvalidInput, match="invalid SLA policy") as caught:
        SlaPolicy.from_toml(text)
    assert complaint in str(caught.value)


def test_an_embedding_service_passes_its_own_policy() -> None:
    policy = SlaPolicy.from_toml(CUSTOM)
    app = OfficeApp(policy=policy)
    c = file_complaint(app, wib(2026, 1, 2, 9))  # Friday
    sla = app.desk_deadlines(c.id)
    assert sla is not None
    # Mon 5 Jan is the 1st working day, Tue 6 Jan is the regency's own holiday, so
    # the 2nd is Wed 7 Jan, which ends at 16:00 WITA.
    assert sla.target.isoformat() == "2026-01-07T16:00:00+08:00"
    deadline = app.pending_deadline(c.id)
    assert deadline is not None
    assert deadline.due == policy.calendar.deadline(wib(2026, 1, 2, 9), 20)
    app.archive(c.id, reason="duplicate", by=NATIONAL, at=wib(2026, 1, 2, 10))


def test_a_changed_copy_is_validated_and_counts_by_its_own_days() -> None:
    """pydantic's copy skips validation and would keep the original's cached calendar."""
    base = SlaPolicy.cirebon()
    assert base.calendar.is_working_day(date(2026, 4, 1)) and base.for_level(SlaLevel.UNIT).limit == 10
    closed = base.model_copy(update={"extra_closing_days": {date(2026, 4, 1): "Libur daerah"}})
    assert not closed.calendar.is_working_day(date(2026, 4, 1))
    assert base.model_copy(update={"unit": DeskSla(target=5, limit=7)}).for_level(SlaLevel.UNIT).limit == 7
    with pytest.raises(InvalidInput, match="invalid SLA policy"):
        base.model_copy(update={"escalation_working_days": 0})
