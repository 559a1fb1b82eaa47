"""The pydantic mapper: every event survives storage; stored names and versions evolve safely."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any, ClassVar
from uuid import UUID, uuid4

from eventsourcing.persistence import StoredEvent
from hypothesis import given
from hypothesis import strategies as st

from lapor_domain import (
    Actor,
    Archived,
    ArchiveReason,
    AutoClosed,
    BaseCalendarRecorded,
    CalendarAmended,
    ComplaintEvent,
    Desk,
    DeskSla,
    Disposed,
    EscalatedToOmbudsman,
    IdentityErased,
    LogEvent,
    PolicyRecorded,
    ReporterReplied,
    Responded,
    Returned,
    SealedIdentity,
    SlaLevel,
    SlaPolicy,
    Submitted,
    Verified,
)
from lapor_domain.adapters.mapper import PydanticMapper
from lapor_domain.model.events import event_class, event_classes

mapper = PydanticMapper()

slugs = st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True)
texts = st.text(min_size=1, max_size=80)
instants = st.datetimes(
    min_value=datetime(2015, 1, 1),
    max_value=datetime(2045, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=7)), timezone(timedelta(hours=9))]),
)
actors = st.one_of(
    st.builds(Actor.national, texts),
    st.builds(Actor.admin, slugs, texts),
    st.builds(Actor.liaison, slugs, slugs, texts),
    st.builds(Actor.reporter, texts),
    st.just(Actor.system()),
)
desks = st.one_of(
    st.just(Desk.national()), st.builds(Desk.admin, slugs), st.builds(Desk.unit_of, slugs, slugs)
)
optional_flags = st.none() | st.booleans()


@st.composite
def desk_slas(draw: st.DrawFn) -> DeskSla:
    target = draw(st.integers(1, 30))
    return DeskSla(target=target, limit=draw(st.integers(target, 60)))


policies = st.builds(
    SlaPolicy,
    name=texts,
    language=st.sampled_from(["id", "en"]),
    national=desk_slas(),
    admin=desk_slas(),
    unit=desk_slas(),
    auto_close_working_days=st.integers(1, 100),
    escalation_working_days=st.integers(1, 200),
    clock_skew=st.timedeltas(timedelta(0), timedelta(hours=1)),
    identity_retention=st.timedeltas(timedelta(0), timedelta(days=4000)),
    extra_closing_days=st.dictionaries(st.dates(), texts, max_size=2),
    working_weeks=st.dictionaries(st.sampled_from(["puskesmas", "rsud", "kota-cirebon/dinkes"]),
                                  st.sampled_from(["mon-fri", "mon-sat"]), max_size=2),
)  # fmt: skip

payloads: dict[type[LogEvent], st.SearchStrategy[dict[str, Any]]] = {
    Submitted: st.fixed_dictionaries(
        {
            "identity": st.builds(SealedIdentity, nonce=st.text(max_size=16), ciphertext=texts),
            "title": texts,
            "description": texts,
            "anonymous": st.booleans(),
            "confidential": st.booleans(),
        }
    ),
    Verified: st.fixed_dictionaries(
        {
            "level": st.sampled_from([SlaLevel.NATIONAL, SlaLevel.ADMIN]),
            "anonymous": optional_flags,
            "confidential": optional_flags,
            "note": st.text(max_size=40),
        }
    ),
    Disposed: st.fixed_dictionaries({"to": desks, "note": st.text(max_size=40)}),
    Returned: st.fixed_dictionaries({"to": desks, "reason": texts}),
    Responded: st.fixed_dictionaries({"message": texts}),
    ReporterReplied: st.fixed_dictionaries({"message": texts}),
    IdentityErased: st.fixed_dictionaries({"reason": texts}),
    AutoClosed: st.fixed_dictionaries({"responded_at": instants}),
    EscalatedToOmbudsman: st.fixed_dictionaries({"submitted_at": instants}),
    Archived: st.fixed_dictionaries({"reason": st.sampled_from(ArchiveReason), "note": st.text(max_size=40)}),
    CalendarAmended: st.fixed_dictionaries(
        {
            "added": st.dictionaries(st.dates(), texts, max_size=3),
            "cancelled": st.lists(st.dates(), max_size=3),
            "basis": texts,
            "institution": st.none() | slugs,
        }
    ),
    PolicyRecorded: st.fixed_dictionaries({"policy": policies, "basis": texts}),
    BaseCalendarRecorded: st.fixed_dictionaries(
        {
            "source": st.text(min_size=1, max_size=40),
            "closing_days": st.dictionaries(st.dates(), texts, max_size=5),
        }
    ),
}


@st.composite
def events(draw: st.DrawFn) -> ComplaintEvent:
    cls = draw(st.sampled_from(sorted(payloads, key=lambda c: c.stored_name)))
    return cls(
        originator_id=draw(st.uuids()),
        originator_version=draw(st.integers(1, 10_000)),
        at=draw(instants),
        recorded_at=draw(instants),
        actor=draw(actors),
        **draw(payloads[cls]),
    )


def test_every_event_class_has_a_strategy() -> None:
    lapor_events = {cls for name, cls in event_classes().items() if name.startswith("lapor.")}
    assert set(payloads) == lapor_events


@given(events())
def test_round_trip_through_the_stored_form(event: ComplaintEvent) -> None:
    stored = mapper.to_stored_event(event)
    assert stored.topic == type(event).stored_name
    assert b"originator_id" not in stored.state  # the row holds it
    again = mapper.to_domain_event(stored)
    assert again == event and type(again) is type(event)
    # The same through a store that hands ids back as text and state as memoryview.
    as_text = StoredEvent(
        str(stored.originator_id), stored.originator_version, stored.topic, memoryview(stored.state)
    )  # type: ignore[arg-type]
    assert mapper.to_domain_event(as_text) == event


def test_stored_names_are_not_python_paths() -> None:
    for name, cls in event_classes().items():
        if cls.__module__ != "lapor_domain.model.events":
            continue
        assert name == f"lapor.{cls.__name__}"
        assert "." not in name.removeprefix("lapor.") and ":" not in name


class Noted(ComplaintEvent):
    """A test event that changed shape twice: v1 had `text`, v2 `message`, v3 adds `lang`."""

    stored_name: ClassVar[str] = "test.Noted"
    former_names: ClassVar[tuple[str, ...]] = ("test.OldNoted",)
    class_version: ClassVar[int] = 3

    message: str
    lang: str

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["message"] = state.pop("text")

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        state["lang"] = "id"


def _stored(topic: str, state: bytes) -> StoredEvent:
    return StoredEvent(UUID(int=7), 3, topic, state)


OLD_V1 = (
    b'{"at":"2026-01-05T09:00:00+07:00","recorded_at":"2026-01-05T02:00:01Z",'
    b'"actor":{"role":"lapor-sp4n","person":"a","institution":null,"unit":null},"text":"halo"}'
)


def test_old_versions_are_upcast_when_read() -> None:
    event = mapper.to_domain_event(_stored("test.Noted", OLD_V1))
    assert isinstance(event, Noted)
    assert (event.message, event.lang, event.originator_version) == ("halo", "id", 3)


def test_a_renamed_class_still_reads_its_old_stored_name() -> None:
    assert event_class("test.OldNoted") is Noted
    assert isinstance(mapper.to_domain_event(_stored("test.OldNoted", OLD_V1)), Noted)


def test_new_versions_are_written_with_their_class_version() -> None:
    event = mapper.to_domain_event(_stored("test.Noted", OLD_V1))
    stored = mapper.to_stored_event(event)
    assert stored.state.startswith(b'{"class_version":3,')
    assert mapper.to_domain_event(stored) == event


def test_a_submission_stored_before_sealing_reads_as_an_unsealed_identity() -> None:
    """Version 1 of Submitted carried the reporter in plain text: it still reads (upcast)."""
    mapper = PydanticMapper()
    cid = uuid4()
    state = (
        b'{"at":"2025-01-06T09:00:00+07:00","recorded_at":"2025-01-06T09:00:00+07:00",'
        b'"actor":{"role":"pelapor","person":"warga-1","institution":null,"unit":null},'
        b'"reporter":{"name":"Siti","contact":"0812"},"title":"t","description":"d",'
        b'"anonymous":false,"confidential":false}'
    )
    event = mapper.decode("lapor.Submitted", cid, 1, state)
    assert isinstance(event, Submitted) and event.identity.is_plaintext
    plain = event.identity.plaintext_identity()
    assert (plain.reporter.name, plain.reporter.contact, plain.account) == ("Siti", "0812", "warga-1")
    again = mapper.to_domain_event(mapper.to_stored_event(event))
    assert again == event and mapper.to_stored_event(event).state.startswith(b'{"class_version":2,')
