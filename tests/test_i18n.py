"""Bahasa Indonesia first: the catalogs are complete, and Indonesian is what an operator reads
unless they choose English (``--lang``, ``LAPOR_LANG``) or the policy says otherwise."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from click.testing import CliRunner

from lapor_cli import i18n
from lapor_cli.main import cli

CLI = Path(i18n.__file__).parent
KEYWORDS = {"_": None, "Column": (2,)}  # gettext calls, and every table column's header


def messages() -> set[str]:
    found = extract_from_dir(str(CLI), method_map=[("**.py", "python")], keywords=KEYWORDS)
    return {message for _, _, message, _, _ in found if isinstance(message, str) and message} | vocabulary()


def vocabulary() -> set[str]:
    """The domain's fixed words a table shows (``term`` cells): statuses, clocks, events, kinds."""
    from lapor_cli.deadlines import OUTCOMES
    from lapor_domain import Clock, Outcome, SlaLevel, UnitKind, event_classes
    from lapor_projections import event_label

    events = {event_label(c) for c in event_classes().values() if c.__module__.startswith("lapor_domain.")}
    return (
        {"open", "pass", "fail", "skipped", "AutoClosed (due)", "EscalatedToOmbudsman (due)"}
        | {f"{level.value} desk limit" for level in SlaLevel}
        | {o.value for o in Outcome}
        | {c.value for c in Clock}
        | {k.value for k in UnitKind}
        | events
        | set(OUTCOMES.values())
    )


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_message_has_a_translation(lang: str) -> None:
    catalog = read_po(io.BytesIO(i18n.catalog_path(lang).read_bytes()))
    translated = {m.id: m.string for m in catalog if m.id}
    wanted = messages() | {"yes", "on-track", "late", "breached"}
    missing = sorted(m for m in wanted if not translated.get(m))
    assert not missing, f"{lang}: no translation for {missing}"
    assert not [m.id for m in catalog if m.fuzzy and m.id], "a fuzzy translation is not a translation"


def test_indonesian_is_the_default_and_english_a_choice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "l.db")
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db, "simulate", "--complaints", "40", "--seed", "3"]).exit_code == 0
    monkeypatch.delenv("LAPOR_LANG", raising=False)
    counts = ["--db", db, "queue", "--as-of", "2025-02-03T10:00"]
    indonesian = runner.invoke(cli, counts)
    assert indonesian.exit_code == 0, indonesian.output
    assert "meja" in indonesian.output and "terlambat" in indonesian.output
    english = runner.invoke(cli, ["--lang", "en", *counts])
    assert "desk" in english.output and "late" in english.output and "terlambat" not in english.output
    monkeypatch.setenv("LAPOR_LANG", "en_US.UTF-8")
    assert "terlambat" not in runner.invoke(cli, counts).output
    desk = runner.invoke(cli, ["--db", db, "--lang", "id", "--json", "queue", "--as-of", "2025-02-03T10:00"])
    assert '"on_track"' in desk.output  # JSON keys stay as they are


def test_a_catalog_is_compiled_once_and_read_back(tmp_path: Path) -> None:
    i18n.translator.cache_clear()
    translate = i18n.translator("id", tmp_path)
    assert translate("complaint") == "pengaduan" and translate("not in the catalog") == "not in the catalog"
    (kept,) = tmp_path.glob("catalog-*.mo")
    i18n.translator.cache_clear()
    assert i18n.translator("id", tmp_path)("title") == "judul"
    assert list(tmp_path.glob("catalog-*.mo")) == [kept]
    i18n.translator.cache_clear()


CHOICES = [
    (None, "id", "id"), ("en", "id", "en"), ("EN_gb", "id", "en"), ("xx", "en", "en"), (None, None, "id")
]  # fmt: skip


@pytest.mark.parametrize(("asked", "default", "chosen"), CHOICES)
def test_the_language_chosen(asked: str | None, default: str | None, chosen: str) -> None:
    assert i18n.choose(asked, default or "") == chosen
