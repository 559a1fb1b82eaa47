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
from lapor_cli.clicktext import CLICK_MESSAGES
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
    said = click_messages()
    assert set(CLICK_MESSAGES) <= said, set(CLICK_MESSAGES) - said  # click still says them so
    assert said - NOT_SAID_TO_OPERATORS <= set(CLICK_MESSAGES), (
        said - NOT_SAID_TO_OPERATORS - set(CLICK_MESSAGES)
    )
    catalog = read_po(io.BytesIO(i18n.catalog_path("id").read_bytes()))
    for msgid in CLICK_MESSAGES:
        message = catalog.get(msgid)
        assert message is not None and message.string and message.string != msgid, msgid


def lapor(*args: str, **env: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env={"LAPOR_LANG": "", **env})
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("args", "indonesian", "english"),
    [
        (["show", "--bogus"], "Tidak ada opsi '--bogus'.", "No such option '--bogus'."),
        (["verify"], "Tidak ada argumen 'COMPLAINT'.", "Missing argument 'COMPLAINT'."),
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
