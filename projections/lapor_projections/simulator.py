"""The workload simulator's public face: ``Workload``, ``simulate``, ``SimulationSummary``.

The machinery lives in :mod:`lapor_projections.simulation`.
"""

from .simulation import PER_YEAR, Scale, SimulationSummary, Workload, simulate

__all__ = ["PER_YEAR", "Scale", "SimulationSummary", "Workload", "simulate"]
