"""What one ``lapor`` invocation works on: the database, the policy, the wall clock.

Everything is opened lazily, so ``--help`` and ``lapor calendar`` never touch a
database. The read models are embedded: query commands catch them up before
asking, workflow commands attach them so queues are current when they return.
A database written by ``lapor replay`` holds views as of an instant and no events;
the session knows, and refuses what needs events there.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID

from lapor_domain import (
    Calendars,
    ClosingDaysFile,
    ComplaintNotFound,
    ConcurrentUpdate,
    InvalidInput,
    KeyStore,
    LaporApp,
    OrganisationDirectory,
    PolicyDiffers,
    SlaPolicy,
    id_prefix,
    keep_closing_days_in,
    kota_cirebon,
    parse_complaint_id,
    parse_target,
)
from lapor_projections import ReadModels

from . import i18n
from .errors import CliError, DatabaseMissing
from .folders import cache_folder
from .output import Output
from .swap import beside

if TYPE_CHECKING:
    from lapor_domain import KeyRing  # its module imports cryptography: only with a key file
    from lapor_projections import ViewReader

SHORTEST_ID_PREFIX = 4


def wall_clock() -> datetime:
    """The only place ``lapor`` reads the wall clock (the domain never does)."""
    return datetime.now(UTC)


class Session:
    """The database, the policy and the output of one invocation; closed when it ends."""

    def __init__(
        self,
        *,
        target: str,
        as_json: bool,
        policy_file: Path | None,
        key_file: Path | None = None,
        keystore: str | None = None,
        lang: str | None = None,
    ) -> None:
        self.target = target
        self._lang_asked = lang
        self.policy_file = policy_file
        self.key_file = key_file
        self.keystore = keystore
        self._ring: KeyRing | None = None
        self.out = Output(
            as_json=as_json,
            zone=lambda: self.zone,
            calendar=lambda: self.policy.calendar,
            lang=lambda: self.lang,
        )
        self._policy: SlaPolicy | None = None
        self._keeping = False
        self._app: LaporApp | None = None
        self._notes: list[str] = []
        self._views: ReadModels | None = None
        self._attached = False
        self._caught_up = False
        self._created: Path | None = None  # a SQLite file this invocation created

    @property
    def policy(self) -> SlaPolicy:
        if self._policy is None:
            self._keep_closing_days()
            self._policy = (
                SlaPolicy.from_toml_file(self.policy_file) if self.policy_file else SlaPolicy.cirebon()
            )
        return self._policy

    def _keep_closing_days(self) -> None:
        """The calendar's closing days from the cache folder, not the holidays package, once."""
        if not self._keeping:
            self._keeping = True
            keep_closing_days_in(ClosingDaysFile(cache_folder()))

    @property
    def lang(self) -> str:
        """The language the operator reads: --lang or LAPOR_LANG, else the policy's."""
        return i18n.choose(self._lang_asked or os.environ.get("LAPOR_LANG"), self.policy.language)

    @property
    def zone(self) -> tzinfo:
        return self.policy.zone

    def now(self) -> datetime:
        return wall_clock().astimezone(self.zone)

    # -- the database -----------------------------------------------------------------

    def app(self, *, create: bool = False) -> LaporApp:
        """The application on the target; a missing SQLite file is created only if ``create``."""
        if self._app is None:
            store = parse_target(self.target)
            if store.kind == "sqlite":
                path = Path(store.env["SQLITE_DBNAME"])
                if not path.exists():
                    if not create:
                        raise DatabaseMissing(
                            "no database at {path} (give --db or LAPOR_DB; `lapor submit` or `lapor "
                            "simulate` creates one)",
                            path=path,
                        )
                    self._created = path
            self._keep_closing_days()
            try:
                self._app = LaporApp(
                    self.target,
                    clock=wall_clock,
                    policy=self.policy if self.policy_file else None,  # else the store's own (rule 16)
                    keystore=self.keystore,
                    keys=self.ring if self._ring is not None or self.key_file is not None else None,
                    key_reserve=1,  # one invocation, one command: no key rows reserved ahead
                )
            except PolicyDiffers as differs:
                raise CliError(
                    "the policy in {file} differs from version {version} this database records "
                    "(in {fields}): record it as a new version with `lapor policy record {file} "
                    "--basis TEXT --as ACTOR`, or leave --policy out",
                    file=self.policy_file,
                    version=differs.version,
                    fields=", ".join(differs.changes),
                ) from None
            self._policy = self._app.policy  # the version in force, as the store records it
            self._note_drift(self._app)
        return self._app

    def take_notes(self) -> list[str]:
        """What the operator should know once the command succeeded (said after its output)."""
        notes, self._notes = self._notes, []
        if self._views is not None and self._views.lagging is not None:
            busy = isinstance(self._views.lagging, ConcurrentUpdate)
            why = "another process was writing them" if busy else "their database did not answer"
            notes.append(
                self.out._(
                    "the command is recorded, but the views did not follow it ({why}); they catch "
                    "up at the next command: do not enter it again"
                ).format(why=self.out._(why))
            )
        return notes

    def _note_drift(self, app: LaporApp) -> None:
        """An upgraded holidays package changes no deadline by itself (rule 16): say so, once."""
        drift = app.calendar_drift()
        if drift:
            note = self.out._(
                "the installed {source} marks {count} day(s) differently from the base calendar "
                "this database records ({recorded}): {days}; deadlines still count on the recorded "
                "one until `lapor calendar follow-package --as ACTOR` records the change"
            ).format(
                source=drift.source,
                count=len(drift.days),
                recorded=drift.recorded_source,
                days=", ".join(map(str, drift.days[:5])) + (", ..." if len(drift.days) > 5 else ""),
            )
            self._notes.append(note)

    def hold(self, ring: KeyRing) -> None:
        """Hold these keys instead of --key-file's (``keys init``, before its file exists)."""
        if self._app is not None:
            raise RuntimeError("the application is open already")  # pragma: no cover
        self._ring = ring

    @property
    def ring(self) -> KeyRing:
        """The private reader keys of --key-file (LAPOR_KEY_FILE); none without one."""
        if self._ring is None:
            from lapor_domain import KeyRing

            self._ring = KeyRing.load(self.key_file) if self.key_file is not None else KeyRing()
        return self._ring

    @property
    def directory(self) -> OrganisationDirectory:
        return self._app.directory if self._app is not None else kota_cirebon()

    def calendars(self) -> Calendars:
        """The calendars the clocks count on: the log's, with its amendments (rule 16), when it
        is open; else the policy's own (a snapshot's views were judged when they were built)."""
        if self._app is not None:
            return self._app.rules.calendars
        return Calendars.of(self.policy, self.directory)

    def recorded_calendars(self) -> Calendars:
        """The calendars with the amendments the database records, when there is a database;
        the policy's own on a machine without one (``lapor calendar`` works anywhere)."""
        try:
            return self.app().rules.calendars
        except DatabaseMissing:
            return self.calendars()

    def read_models(self, *, create: bool = False) -> ReadModels:
        """The embedded read models as stored, not caught up."""
        if self._views is None:
            self._views = ReadModels(self.app(create=create))
        return self._views

    def views(self, *, create: bool = False) -> ReadModels:
        """The embedded read models, caught up with the events (with a progress bar if long)."""
        views = self.read_models(create=create)
        if not self._caught_up:
            self._caught_up = True
            if self.snapshot_instant() is None:
                with self.out.progress("catching up the views") as progress:
                    views.catch_up(progress=progress)
        return views

    def attached_views(self, *, create: bool = False) -> ReadModels:
        """The read models, kept current after every command (for workflow commands)."""
        views = self.views(create=create)
        if not self._attached:
            self.require_events("record commands")
            views.attach()
            self._attached = True
        return views

    def reader(self) -> ViewReader:
        from lapor_projections import ViewReader  # here: `show` with a whole id reads no view

        return ViewReader(self.views().db, self.policy, self.calendars())

    def snapshot_instant(self) -> datetime | None:
        """The instant a `lapor replay` database stands at; None for a live database."""
        stands_at = self.read_models().stands_at()
        return stands_at.astimezone(self.zone) if stands_at else None

    def require_events(self, what: str) -> None:
        """Refuse to work on a replayed snapshot what needs the event log."""
        as_of = self.snapshot_instant()
        if as_of is not None:
            raise CliError(
                "{target} holds the views as of {as_of} (written by `lapor replay`), not the "
                "events: {what} on the live database instead",
                target=self.target,
                as_of=as_of.isoformat(),
                what=what,
            )

    def default_instant(self) -> datetime:
        """Where a query is judged when no --at is given: a snapshot's instant, else now."""
        return self.snapshot_instant() or self.now()

    def history_span(self) -> tuple[datetime | None, datetime | None, int]:
        """The first arrival and the last move on any desk, and how many stays are open on an SLA desk."""
        return self.reader().span()

    def resolve_id(self, text: str) -> UUID:
        """A complaint id, or a unique prefix of one (at least four characters), as tables show it."""
        try:
            return parse_complaint_id(text.strip())
        except InvalidInput:
            pass
        try:
            prefix = id_prefix(text)
        except InvalidInput:
            prefix = ""
        if len(prefix) < SHORTEST_ID_PREFIX:
            raise InvalidInput(
                "not a complaint id: {text!r} (give the id, or its first {shortest} or more characters)",
                text=text,
                shortest=SHORTEST_ID_PREFIX,
            )
        found = self.reader().ids_starting(prefix, limit=4)
        if not found:
            raise ComplaintNotFound("no complaint whose id starts with {text!r}", text=text)
        if len(found) > 1:
            shown = ", ".join(str(cid) for cid in found[:3])
            raise CliError(
                "ambiguous id {text!r}: it starts {shown}{more}",
                text=text,
                shown=shown,
                more=", ..." if len(found) > 3 else "",
            )
        return found[0]

    @contextmanager
    def replacing(self) -> Iterator[None]:
        """Work on a new SQLite file beside the target's, swapped in only if the block succeeds.

        Until then the target's file stays exactly as it was; a failure or an interruption
        removes the new file and leaves the old one (see ``swap``). PostgreSQL is refused.
        """
        store = parse_target(self.target)
        if store.kind != "sqlite":
            raise CliError("--replace replaces a SQLite file; for PostgreSQL name a new, empty schema")
        target, keystore = self.target, self.keystore
        self.close()
        old = Path(store.env["SQLITE_DBNAME"])
        keys = Path(keystore) if keystore and parse_target(keystore).kind == "sqlite" else Path(f"{old}.keys")
        with beside(old) as fresh, beside(keys) as fresh_keys:
            self.target, self.keystore = str(fresh), str(fresh_keys)
            try:
                if keys.exists():  # the reader public keys stay registered in the new key store
                    KeyStore.copy_reader_keys(parse_target(str(keys)), parse_target(str(fresh_keys)))
                yield
            finally:
                self.close()
                self.target, self.keystore = target, keystore

    def close(self) -> None:
        if self._views is not None:
            self._views.close()
            self._views = None
        if self._app is not None:
            self._app.close()
            self._app = None

    def discard_created(self) -> None:
        """After a failed command: remove the SQLite file this invocation created, if any."""
        if self._created is None:
            return
        self.close()
        for base in (str(self._created), f"{self._created}.keys"):
            for path in (Path(base), Path(f"{base}-wal"), Path(f"{base}-shm")):
                path.unlink(missing_ok=True)
        self._created = None
