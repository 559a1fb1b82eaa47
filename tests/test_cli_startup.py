"""The command line answers at once: ``--help`` and ``--version`` import nothing of the library,
and each command imports its own module only."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import click

from lapor_cli import main
from lapor_cli.startup import PLUGIN_LOADER


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


def after_lapor(args: list[str], then: str) -> str:
    """What ``then`` (Python) prints in a ``lapor`` process once the command ends (the console
    script's own entry point, as an officer starts it): its last line."""
    probe = (
        "import sys\n"
        "from lapor_cli.main import main\n"
        f"sys.argv = ['lapor', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"{then}\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return done.stdout.splitlines()[-1]


def imported_after(*args: str) -> set[str]:
    """The modules a ``lapor`` process has loaded when the command ends."""
    return set(after_lapor(list(args), "print(' '.join(sorted(sys.modules)))").split())


HEAVY = {"lapor_domain", "lapor_projections", "pydantic", "rich", "eventsourcing"}
UNNEEDED = {"cryptography", "holidays", "babel", "openpyxl", "matplotlib", "numpy", "psycopg", "tqdm"}
"""What reading a queue, a complaint or a search needs none of: the sealing and the signatures
(cryptography), the calendar's source and the catalogs' compiler (both cached), spreadsheets,
pictures, PostgreSQL and progress bars."""
UNNEEDED_MODULES = {"tomllib", "difflib", "html", "rich._emoji_codes", "importlib.metadata", "email"}
"""Nor these: policy or directory text (TOML), suggestions after a typo, HTML escaping,
rich's emoji table (nothing printed is read as markup or :emoji: codes), and the installed
distributions' metadata, which pydantic would read for plugins (``lapor_cli.startup``)."""


def roots(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def test_help_and_version_import_nothing_of_the_library() -> None:
    for args in (["--help"], ["--version"]):
        loaded = imported_after(*args)
        heavy = {m for m in loaded if m.split(".")[0] in HEAVY} - {PLUGIN_LOADER}  # lapor's stand-in
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


def test_importing_the_library_loads_no_cryptography_nor_what_the_commands_bring() -> None:
    probe = "import sys\nimport lapor_domain, lapor_projections\nprint(' '.join(sorted(sys.modules)))\n"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert not roots(set(done.stdout.split())) & (UNNEEDED | {"rich", "click"})


def test_the_heavy_exports_still_import_when_asked_for() -> None:
    probe = (
        "import sys\nimport lapor_domain\nassert 'cryptography' not in sys.modules\n"
        "from lapor_domain import KeyRing, Ledger, SigningKey, verify_evidence\n"
        "assert 'cryptography' in sys.modules\n"
        "assert lapor_domain.Ledger is Ledger and KeyRing.__module__ == 'lapor_domain.sealing.keyfile'\n"
    )
    subprocess.run([sys.executable, "-c", probe], check=True)


def test_reading_commands_load_only_what_they_need_and_open_no_key_store(tmp_path: Path) -> None:
    db = tmp_path / "lapor.db"
    base = ["--db", str(db), "--lang", "en"]
    imported_after(*base, "simulate", "--complaints", "30", "--seed", "5")  # and warms the caches
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from lapor_cli.main import main; main()",
            *base,
            "--json",
            "list",
            "--limit",
            "1",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    complaint = json.loads(done.stdout)[0]["complaint_id"]
    keys = tmp_path / "lapor.db.keys"
    keys.rename(tmp_path / "elsewhere.keys")  # opening the key store would make a new one
    for args in (["show", complaint], ["queue", "lapor-sp4n"], ["search", "jalan"], ["history", complaint]):
        loaded = imported_after(*base, *args)
        assert f"lapor_cli.{main.COMMANDS[args[0]][0]}" in loaded, args
        assert not roots(loaded) & UNNEEDED, (args, sorted(roots(loaded) & UNNEEDED))
        assert not loaded & UNNEEDED_MODULES, (args, sorted(loaded & UNNEEDED_MODULES))
        assert not keys.exists(), args
    shown = imported_after(*base, "show", complaint)  # a whole id: no view is read, only its card
    assert "lapor_projections.card" in shown
    assert not shown & {"lapor_projections.queries", "lapor_projections.models"}
    queue = imported_after(*base, "queue", "lapor-sp4n")  # and a queue shows no card
    assert "lapor_projections.queries" in queue
    assert not queue & {"lapor_cli.cards", "lapor_projections.card"}


def test_every_lazy_export_of_the_projections_is_what_it_names_whatever_was_imported_first() -> None:
    probe = (
        "import inspect, lapor_projections\n"
        "import lapor_projections.dossier  # imports the timeline's module by its own route\n"
        "for name in lapor_projections.__all__:\n"
        "    value = getattr(lapor_projections, name)\n"
        "    assert not inspect.ismodule(value) or name == 'readable', name\n"
        "from lapor_projections import timeline\n"
        "assert inspect.isfunction(timeline)\n"
    )
    subprocess.run([sys.executable, "-c", probe], check=True)


def test_the_console_script_pauses_the_collector_only_while_the_command_loads() -> None:
    probe = (
        "import atexit, gc, sys\n"
        "from lapor_cli import main as m\n"
        "seen = []\n"
        "loaded = m._loaded\n"
        "def spy():\n"
        "    seen.append(gc.isenabled())\n"
        "    loaded()\n"
        "m._loaded = spy\n"
        "atexit.register(lambda: print(seen, gc.isenabled(), gc.get_freeze_count() > 0))\n"
        "sys.argv = ['lapor', 'units', '--json']\n"
        "m.main()\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    # paused while the command's module loaded, on again after it and so at the end (the
    # command's own garbage is collected); what the imports made is frozen
    assert done.stdout.splitlines()[-1] == "[False, True] True True"


def test_lapor_as_a_library_leaves_the_collector_alone() -> None:
    import gc

    from click.testing import CliRunner

    assert CliRunner().invoke(main.cli, ["units", "--json"]).exit_code == 0
    assert gc.isenabled()


def test_the_plugin_loader_lapor_gives_pydantic_answers_all_pydantic_asks_of_it() -> None:
    # ``startup`` stands in for the module pydantic imports its plugins from; every import of
    # that module anywhere in the installed pydantic takes ``get_plugins``, and only it.
    import ast

    import pydantic

    package = Path(pydantic.__file__).parent
    loader = PLUGIN_LOADER.rsplit(".", 1)[1]
    asked: set[str] = set()
    for source in package.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[-1] == loader:
                asked.update(alias.name for alias in node.names)
            elif (isinstance(node, ast.ImportFrom) and any(a.name == loader for a in node.names)) or (
                isinstance(node, ast.Import) and any(a.name == PLUGIN_LOADER for a in node.names)
            ):
                asked.add("<the module itself>")
    assert asked == {"get_plugins"}


def test_the_console_script_builds_models_without_plugins_and_the_library_keeps_them() -> None:
    said = after_lapor(
        ["units", "--json"],
        "from lapor_domain import Actor\n"
        "assert Actor.national('sp4n-ayu').person == 'sp4n-ayu'  # models validate as before\n"
        "print('importlib.metadata' in sys.modules, sys.modules['pydantic.plugin._loader'].__doc__)",
    )
    assert said == "False pydantic's plugin loader for `lapor`: no plugin"
    library = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, lapor_domain; print(sys.modules['pydantic.plugin._loader'].__file__)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert library.stdout.strip().endswith("_loader.py")  # pydantic's own, as a service set it up
