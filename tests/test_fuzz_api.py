"""Fuzzing the public API: for any input, a call returns or raises a ``LaporError``.

Each example builds complaints in several states (on the national desk, verified, at an
institution, at a unit, answered, archived) and then throws a sequence of commands and
queries at them whose arguments mix valid-looking values with hostile ones: naive,
extreme and foreign-typed instants, garbage ids and prefixes, malformed actors, unknown
desks, huge and control-character text. A refused command records nothing: the log
does not grow. The example count comes from the Hypothesis profile (``fuzz``: 10,000).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lapor_domain import (
    Actor,
    ArchiveReason,
    LaporApp,
    LaporError,
    OrganisationDirectory,
    Reporter,
    Role,
    SlaPolicy,
    StoreCorrupt,
    parse_target,
)
from lapor_projections import ReadModels, ViewReader, timeline

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)  # the recording clock: every valid-looking instant is before it
START = datetime(2026, 3, 2, 9, tzinfo=timezone(timedelta(hours=7)))
SETTINGS = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

NATIONAL = Actor.national("sp4n-ayu")
ADMIN = Actor.admin("kota-cirebon", "dodi")
DINKES = Actor.liaison("kota-cirebon", "dinkes", "sari")
WARGA = Actor.reporter("warga-1")

# -- hostile and valid-looking values ------------------------------------------------------------


def mostly(valid: st.SearchStrategy[Any], hostile: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Valid-looking three times in four, so commands reach the rules and not only the checks."""
    return st.integers(0, 3).flatmap(lambda pick: hostile if pick == 0 else valid)


OFFSETS = st.sampled_from([timedelta(0), timedelta(hours=7), timedelta(hours=14), timedelta(hours=-14)]).map(
    lambda d: timezone(d)
)
EXTREME_INSTANTS = st.sampled_from(
    [
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-14))),
        datetime(2009, 12, 31, 23, tzinfo=UTC),
        datetime(2051, 1, 1, tzinfo=UTC),
        datetime(2026, 3, 2, 9),  # naive
        NOW + timedelta(days=1),  # in the future (rule 13)
    ]
)
INSTANTS = mostly(
    st.datetimes(min_value=datetime(2026, 3, 1), max_value=datetime(2026, 5, 31), timezones=OFFSETS),
    st.one_of(
        st.datetimes(timezones=OFFSETS),
        st.datetimes(),
        EXTREME_INSTANTS,
        st.none(),
        st.integers(),
        st.text(max_size=30),
    ),
)
HUGE = st.builds(lambda c, n: c * n, st.sampled_from(["x", "\x1b", "é", " "]), st.integers(0, 25_000))
TEXTS = st.one_of(
    st.text(min_size=1, max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.text(alphabet=st.characters(categories=["Cc", "Cs", "Zs"]), max_size=10),
    HUGE,
    st.sampled_from(["", "   ", "\x00", "\u202e", "Jalan berlubang"]),
    st.none(),
    st.integers(),
    st.binary(max_size=10),
    st.lists(st.integers(), max_size=2),
)
SOME_TEXT = mostly(st.sampled_from(["Jalan berlubang", "catatan", "Sudah diperbaiki"]), TEXTS)
INSTITUTIONS = ["kota-cirebon", "kab-cirebon", "nowhere", "KOTA", ""]
UNITS = ["dinkes", "dputr", "dishub", "kec-kejaksan", "nope", ""]
DESKS = mostly(st.sampled_from(INSTITUTIONS + UNITS + ["lapor-sp4n", "x" * 300]), TEXTS)
FLAGS = mostly(st.booleans(), st.one_of(st.none(), st.integers(), st.text(max_size=3)))
REASONS = st.one_of(
    st.sampled_from(list(ArchiveReason)), st.sampled_from([r.value for r in ArchiveReason]), TEXTS
)


def _actor(make: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return make(*args, **kwargs)
    except LaporError as error:  # a malformed actor: the constructor said so, typed
        return f"refused:{error}"


SLUGS = st.sampled_from(INSTITUTIONS + UNITS + ["sari", "dodi"])
PEOPLE = st.one_of(st.sampled_from(["sp4n-ayu", "dodi", "sari", "warga-1"]), TEXTS)
ACTORS = mostly(
    st.sampled_from(
        [
            NATIONAL,
            ADMIN,
            DINKES,
            WARGA,
            Actor.liaison("kota-cirebon", "dputr", "x"),
            Actor.admin("kab-cirebon", "y"),
        ]
    ),
    st.one_of(
        st.builds(functools.partial(_actor, Actor.national), PEOPLE),
        st.builds(functools.partial(_actor, Actor.admin), SLUGS, PEOPLE),
        st.builds(functools.partial(_actor, Actor.liaison), SLUGS, SLUGS, PEOPLE),
        st.builds(functools.partial(_actor, Actor.reporter), PEOPLE),
        st.just(Actor.system()),
        st.builds(functools.partial(_actor, Actor.parse), TEXTS),
        st.sampled_from(["lapor-sp4n:sp4n-ayu", None, 3, {"role": "lapor-sp4n"}]),
    ),
)
REPORTERS = st.one_of(
    st.builds(lambda n, c: _actor(Reporter, **{"name": n, "contact": c}), TEXTS, TEXTS),
    st.just(Reporter(name="Warga")),
    TEXTS,
)


@dataclass(frozen=True)
class Known:
    """One of the prepared complaints, resolved at call time (by index, in any of its spellings)."""

    index: int
    spelling: str  # "uuid", "text", "hex", "prefix", "upper"


IDS = mostly(
    st.builds(Known, st.integers(0, 5), st.sampled_from(["uuid", "text", "hex", "prefix", "upper"])),
    st.one_of(st.uuids(), st.uuids().map(str), st.text(alphabet="0123456789abcdef-", max_size=40), TEXTS),
)


def resolve(value: Any, ids: list[uuid.UUID]) -> Any:
    if isinstance(value, Known):
        cid = ids[value.index]
        return {
            "uuid": cid,
            "text": str(cid),
            "hex": cid.hex,
            "prefix": cid.hex[:8],
            "upper": str(cid).upper(),
        }[value.spelling]
    if isinstance(value, str) and value.startswith("refused:"):
        return None  # a malformed actor stands in as a wrong type
    return value


# -- the prepared complaints ------------------------------------------------------------------------


def prepared(app: LaporApp) -> list[uuid.UUID]:
    """Six complaints: submitted, verified, at the institution, at a unit, answered, archived."""
    at = START
    ids = []
    for _ in range(6):
        ids.append(
            app.submit(by=WARGA, at=at, reporter=Reporter(name="Warga"), title="Jalan", description="d").id
        )
    steps: list[list[Callable[[uuid.UUID, datetime], object]]] = [
        [],
        [lambda c, t: app.verify(c, by=NATIONAL, at=t)],
    ]
    to_institution = [*steps[1], lambda c, t: app.dispose(c, to="kota-cirebon", by=NATIONAL, at=t)]
    to_unit = [
        *to_institution,
        lambda c, t: app.verify(c, by=ADMIN, at=t),
        lambda c, t: app.dispose(c, to="dinkes", by=ADMIN, at=t),
    ]
    answered = [*to_unit, lambda c, t: app.respond(c, message="Sudah diperbaiki", by=DINKES, at=t)]
    archived = [lambda c, t: app.archive(c, reason=ArchiveReason.DUPLICATE, by=NATIONAL, at=t)]
    for cid, path in zip(ids, [*steps, to_institution, to_unit, answered, archived], strict=True):
        for n, step in enumerate(path):
            step(cid, at + timedelta(hours=n + 1))
    return ids


def new_app(target: str = "memory") -> LaporApp:
    return LaporApp(target, clock=lambda: NOW)


# -- commands and queries ---------------------------------------------------------------------------

COMMON = {"by": ACTORS, "at": INSTANTS}
CALLS: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "submit": {**COMMON, "reporter": REPORTERS, "title": SOME_TEXT, "description": SOME_TEXT,
               "anonymous": FLAGS,
               "confidential": FLAGS, "complaint_id": st.one_of(st.none(), IDS)},
    "verify": {**COMMON, "complaint_id": IDS, "anonymous": FLAGS, "confidential": FLAGS, "note": SOME_TEXT},
    "dispose": {**COMMON, "complaint_id": IDS, "to": DESKS, "note": SOME_TEXT},
    "return_up": {**COMMON, "complaint_id": IDS, "reason": SOME_TEXT},
    "respond": {**COMMON, "complaint_id": IDS, "message": SOME_TEXT},
    "reply": {**COMMON, "complaint_id": IDS, "message": SOME_TEXT},
    "archive": {**COMMON, "complaint_id": IDS, "reason": REASONS, "note": SOME_TEXT},
    "fire_due": {"at": INSTANTS, "batch": st.one_of(st.integers(), st.none(), st.booleans(), TEXTS)},
    "complaint": {"complaint_id": IDS, "as_of": st.one_of(st.none(), INSTANTS)},
    "history": {"complaint_id": IDS, "as_of": st.one_of(st.none(), INSTANTS)},
    "pending_deadline": {"complaint_id": IDS},
    "desk_deadlines": {"complaint_id": IDS},
    "import_events": {"events": st.one_of(st.lists(st.one_of(st.none(), st.integers(), IDS), max_size=3),
                                          st.sampled_from(["history-of-0", "history-of-3"])),
                      "states": st.one_of(st.just({}),
                                          st.dictionaries(st.uuids(), st.integers(), max_size=2))},
}  # fmt: skip
POSITIONAL = {"complaint_id"}


@st.composite
def calls(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    name = draw(st.sampled_from(sorted(CALLS)))
    fields = CALLS[name]
    # Some arguments left out, some unknown ones added: a call may be malformed as a whole.
    kwargs = {key: draw(value) for key, value in fields.items() if draw(st.integers(0, 19)) > 0}
    return name, kwargs


def call(app: LaporApp, ids: list[uuid.UUID], name: str, kwargs: dict[str, Any]) -> object:
    args = {key: resolve(value, ids) for key, value in kwargs.items()}
    if name == "import_events" and isinstance(args.get("events"), str):
        args["events"] = app.history(ids[int(args["events"][-1])])  # already recorded: a collision
    if name == "submit" and "complaint_id" in args:
        args["complaint_id"] = args["complaint_id"]
    positional = [args.pop(key) for key in POSITIONAL if key in args and name not in ("submit",)]
    try:
        return getattr(app, name)(*positional, **args)
    except TypeError as error:
        if "argument" in str(error) and ("missing" in str(error) or "unexpected" in str(error)):
            return None  # the call itself was malformed Python, which no library can type
        raise


def log_length(app: LaporApp) -> int:
    return app.log.recorder.max_notification_id() or 0


def returns_or_raises_typed(action: Callable[[], object]) -> LaporError | None:
    try:
        action()
    except LaporError as error:
        return error
    return None


@SETTINGS
@given(st.lists(calls(), min_size=1, max_size=8))
@example(
    [
        (
            "verify",
            {
                "complaint_id": Known(0, "uuid"),
                "by": NATIONAL,
                "at": datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
            },
        )
    ]
)
@example(
    [
        (
            "history",
            {
                "complaint_id": Known(2, "text"),
                "as_of": datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
            },
        )
    ]
)
@example([("fire_due", {"at": START, "batch": 2**70})])
@example([("import_events", {"events": "history-of-3", "states": {}})])
@example(
    [
        (
            "submit",
            {
                "by": WARGA,
                "at": START,
                "reporter": Reporter(name="W"),
                "title": "t",
                "description": "d",
                "complaint_id": Known(1, "uuid"),
            },
        )
    ]
)
def test_every_command_and_query_returns_or_raises_a_lapor_error(
    steps: list[tuple[str, dict[str, Any]]],
) -> None:  # fmt: skip
    with new_app() as app:
        ids = prepared(app)
        for name, kwargs in steps:
            before = log_length(app)
            error = returns_or_raises_typed(lambda: call(app, ids, name, kwargs))  # noqa: B023
            if error is not None:
                assert log_length(app) == before, f"{name} was refused ({error}) but recorded events"


# -- the read side ----------------------------------------------------------------------------------


@functools.cache
def read_side() -> tuple[LaporApp, ViewReader, list[uuid.UUID]]:
    app = new_app()
    ids = prepared(app)
    views = ReadModels(app)
    views.catch_up()
    return app, ViewReader(views.db, app.policy), ids


LIMITS = st.one_of(st.integers(), st.none(), st.booleans(), st.floats(), TEXTS)
QUERIES: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "queue": {"desk": st.one_of(st.sampled_from(["lapor-sp4n", "tim-admin:kota-cirebon",
                                                 "unit:kota-cirebon/dinkes"]), DESKS),
              "at": INSTANTS, "limit": LIMITS, "offset": LIMITS},
    "desks": {"at": INSTANTS},
    "visits": {"complaint_id": IDS, "at": INSTANTS},
    "sla_report": {"since": INSTANTS, "until": INSTANTS, "unit": st.one_of(st.none(), DESKS),
                   "institution": st.one_of(st.none(), DESKS)},
    "public_status": {"complaint_id": IDS},
    "ids_starting": {"prefix": IDS, "limit": LIMITS},
    "stays": {"since": INSTANTS, "until": INSTANTS},
    "public_statuses": {"limit": LIMITS, "offset": LIMITS},
    "timeline": {"complaint_id": IDS, "as_of": st.one_of(st.none(), INSTANTS),
                 "viewer": st.one_of(st.none(), st.sampled_from(list(Role)), TEXTS)},
}  # fmt: skip


FIRST = {"queue": "desk", "desks": "at", "visits": "complaint_id", "public_status": "complaint_id",
         "ids_starting": "prefix", "timeline": "complaint_id"}  # fmt: skip


@SETTINGS
@given(
    st.sampled_from(sorted(QUERIES)).flatmap(
        lambda name: st.tuples(st.just(name), st.fixed_dictionaries(QUERIES[name]))
    )
)
@example(("queue", {"desk": "lapor-sp4n", "at": NOW, "limit": 99999999999999999999, "offset": 0}))
@example(
    (
        "queue",
        {
            "desk": "lapor-sp4n",
            "at": datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
            "limit": None,
            "offset": 0,
        },
    )
)
@example(
    ("sla_report", {"since": START, "until": NOW, "unit": None, "institution": "\ud800"})
)  # fuzz profile
@example(
    (
        "sla_report",
        {
            "since": START,
            "until": datetime(9999, 12, 31, 23, 59, tzinfo=UTC),
            "unit": None,
            "institution": None,
        },
    )
)
def test_every_view_query_returns_or_raises_a_lapor_error(
    query: tuple[str, dict[str, Any]],
) -> None:  # fmt: skip
    app, reader, ids = read_side()
    name, kwargs = query
    args = {key: resolve(value, ids) for key, value in kwargs.items()}
    first = FIRST.get(name)
    positional = [args.pop(first)] if first else []
    if name == "timeline":
        returns_or_raises_typed(lambda: timeline(app, *positional, **args))
    else:
        returns_or_raises_typed(lambda: getattr(reader, name)(*positional, **args))


# -- values a caller builds, and files an operator writes ------------------------------------------


@SETTINGS
@given(
    st.sampled_from(["national", "admin", "liaison", "reporter", "parse", "Actor", "Reporter"]),
    st.lists(st.one_of(TEXTS, SLUGS), min_size=0, max_size=4),
)
@example("national", [""])
@example("Actor", ["lapor-sp4n", ""])
@example("Reporter", [""])
def test_actors_and_reporters_are_valid_or_invalid_input(kind: str, args: list[Any]) -> None:
    if kind == "Actor":
        keys = ["role", "person", "institution", "unit"]
        returns_or_raises_typed(lambda: Actor(**dict(zip(keys, args, strict=False))))
    elif kind == "Reporter":
        returns_or_raises_typed(lambda: Reporter(**dict(zip(["name", "contact"], args, strict=False))))
    else:
        make = getattr(Actor, kind)
        try:
            make(*args)
        except LaporError:
            pass
        except TypeError as error:  # the wrong number of arguments: malformed Python, not input
            if "argument" not in str(error):
                raise


FILE_CONTENTS = st.one_of(
    st.text(max_size=300),
    st.binary(max_size=300),
    st.sampled_from(
        [
            b"\x00\x01\xff\xfe",
            "first_year = 0\n",
            "first_year = 9999\nlast_year = 9999\n",
            "last_year = 99999999999999999999\n",
            'timezone = "Mars/Olympus"\n',
            "clock_skew = -1\n",
            "[national]\ntarget = 0\n",
            "[[institutions]]\ncode = 'x'\n",
            "[[institutions]]\ncode = 'kota-cirebon'\nname = 'K'\n[[institutions.units]]\ncode = ''\n",
        ]
    ),
)


@SETTINGS
@given(kind=st.sampled_from(["policy", "directory"]), content=FILE_CONTENTS, as_text=st.booleans())
@example(kind="policy", content=b"\xd0\xcf\x11\xe0 binary", as_text=True)
@example(kind="policy", content="\x00", as_text=True)  # found by the fuzz profile: a NUL in the path
def test_policy_and_directory_files_are_read_or_refused_as_invalid_input(
    kind: str, content: str | bytes, as_text: bool, tmp_path: Path
) -> None:
    read = SlaPolicy.from_toml if kind == "policy" else OrganisationDirectory.from_toml
    if as_text and isinstance(content, str):
        returns_or_raises_typed(lambda: read(content))
        return
    path = tmp_path / "file.toml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass"))

    def read_and_use() -> None:
        loaded = read(path)
        if isinstance(loaded, SlaPolicy):
            loaded.calendar.deadline(START, 3)

    returns_or_raises_typed(read_and_use)


TARGETS = st.one_of(
    TEXTS,
    st.builds(
        lambda scheme, netloc, db, query: f"{scheme}://{netloc}/{db}{query}",
        st.sampled_from(["postgresql", "postgres"]),
        st.one_of(st.sampled_from(["postgres@127.0.0.1:abc", "h:99999", "h:-1", "@", "u:p@h:5432", ""]),
                  TEXTS),
        st.one_of(st.just("test"), TEXTS),
        st.one_of(st.sampled_from(["", "?schema=", "?schema=" + "a" * 64, "?scheme=x", "?schema=a&schema=b",
                                   "?connect_timeout=abc", "?schema=x%22y"]), TEXTS.map(lambda t: f"?{t}")),
    ),
)  # fmt: skip


@SETTINGS
@given(TARGETS)
@example("postgresql://postgres@127.0.0.1:abc/test")
@example("postgresql://h/d?schema=")
@example("postgresql://[")  # found by the fuzz profile: the redaction parsed the URL again
def test_store_targets_parse_or_are_invalid_input(target: Any) -> None:
    returns_or_raises_typed(lambda: parse_target(target))


@pytest.mark.parametrize("content", [b"not a database, just text " * 40, None])
def test_a_damaged_or_foreign_sqlite_file_is_a_typed_error(content: bytes | None, tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    if content is None:  # a real store whose pages were overwritten
        with new_app(str(path)) as app:
            prepared(app)
        data = bytearray(path.read_bytes())
        data[100:4000] = b"\xff" * 3900
        path.write_bytes(bytes(data))
    else:
        path.write_bytes(content)
    error = returns_or_raises_typed(lambda: new_app(str(path)).rebuild_deadline_index())
    assert error is not None and type(error).__name__ == "StoreCorrupt", error


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
@pytest.mark.parametrize(
    ("column", "value"), [("topic", "lapor.NoSuchEvent"), ("state", b'{"broken'), ("state", b"\xff\xfe")]
)
def test_a_stored_event_that_does_not_read_back_is_store_corrupt_naming_it(
    backend: str, column: str, value: str | bytes, tmp_path: Path
) -> None:
    from conftest import drop_schema, store_target

    target, schema = store_target(backend, tmp_path)
    try:
        with new_app(target) as app:
            cid = prepared(app)[1]
        if backend == "sqlite":
            import sqlite3

            with sqlite3.connect(target) as conn:
                where = "WHERE originator_id = ? AND originator_version = 2"
                sql = f"UPDATE stored_events SET {column} = ? {where}"
                conn.execute(sql, (value, cid.hex))
        else:
            import psycopg

            with psycopg.connect(target.split("?")[0], autocommit=True) as conn:
                conn.execute(f'UPDATE "{schema}".stored_events SET {column} = %s '
                             "WHERE originator_id = %s AND originator_version = 2", (value, cid))  # fmt: skip
        with new_app(target) as app:
            with pytest.raises(StoreCorrupt) as raised:
                app.history(cid)
            assert raised.value.complaint_id is not None and raised.value.version == 2
            assert str(cid) in str(raised.value).replace(cid.hex, str(cid))
            with ReadModels(app) as views, pytest.raises(StoreCorrupt):
                views.catch_up()
    finally:
        if schema:
            drop_schema(schema)
