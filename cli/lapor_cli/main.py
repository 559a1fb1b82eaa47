"""The ``lapor`` command: the root group, its global options, and error handling.

Every expected error ends here as one line on stderr, ``lapor: error: <message>``,
and an exit code from ``errors.ExitCode``; a traceback means a bug.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from pathlib import Path
from typing import Any

import click

from . import __version__
from .clicktext import VERSION_LINE, speak_in
from .exit_codes import EXIT_CODES_BRIEF, EXIT_CODES_HELP, ExitCode
from .helptext import ARGV, HelpGroup, asked_on_command_line, taking_values, translator_of
from .paths import FilePath
from .startup import without_pydantic_plugins

COMMANDS = {  # name: (module, summary); `lapor --help` lists them in the order a complaint lives
    "submit": ("workflow", "File a complaint; prints its id."),
    "verify": ("workflow", "Verify a complaint on your desk."),
    "dispose": ("workflow", "Route a complaint down a level (disposisi)."),
    "return": ("workflow", "Send a complaint back up (bukan wewenang)."),
    "respond": ("workflow", "Answer a complaint for your unit (tindak lanjut)."),
    "reply": ("workflow", "Answer a response, as the reporter."),
    "archive": ("workflow", "Drop a report that is not a complaint."),
    "tick": ("deadlines", "Fire every deadline that is due."),
    "queue": ("views", "A desk's queue with SLA states, or counts per desk."),
    "show": ("views", "One complaint's desk, deadlines and flags, now or then."),
    "history": ("views", "The audit timeline of one complaint."),
    "sla": ("views", "The SLA report per desk and unit."),
    "status": ("views", "The public status label of a complaint."),
    "search": ("finding", "Find complaints by words of their text."),
    "overdue": ("finding", "Every complaint past its target or limit."),
    "list": ("finding", "Complaints by unit, status and period."),
    "dossier": ("dossier_cmd", "One complaint's printable record for the archive."),
    "replay": ("investigate", "The views as they stood at an instant, in another file."),
    "rebuild": ("investigate", "Rebuild the read models from the event log."),
    "check": ("investigate", "Compare the stored views with the events."),
    "audit": ("audit", "Verify the tamper-evident record; sign, checkpoint."),
    "upgrade": ("audit", "Upgrade a database written by an earlier version: seal, chain."),
    "export": ("export", "Export events, the SLA report or timelines."),
    "calendar": ("calendar_cmd", "Working days, deadlines and holidays."),
    "policy": ("policy_cmd", "The SLA policy's versions: record, history, show."),
    "simulate": ("simulate", "Generate a realistic, seeded history."),
    "report": ("report", "Draw the SLA situation as a PNG."),
    "units": ("reference", "The institutions and units to route to."),
    "keys": ("keys", "Reader keys: make, rotate, re-wrap, list."),
    "erase": ("keys", "Erase a reporter's identity (rule 14)."),
    "disclosures": ("keys", "Who was shown which identity, and why."),
}


CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class LaporGroup(HelpGroup):
    """A group that turns expected errors into one line and an exit code, never a traceback,
    and whose help speaks the operator's language (``helptext``)."""

    lang_of_errors: str | None = None
    """The language an invocation's error is said in, once its options are read."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        def run() -> Any:
            return super(LaporGroup, self).main(args, prog_name, complete_var, standalone_mode=False, **extra)

        argv = list(args) if args is not None else sys.argv[1:]
        speak_in(lambda: self.lang_of_errors or self.language_now(argv))
        if not standalone_mode:
            return run()
        self.lang_of_errors = None
        sys.exit(_exit_code(run, lambda: self.lang_of_errors or self.language_now(argv)))

    def language_now(self, argv: Sequence[str]) -> str:
        """The language an error is said in before ``invoke`` knows it: the session's once
        the root options are read, else ``--lang`` in the raw arguments or ``LAPOR_LANG``."""
        ctx = click.get_current_context(silent=True)
        if ctx is not None and ctx.find_root().obj is not None:
            return _language_of(ctx.find_root())
        from . import i18n

        asked = asked_on_command_line(argv, "--lang", taking_values(self))
        return i18n.choose(asked or os.environ.get("LAPOR_LANG"), "id")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = LazyCommands(COMMANDS)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta[ARGV] = list(args)  # for --help's language: click reads --help before --lang
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Exception:
            discard = getattr(ctx.obj, "discard_created", None)
            if discard is not None:
                discard()  # a failed command leaves no new database behind
            self.lang_of_errors = _language_of(ctx)
            raise

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)  # in the order a complaint lives, not alphabetical

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from the table, importing no command's module."""
        translate = translator_of(ctx)
        rows = [(name, translate(summary)) for name, (_, summary) in COMMANDS.items()]
        with formatter.section(translate("Commands")):
            formatter.write_dl(rows)


class LazyCommands(MutableMapping[str, click.Command]):
    """The root group's commands, each module imported only when its command is wanted:
    ``lapor show`` imports the views, not the simulator, the report's plotting or the exports."""

    def __init__(self, table: dict[str, tuple[str, str]]) -> None:
        self._table = table
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            if name not in self._table:
                raise KeyError(name)
            module_name, summary = self._table[name]
            module = importlib.import_module(f"{__package__}.{module_name}")
            _loaded()
            (command,) = (c for c in module.COMMANDS if c.name == name)
            command.short_help = summary
            _with_exit_codes(command)
            self._loaded[name] = command
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter([*self._table, *(n for n in self._loaded if n not in self._table)])

    def __len__(self) -> int:
        return len(set(self._table) | set(self._loaded))


def _language_of(ctx: click.Context) -> str:
    """The operator's language once the root options are read: the session's (``--lang``,
    ``LAPOR_LANG``, else the policy's), or, when the policy itself is what failed, the one
    asked for, else Indonesian."""
    from . import i18n

    session = ctx.obj
    if session is not None:
        try:
            return str(session.lang)
        except Exception:  # noqa: S110  # the policy does not load: say so in the language asked
            pass
    return i18n.choose(ctx.params.get("lang") or os.environ.get("LAPOR_LANG"), "id")


def _exit_code(run: Callable[[], Any], lang: Callable[[], str]) -> int:
    try:
        result = run()
    except click.exceptions.NoArgsIsHelpError as shown:
        click.echo(shown.format_message())
        return ExitCode.OK
    except (click.Abort, KeyboardInterrupt, EOFError):
        click.echo(_translator(lang)("lapor: aborted"), err=True)
        return 130
    except BrokenPipeError:  # `lapor export events | head`: the reader left, which is fine
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return ExitCode.OK
    except Exception as error:
        from .errors import exit_code_of, one_line  # only when something went wrong

        code = exit_code_of(error)
        if code is None:
            raise
        click.echo(f"lapor: error: {one_line(error, _translator(lang))}", err=True)
        return code
    return result if isinstance(result, int) else ExitCode.OK


def _translator(lang: Callable[[], str]) -> Callable[[str], str]:
    from . import i18n

    return i18n.speaking(lang())


@click.group(cls=LaporGroup, context_settings=CONTEXT, epilog=EXIT_CODES_HELP)
@click.option(
    "--db",
    "target",
    envvar="LAPOR_DB",
    default="lapor.db",
    show_default=True,
    metavar="TARGET",
    help="A SQLite file, or postgresql://USER@HOST:PORT/DB?schema=NAME; also from LAPOR_DB.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (every command has it too).")
@click.option(
    "--policy",
    type=FilePath(exists=True, dir_okay=False, path_type=Path),
    envvar="LAPOR_POLICY",
    help="An SLA policy TOML file (default: Kota Cirebon, SOP 025/SOP-PIP/2018); also from LAPOR_POLICY.",
)
@click.option(
    "--lang",
    type=click.Choice(["id", "en"]),  # LAPOR_LANG is read by the session: a locale such as
    # en_US.UTF-8 counts by its first two letters, where a choice would refuse it
    help="The language of tables, messages and help: id (Bahasa Indonesia) or en. Default: the policy's "
    "(Kota Cirebon: id); also from LAPOR_LANG.",
)
@click.option(
    "--key-file",
    type=FilePath(dir_okay=False, path_type=Path),
    envvar="LAPOR_KEY_FILE",
    help="The private reader keys this invocation holds (`lapor keys init` makes it; mode 0600); "
    "without one, reporters' identities read as sealed. Also from LAPOR_KEY_FILE.",
)
@click.option(
    "--keystore",
    metavar="TARGET",
    envvar="LAPOR_KEYSTORE",
    help="The key store (default: FILE.keys beside a SQLite FILE, the schema NAME_keys beside a "
    "PostgreSQL schema NAME); also from LAPOR_KEYSTORE.",
)
@click.version_option(version=__version__, prog_name="lapor", message=VERSION_LINE)  # no metadata scan: 15 ms
@click.pass_context
def cli(
    ctx: click.Context,
    target: str,
    as_json: bool,
    policy: Path | None,
    lang: str | None,
    key_file: Path | None,
    keystore: str | None,
) -> None:
    """Handle LAPOR!-SP4N complaints: work a desk, watch the deadlines, replay history.

    A complaint goes from the national desk (lapor-sp4n) to an institution's admin
    team (tim-admin:INSTITUTION) to a unit's liaison officer
    (unit:INSTITUTION/UNIT), with deadlines in Indonesian working days.
    Instants are ISO-8601; a bare date is that day in the policy's time zone
    (Asia/Jakarta by default). Ids may be shortened to their first characters.

    \b
    Example: one complaint, from filing to a unit's queue
      export LAPOR_DB=cirebon.db
      ID=$(lapor submit --as pelapor:warga-123 --title "Jalan berlubang")
      lapor verify  $ID --as lapor-sp4n:sp4n-ayu
      lapor dispose $ID --to kota-cirebon --as lapor-sp4n:sp4n-ayu
      lapor verify  $ID --as tim-admin:kota-cirebon:dodi
      lapor dispose $ID --to dputr --as tim-admin:kota-cirebon:dodi
      lapor queue unit:kota-cirebon/dputr
    """
    from .session import Session  # not for --help and --version

    session = Session(
        target=target, as_json=as_json, policy_file=policy, lang=lang, key_file=key_file, keystore=keystore
    )
    ctx.obj = session
    ctx.call_on_close(session.close)


def _with_exit_codes(command: click.Command) -> None:
    command.epilog = EXIT_CODES_BRIEF
    for sub in getattr(command, "commands", {}).values():
        _with_exit_codes(sub)


def main() -> None:
    """The console script's entry point.

    A command is a short process that first loads a few hundred modules: their classes,
    schemas and tables are made once and live to the end. The cycle collector is paused while
    they load, and what they made is frozen out of its later rounds once the command's module
    is in (``_loaded``): neither the imports nor the collection at exit walk those objects again
    and again (about 45 ms of a 250 ms ``lapor queue``). Everything the command itself makes is
    collected as usual. pydantic looks for no plugin (``startup``: 20-30 ms more).
    """
    global _PAUSED
    without_pydantic_plugins()
    if gc.isenabled():
        gc.disable()
        _PAUSED = True
    try:
        cli.main(prog_name="lapor")
    finally:
        _loaded()


_PAUSED = False
"""Whether ``main`` paused the collector for the imports (never when lapor is a library)."""


def _loaded() -> None:
    """The command's module and what it imports are loaded: freeze them, collect again."""
    global _PAUSED
    if _PAUSED:
        _PAUSED = False
        gc.freeze()
        gc.enable()
