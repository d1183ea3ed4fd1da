"""Segregation measures with honest uncertainty, fast at national scale.

Pure maths: an *areas x groups* table of counts of persons goes in (numpy array or pandas
DataFrame; a DataFrame's index labels the areas, its columns the groups), a thin result
object comes out. Nothing here reads the database; see ``grannskap.cli.segregation`` for
that. PySAL ``segregation`` and Elbers' R package ``segregation`` are the references the
tests hold these functions to.

Indices (``indices.py``) - each returns an :class:`IndexResult` with ``.statistic``
    Two-group (``group=`` is the column of the focal group, compared with all others):
    ``dissimilarity``, ``gini``, ``isolation``, ``exposure``, ``correlation_ratio``,
    ``atkinson(b=0.5)``. Multigroup: ``theil_h``, ``multigroup_dissimilarity``,
    ``relative_diversity``; ``mutual_information(counts)`` returns a
    :class:`MutualInformationResult` with ``.M``, ``.H``, ``.entropy`` (``.statistic`` = M).
    ``compute_index(name, counts, group=0)`` takes any name of ``INDEX_NAMES``.

M decompositions (``mutual.py``)
    ``decompose_between_within(counts, higher)`` -> :class:`DecompositionResult`
    (``between_M``, ``within_M``, ``between_H``, ``within_H``, ``by_level`` frame), e.g.
    DeSO within kommun, and ``decompose_between_within_ci`` (the same with bootstrap
    intervals, as a frame); ``local_linkage_by_group(counts)`` -> frame (``p``, ``ls``,
    ``contribution`` per group); ``mutual_difference(counts1, counts2)`` ->
    :class:`DifferenceDecomposition` (``diff = additions + removals + group_marginal +
    unit_marginal + structural``, Elbers 2023 Shapley/IPF) and ``mutual_difference_ci``
    (the same with bootstrap se, bias and intervals per component, as a frame).

Local measures for maps (``local.py``)
    ``local_measures(counts)`` -> :class:`LocalResult` whose ``.frame`` has per area the
    population, normalised local entropy, local linkage, contribution to M (sums to M)
    and location quotients ``lq_<group>``; also ``location_quotients``, ``local_entropy``.

Spatial (``spatial.py``) - ``coords`` are (n, 2) centroids in SWEREF 99 TM metres
    ``kernel_spatial_dissimilarity(counts, coords, distance)`` (``spatial_dissimilarity``
    is its deprecated old name),
    ``spatial_information_theory(counts, coords, distance)``,
    ``spatial_index(name, counts, coords, distance)`` and
    ``multiscalar_profile(counts, coords, distances, index="theil_h")`` ->
    :class:`ProfileResult` (``.distances``, ``.values``, ``.to_series()``). Triangular
    kernel, origin included with weight 1, rounded local counts: PySAL's conventions.
    Sparse neighbourhoods: 50,000 areas in seconds and well under 2 GiB.
    ``spatial_bootstrap_ci(counts, coords, distance, index)`` and
    ``spatial_permutation_test(...)`` add intervals / random-allocation tests
    (``spatial_inference.py``).

All of PySAL's indices by name (``registry.py``)
    ``evaluate(name, counts, geometry=..., distance=...)``, ``bootstrap(...)`` and
    ``expected_random(...)`` take our names (``ALL_INDEX_NAMES``) or PySAL's class names in
    any case (``"SpatialProximity"``). Besides the indices above: ``minmax``,
    ``concentration_profile``, ``density_corrected_dissimilarity`` (``evenness_extra.py``);
    ``multigroup_gini``, ``multigroup_normalized_exposure``, ``multigroup_squared_cv``,
    ``simpsons_concentration``, ``simpsons_interaction`` (``multigroup_extra.py``); and,
    from polygons (:class:`AreaGeometry` via ``area_geometry(geoms)``, ``geometry.py``):
    Morrill's ``morrill_spatial_dissimilarity``, Wong's ``boundary_spatial_dissimilarity``
    and ``perimeter_area_dissimilarity``, ``spatial_proximity_profile`` (``boundary.py``),
    absolute/relative centralization and concentration, ``delta`` (``centralization.py``),
    absolute/relative clustering, ``spatial_proximity``, ``distance_decay_interaction`` /
    ``_isolation`` (``clustering.py``).
    ``decompose_segregation(counts1, counts2, index, approach="composition")`` ->
    :class:`SegregationDecomposition` (``c_s`` spatial + ``c_a`` attribute component of the
    difference between two places, Rey et al. 2021; ``decomposition.py``).

Inference (``inference.py``)
    ``bootstrap_ci(counts, index, n_boot=1000, level=0.95, scheme="within_areas")`` ->
    :class:`IndexResult` with ``.ci_low``, ``.ci_high``, ``.se``, ``.bias``,
    ``.bias_corrected``; ``bias_corrected(counts, "mutual_information")`` (Elbers'
    small-unit correction); ``permutation_test(counts, index, null="permutation")`` ->
    :class:`NullResult` (``.expected`` under random allocation, ``.p_value``, ``.z``);
    ``expected_value``; ``expected_m_independence``; ``compare(counts1, counts2, index)``
    -> :class:`ComparisonResult` (difference, interval, p-value) for two years or places.
    Interval policy (``interval.py``): every interval is *for* the bias-corrected estimate
    (``interval_for``); print that value beside it.

Change (``change.py``)
    ``index_change(counts_a, counts_b, index, n_boot=999, n_perm=999, seed=0, ci=0.95)``
    -> :class:`ChangeResult` (``estimate_a``, ``estimate_b``, ``difference``,
    ``difference_bias_corrected``, ``ci_low``/``ci_high`` for the corrected difference,
    permutation ``p_value``, ``method``); ``decompose_change`` = Elbers' M decomposition.

Synthetic data (``synthetic.py``)
    ``synthetic_sweden(n_areas, seed)`` - SIMULATED Sweden-like areas (clustered towns,
    rural spread, EPSG:3006 coordinates, two groups) for benchmarks and examples only.

Bad input raises :mod:`grannskap.errors` errors that name the bad cell and what was
expected (negative / non-integer / missing counts, no persons in a group, coordinates
outside SWEREF 99 TM); empty areas are kept and contribute nothing (see ``_validate``).

Example
-------
>>> import numpy as np
>>> from grannskap.measures import segregation as seg
>>> counts = np.array([[90, 10], [10, 90], [50, 50]])
>>> round(seg.dissimilarity(counts).statistic, 3)
0.533
>>> r = seg.bootstrap_ci(counts, "dissimilarity", n_boot=200, seed=1)
>>> r.interval_for  # the interval is for the bias-corrected value: print that one beside it
'bias_corrected'
>>> r.ci_low <= r.interval_estimate == r.bias_corrected <= r.ci_high
True
"""

from __future__ import annotations

from .change import ChangeResult, decompose_change, index_change
from .decomposition import SegregationDecomposition, decompose_segregation
from .evenness_extra import concentration_profile, density_corrected_dissimilarity, minmax
from .geometry import AreaGeometry, area_geometry
from .indices import (
    INDEX_NAMES,
    MULTI_GROUP_INDICES,
    TWO_GROUP_INDICES,
    atkinson,
    compute_index,
    correlation_ratio,
    dissimilarity,
    exposure,
    gini,
    isolation,
    multigroup_dissimilarity,
    mutual_information,
    relative_diversity,
    theil_h,
)
from .inference import (
    bias_corrected,
    bootstrap_ci,
    bootstrap_replicates,
    compare,
    expected_m_independence,
    expected_value,
    permutation_test,
    simulate_null,
)
from .local import local_entropy, local_measures, location_quotients
from .multigroup_extra import (
    multigroup_gini,
    multigroup_normalized_exposure,
    multigroup_squared_cv,
    simpsons_concentration,
    simpsons_interaction,
)
from .mutual import (
    decompose_between_within,
    decompose_between_within_ci,
    ipf,
    local_linkage_by_group,
    mutual_difference,
    mutual_difference_ci,
)
from .registry import ALL_INDEX_NAMES, INDEX_SPECS, IndexSpec, evaluate, resolve_index
from .results import (
    ComparisonResult,
    DecompositionResult,
    DifferenceDecomposition,
    IndexResult,
    LocalResult,
    MutualInformationResult,
    NullResult,
    ProfileResult,
)
from .spatial import (
    kernel_spatial_dissimilarity,
    kernel_weights,
    multiscalar_profile,
    neighbours,
    spatial_dissimilarity,
    spatial_index,
    spatial_information_theory,
    spatial_lag,
)
from .spatial_inference import spatial_bootstrap_ci, spatial_permutation_test

__all__ = [
    "ALL_INDEX_NAMES",
    "INDEX_NAMES",
    "INDEX_SPECS",
    "AreaGeometry",
    "SegregationDecomposition",
    "decompose_segregation",
    "IndexSpec",
    "area_geometry",
    "concentration_profile",
    "density_corrected_dissimilarity",
    "evaluate",
    "kernel_spatial_dissimilarity",
    "minmax",
    "multigroup_gini",
    "multigroup_normalized_exposure",
    "multigroup_squared_cv",
    "resolve_index",
    "simpsons_concentration",
    "simpsons_interaction",
    "MULTI_GROUP_INDICES",
    "TWO_GROUP_INDICES",
    "ChangeResult",
    "ComparisonResult",
    "DecompositionResult",
    "DifferenceDecomposition",
    "IndexResult",
    "LocalResult",
    "MutualInformationResult",
    "NullResult",
    "ProfileResult",
    "atkinson",
    "bias_corrected",
    "bootstrap_ci",
    "bootstrap_replicates",
    "compare",
    "compute_index",
    "correlation_ratio",
    "decompose_between_within",
    "decompose_change",
    "decompose_between_within_ci",
    "dissimilarity",
    "expected_m_independence",
    "expected_value",
    "exposure",
    "gini",
    "index_change",
    "ipf",
    "isolation",
    "kernel_weights",
    "local_entropy",
    "local_linkage_by_group",
    "local_measures",
    "location_quotients",
    "multigroup_dissimilarity",
    "multiscalar_profile",
    "mutual_difference",
    "mutual_difference_ci",
    "mutual_information",
    "neighbours",
    "permutation_test",
    "relative_diversity",
    "simulate_null",
    "spatial_bootstrap_ci",
    "spatial_dissimilarity",
    "spatial_index",
    "spatial_information_theory",
    "spatial_lag",
    "spatial_permutation_test",
    "theil_h",
]
