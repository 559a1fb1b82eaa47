"""Shared fixtures: the three stores, a recording clock, Hypothesis profiles.

PostgreSQL is expected at 127.0.0.1:5432 (user postgres, trust auth, database
``test``). Each test gets its own schema, dropped afterwards. Without a server the
PostgreSQL tests skip with the reason shown; under ``CI=true`` they fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from lapor_domain import LaporApp

PG_DSN = os.environ.get("LAPOR_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")

settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=30, deadline=None)
settings.register_profile(
    "thorough", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


class StepClock:
    """The application's recording clock in tests: advances one second per reading."""

    def __init__(self, start: datetime = datetime(2026, 11, 27, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def postgres_available() -> str | None:
    """None when the server answers, else the reason it does not."""
    try:
        import psycopg

        with psycopg.connect(PG_DSN, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # any failure to reach it is a reason to skip (or fail in CI)
        return f"PostgreSQL not reachable at {PG_DSN}: {str(exc).splitlines()[0]}"
    return None


def require_postgres() -> None:
    reason = postgres_available()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


def drop_schema(schema: str) -> None:
    import psycopg

    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def store_target(kind: str, tmp_path: Path) -> tuple[str, str | None]:
    """A fresh store of this kind: (target, postgres schema to drop or None)."""
    if kind == "memory":
        return "memory", None
    if kind == "sqlite":
        return str(tmp_path / f"lapor-{uuid.uuid4().hex[:8]}.db"), None
    require_postgres()
    schema = f"lapor_test_{uuid.uuid4().hex[:12]}"
    return f"{PG_DSN}?schema={schema}", schema


BACKENDS = [
    pytest.param("memory", id="memory"),
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@pytest.fixture
def clock() -> StepClock:
    return StepClock()


@pytest.fixture
def app(backend: str, tmp_path: Path, clock: StepClock) -> Iterator[LaporApp]:
    """A LaporApp on a fresh store of each kind, closed and cleaned up afterwards."""
    target, schema = store_target(backend, tmp_path)
    application = LaporApp(target, clock=clock)
    try:
        yield application
    finally:
        application.close()
        if schema:
            drop_schema(schema)


@pytest.fixture
def memory_app(clock: StepClock) -> Iterator[LaporApp]:
    application = LaporApp.in_memory(clock=clock)
    yield application
    application.close()
