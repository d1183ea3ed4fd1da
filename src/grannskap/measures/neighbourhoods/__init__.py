"""Individualised neighbourhoods (EquiPop style): the k nearest persons around every cell.

* :mod:`._grid` - validated population on a SWEREF 99 TM grid;
* :mod:`.knn` - the exact ring-walk engine (``knn_counts``) and its result object;
* :mod:`.tiles` - the same, tile by tile with halos (exact; tasks for a cluster);
* :mod:`.indices` - shares and segregation indices over individuals' neighbourhoods;
* :mod:`.synthetic` - a SYNTHETIC Sweden-like population generator (for benchmarks/tests).
"""

from __future__ import annotations

from grannskap.measures.neighbourhoods._grid import (
    SWEREF99TM_X,
    SWEREF99TM_Y,
    GridPopulation,
    grid_population,
    grid_population_from_frame,
)
from grannskap.measures.neighbourhoods.knn import (
    EQUIPOP_K,
    Neighbourhoods,
    RingMode,
    individualised_neighbourhoods,
    knn_counts,
)
from grannskap.measures.neighbourhoods.tiles import TiledNeighbourhoods, tiled_knn_counts

__all__ = [
    "SWEREF99TM_X",
    "SWEREF99TM_Y",
    "GridPopulation",
    "grid_population",
    "grid_population_from_frame",
    "EQUIPOP_K",
    "Neighbourhoods",
    "RingMode",
    "individualised_neighbourhoods",
    "knn_counts",
    "TiledNeighbourhoods",
    "tiled_knn_counts",
]
