"""``lapor policy``: the SLA policy's versions (rule 16). A new Perwali is recorded when it is
entered; desks entered and clocks started from then on count by it, those already running
keep the version they started under."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from lapor_domain import Actor, PolicyRecorded, SlaPolicy, policy_changes

from . import params
from .common import json_option, pass_session
from .errors import CliError
from .helptext import HelpGroup
from .output import Column
from .paths import FilePath
from .session import Session
from .timeparse import local_text


@click.group(cls=HelpGroup)
def policy() -> None:
    """The SLA policy's versions: the days each desk has, the clocks, the working weeks.

    The database records the policy it began with as version 1; a changed policy is
    recorded as a new version, dated by when it is entered (rule 16).

    \b
    Examples:
      lapor policy history
      lapor policy show 2
      lapor policy record perwali-2026.toml --basis "Perwali Cirebon 12/2026" --as lapor-sp4n:ayu
    """


@policy.command()
@click.argument("file", type=FilePath(exists=True, dir_okay=False))
@click.option("--basis", required=True, help='Why: the Perwali, SOP or decision, e.g. "Perwali 12/2026".')
@click.option(
    "--as", "actor", required=True, callback=params.actor, metavar=params.ACTOR_METAVAR, help="Who enters it."
)
@json_option
@pass_session
def record(session: Session, file: Path, basis: str, actor: Actor) -> None:
    """Record the policy in FILE (TOML) as a new version, in force from now on.

    Desks entered and clocks started from now on count by it; those already
    running keep the version they started under. It may change the days of each
    desk, the auto-close and escalation days, the working weeks, the language and
    the retention; the time zone, the day's end, the years and the late-entry grace
    stay for good, and closing days change by `lapor calendar amend`. The national
    desk or an admin team records it.

    \b
    Example:
      lapor policy record perwali-2026.toml --basis "Perwali Cirebon 12/2026" --as lapor-sp4n:ayu
    """
    new = SlaPolicy.from_toml_file(file)
    session.policy_file = None  # FILE is what is recorded; the database's own opens the store
    app = session.app()
    before = app.policy
    version = app.record_policy(new, basis=basis, by=actor)
    changed = list(policy_changes(before, new))
    if session.out.as_json:
        at = version.recorded_at
        session.out.json({"version": version.version, "recorded_at": at, "changed": changed, "basis": basis})
        return
    said = session.out._("policy version {version} recorded at {at}, in force from now on; changed: {fields}")
    click.echo(
        said.format(
            version=version.version,
            at=local_text(version.recorded_at, session.zone) if version.recorded_at else "?",
            fields=", ".join(changed),
        )
    )


HISTORY_COLUMNS = [
    Column("version", "#", "number"),
    Column("recorded_at", "recorded", "instant"),
    Column("by", "by", whole=True),
    Column("name", "policy"),
    Column("changed", "changed", max_width=40),
    Column("basis", "basis", max_width=48),
]


@policy.command()
@json_option
@pass_session
def history(session: Session) -> None:
    """Every version of the SLA policy, in the order recorded: who, when, what changed, why.

    \b
    Example:
      lapor policy history
    """
    rows, before = [], None
    for event in session.app().policy_history():
        changed = ", ".join(policy_changes(before, event.policy)) if before is not None else ""
        rows.append(
            {
                "version": event.originator_version,
                "recorded_at": event.at,
                "by": f"{event.actor.role.value}:{event.actor.person}",
                "name": event.policy.name,
                "changed": changed,
                "basis": event.basis,
            }
        )
        before = event.policy
    title = session.out._("SLA policy versions ({count})").format(count=len(rows))
    session.out.rows(rows, HISTORY_COLUMNS, title=title)


@policy.command()
@click.argument("version", type=click.IntRange(min=1), required=False)
@pass_session
def show(session: Session, version: int | None) -> None:
    """One version of the SLA policy (default: the one in force now), as JSON.

    A database that has recorded none yet shows the policy it will record with its
    first event.

    \b
    Example:
      lapor policy show 1
    """
    app = session.app()
    recorded = {e.originator_version: e for e in app.policy_history()}
    if version is None:
        latest = app.rules.calendars.policies[-1]
        shown: dict[str, Any] = {"version": latest.version or None, "recorded_at": latest.recorded_at}
        chosen = latest.policy
    elif version in recorded:
        event: PolicyRecorded = recorded[version]
        shown, chosen = {"version": version, "recorded_at": event.at, "basis": event.basis}, event.policy
    else:
        raise CliError(
            "no policy version {version}: this database records {count}", version=version, count=len(recorded)
        )
    session.out.json({**shown, "policy": chosen.model_dump(mode="json")})


COMMANDS = [policy]
