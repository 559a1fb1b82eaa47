"""The SLA policy's history (DOMAIN.md rule 16): the one truth about how many working days each
desk and clock has.

A store begins with a policy: the policy given (or Kota Cirebon's) is recorded as version 1,
a ``PolicyRecorded`` event in the policy's stream of the log, with the store's first event
and in its transaction (a store that is only read is left as it was). From then on the
recorded policy is the one every process counts by: a process given another refuses to open
(``PolicyDiffers``) until that one is recorded as a new version, dated by when it is
entered, never earlier. A new version counts for the desks entered and the clocks started
after it (``Calendars.policy_at``); those already running keep theirs, so nothing is
repaired.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from eventsourcing.persistence import IntegrityError

from .adapters.eventlog import ComplaintLog
from .errors import ConcurrentUpdate, InvalidInput, NotAllowed, PolicyDiffers
from .model import inputs
from .model.actors import Actor, Role
from .model.calendars import Calendars, PolicyVersion
from .model.decisions import Rules
from .model.events import POLICY_STREAM, LogEvent, PolicyRecorded
from .model.policy import CALENDAR_FIELDS, FIXED_FIELDS, SlaPolicy, policy_changes

FIRST_BASIS = "the policy this store began with"


def version_of(event: PolicyRecorded) -> PolicyVersion:
    return PolicyVersion(event.originator_version, event.policy, event.at, event.basis)


def recorded_policies(log: ComplaintLog, *, after_version: int = 0) -> list[PolicyVersion]:
    """The policy's versions recorded in the log after ``after_version``, in order."""
    events = log.events.get(POLICY_STREAM, gt=after_version or None)
    return [version_of(e) for e in events if isinstance(e, PolicyRecorded)]


def with_recorded(calendars: Calendars, versions: list[PolicyVersion]) -> Calendars:
    for version in versions:
        calendars = calendars.with_policy(version)
    return calendars


class PolicyHistory:
    """The policy's history on one log: adopted at opening, a new version recorded here."""

    def __init__(
        self,
        log: ComplaintLog,
        rules: Rules,
        clock: Callable[[], datetime],
        *,
        retries: int = 3,
        recorded: Callable[[], None] = lambda: None,
    ) -> None:
        self._log = log
        self._rules = rules
        self._clock = clock
        self._retries = retries
        self._recorded = recorded

    def versions(self) -> list[PolicyRecorded]:
        """Every recorded version, in order (``lapor policy history``)."""
        return [e for e in self._log.events.get(POLICY_STREAM) if isinstance(e, PolicyRecorded)]

    def adopt(self, given: SlaPolicy | None) -> SlaPolicy:
        """At opening: the recorded policy, refusing a ``given`` one that differs from it. On a
        store that records none yet, ``given`` (or the rules' own) counts, and is recorded as
        version 1 with the store's next event, in its transaction."""
        latest = self.refresh().policies[-1]
        if not latest.version:
            self._log.record_first("policy", _FirstVersion(self, latest.policy))
            return latest.policy
        if given is not None and (changes := policy_changes(latest.policy, given)):
            raise PolicyDiffers(
                "the SLA policy given differs from the one this store records (version "
                "{version}, {name}, recorded {recorded}) in {fields}: the recorded policy "
                "counts; record the new one as a version of its own first",
                changes=changes,
                version=latest.version,
                name=latest.policy.name,
                recorded=latest.recorded_at.isoformat() if latest.recorded_at else "?",
                fields=", ".join(changes),
            )
        return latest.policy

    def refresh(self) -> Calendars:
        """Catch the rules up with the versions another process recorded."""
        known = self._rules.calendars
        newer = recorded_policies(self._log, after_version=known.policy_version)
        if newer:
            self._rules.calendars = with_recorded(known, newer)
        return self._rules.calendars

    def record(self, policy: SlaPolicy, *, basis: str, by: Actor) -> PolicyVersion:
        """A new version entered now (rule 16): it counts for desks entered and clocks started
        from now on. The national desk or an admin team records it."""
        if not isinstance(policy, SlaPolicy):
            raise InvalidInput("a policy must be an SlaPolicy, not {kind}", kind=type(policy).__name__)
        inputs.text(basis, "the basis", max_length=inputs.max_length(PolicyRecorded, "basis"))
        if not isinstance(by, Actor):
            raise InvalidInput("the actor must be an Actor, not {kind}", kind=type(by).__name__)
        if by.role not in (Role.NATIONAL, Role.ADMIN):
            raise NotAllowed(
                "{actor} may not record an SLA policy: the national desk or an admin team does", actor=by
            )
        for _attempt in range(self._retries + 1):
            current = self.refresh().policies[-1]
            _check_versionable(current, policy)
            try:
                return self._append(policy, basis, by, first=current if not current.version else None)
            except IntegrityError:
                continue  # another version was recorded first: compare with it
        raise ConcurrentUpdate("the policy kept changing under this version; try again")

    def _append(
        self, policy: SlaPolicy, basis: str, by: Actor, *, first: PolicyVersion | None
    ) -> PolicyVersion:
        """The new version after the latest; on a store that records none yet, ``first`` (the
        policy counted by so far) is recorded with it as version 1."""
        recorded_at = self._clock()
        events = []
        if first is not None:
            events.append(self.event(first.policy, FIRST_BASIS, Actor.system(), 1, recorded_at))
        events.append(self.event(policy, basis, by, len(self._rules.calendars.policies) + 1, recorded_at))
        after = self._rules.calendars
        for event in events:
            after = after.with_policy(version_of(event))  # checks its units' weeks
        self._log.record_first("policy", None)
        self._log.append(events)
        self._rules.calendars = after
        self._recorded()
        return after.policies[-1]

    @staticmethod
    def event(
        policy: SlaPolicy, basis: str, by: Actor, version: int, recorded_at: datetime
    ) -> PolicyRecorded:
        return PolicyRecorded(
            originator_id=POLICY_STREAM,
            originator_version=version,
            at=recorded_at,  # rule 16: dated by when it is entered, never backdated
            recorded_at=recorded_at,
            actor=by,
            policy=policy,
            basis=basis,
        )

    def adopted(self, event: PolicyRecorded) -> None:
        """Count by a version just recorded."""
        self._rules.calendars = self._rules.calendars.with_policy(version_of(event))


class _FirstVersion:
    """The store's first policy, recorded with its first event (``ComplaintLog.record_first``)."""

    def __init__(self, history: PolicyHistory, policy: SlaPolicy) -> None:
        self._history = history
        self._policy = policy

    def events(self, appending: Sequence[LogEvent]) -> list[LogEvent]:
        history = self._history
        if history.refresh().policy_version:  # another process recorded it meanwhile
            history.adopt(self._policy)  # the same one, or PolicyDiffers
            return []
        return [history.event(self._policy, FIRST_BASIS, Actor.system(), 1, appending[0].recorded_at)]

    def recorded(self, events: list[LogEvent]) -> None:
        for event in events:
            if isinstance(event, PolicyRecorded):
                self._history.adopted(event)


def _check_versionable(current: PolicyVersion, new: SlaPolicy) -> None:
    changes = policy_changes(current.policy, new)
    if not changes:
        raise InvalidInput(
            "the policy is the same as version {version}: nothing to record", version=current.version
        )
    if fixed := [f for f in changes if f.split(".")[0] in FIXED_FIELDS]:
        raise InvalidInput(
            "a store keeps its {fields} for good (rule 16: recorded instants and late entries "
            "are judged by them): a new policy version may not change them",
            fields=", ".join(fixed),
        )
    if days := [f for f in changes if f.split(".")[0] in CALENDAR_FIELDS]:
        raise InvalidInput(
            "closing days change by a calendar amendment, not by a policy version: {fields}",
            fields=", ".join(days),
        )
