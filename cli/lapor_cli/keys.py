"""Reporters' identities for an administrator (DOMAIN.md rule 14): ``keys init|rotate|rewrap|list``,
``erase``, ``disclosures`` and ``upgrade``.

The private reader keys live in a key file (``--key-file`` or ``LAPOR_KEY_FILE``, mode 0600),
never in a database; the key store beside the log holds only their public halves, the
wrapped data keys and the disclosure register.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from pathlib import Path

import click

from lapor_domain import (
    KOTA_CIREBON,
    NATIONAL_READER,
    Actor,
    KeyRing,
    admin_reader,
    from_micros,
)

from . import params
from .common import at_option, json_option, pass_session
from .errors import CliError
from .helptext import HelpCommand, HelpGroup
from .output import Column
from .session import Session

READER_COLUMNS = [
    Column("reader", "reader"),
    Column("key_id", "key id"),
    Column("created", "created", "instant"),
    Column("retired", "retired", "instant", optional=True),
    Column("held", "in key file", "flag"),
]
DISCLOSURE_COLUMNS = [
    Column("seq", "#", "number"),
    Column("at", "at", "instant"),
    Column("complaint_id", "complaint", "id"),
    Column("viewer", "viewer", whole=True),
    Column("reader", "key holder"),
    Column("key_id", "key id"),
    Column("purpose", "purpose", max_width=40),
]


def _key_file(session: Session) -> Path:
    if session.key_file is None:
        raise CliError("name the key file: lapor --key-file FILE ... (or LAPOR_KEY_FILE)")
    return session.key_file


@click.group(cls=HelpGroup)
def keys() -> None:
    """Reader keys: make the key file, rotate it, complete pending re-wraps, list them.

    \b
    Examples:
      lapor --key-file /etc/lapor/cirebon.keys keys init
      lapor --key-file /etc/lapor/cirebon.keys keys rotate
    """


@keys.command()
@click.option(
    "--reader",
    "readers",
    multiple=True,
    metavar="READER",
    help="lapor-sp4n or tim-admin:INSTITUTION (repeatable). Default: the readers a city's office acts "
    "as, the national desk's and its admin team's.",
)
@click.option(
    "--institution", default=KOTA_CIREBON, show_default=True, help="The city whose admin team the default is."
)
@json_option
@pass_session
def init(session: Session, readers: tuple[str, ...], institution: str) -> None:
    """Make a key file (mode 0600) with new private reader keys, and register their public keys.

    From then on every new identity is sealed for these readers; keep the file outside
    the database's backups, and where only the office's service can read it.

    \b
    Examples:
      lapor --key-file cirebon.keys keys init
      lapor --key-file national.keys keys init --reader lapor-sp4n
    """
    path = _key_file(session)
    if path.exists():
        raise CliError("{path} exists: `lapor keys rotate` replaces its keys", path=path)
    chosen = list(readers) or [NATIONAL_READER, admin_reader(institution)]
    ring = KeyRing.generate(dict.fromkeys(chosen))
    session.hold(ring)
    app = session.app(create=True)
    ring.save(path)
    app.register_reader_keys(ring)
    session.out.rows([_reader_row(k.reader, k.key_id, session, held=True) for k in ring], READER_COLUMNS,
                     title=session.out._("Reader keys written to {path}").format(path=path))  # fmt: skip


def _reader_row(reader: str, key_id: str, session: Session, *, held: bool) -> dict[str, object]:
    found = {k.key_id: k for k in session.app().reader_keys(active=False)}.get(key_id)
    return {
        "reader": reader,
        "key_id": key_id,
        "created": from_micros(found.created_us) if found else None,
        "retired": from_micros(found.retired_us) if found and found.retired_us else None,
        "held": held,
    }


@keys.command("list")
@json_option
@pass_session
def list_keys(session: Session) -> None:
    """Every reader public key the key store knows, and whether --key-file holds its private key.

    \b
    Example:
      lapor keys list
    """
    held = {k.key_id for k in session.ring}
    rows = [
        _reader_row(k.reader, k.key_id, session, held=k.key_id in held)
        for k in session.app().reader_keys(active=False)
    ]
    session.out.rows(
        rows,
        READER_COLUMNS,
        title=session.out._("Reader keys"),
        empty=session.out._("no reader key is registered (lapor keys init)"),
    )


@keys.command()
@json_option
@pass_session
def rotate(session: Session) -> None:
    """New keys for the key file's readers: every data key re-wrapped, the old keys retired.

    Writes the new keys to FILE.next first; killed midway, every identity still opens
    with the old file (or, once renamed, the new one) and running it again completes it.
    Afterwards an old copy of the key store is useless without the old key file: destroy
    every copy of that, and erasures are complete for old backups too.

    \b
    Example:
      lapor --key-file cirebon.keys keys rotate
    """
    path = _key_file(session)
    done = session.app().rotate_keys(path)
    rows = [
        {"readers": ", ".join(done.readers), "rewrapped": done.rewrapped, "retired": ", ".join(done.retired)}
    ]
    columns = [Column("readers", "readers"), Column("rewrapped", "re-wrapped", "number"),
               Column("retired", "retired key ids")]  # fmt: skip
    session.out.rows(rows, columns, title=session.out._("Rotated {path}").format(path=path))


@keys.command()
@json_option
@pass_session
def rewrap(session: Session) -> None:
    """Complete what is pending: wraps for the institution now holding a complaint, for reader
    keys registered later, and erasures or orphan key rows an interruption left behind.

    \b
    Example:
      lapor --key-file national.keys keys rewrap
    """
    done = session.app().maintain_keys()
    session.out.record(asdict(done), [Column("rewrapped", "wraps made", "number"),
                              Column("pending", "left pending (no key at hand)", "number"),
                              Column("moved", "holders learnt", "number"),
                              Column("destroyed", "erasures completed", "number"),
                              Column("orphans", "orphan rows collected", "number")])  # fmt: skip


@click.command(cls=HelpCommand)
@click.argument("complaint", required=False)
@click.option("--reason", help="Why (recorded; no personal data). Required with COMPLAINT.")
@click.option("--expired", is_flag=True, help="Erase every identity kept past the policy's retention.")
@click.option("--as", "actor", callback=params.actor, required=True, metavar=params.ACTOR_METAVAR,
              help="Who erases: lapor-sp4n:PERSON or tim-admin:INSTITUTION:PERSON.")  # fmt: skip
@at_option("When. Default: now.")
@json_option
@pass_session
def erase(
    session: Session,
    complaint: str | None,
    reason: str | None,
    expired: bool,
    actor: Actor,
    at: datetime | None,
) -> None:
    """Erase the reporter's identity of a finished complaint: its data key is destroyed (rule 14).

    The events, the views and the audit trail stay; the identity reads as erased everywhere,
    from the log, its backups and exports alike. Recorded as IdentityErased (who, when, why).

    \b
    Examples:
      lapor erase 1a2b3c4d --reason "permintaan pelapor" --as lapor-sp4n:sp4n-ayu
      lapor erase --expired --as lapor-sp4n:sp4n-ayu
    """
    if expired == (complaint is not None):
        raise CliError("give a COMPLAINT to erase, or --expired (not both)")
    session.attached_views()
    when = at or session.now()
    app = session.app()
    if complaint is not None:
        if not reason:
            raise CliError("--reason is required: say why the identity is erased")
        cid = session.resolve_id(complaint)
        app.erase(cid, reason=reason, by=actor, at=when)
        erased = [cid]
    else:
        erased = app.erase_expired(by=actor, at=when, **({"reason": reason} if reason else {}))
    session.out.rows([{"complaint_id": str(c)} for c in erased], [Column("complaint_id", "erased", "id")],
                     empty=session.out._("no identity was past its retention"))  # fmt: skip


@click.command(cls=HelpCommand)
@click.option("--complaint", help="Only this complaint's disclosures.")
@json_option
@pass_session
def disclosures(session: Session, complaint: str | None) -> None:
    """The disclosure register: who was shown which reporter's identity, when, with which key, why.

    \b
    Examples:
      lapor disclosures
      lapor disclosures --complaint 1a2b3c4d --json
    """
    cid = session.resolve_id(complaint) if complaint else None
    rows = [
        {**d._asdict(), "at": from_micros(d.at_us), "complaint_id": str(d.complaint_id)}
        for d in session.app().disclosures(cid)
    ]
    _ = session.out._
    session.out.rows(rows, DISCLOSURE_COLUMNS, title=_("Disclosures"), empty=_("no identity has been shown"))


COMMANDS = [keys, erase, disclosures]
