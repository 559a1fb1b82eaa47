"""click's own messages (a malformed command line, the ``--version`` line) speak the operator's
language too: Indonesian unless English is chosen, one line on stderr, exit 2."""

from __future__ import annotations

import ast
import io
from pathlib import Path

import click
import pytest
from babel.messages.pofile import read_po
from click.testing import CliRunner

from lapor_cli import i18n
from lapor_cli.clicktext import CLICK_MESSAGES, LAPOR_MESSAGES, PATH_KINDS
from lapor_cli.main import cli

NOT_SAID_TO_OPERATORS = {
    # help framing (helptext's own words), confirmations lapor never asks, and errors in how
    # a program declares its options, which no command line can cause
    "Options", "Commands", "Positional arguments", "env var: {var}", "default: {default}",
    "(dynamic)", "deprecated", "Aborted!", "Show this message and exit.", "Show the version and exit.",
    "Do you want to continue?", "Confirm the action without prompting.", "Choice({choices})",
    "Error: {message}", "Try '{command} {option}' for help.",  # lapor words its own error line
    "Name '{name}' defined twice", "Could not determine name for option with declarations {decls!r}",
    "Arguments take exactly one parameter declaration, got {length}: {decls}.",
    "Boolean option {decl!r} cannot use the same flag for true/false.",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument "
    "instead? Did you mean to pass '--{name}'?",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}",
}  # fmt: skip


def click_messages() -> set[str]:
    """Every message click's modules hand to gettext, read from its installed source."""
    found: set[str] = set()
    for module in ("core", "decorators", "exceptions", "parser", "types"):
        source = (Path(click.__file__).parent / f"{module}.py").read_text()
        for node in ast.walk(ast.parse(source)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "ngettext")
            ):
                found |= {
                    a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
                }
    return found


def test_every_message_click_says_to_an_operator_is_translated() -> None:
    said, ours = click_messages(), set(CLICK_MESSAGES + PATH_KINDS)
    assert ours <= said, ours - said  # click still says them so
    assert said - NOT_SAID_TO_OPERATORS <= ours, said - NOT_SAID_TO_OPERATORS - ours
    catalog = read_po(io.BytesIO(i18n.catalog_path("id").read_bytes()))
    for msgid in (*CLICK_MESSAGES, *PATH_KINDS, *LAPOR_MESSAGES):
        message = catalog.get(msgid)
        assert message is not None and message.string and message.string != msgid, msgid


def lapor(*args: str, **env: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env={"LAPOR_LANG": "", **env})
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("args", "indonesian", "english"),
    [
        (["show", "--bogus"], "Tidak ada opsi '--bogus'.", "No such option '--bogus'."),
        (["verify"], "Belum diberi argumen 'COMPLAINT'.", "Missing argument 'COMPLAINT'."),
        (["tick", "--at"], "Opsi '--at' memerlukan sebuah nilai.", "Option '--at' requires an argument."),
        (["no-such-command"], "Tidak ada perintah 'no-such-command'.", "No such command 'no-such-command'."),
        (
            ["queue", "--limit", "x", "lapor-sp4n"],
            "Nilai tidak sah untuk '--limit'",
            "Invalid value for '--limit'",
        ),
    ],
)
def test_a_malformed_command_line_is_refused_in_the_operator_s_language(
    args: list[str], indonesian: str, english: str
) -> None:
    for options, env, expected in (
        ([], {}, indonesian),
        (["--lang", "en"], {}, english),
        ([], {"LAPOR_LANG": "en_US.UTF-8"}, english),
    ):
        code, out, err = lapor(*options, *args, **env)
        assert code == 2 and out == "", (code, out, err)
        [line] = err.splitlines()
        assert line.startswith(f"lapor: error: {expected}"), line
        other_language_s_hint = "(see '" if expected == indonesian else "(lihat '"
        assert other_language_s_hint not in line, line


def test_the_version_line_is_said_in_the_operator_s_language() -> None:
    code, out, _ = lapor("--version")
    assert code == 0 and out.startswith("lapor, versi ")
    code, out, _ = lapor("--lang", "en", "--version")
    assert code == 0 and out.startswith("lapor, version ")


def test_a_path_that_is_not_there_is_named_in_the_operator_s_language(tmp_path: Path) -> None:
    """click names the kind of path ("file") when the option is declared, at import: it is
    said in the language of the invocation that reports it, run after run in one process."""
    missing = str(tmp_path / "tidak-ada.toml")
    for options, expected in (
        ([], f"Nilai tidak sah untuk '--policy': Berkas '{missing}' tidak ada."),
        (["--lang", "en"], f"Invalid value for '--policy': File '{missing}' does not exist."),
        ([], f"Nilai tidak sah untuk '--policy': Berkas '{missing}' tidak ada."),
    ):
        code, _, err = lapor(*options, "--policy", missing, "queue")
        assert code == 2 and err.startswith(f"lapor: error: {expected}"), err


def test_click_speaks_the_policy_s_language_once_the_session_knows_it(tmp_path: Path) -> None:
    english = tmp_path / "english.toml"
    english.write_text('language = "en"\n', encoding="utf-8")
    code, _, err = lapor(
        "--db", str(tmp_path / "lapor.db"), "--policy", str(english), "export", "events", "--bogus"
    )
    assert code == 2 and err.startswith("lapor: error: No such option '--bogus'."), err
    assert "(see '" in err and "Maksud" not in err and "lihat" not in err
