"""Bahasa Indonesia first: the catalogs are complete, and Indonesian is what an operator reads
unless they choose English (``--lang``, ``LAPOR_LANG``) or the policy says otherwise."""

from __future__ import annotations

import ast
import io
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from click.testing import CliRunner

from lapor_cli import i18n
from lapor_cli.main import cli

CLI = Path(i18n.__file__).parent
KEYWORDS = {"_": None, "translate": None, "Column": (2,)}  # gettext calls, every table column's header
ROOT = Path(__file__).parent.parent  # the checkout: the package may be installed elsewhere (CI)
SOURCES = [ROOT / "src", ROOT / "projections", ROOT / "cli"]


def error_classes() -> set[str]:
    """The names of every error that carries a template: the library's and the command line's."""
    from lapor_cli.errors import CliError
    from lapor_domain import LaporError

    def under(cls: type) -> set[str]:
        return {cls.__name__}.union(*(under(sub) for sub in cls.__subclasses__()))

    return under(LaporError) | under(CliError)


def error_templates() -> dict[str, str]:
    """Every error template in the sources, found by AST, with where it is: the first argument
    of an error's construction (a literal, or a local ``template`` given literals), and every
    vocabulary word said inside one (``Term("...")``)."""
    names = error_classes()
    found: dict[str, str] = {}
    for path in sorted(p for folder in SOURCES for p in folder.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
            if _assigns_template(node):
                found[node.value.value] = where
            if not isinstance(node, ast.Call) or not node.args:
                continue
            called = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            first = node.args[0]
            if (
                called in names | {"Term"}
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
            ):
                found[first.value] = where
    return found


def _assigns_template(node: ast.AST) -> bool:
    """``template = "..."``: a template chosen among literals before the error is raised."""
    return (
        isinstance(node, ast.Assign)
        and [getattr(target, "id", None) for target in node.targets] == ["template"]
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def unliteral_templates() -> list[str]:
    """Errors constructed with a message that is not a literal (an f-string, a computed text)."""
    names = error_classes()
    wrong = []
    for path in sorted(p for folder in SOURCES for p in folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and node.args:
                called = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
                first = node.args[0]
                literal = isinstance(first, ast.Constant) or (
                    isinstance(first, ast.Name) and first.id == "template"
                )
                if called in names and not literal:
                    wrong.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(first)[:60]}")
    return wrong


def messages() -> set[str]:
    found = extract_from_dir(str(CLI), method_map=[("**.py", "python")], keywords=KEYWORDS)
    extracted = {message for _, _, message, _, _ in found if isinstance(message, str) and message}
    return extracted | vocabulary() | set(error_templates())


def vocabulary() -> set[str]:
    """The domain's fixed words a table shows (``term`` cells): statuses, clocks, events, kinds."""
    from lapor_cli.deadlines import OUTCOMES
    from lapor_cli.workflow import VERBS
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
        | set(VERBS.values())
    )


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_message_has_a_translation(lang: str) -> None:
    catalog = read_po(io.BytesIO(i18n.catalog_path(lang).read_bytes()))
    translated = {m.id: m.string for m in catalog if m.id}
    wanted = messages() | {"yes", "on-track", "late", "breached"}
    missing = sorted(m for m in wanted if not translated.get(m))
    assert not missing, f"{lang}: no translation for {missing}"
    assert not [m.id for m in catalog if m.fuzzy and m.id], "a fuzzy translation is not a translation"


def test_every_error_message_is_a_literal_template() -> None:
    """An f-string or a computed text cannot be extracted, so it could never be translated."""
    assert not unliteral_templates()
    found = error_templates()
    assert len(found) > 150, "the AST search for error templates found too few: is it still looking?"
    assert "{actor} may not {doing} complaint {complaint}: it is on desk {desk}" in found


def placeholders(text: str) -> set[str]:
    return {f"{name}!{conversion}:{spec}" for _, name, spec, conversion in string.Formatter().parse(text)
            if name is not None}  # fmt: skip


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_translation_keeps_its_placeholders(lang: str) -> None:
    catalog = read_po(io.BytesIO(i18n.catalog_path(lang).read_bytes()))
    wrong = [m.id for m in catalog if m.id and m.string and placeholders(m.id) != placeholders(m.string)]
    assert not wrong, f"{lang}: a translation that changes the placeholders of {wrong}"


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
    monkeypatch.setenv("LAPOR_LANG", "en_US.UTF-8")  # a locale, as a shell sets it: its language
    in_english = runner.invoke(cli, counts)
    assert in_english.exit_code == 0 and "late" in in_english.output and "terlambat" not in in_english.output
    monkeypatch.setenv("LAPOR_LANG", "id_ID.UTF-8")
    assert "terlambat" in runner.invoke(cli, counts).output
    desk = runner.invoke(cli, ["--db", db, "--lang", "id", "--json", "queue", "--as-of", "2025-02-03T10:00"])
    assert '"on_track"' in desk.output  # JSON keys stay as they are


def test_an_error_reads_in_the_operators_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real command's refusal: one line on stderr, its exit code, Indonesian unless English is asked."""
    monkeypatch.delenv("LAPOR_LANG", raising=False)
    db = str(tmp_path / "l.db")
    runner = CliRunner()
    made = runner.invoke(cli, ["--db", db, "submit", "--as", "pelapor:warga-1", "--title", "Jalan berlubang"])
    assert made.exit_code == 0, made.output
    cid = made.stdout.strip()
    wrong_desk = ["verify", cid, "--as", "tim-admin:kota-cirebon:dodi"]
    future = ["verify", cid, "--as", "lapor-sp4n:ayu", "--at", "2049-01-01T09:00"]
    hostile = ["show", "\x1b]0;owned\x07\x1b[2Jabc"]
    cases = [
        (wrong_desk, 1, "tidak boleh memverifikasi pengaduan", "may not verify complaint"),
        (
            future,
            2,
            "perintah tidak boleh bertanggal di masa depan",
            "a command cannot be dated in the future",
        ),
        (
            ["show", "ffffffff"],
            3,
            "tidak ada pengaduan dengan id berawalan",
            "no complaint whose id starts with",
        ),
        (hostile, 2, "bukan id pengaduan", "not a complaint id"),
    ]
    for argv, code, indonesian, english in cases:
        for lang, words, other in (("id", indonesian, english), ("en", english, indonesian)):
            done = runner.invoke(cli, ["--db", db, "--lang", lang, *argv])
            line = done.stderr
            assert done.exit_code == code, (lang, argv, line)
            assert line.startswith("lapor: error: ") and line.count("\n") == 1, line
            assert words in line and other not in line, (lang, line)
            assert "\x1b" not in line and "\x07" not in line, repr(line)  # a parameter shown, not obeyed
    monkeypatch.setenv("LAPOR_LANG", "en")
    assert "may not verify" in runner.invoke(cli, ["--db", db, *wrong_desk]).stderr
    monkeypatch.delenv("LAPOR_LANG")
    assert "tidak boleh memverifikasi" in runner.invoke(cli, ["--db", db, *wrong_desk]).stderr  # Cirebon: id


def test_a_term_inside_a_message_is_translated_and_english_stays_the_error_text() -> None:
    import pickle

    from lapor_cli.errors import one_line
    from lapor_domain import NotAllowed, Term

    error = NotAllowed(
        "{actor} may not {doing} complaint {complaint}: it is on desk {desk}",
        actor="unit:kota-cirebon/dputr:x\x1b[31m",
        doing=Term("verify"),
        complaint="c1",
        desk="d",
    )
    assert str(error) == "unit:kota-cirebon/dputr:x\x1b[31m may not verify complaint c1: it is on desk d"
    again = pickle.loads(pickle.dumps(error))
    assert (again.template, again.params, str(again)) == (error.template, error.params, str(error))
    said = one_line(error, i18n.translator("id"))
    shown = "unit:kota-cirebon/dputr:x\\x1b[31m"  # the escape shown, not obeyed
    assert said == f"{shown} tidak boleh memverifikasi pengaduan c1: pengaduan ada di meja d"


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


def test_no_table_title_caption_or_empty_message_is_written_past_the_catalog() -> None:
    """A table's title, caption and what it says when empty are sentences the operator reads:
    a literal or an f-string there would be English in the Indonesian interface."""
    written = []
    for path in sorted(CLI.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg in ("title", "caption", "empty") and _a_sentence_of_its_own(keyword.value):
                        written.append(f"{path.name}:{node.lineno} {keyword.arg}=")
    assert written == []


def _a_sentence_of_its_own(value: ast.expr) -> bool:
    """A literal, an f-string, a literal's .format(...), or text joined with + or %: words
    that no catalog looked up."""
    if isinstance(value, ast.Constant):
        return isinstance(value.value, str) and any(c.isalpha() for c in value.value)  # not a separator
    if isinstance(value, ast.JoinedStr):
        return True
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "format":
        return _a_sentence_of_its_own(value.func.value)
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add | ast.Mod):
        return _a_sentence_of_its_own(value.left) or _a_sentence_of_its_own(value.right)
    return False
