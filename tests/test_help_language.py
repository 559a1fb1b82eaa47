"""``--help`` speaks the operator's language: every command's and group's help, every option's,
the command lists and click's own words, from the catalogs, Indonesian unless English is chosen
(``--lang``, ``LAPOR_LANG``) or the policy file names another language."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import click
import pytest
from babel.messages.pofile import read_po
from click.testing import CliRunner

from lapor_cli import helptext, i18n
from lapor_cli.main import COMMANDS, cli


def every_command(
    group: click.Group, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], click.Command]]:
    """The root and every command and group reachable from it, walked, not listed."""
    found: list[tuple[tuple[str, ...], click.Command]] = [(path, group)] if not path else []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        found.append(((*path, name), command))
        if isinstance(command, click.Group):
            found += every_command(command, (*path, name))
    return found


COMMAND_TREE = every_command(cli)


def messages_of(path: tuple[str, ...], command: click.Command) -> list[str]:
    """The msgids of a command's own help page: its help, epilog and every parameter's help."""
    ctx = click.Context(command, info_name=path[-1] if path else "lapor")
    found = [*helptext.messages_of(command.help), *helptext.messages_of(command.epilog)]
    for param in command.get_params(ctx):
        found += helptext.messages_of(getattr(param, "help", None))
    return found


def catalog(lang: str) -> dict[str, str]:
    read = read_po(io.BytesIO(i18n.catalog_path(lang).read_bytes()))
    assert not [m.id for m in read if m.fuzzy and m.id]
    return {m.id: m.string for m in read if m.id and m.string}


INDONESIAN, ENGLISH = catalog("id"), catalog("en")


def squeezed(text: str) -> str:
    """Text without its whitespace: click wraps lines (at hyphens too) and indents columns."""
    return "".join(text.split())


def help_of(*args: str, env: dict[str, str | None] | None = None) -> str:
    done = CliRunner().invoke(cli, list(args), env=env, prog_name="lapor")
    assert done.exit_code == 0, done.output
    return done.stdout


def test_the_walk_finds_every_command_and_group() -> None:
    names = {path for path, _ in COMMAND_TREE}
    assert {(name,) for name in COMMANDS} <= names
    assert {("calendar", "deadline"), ("export", "events"), ("audit", "proof"), ("keys", "rotate")} <= names
    assert all(isinstance(c, helptext.HelpCommand) for _, c in COMMAND_TREE), (
        "a command formats help in English"
    )
    assert sum(len(messages_of(p, c)) for p, c in COMMAND_TREE) > 250


@pytest.mark.parametrize(
    ("path", "command"), COMMAND_TREE, ids=lambda p: " ".join(p) if isinstance(p, tuple) else ""
)
def test_every_help_text_is_indonesian_by_choice_and_english_on_request(
    path: tuple[str, ...], command: click.Command
) -> None:
    messages = messages_of(path, command)
    assert messages, path
    untranslated = [m for m in messages if INDONESIAN.get(m, m) == m]
    assert not untranslated, f"{' '.join(path)}: no Indonesian for {untranslated}"
    assert not [m for m in messages if m not in ENGLISH], "the English catalog lacks a help text"
    indonesian = squeezed(help_of("--lang", "id", *path, "--help"))
    assert indonesian.startswith("Penggunaan:lapor") and "Opsi:" in indonesian
    for message in messages:
        assert squeezed(INDONESIAN[message]) in indonesian, (path, message)
        assert squeezed(message) not in indonesian, (path, message)  # no English left over
    for english_word in ("Usage:", "Options:", "Commands:", "Showthismessageandexit.", "Example"):
        assert english_word not in indonesian, (path, english_word)
    english = squeezed(help_of("--lang", "en", *path, "--help"))
    assert english.startswith("Usage:lapor") and "Options:" in english
    assert all(squeezed(m) in english for m in messages), path
    assert "Penggunaan:" not in english and "Tampilkanpesaninilalukeluar." not in english


def test_every_command_list_shows_its_lines_translated() -> None:
    root = help_of("--lang", "id", "--help")
    assert "[OPSI] PERINTAH [ARG]..." in root and "Perintah:" in root
    for name, (_, summary) in COMMANDS.items():
        assert f"{name} " in root and squeezed(INDONESIAN[summary]) in squeezed(root), name
        assert squeezed(summary) not in squeezed(root)
    for path, group in COMMAND_TREE:
        if not isinstance(group, click.Group) or not path:
            continue
        listed = help_of("--lang", "id", *path, "--help").partition("\nPerintah:\n")[2]
        for name in group.list_commands(click.Context(group)):
            row = next(line for line in listed.splitlines() if line.startswith(f"  {name} "))
            shown = row.split(None, 1)[1].removesuffix("...")
            first = helptext.messages_of(group.commands[name].help)[0]
            assert INDONESIAN[first].startswith(shown), (path, name, shown)


def test_click_framing_words_and_extras_are_translated() -> None:
    for message in helptext.framing_messages():
        assert INDONESIAN.get(message, message) != message and ENGLISH.get(message) == message, message
    rebuild = help_of("--lang", "id", "rebuild", "--help")
    assert "[bawaan: 2; 1 pada satu inti]" in " ".join(rebuild.split())
    root = help_of("--lang", "id", "--help")
    assert "[bawaan: lapor.db]" in root and "[default:" not in root
    assert "Kode keluar:" in root and "1  ditolak oleh aturan" in root
    assert "[default: lapor.db]" in help_of("--lang", "en", "--help")


@pytest.mark.parametrize(
    "args",
    [
        ["--help", "--lang", "en"],  # --help is read first: the language comes from the raw arguments
        ["--lang=en", "--help"],
        ["--db", "x.db", "--lang", "en", "--help"],
        ["--lang", "en", "queue", "--help"],
        ["--lang", "en", "calendar"],  # a group without its command shows its help
    ],
)
def test_lang_on_the_command_line_chooses_english(args: list[str]) -> None:
    shown = help_of(*args, env={"LAPOR_LANG": "id"})
    assert shown.startswith("Usage: lapor") and "Penggunaan" not in shown


def test_lapor_lang_chooses_and_indonesian_is_the_default(tmp_path: Path) -> None:
    assert help_of("show", "--help", env={"LAPOR_LANG": "en"}).startswith("Usage: lapor show")
    assert help_of("show", "--help", env={"LAPOR_LANG": "id"}).startswith("Penggunaan: lapor show")
    assert help_of("--help", env={"LAPOR_LANG": None}).startswith("Penggunaan: lapor")
    assert help_of("export", "sla", "--help", env={"LAPOR_LANG": None}).startswith("Penggunaan:")
    assert help_of("--lang", "id", "--help", env={"LAPOR_LANG": "en"}).startswith("Penggunaan:")


def test_the_policy_files_language_is_the_default(tmp_path: Path) -> None:
    from lapor_domain import SlaPolicy

    assert SlaPolicy.cirebon().language == helptext.DEFAULT_LANGUAGE
    english = tmp_path / "english.toml"
    english.write_text('language = "en"\n', encoding="utf-8")
    assert SlaPolicy.from_toml_file(english).language == "en"  # the file help reads is a policy
    for args in (["--policy", str(english), "--help"], ["--policy", str(english), "sla", "--help"]):
        assert help_of(*args, env={"LAPOR_LANG": None}).startswith("Usage: lapor"), args
    assert help_of("--help", env={"LAPOR_LANG": None, "LAPOR_POLICY": str(english)}).startswith("Usage:")
    assert help_of("--policy", str(english), "--help", env={"LAPOR_LANG": "id"}).startswith("Penggunaan:")
    broken = tmp_path / "broken.toml"
    broken.write_text("language = \n", encoding="utf-8")  # the command says what is wrong, not the help
    assert help_of("--policy", str(broken), "--help", env={"LAPOR_LANG": None}).startswith("Penggunaan:")


def test_the_root_option_reader_stops_at_the_command() -> None:
    def read(argv: list[str]) -> str | None:
        return helptext.asked_on_command_line(argv, "--lang", {"--db", "--lang"})

    assert read(["--db", "--lang", "--lang", "en"]) == "en"  # a value, not the option
    assert read(["--db", "x.db", "submit", "--title", "--lang"]) is None  # the command's words
    assert read(["--json", "--lang=id", "show"]) == "id"
    assert read(["--", "--lang", "en"]) is None
    shown = help_of("--keystore", "k", "--key-file", "f", "--lang", "en", "--help", env={"LAPOR_LANG": "id"})
    assert shown.startswith("Usage:")


def test_help_in_indonesian_imports_no_command_module_nor_the_library() -> None:
    probe = (
        "import sys\nfrom lapor_cli.main import cli\n"
        "try:\n    cli.main(['--lang', 'id', '--help'], prog_name='lapor')\nexcept SystemExit:\n    pass\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded = set(done.stderr.split())
    assert "lapor_cli.helptext" in loaded and done.stdout.startswith("Penggunaan: lapor")
    commands = {f"lapor_cli.{module}" for module, _ in COMMANDS.values()}
    assert not loaded & commands, sorted(loaded & commands)
    assert not {m.split(".")[0] for m in loaded} & {"lapor_domain", "lapor_projections", "pydantic", "rich"}
