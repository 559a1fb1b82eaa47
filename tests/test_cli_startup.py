"""The command line answers at once: ``--help`` and ``--version`` import nothing of the library,
and each command imports its own module only."""

from __future__ import annotations

import importlib
import subprocess
import sys

import click

from lapor_cli import main


def test_the_command_table_names_every_command_of_every_module() -> None:
    modules = {module for module, _ in main.COMMANDS.values()}
    defined = {
        command.name: module
        for module in modules
        for command in importlib.import_module(f"lapor_cli.{module}").COMMANDS
    }
    assert defined == {name: module for name, (module, _) in main.COMMANDS.items()}
    for name, (_, summary) in main.COMMANDS.items():
        command = main.cli.commands[name]
        assert isinstance(command, click.Command) and command.short_help == summary


def imported_after(*args: str) -> set[str]:
    probe = (
        "import sys\n"
        "from lapor_cli.main import cli\n"
        f"try:\n    cli.main({list(args)!r}, prog_name='lapor')\nexcept SystemExit:\n    pass\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


HEAVY = {"lapor_domain", "lapor_projections", "pydantic", "rich", "eventsourcing"}


def test_help_and_version_import_nothing_of_the_library() -> None:
    for args in (["--help"], ["--version"]):
        loaded = imported_after(*args)
        heavy = {m for m in loaded if m.split(".")[0] in HEAVY}
        assert not heavy, (args, sorted(heavy)[:10])


def test_a_command_imports_its_own_module_only() -> None:
    loaded = imported_after("units", "--json")
    assert "lapor_cli.reference" in loaded
    others = {f"lapor_cli.{m}" for m, _ in main.COMMANDS.values()} - {"lapor_cli.reference"}
    assert not loaded & others


def test_the_version_shown_is_the_installed_version() -> None:
    from importlib.metadata import version

    import lapor_cli

    assert lapor_cli.__version__ == version("lapor-domain")
    from click.testing import CliRunner

    shown = CliRunner().invoke(main.cli, ["--version"])
    assert shown.exit_code == 0 and shown.output == f"lapor, version {lapor_cli.__version__}\n"
