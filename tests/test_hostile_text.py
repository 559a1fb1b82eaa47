"""Text from the public is shown, never obeyed: on the terminal, in a spreadsheet, in HTML.

A reporter may type escape sequences (retitle the window, recolour or clear the
screen), C1 controls, bidi overrides, backspaces and carriage returns, rich markup,
or a spreadsheet formula. The renderers in ``lapor_projections.safe_text`` must
neutralise them for any input, and every command must render through them.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lapor_cli.errors import one_line
from lapor_cli.main import cli
from lapor_projections import for_html, for_spreadsheet, for_terminal, json_for_terminal

# The dangerous classes, written out independently of the renderers' own test.
BIDI = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}


def dangerous(char: str, *, newline_ok: bool = False) -> bool:
    point = ord(char)
    if newline_ok and char == "\n":
        return False
    return (
        point < 0x20
        or 0x7F <= point <= 0x9F
        or point in BIDI
        or 0xD800 <= point <= 0xDFFF
        or point in (0x2028, 0x2029, 0xFEFF, 0x200B)
    )


def no_dangerous(text: str, *, newline_ok: bool = False) -> None:
    found = [hex(ord(c)) for c in text if dangerous(c, newline_ok=newline_ok)]
    assert not found, (found, text)


ESCAPES = [
    "\x1b]0;pwned\x07",  # retitle the window (OSC ... BEL)
    "\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\",  # an OSC 8 hyperlink
    "\x1b[31m",  # red
    "\x1b[2J",  # clear the screen
    "\x1b[1A\x1b[2K",  # up a line, erase it
    "\x9b31m",  # C1 CSI
    "\x9d0;pwned\x9c",  # C1 OSC ... ST
    "\u202e",  # right-to-left override
    "\u2066\u2069\u200f\u061c",
    "\b\b\b",
    "\r",
    "\x00",
    "\x7f",
    "\ud800",  # a lone surrogate
    "\u2028",
    "[bold red]x[/]",  # rich markup
    "[link=http://evil]y[/link]",
    ":warning:",  # rich emoji code
]
ORDINARY = "Jalan berlubang di Jl. Kesambi, ±2 m — café, naïve, 👨‍👩‍👧 🏴󠁧󠁢󠁳󠁣󠁴󠁿 ✅"

everything = st.text(st.characters(exclude_categories=()))  # every category, surrogates too
pieces = st.sampled_from(ESCAPES) | st.text(max_size=8) | st.just(ORDINARY)
hostile = st.lists(pieces, max_size=8).map("".join)  # escape sequences mixed into ordinary text
printable = st.text(st.characters(categories=["L", "M", "N", "P", "S", "Zs"]))


# -- the renderers -------------------------------------------------------------------------


@given(everything | hostile)
@example("\x1b]0;pwned\x07\x1b[31m\x1b[2J\x9b\u202e\b\r")
def test_the_terminal_rendering_holds_no_control_character_and_is_stable(text: str) -> None:
    shown = for_terminal(text)
    no_dangerous(shown)
    assert not [c for c in shown if unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp")]
    assert for_terminal(shown) == shown


@given(everything | hostile)
def test_a_multiline_terminal_rendering_keeps_only_newlines(text: str) -> None:
    shown = for_terminal(text, multiline=True)
    no_dangerous(shown, newline_ok=True)
    assert shown.count("\n") == text.count("\n")
    assert for_terminal(shown, multiline=True) == shown


@given(printable)
@example(ORDINARY)
@example("Pelayanan KTP di Disdukcapil lambat sekali!! (3 minggu) #kesal 😡")
def test_ordinary_text_reads_unchanged(text: str) -> None:
    assert for_terminal(text) == text
    assert for_terminal(text, multiline=True) == text


def test_controls_are_shown_as_escapes() -> None:
    assert for_terminal("a\x1b[31mb\x07") == "a\\x1b[31mb\\x07"
    assert for_terminal("\x9b\u202eevil\U000e0001") == "\\x9b\\u202eevil\\U000e0001"
    assert for_terminal("one\ntwo\tthree\r") == "one\\ntwo\\tthree\\r"
    assert for_terminal("one\ntwo", multiline=True) == "one\ntwo"


TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@given(everything | hostile | st.sampled_from(TRIGGERS).flatmap(lambda t: st.text().map(lambda s: t + s)))
@example('=HYPERLINK("http://evil","click")')
@example("  =1+1")
@example("\t=1")
@example("-5")
def test_a_spreadsheet_cell_is_never_a_formula_nor_holds_a_control(text: str) -> None:
    cell = for_spreadsheet(text)
    assert isinstance(cell, str)
    assert not cell.lstrip().startswith(TRIGGERS)
    no_dangerous(cell)
    if not text.lstrip().startswith(TRIGGERS) and not text.startswith(TRIGGERS):
        assert cell == for_terminal(text)  # only formulas get the quote


@given(st.integers() | st.floats(allow_nan=False) | st.booleans() | st.none())
@example(-5)
@example(-0.5)
def test_numbers_stay_numbers_in_a_spreadsheet(value: Any) -> None:
    assert for_spreadsheet(value) is value
    written = io.StringIO()
    csv.writer(written).writerow([for_spreadsheet(value)])
    assert not written.getvalue().startswith("'")


def test_text_that_looks_negative_is_quoted() -> None:
    assert for_spreadsheet("-5") == "'-5"
    assert for_spreadsheet('=HYPERLINK("http://evil","click")') == '\'=HYPERLINK("http://evil","click")'


@given(everything | hostile)
@example('<script>alert("x")</script>')
def test_html_rendering_holds_no_markup_from_the_input(text: str) -> None:
    shown = for_html(text)
    assert not set(shown) & {"<", ">", '"'}
    no_dangerous(shown, newline_ok=True)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | everything | hostile,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(everything | hostile, inner, max_size=4),
    max_leaves=12,
)


@given(json_values)
def test_json_for_the_terminal_is_the_same_value_without_controls(value: Any) -> None:
    document = json_for_terminal(json.dumps(value, ensure_ascii=False, indent=2))
    assert json.loads(document) == value
    no_dangerous(document, newline_ok=True)


@given(everything | hostile)
def test_an_error_line_is_one_line_without_controls(text: str) -> None:
    line = one_line(ValueError(f"no complaint matching {text}"))
    no_dangerous(line)


# -- through the command line ---------------------------------------------------------------

HOSTILE_TITLE = (
    "\x1b]0;pwned\x07\x1b[31mJalan\x1b[2J \x9b31m\u202eberlubang\b\b\r[bold red]x[/] [link=http://e]y[/link]"
)
FORMULA = '=HYPERLINK("http://evil","click")'
HOSTILE_PERSON = "=cmd|' /C calc'!A0\x1b[31m"
SUBMITTED = "2026-11-27T09:00"
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def lapor(db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.stderr or result.stdout
    return result.stdout + result.stderr


def submit(db: Path, title: str, *extra: str, person: str = "warga-1") -> str:
    result = lapor(db, "submit", "--as", f"pelapor:{person}", "--title", title, "--at", SUBMITTED, *extra)
    ok(result)
    return result.stdout.strip()


def assert_inert(output: str) -> None:
    assert not RAW.search(output), [hex(ord(c)) for c in RAW.findall(output)]


@pytest.fixture
def hostile_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    db = tmp_path / "lapor.db"
    monkeypatch.setenv("LAPOR_KEY_FILE", str(tmp_path / "office.keys"))  # identities can be shown
    ok(lapor(db, "keys", "init"))
    cid = submit(db, HOSTILE_TITLE, "--description", FORMULA + "\x1b[2J\u202e", person=HOSTILE_PERSON)
    national = "lapor-sp4n:sp4n-ayu"
    note = FORMULA + "\x1b]0;x\x07"
    ok(lapor(db, "verify", cid, "--as", national, "--at", "2026-11-27T10:00", "--note", note))
    return db, cid


def test_queue_show_and_history_show_hostile_text_inert(hostile_db: tuple[Path, str]) -> None:
    db, cid = hostile_db
    for args in (("queue", "lapor-sp4n"), ("show", cid), ("history", cid), ("status", cid)):
        output = ok(lapor(db, *args))
        assert_inert(output)
        if args[0] in ("show", "status"):  # one title a line (a queue's column wraps it)
            assert "[bold red]x[/] [link=http://e]y[/link]" in output, output  # markup shown, not applied
            assert "\\x1b]0;pwned\\x07" in output  # the escape is visible as such


def test_json_keeps_the_exact_text_but_spells_controls_as_escapes(hostile_db: tuple[Path, str]) -> None:
    db, cid = hostile_db
    result = lapor(db, "show", cid, "--json")
    assert_inert(ok(result))
    assert json.loads(result.stdout)["title"] == HOSTILE_TITLE
    lines = lapor(db, "export", "events", "--viewer", "lapor-sp4n:sp4n-ayu", "--identities").stdout
    assert_inert(lines)
    first = json.loads(lines.splitlines()[2])  # after the policy and base calendar the store began with
    assert first["data"]["title"] == HOSTILE_TITLE and first["person"] == HOSTILE_PERSON


@pytest.mark.parametrize(
    "what",
    [
        ("events", "--viewer", "lapor-sp4n:sp4n-ayu", "--identities"),
        ("timeline", "--viewer", "lapor-sp4n:sp4n-ayu", "--identities"),
    ],
)
def test_csv_exports_hold_no_formula_and_no_control(
    hostile_db: tuple[Path, str], what: tuple[str, ...]
) -> None:
    db, _ = hostile_db
    text = ok(lapor(db, "export", *what, "--format", "csv"))
    assert_inert(text.replace("\n", ""))
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) >= 3
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.lstrip().startswith(TRIGGERS)], cells
    assert "'" + HOSTILE_PERSON.replace("\x1b", "\\x1b") in cells


def test_numbers_stay_numbers_in_csv(hostile_db: tuple[Path, str]) -> None:
    db, _ = hostile_db
    exported = lapor(
        db, "export", "events", "--viewer", "lapor-sp4n:sp4n-ayu", "--identities", "--format", "csv"
    )
    rows = list(csv.DictReader(io.StringIO(ok(exported))))
    assert [(r["event"], r["version"]) for r in rows] == [
        ("PolicyRecorded", "1"),
        ("BaseCalendarRecorded", "1"),
        ("Submitted", "1"),
        ("Verified", "2"),
    ]


def test_an_error_naming_a_typed_actor_is_inert(tmp_path: Path) -> None:
    db = tmp_path / "lapor.db"
    cid = submit(db, "Jalan berlubang")
    actor = "pelapor:\x1b]0;pwned\x07\u202e\x9b"
    result = lapor(db, "verify", cid, "--as", actor, "--at", "2026-11-27T10:00")
    assert result.exit_code == 1 and result.stderr.startswith("lapor: error: pelapor:")
    assert_inert(result.stderr.rstrip("\n"))
    assert "\\x1b]0;pwned\\x07\\u202e\\x9b may not verify" in result.stderr


# (a blank title is refused: the property is about titles that are shown)
titles = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=300).filter(str.strip)


@settings(  # a submit and a show per example: a third of the profile's count (HYPOTHESIS_PROFILE)
    max_examples=max(10, settings().max_examples // 3),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(title=titles | hostile.filter(lambda t: 0 < len(t) <= 300 and "\ud800" not in t and t.strip()))
def test_show_renders_any_title_without_controls(tmp_path: Path, title: str) -> None:
    db = tmp_path / "lapor.db"
    output = ok(lapor(db, "show", submit(db, title)))
    no_dangerous(output, newline_ok=True)
