"""Person-level register data: schema, validation, area indicators, engines, synthetic data.

Data flow: :func:`open_source` finds the person-year files (Parquet hive-partitioned by year, or
CSV) → :func:`validate` counts every problem → :func:`aggregate` computes counts, numerators and
denominators per DeSO/grid cell and year on an :class:`Engine` (:class:`DuckDBEngine` embedded,
default; ``DaskEngine`` in :mod:`grannskap.register.dask_engine` for a cluster) →
:meth:`RegisterAggregates.to_parsed_table` hands the result to the database loader.
:func:`grid_counts` counts persons per group and grid cell, and :func:`register_neighbourhoods`
computes individualised (k-nearest-person) neighbourhoods from them, in spatial tiles with halos
on the same engine. :func:`synthesize` writes a SYNTHETIC register for tests and benchmarks.
"""

from __future__ import annotations

from grannskap.register.engine import DuckDBEngine, DuplicateInfo, Engine, make_engine
from grannskap.register.indicators import RegisterAggregates, aggregate, counters
from grannskap.register.neighbourhoods import (
    GROUP_SETS,
    GridCounts,
    RegisterNeighbourhoods,
    grid_counts,
    register_neighbourhoods,
)
from grannskap.register.schema import (
    REGISTER_COLUMNS,
    RegisterSource,
    open_source,
    read_deso_codes,
)
from grannskap.register.synth import SynthInfo, synthesize
from grannskap.register.validate import ValidationReport, validate

__all__ = [
    "GROUP_SETS",
    "REGISTER_COLUMNS",
    "DuckDBEngine",
    "DuplicateInfo",
    "Engine",
    "GridCounts",
    "RegisterAggregates",
    "RegisterNeighbourhoods",
    "RegisterSource",
    "SynthInfo",
    "ValidationReport",
    "aggregate",
    "counters",
    "grid_counts",
    "make_engine",
    "open_source",
    "read_deso_codes",
    "register_neighbourhoods",
    "synthesize",
    "validate",
]
