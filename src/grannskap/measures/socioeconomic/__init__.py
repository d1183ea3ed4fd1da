"""SCB/Delmos' socioeconomic index and *områdestyper*, movement between types, distances.

Sources: SCB (2023), *Regionala statistikområden och områdestyper* (definition of the index
V1–V3 and the five types), and Delmos, *Områdestyper* (delmos.se).

Modules:

``profiles``  which observations make up each component (SCB's exact definition, the proxy)
``index``     components from counts, DeSO -> RegSO aggregation by summing counts, the index
``classify``  the μ/σ cut rule, types, agreement with official types
``movement``  transition matrices and distance to the thresholds
``pipeline``  end to end from frames (pure)

The frames are read from the database by :mod:`grannskap.store.socioeconomic` (issue 13:
no SQL outside ``store/``). Typical use::

    from grannskap.store.socioeconomic import classify_from_store
    result = classify_from_store(con, [2022], level="regso", profile="auto")
    result.frame  # area_code, year, index, V1..V3, mu, sigma, z, omradestyp, official, ...
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from grannskap.measures.socioeconomic.classify import (
    TYPE_NAMES_EN,
    TYPE_NAMES_SV,
    Agreement,
    Classification,
    CutRule,
    agreement,
    classify,
    cut_types,
    thresholds,
)
from grannskap.measures.socioeconomic.index import (
    IndexTable,
    aggregate_components,
    build_components,
    compute_index,
)
from grannskap.measures.socioeconomic.movement import (
    closest_to_thresholds,
    distance_to_thresholds,
    transition_matrix,
)
from grannskap.measures.socioeconomic.pipeline import (
    TypeResult,
    socioeconomic_types,
)
from grannskap.measures.socioeconomic.profiles import (
    PROXY_PROFILE,
    SCB_PROFILE,
    ComponentSpec,
    Profile,
    Term,
    choose_profile,
    get_profile,
    load_profile,
    profile_from_mapping,
)

if TYPE_CHECKING:
    from grannskap.store.socioeconomic import (
        classify_from_store,
        load_inputs,
        load_official_types,
    )

__all__ = [
    "TYPE_NAMES_EN",
    "TYPE_NAMES_SV",
    "Agreement",
    "Classification",
    "CutRule",
    "agreement",
    "classify",
    "cut_types",
    "thresholds",
    "IndexTable",
    "aggregate_components",
    "build_components",
    "compute_index",
    "closest_to_thresholds",
    "distance_to_thresholds",
    "transition_matrix",
    "TypeResult",
    "classify_from_store",
    "load_inputs",
    "load_official_types",
    "socioeconomic_types",
    "PROXY_PROFILE",
    "SCB_PROFILE",
    "ComponentSpec",
    "Profile",
    "Term",
    "choose_profile",
    "get_profile",
    "load_profile",
    "profile_from_mapping",
]


_MOVED = frozenset({"classify_from_store", "load_inputs", "load_official_types"})


def __getattr__(name: str) -> Any:
    """The database edge moved to :mod:`grannskap.store.socioeconomic` (issue 13); its names
    resolve there (lazily: the store module imports this package) for callers not yet moved."""
    if name in _MOVED:
        from grannskap.store import socioeconomic

        return getattr(socioeconomic, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
