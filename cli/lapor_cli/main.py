"""The ``lapor`` command: the root group, its global options, and error handling.

Every expected error ends here as one line on stderr, ``lapor: error: <message>``,
and an exit code from ``errors.ExitCode``; a traceback means a bug.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from . import calendar_cmd, deadlines, export, investigate, keys, reference, report, simulate, views, workflow
from .errors import EXIT_CODES_BRIEF, EXIT_CODES_HELP, ExitCode, exit_code_of, one_line
from .params import FilePath
from .session import Session

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class LaporGroup(click.Group):
    """A group that turns expected errors into one line and an exit code, never a traceback."""

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

        if not standalone_mode:
            return run()
        sys.exit(_exit_code(run))

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Exception:
            session = ctx.obj
            if isinstance(session, Session):
                session.discard_created()  # a failed command leaves no new database behind
            raise

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)  # in the order a complaint lives, not alphabetical


def _exit_code(run: Callable[[], Any]) -> int:
    try:
        result = run()
    except click.exceptions.NoArgsIsHelpError as shown:
        click.echo(shown.format_message())
        return ExitCode.OK
    except (click.Abort, KeyboardInterrupt, EOFError):
        click.echo("lapor: aborted", err=True)
        return 130
    except BrokenPipeError:  # `lapor export events | head`: the reader left, which is fine
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return ExitCode.OK
    except Exception as error:
        code = exit_code_of(error)
        if code is None:
            raise
        click.echo(f"lapor: error: {one_line(error)}", err=True)
        return code
    return result if isinstance(result, int) else ExitCode.OK


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
@click.version_option(package_name="lapor-domain", prog_name="lapor")
@click.pass_context
def cli(
    ctx: click.Context,
    target: str,
    as_json: bool,
    policy: Path | None,
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
    session = Session(
        target=target, as_json=as_json, policy_file=policy, key_file=key_file, keystore=keystore
    )
    ctx.obj = session
    ctx.call_on_close(session.close)


SUMMARIES = {  # `lapor --help` lists the commands in the order a complaint lives
    "submit": "File a complaint; prints its id.",
    "verify": "Verify a complaint on your desk.",
    "dispose": "Route a complaint down a level (disposisi).",
    "return": "Send a complaint back up (bukan wewenang).",
    "respond": "Answer a complaint for your unit (tindak lanjut).",
    "reply": "Answer a response, as the reporter.",
    "archive": "Drop a report that is not a complaint.",
    "tick": "Fire every deadline that is due.",
    "queue": "A desk's queue with SLA states, or counts per desk.",
    "show": "One complaint's desk, deadlines and flags, now or then.",
    "history": "The audit timeline of one complaint.",
    "sla": "The SLA report per desk and unit.",
    "status": "The public status label of a complaint.",
    "replay": "The views as they stood at an instant, in another file.",
    "rebuild": "Rebuild the read models from the event log.",
    "check": "Compare the stored views with the events.",
    "export": "Export events, the SLA report or timelines.",
    "calendar": "Working days, deadlines and holidays.",
    "simulate": "Generate a realistic, seeded history.",
    "report": "Draw the SLA situation as a PNG.",
    "units": "The institutions and units to route to.",
    "keys": "Reader keys: make, rotate, re-wrap, list.",
    "erase": "Erase a reporter's identity (rule 14).",
    "disclosures": "Who was shown which identity, and why.",
    "upgrade": "Seal identities an earlier version kept in plain text.",
}


def _with_exit_codes(command: click.Command) -> None:
    command.epilog = EXIT_CODES_BRIEF
    for sub in getattr(command, "commands", {}).values():
        _with_exit_codes(sub)


for module in (
    workflow,
    deadlines,
    views,
    investigate,
    export,
    calendar_cmd,
    simulate,
    report,
    reference,
    keys,
):
    for command in module.COMMANDS:
        command.short_help = SUMMARIES[command.name or ""]
        _with_exit_codes(command)
        cli.add_command(command)


def main() -> None:
    """The console script's entry point."""
    cli.main(prog_name="lapor")
