"""For an auditor (rule 15): ``lapor audit`` verifies the record; ``signer``, ``sign`` and
``checkpoint`` make and use a signing key kept outside the database; ``upgrade`` chains a
database written before tamper evidence.

``lapor audit`` exits 6 when anything does not hold (``ExitCode.DAMAGED``), 0 when all does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from lapor_domain import (
    AuditReport,
    Check,
    Checkpoint,
    LogDamaged,
    PublicKey,
    SigningKey,
    StoreCorrupt,
    verify_evidence,
)

from .common import check_writable, json_option, pass_session
from .errors import CliError, ExitCode, one_line
from .helptext import HelpCommand, HelpGroup
from .output import Column
from .paths import FilePath
from .session import Session

F = TypeVar("F", bound=Callable[..., Any])
FINGERPRINT = re.compile(r"[0-9a-f]{64}")

CHECK_COLUMNS = [
    Column("check", "check"),
    Column("status", "status", "term"),
    Column("summary", "what was found"),
    Column("first", "first place affected"),
]


def signing_key_option(*, required: bool, help_text: str) -> Callable[[F], F]:
    option: Callable[[F], F] = click.option(
        "--signing-key",
        "signing_key",
        type=FilePath(dir_okay=False, path_type=Path, exists=required),
        envvar="LAPOR_SIGNING_KEY",
        required=required,
        help=help_text + " Also from LAPOR_SIGNING_KEY.",
    )
    return option


def load_key(path: Path | None) -> SigningKey | None:
    return None if path is None else SigningKey.load(path)


def trusted_keys(session: Session, trust: Sequence[str], key: SigningKey | None) -> list[PublicKey | str]:
    """The keys an audit trusts: given fingerprints or key files, and the signer's own key."""
    found: list[PublicKey | str] = []
    for item in trust:
        text = item.strip().lower()
        if FINGERPRINT.fullmatch(text):
            found.append(text)
        elif Path(item).is_file():
            found.append(PublicKey.load(item))
        else:
            raise CliError(
                "--trust takes a key's fingerprint (64 hex digits) or a key file, not {item!r}", item=item
            )
    if key is not None:
        found.append(key.public)
    return found


@click.group(cls=HelpGroup, invoke_without_command=True)
@click.option(
    "--checkpoint",
    "checkpoint_file",
    type=FilePath(exists=True, dir_okay=False, path_type=Path),
    help="A checkpoint kept outside the system: the log must be consistent with it.",
)
@click.option(
    "--trust",
    multiple=True,
    metavar="FINGERPRINT|FILE",
    help="A signing key whose signed heads count: its fingerprint, or a key or checkpoint file (repeatable).",
)
@signing_key_option(required=False, help_text="The signing key whose public half to trust.")
@click.option("--limit", default=20, show_default=True, help="Differences to name at most (views).")
@json_option
@pass_session
@click.pass_context
def audit(
    ctx: click.Context,
    session: Session,
    checkpoint_file: Path | None,
    trust: tuple[str, ...],
    signing_key: Path | None,
    limit: int,
) -> None:
    """Verify the record: every digest chain, the tree head, every signature, the kept
    checkpoint, the deadline index and the views (what `check` does).

    Each check says whether it holds and names the first complaint and event
    affected; the signatures and the checkpoint say how much of the log they cover.
    A signature counts only if its key is trusted: the one in --checkpoint, one given
    with --trust, or the public half of --signing-key (a key stored in the database
    proves nothing: whoever writes the database can replace it). Exits 6 when
    anything does not hold, 0 when all does.

    \b
    Example: keep a checkpoint elsewhere, audit against it later
      lapor audit signer --out /etc/lapor/signing.pem
      lapor audit checkpoint --signing-key /etc/lapor/signing.pem --out /media/auditor/cp.json
      lapor audit --checkpoint /media/auditor/cp.json
    """
    if ctx.invoked_subcommand is not None:
        return
    session.require_events("audit")
    checkpoint = Checkpoint.load(checkpoint_file) if checkpoint_file else None
    app = session.app()
    keys = trusted_keys(session, trust, load_key(signing_key))
    with session.out.progress("verifying the log") as progress:
        report = app.ledger.verify(trust=keys, checkpoint=checkpoint, progress=progress)
    if report.events:
        report = report.with_check(_views_check(session, limit))
    _show(session, report)
    if not report.ok:
        raise click.exceptions.Exit(ExitCode.DAMAGED)


def _views_check(session: Session, limit: int) -> Check:
    try:
        with session.out.progress("recomputing the views") as progress:
            found = session.read_models().check(progress=progress, limit=limit)
    except StoreCorrupt as exc:
        return Check("views", "fail", f"not compared: {exc}", failures=1)
    if not found:
        return Check("views", "pass", "the stored views match the events")
    return Check("views", "fail", f"{len(found)} difference(s); the first: {found[0]}", failures=len(found))


def _show(session: Session, report: AuditReport) -> None:
    if session.out.as_json:
        session.out.json(report.to_dict())
    else:
        _table(session, report)
    if not report.ok:
        failed = LogDamaged("the audit failed: {failure}", failure=report.first_failure)
        click.echo(f"lapor: error: {one_line(failed, session.out._)}", err=True)


def _table(session: Session, report: AuditReport) -> None:
    rows = [
        {
            "check": c.name,
            "status": c.status,
            "summary": c.summary,
            "first": "" if c.first is None else str(c.first),
        }
        for c in report.checks
    ]
    _ = session.out._
    title = _("Audit of {target}: {events} events").format(target=session.target, events=report.events)
    session.out.rows(rows, CHECK_COLUMNS, title=title)
    trusted = ", ".join(report.trusted) or _("none")
    session.out.line(_("Trusted signing keys (fingerprints): {trusted}").format(trusted=trusted))
    if report.ok:
        session.out.line(_("All holds."))


@audit.command()
@click.option(
    "--out", required=True, type=FilePath(dir_okay=False, path_type=Path), help="The key file to create."
)
@json_option
@pass_session
def signer(session: Session, out: Path) -> None:
    """Create an Ed25519 signing key in a new file of mode 0600, outside any database.

    Keep it where the database's administrators cannot write; give it to `tick`,
    `audit sign` and `audit checkpoint` with --signing-key or LAPOR_SIGNING_KEY.

    \b
    Example:
      lapor audit signer --out /etc/lapor/signing.pem
    """
    check_writable(out)
    key = SigningKey.generate()
    key.save(out)
    session.out.record(
        {"out": str(out), "fingerprint": key.public.fingerprint},
        [Column("out", "written to"), Column("fingerprint", "fingerprint")],
        title=session.out._("A new signing key"),
    )


SIGNED_FIELDS = [
    Column("size", "events covered", "number"),
    Column("root", "root"),
    Column("instant", "signed at", "instant"),
    Column("fingerprint", "key fingerprint"),
]


@audit.command()
@signing_key_option(required=True, help_text="The signing key (a file of mode 0600).")
@json_option
@pass_session
def sign(session: Session, signing_key: Path) -> None:
    """Sign the current tree head now (`tick` does it too when given a key).

    \b
    Example:
      lapor audit sign --signing-key /etc/lapor/signing.pem
    """
    session.require_events("audit sign")
    key = SigningKey.load(signing_key)
    head = session.app().ledger.sign(key)
    session.out.record(_signed_row(head.size, head.root, head.instant, head.fingerprint), SIGNED_FIELDS)


@audit.command()
@signing_key_option(required=True, help_text="The signing key (a file of mode 0600).")
@click.option(
    "--out", required=True, type=FilePath(dir_okay=False, path_type=Path), help="The JSON file to write."
)
@json_option
@pass_session
def checkpoint(session: Session, signing_key: Path, out: Path) -> None:
    """Sign the current tree head and write it as a checkpoint for an auditor to keep elsewhere.

    `lapor audit --checkpoint FILE` later proves the log still holds what it held.

    \b
    Example:
      lapor audit checkpoint --signing-key /etc/lapor/signing.pem --out cp-2026-12.json
    """
    session.require_events("audit checkpoint")
    check_writable(out)
    key = SigningKey.load(signing_key)
    kept = session.app().ledger.checkpoint(key)
    kept.save(out)
    row = _signed_row(kept.size, kept.root, kept.head.instant, kept.head.fingerprint)
    session.out.record({**row, "out": str(out)}, [*SIGNED_FIELDS, Column("out", "written to")])


PROOF_FIELDS = [
    Column("complaint_id", "complaint"),
    Column("events", "events in the copy", "number"),
    Column("covered", "proved in the checkpoint's tree", "number"),
    Column("checkpoint", "checkpoint (size, key)"),
    Column("verdict", "verdict"),
]


@audit.command()
@click.argument("dossier_file", metavar="FILE", type=FilePath(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--checkpoint",
    "checkpoint_file",
    required=True,
    type=FilePath(exists=True, dir_okay=False, path_type=Path),
    help="The checkpoint you kept (the one the dossier was proved against).",
)
@json_option
@pass_session
def proof(session: Session, dossier_file: Path, checkpoint_file: Path) -> None:
    """Check a printed dossier's evidence against a checkpoint you kept: no database needed.

    Every event's digest is recomputed from the stored bytes in the copy, the chain
    is followed from the complaint's first event, and every inclusion proof must lead
    to the checkpoint's root; the checkpoint's signature must verify; and the page's
    readable part (title, description, the timeline's events) must say what those
    bytes hold. Exits 6 when
    anything does not hold (an event changed, missing, moved, or not proved), 0 when
    all does.

    \b
    Example:
      lapor dossier 1a2b3c4d --out dossier.html --checkpoint cp.json
      lapor audit proof dossier.html --checkpoint cp.json
    """
    from lapor_projections import evidence_of, readable_differs  # the page's appendix, and its words

    try:
        page = dossier_file.read_text(encoding="utf-8", errors="replace")
        evidence = evidence_of(page)
    except (OSError, ValueError) as exc:
        raise CliError("{dossier_file}: {reason}", dossier_file=dossier_file, reason=str(exc)) from None
    if evidence is None:
        raise CliError(
            "{dossier_file} carries no evidence (made without the log's ledger)", dossier_file=dossier_file
        )
    kept = Checkpoint.load(checkpoint_file)
    found = verify_evidence(evidence, kept)
    found.problems.extend(readable_differs(page))  # the printed words must say what the bytes hold
    row = {
        "complaint_id": found.complaint_id,
        "events": found.events,
        "covered": found.covered,
        "checkpoint": f"{kept.size} events, key {kept.head.fingerprint[:16]}",
        "verdict": "holds" if found.holds else "FAILS",
        "problems": found.problems,
    }
    session.out.record(
        row, PROOF_FIELDS, title=session.out._("Dossier {name}").format(name=dossier_file.name)
    )
    for problem in found.problems:
        session.out.line(problem)
    if not found.holds:
        if not found.problems:
            said = session.out._("{count} events are not in the checkpoint's tree yet")
            session.out.line(said.format(count=found.events - found.covered))
        raise click.exceptions.Exit(ExitCode.DAMAGED)


def _signed_row(size: int, root: bytes, instant: Any, fingerprint: str) -> dict[str, Any]:
    return {"size": size, "root": root.hex(), "instant": instant, "fingerprint": fingerprint}


@click.command(cls=HelpCommand)
@json_option
@pass_session
def upgrade(session: Session) -> None:
    """Upgrade a database written by an earlier version, in place; safe to run twice.

    Steps: seal the reporters' identities it still holds in plain text (rule 14),
    then chain the log (each event's digest and the tree head, rule 15), in log
    order, in batches that resume if interrupted. Stop every other `lapor` process
    and service writing the database first: until it is done they cannot record.

    \b
    Example:
      lapor --db cirebon.db upgrade
    """
    session.require_events("upgrade")
    steps = session.app().upgrade()
    session.out.record(
        steps, [Column(name, name, "number") for name in steps], title=session.out._("Upgraded")
    )


def refuse_damage(report: AuditReport) -> None:
    """A rebuild's refusal of a log that fails verification (exit 6)."""
    if not report.ok:
        raise LogDamaged(
            "the log fails verification (rule 15), so it is not rebuilt from: "
            "{first_failure}; see `lapor audit`, or give --accept-damage REASON --as ACTOR "
            "to rebuild from what verifies",
            first_failure=report.first_failure,
            place=report.first_failure,
        )


COMMANDS = [audit, upgrade]
