"""A seeded workload simulator: a city's or the country's complaints over months or years.

``simulate(app, Workload(...))`` drives ``LaporApp`` the way its people would,
only through the rule functions of ``lapor_domain.model.decisions``, and stores
the history with ``app.import_events`` a batch (one transaction) at a time.
The same seed gives the same history, event for event.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from lapor_domain import InvalidInput, LaporApp

from .engine import Simulation
from .workload import PER_YEAR, Scale, SimulationSummary, Workload

__all__ = ["PER_YEAR", "Scale", "SimulationSummary", "Workload", "simulate"]


def simulate(
    app: LaporApp,
    workload: Workload,
    *,
    batch: int = 20_000,
    progress: Callable[[int, int], None] | None = None,
) -> SimulationSummary:
    """Submit ``workload.complaints`` complaints and play each to its end; store every event.

    Events are saved with ``app.import_events`` every ``batch`` events (one transaction
    each, with the touched complaints' states for the deadline index); ``progress``
    is then called with (finished complaints, total). The store should be fresh,
    or at least hold none of the seed's complaint ids.

    While it runs, the cyclic garbage collector's first threshold is raised to
    ``GC_THRESHOLD`` (restored afterwards): the simulation allocates millions of
    short-lived, acyclic objects, and the default threshold (700) spends a quarter
    of the run in collections that find nothing.
    """
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise InvalidInput("batch must be a whole number >= 1, got {batch!r}", batch=batch)
    if app.target.kind == "postgres":
        # psycopg's pipeline stalls on one insert of 10,000+ events (eventsourcing 9.5.6,
        # psycopg 3.3): the server's replies fill the socket while the client still sends.
        batch = min(batch, POSTGRES_BATCH)
    with _fewer_collections():
        return Simulation(app, workload).run(batch, progress)


GC_THRESHOLD = 20_000
POSTGRES_BATCH = 2_000


@contextmanager
def _fewer_collections() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], GC_THRESHOLD), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
