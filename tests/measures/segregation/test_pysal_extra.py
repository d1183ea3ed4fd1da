"""The indices of issue 16 against PySAL ``segregation`` 2.5.4 (the source of every reference).

* Sacramento tracts (PySAL's own test data, projected to UTM 10N as ``estimate_utm_crs()``
  gives): against the values PySAL 2.5.4 computed, committed in
  ``results/pysal_reference.json`` by ``results/make_pysal_reference.py`` (some PySAL indices
  take 5-20 s), plus live PySAL calls for the fast ones;
* synthetic grids with seeded random counts: live PySAL calls, to 1e-9 relative;
* batching, permutation invariance and the bootstrap machinery on the same grids.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from grannskap.errors import InputError, ValidationError
from grannskap.measures import segregation as seg
from grannskap.measures.segregation import registry
from grannskap.measures.segregation.evenness_extra import _optimal_theta_exact
from grannskap.measures.segregation.geometry import area_geometry

REF = json.loads((Path(__file__).parent / "results" / "pysal_reference.json").read_text())
GROUPS = REF["groups"]
# PySAL class names whose PySAL computation takes well under a second on 403 tracts
FAST_LIVE = [
    "MinMax",
    "ConProf",
    "SpatialDissim",
    "Delta",
    "AbsoluteClustering",
    "SpatialProximity",
]
SLOW_PYSAL = {"SpatialProxProf", "BoundarySpatialDissim", "PARDissim"}


@pytest.fixture(scope="module")
def sac(sacramento):  # type: ignore[no-untyped-def]
    gdf, _ = sacramento
    assert gdf.crs.to_string() == REF["crs"]
    geo = area_geometry(gdf.geometry.values)
    x = gdf[REF["focal"]].to_numpy(dtype="float64")
    t = gdf[REF["total"]].to_numpy(dtype="float64")
    two = np.column_stack([x, t - x])
    multi = gdf[GROUPS].to_numpy(dtype="float64")
    return gdf, geo, two, multi


def _rel(a: float, b: float) -> float:
    return abs(a - b) / max(abs(b), 1e-300)


@pytest.mark.parametrize("name", list(REF["single"]))
def test_single_group_equals_pysal_on_sacramento(sac, name: str) -> None:  # type: ignore[no-untyped-def]
    """Source: PySAL segregation 2.5.4 on Sacramento (committed values)."""
    _, geo, two, _ = sac
    ours = registry.evaluate(name, two, geometry=geo).statistic
    assert _rel(ours, REF["single"][name]) < 1e-9


@pytest.mark.parametrize("name", list(REF["single_distance"]))
def test_single_group_local_environment_equals_pysal(sac, name: str) -> None:  # type: ignore[no-untyped-def]
    """Source: PySAL 2.5.4 ``Index(gdf, ..., distance=2000)`` (triangular kernel, rounded)."""
    _, geo, two, _ = sac
    ours = registry.evaluate(name, two, geometry=geo, distance=REF["distance"]).statistic
    assert _rel(ours, REF["single_distance"][name]) < 1e-9


@pytest.mark.parametrize("name", list(REF["multi"]))
def test_multigroup_equals_pysal_on_sacramento(sac, name: str) -> None:  # type: ignore[no-untyped-def]
    """Source: PySAL 2.5.4 multigroup indices on Sacramento, aspatial and at 2000 m."""
    _, geo, _, multi = sac
    assert _rel(registry.evaluate(name, multi).statistic, REF["multi"][name]) < 1e-9
    spatial = registry.evaluate(name, multi, geometry=geo, distance=REF["distance"]).statistic
    assert _rel(spatial, REF["multi_distance"][name]) < 1e-9


@pytest.mark.parametrize("name", FAST_LIVE)
def test_live_pysal_on_sacramento(sac, name: str) -> None:  # type: ignore[no-untyped-def]
    """Live check of the committed numbers: PySAL segregation (installed) itself."""
    sg = pytest.importorskip("segregation.singlegroup")
    gdf, geo, two, _ = sac
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        live = getattr(sg, name)(gdf, REF["focal"], REF["total"]).statistic
    assert _rel(live, REF["single"][name]) < 1e-12  # the committed file is current
    assert _rel(registry.evaluate(name, two, geometry=geo).statistic, live) < 1e-9


# ------------------------------------------------------------------------------ synthetic
def _grid(seed: int, side: int = 9):  # type: ignore[no-untyped-def]
    """A side x side rectilinear grid in SWEREF 99 TM (random column widths and row heights,
    so areas and perimeters differ) with seeded random counts, clustered west to east."""
    gpd = pytest.importorskip("geopandas")
    from shapely.geometry import box

    rng = np.random.default_rng(seed)
    xs = 600_000.0 + np.concatenate([[0.0], np.cumsum(rng.uniform(200.0, 900.0, side))])
    ys = 6_600_000.0 + np.concatenate([[0.0], np.cumsum(rng.uniform(200.0, 900.0, side))])
    cells = [box(xs[i], ys[j], xs[i + 1], ys[j + 1]) for j in range(side) for i in range(side)]
    east = np.array([(k % side) / side for k in range(len(cells))])
    tot = rng.integers(50, 2000, size=len(cells))
    grp = rng.binomial(tot, np.clip(rng.uniform(0.0, 0.5, len(cells)) + 0.5 * east, 0.01, 0.99))
    return gpd.GeoDataFrame({"g": grp, "tot": tot}, geometry=cells, crs="EPSG:3006")


SYNTH = [
    "MinMax",
    "ConProf",
    "DensityCorrectedDissim",
    "SpatialDissim",
    "BoundarySpatialDissim",
    "PARDissim",
    "AbsoluteCentralization",
    "RelativeCentralization",
    "AbsoluteClustering",
    "RelativeClustering",
    "AbsoluteConcentration",
    "RelativeConcentration",
    "Delta",
    "DistanceDecayInteraction",
    "DistanceDecayIsolation",
    "SpatialProximity",
]


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("name", SYNTH)
def test_live_pysal_on_synthetic_grids(name: str, seed: int) -> None:
    """Source: PySAL segregation (installed, 2.5.4) on seeded random grids, to 1e-9."""
    sg = pytest.importorskip("segregation.singlegroup")
    gdf = _grid(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        live = getattr(sg, name)(gdf, "g", "tot").statistic
    x, t = gdf["g"].to_numpy(float), gdf["tot"].to_numpy(float)
    ours = registry.evaluate(
        name, np.column_stack([x, t - x]), geometry=area_geometry(gdf.geometry.values)
    )
    assert _rel(ours.statistic, live) < 1e-9


@pytest.mark.slow
def test_live_pysal_spatial_prox_prof_on_synthetic_grid() -> None:
    """Source: PySAL 2.5.4 ``SpatialProxProf`` (numba compile + Floyd-Warshall: slow)."""
    sg = pytest.importorskip("segregation.singlegroup")
    gdf = _grid(3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        live = sg.SpatialProxProf(gdf, "g", "tot").statistic
    x, t = gdf["g"].to_numpy(float), gdf["tot"].to_numpy(float)
    ours = registry.evaluate(
        "SpatialProxProf", np.column_stack([x, t - x]), geometry=area_geometry(gdf.geometry.values)
    )
    assert _rel(ours.statistic, live) < 1e-9


def test_multigroup_live_pysal_on_random_tables() -> None:
    """Source: PySAL 2.5.4 multigroup classes on a seeded random 60 x 4 table (empty area kept)."""
    mg = pytest.importorskip("segregation.multigroup")
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(7)
    c = rng.integers(0, 300, size=(60, 4)).astype(float)
    c[5] = 0.0
    df = pd.DataFrame(c, columns=list("abcd"))
    for name in [
        "MultiGini",
        "MultiNormExposure",
        "MultiSquaredCoefVar",
        "SimpsonsConcentration",
        "SimpsonsInteraction",
    ]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            live = getattr(mg, name)(df, list("abcd")).statistic
        assert _rel(registry.evaluate(name, c).statistic, live) < 1e-9, name


# ----------------------------------------------------------------- batching and invariance
TWO_GROUP = [s.name for s in registry.INDEX_SPECS.values() if s.kind == "two_group"]


@pytest.mark.parametrize("name", TWO_GROUP)
def test_batched_kernel_equals_one_table_at_a_time(name: str) -> None:
    """Replicate stacks (r, n) give the same values as r separate calls (bootstrap relies on it)."""
    gdf = _grid(4, side=6)
    geo = area_geometry(gdf.geometry.values)
    spec = registry.resolve_index(name)
    rng = np.random.default_rng(0)
    t = gdf["tot"].to_numpy(float)
    xs = rng.binomial(t.astype(int), 0.3, size=(3, t.size)).astype(float)
    params = {**spec.params, **({"solver": "exact"} if "solver" in spec.params else {})}
    args = (geo,) if spec.needs_polygons else ()
    batched = spec.kernel(xs, t, *args, **params)
    single = [float(spec.kernel(xs[r], t, *args, **params)) for r in range(3)]
    np.testing.assert_allclose(batched, single, rtol=1e-12)


@pytest.mark.parametrize(
    "name", [s.name for s in registry.INDEX_SPECS.values() if s.needs_polygons]
)
def test_explicit_indices_do_not_depend_on_the_order_of_areas(name: str) -> None:
    gdf = _grid(5, side=7)
    perm = np.random.default_rng(1).permutation(len(gdf))
    x, t = gdf["g"].to_numpy(float), gdf["tot"].to_numpy(float)
    c = np.column_stack([x, t - x])
    a = registry.evaluate(name, c, geometry=area_geometry(gdf.geometry.values)).statistic
    b = registry.evaluate(
        name, c[perm], geometry=area_geometry(gdf.geometry.values[perm])
    ).statistic
    assert b == pytest.approx(a, rel=1e-9)


def test_bootstrap_and_expected_random_on_polygons() -> None:
    gdf = _grid(6, side=6)
    geo = area_geometry(gdf.geometry.values)
    x, t = gdf["g"].to_numpy(float), gdf["tot"].to_numpy(float)
    c = np.column_stack([x, t - x])
    r1 = registry.bootstrap("AbsoluteClustering", c, geometry=geo, n_boot=200, seed=3)
    r2 = registry.bootstrap("absolute_clustering", c, geometry=geo, n_boot=200, seed=3)
    assert r1.ci_low < r1.statistic < r1.ci_high and r1.se > 0
    assert (r1.ci_low, r1.ci_high) == (r2.ci_low, r2.ci_high)  # seeded and alias-independent
    # random allocation removes the segregation that the clustered synthetic counts carry
    e = registry.expected_random(
        "morrill_spatial_dissimilarity", c, geometry=geo, n_sim=100, seed=1
    )
    assert e < registry.evaluate("SpatialDissim", c, geometry=geo).statistic


# ----------------------------------------------------------------------- names and errors
def test_pysal_names_are_case_insensitive_aliases() -> None:
    assert registry.resolve_index("SpatialProximity").name == "spatial_proximity"
    assert registry.resolve_index("spatialproximity").name == "spatial_proximity"
    assert registry.resolve_index("SPATIALDISSIM").name == "morrill_spatial_dissimilarity"
    assert registry.resolve_index("Dissim").name == "dissimilarity"
    with pytest.raises(InputError, match="unknown segregation index"):
        registry.resolve_index("Dissimilarityy")


def test_spatial_dissimilarity_is_renamed_kernel_spatial_dissimilarity() -> None:
    rng = np.random.default_rng(2)
    c = rng.integers(0, 100, size=(40, 2))
    xy = np.column_stack([rng.uniform(5e5, 5.1e5, 40), rng.uniform(6.6e6, 6.61e6, 40)])
    new = seg.kernel_spatial_dissimilarity(c, xy, 3000.0).statistic
    with pytest.warns(DeprecationWarning, match="kernel_spatial_dissimilarity"):
        old = seg.spatial_dissimilarity(c, xy, 3000.0).statistic
    assert new == old


def test_polygon_indices_need_polygons_and_explicit_ones_refuse_a_distance() -> None:
    c = np.array([[10, 5], [3, 9], [4, 4]])
    with pytest.raises(InputError, match="needs the areas' polygons"):
        registry.evaluate("Delta", c)
    gdf = _grid(1, side=3)
    geo = area_geometry(gdf.geometry.values)
    c9 = np.column_stack([gdf["g"], gdf["tot"] - gdf["g"]])
    with pytest.raises(InputError, match="no distance-band version"):
        registry.evaluate("Delta", c9, geometry=geo, distance=1000.0)


def test_invalid_and_missing_polygons_are_named() -> None:
    from shapely.geometry import Polygon, box

    bowtie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    with pytest.raises(ValidationError) as exc:
        area_geometry([box(0, 0, 1, 1), bowtie, None], labels=["a", "b", "c"])
    lines = exc.value.lines()
    assert "row 2" in lines[0] and "invalid polygon" in lines[0] and "area b" in lines[0]
    assert "row 3" in lines[1] and "missing" in lines[1]


def test_density_corrected_dissim_exact_solver() -> None:
    """The exact folded-normal mode solves v = theta tanh(theta v); PySAL's optimiser stalls
    at ~0 for theta > ~38 (see the docstring), which the exact solver does not."""
    th = np.array([0.5, 1.0, 1.5, 3.0, 47.0])
    v = _optimal_theta_exact(th)
    assert v[0] == 0.0 and v[1] == 0.0
    np.testing.assert_allclose(v[2:], th[2:] * np.tanh(th[2:] * v[2:]), rtol=1e-13)
    assert v[-1] == pytest.approx(47.0)


# --------------------------------------------------------------------------- decomposition
@pytest.mark.parametrize(
    ("approach", "c_a", "c_s"),
    [
        ("composition", -0.16138819842911295, -0.005104643275796905),
        ("share", -0.1543828579279878, -0.012109983776922045),
        ("dual_composition", -0.16159526946235048, -0.004897572242559378),
    ],
)
def test_decomposition_equals_pysal_test_suite(sac, approach: str, c_a: float, c_s: float) -> None:
    """Source: PySAL 2.5.4 ``tests/test_decomposition.py`` (Dissim HISP vs BLACK, Sacramento)."""
    gdf, _, _, _ = sac
    t = gdf["TOT_POP"].to_numpy(float)
    a = np.column_stack([gdf["HISP_"], t - gdf["HISP_"]])
    b = np.column_stack([gdf["BLACK_"], t - gdf["BLACK_"]])
    r = seg.decompose_segregation(a, b, "Dissim", approach=approach)
    assert r.c_a == pytest.approx(c_a, rel=1e-9)
    assert r.c_s == pytest.approx(c_s, rel=1e-9)
    assert r.c_a + r.c_s == pytest.approx(r.difference, rel=1e-12)


@pytest.mark.parametrize("approach", ["composition", "share", "dual_composition"])
def test_decomposition_of_a_polygon_index_equals_live_pysal(sac, approach: str) -> None:
    """Source: PySAL (installed, 2.5.4) ``DecomposeSegregation`` of ``Delta`` on two grids."""
    pytest.importorskip("segregation")
    from segregation.decomposition import DecomposeSegregation
    from segregation.singlegroup import Delta

    g1, g2 = _grid(11, side=6), _grid(12, side=7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = DecomposeSegregation(
            Delta(g1, "g", "tot"), Delta(g2, "g", "tot"), counterfactual_approach=approach
        )
    c = [np.column_stack([g["g"], g["tot"] - g["g"]]).astype(float) for g in (g1, g2)]
    geos = [area_geometry(g.geometry.values) for g in (g1, g2)]
    r = seg.decompose_segregation(
        c[0], c[1], "delta", approach=approach, geometry1=geos[0], geometry2=geos[1]
    )
    assert r.c_a == pytest.approx(ref.c_a, rel=1e-9, abs=1e-14)
    assert r.c_s == pytest.approx(ref.c_s, rel=1e-9, abs=1e-14)


@pytest.mark.parametrize("numba", [True, False])
def test_streamed_proximity_equals_the_dense_matrix(
    monkeypatch: pytest.MonkeyPatch, numba: bool
) -> None:
    """Large inputs stream the proximity rows (numba or numpy blocks): same values as dense."""
    from grannskap.measures.segregation import clustering as cl

    if numba:
        pytest.importorskip("numba")
    gdf = _grid(8, side=8)
    x, t = gdf["g"].to_numpy(float), gdf["tot"].to_numpy(float)
    dense = {
        k: float(getattr(cl, k)(x, t, area_geometry(gdf.geometry.values)))
        for k in cl.__all__
        if k.startswith("k_")
    }
    monkeypatch.setattr(cl, "_CACHE_MAX_AREAS", 0)
    monkeypatch.setattr(cl, "_BLOCK_ELEMENTS", 500)  # several blocks
    if not numba:
        monkeypatch.setattr(cl, "_numba", lambda: None)
    for k, v in dense.items():
        assert float(getattr(cl, k)(x, t, area_geometry(gdf.geometry.values))) == pytest.approx(
            v, rel=1e-12
        ), k


@pytest.mark.parametrize("numba", [True, False])
def test_streamed_proximity_profile_equals_the_cached_hops(
    monkeypatch: pytest.MonkeyPatch, numba: bool
) -> None:
    """Large inputs: breadth-first searches per area (numba) or scipy blocks, same value."""
    from grannskap.measures.segregation import boundary as bd

    if numba:
        pytest.importorskip("numba")
    gdf = _grid(9, side=8)
    x, t = gdf["g"].to_numpy(float), gdf["tot"].to_numpy(float)
    # two separate blocks of areas: unreachable pairs must behave as PySAL's inf
    geoms = np.concatenate(
        [gdf.geometry.values, [g.buffer(0) for g in gdf.translate(1e5).geometry.values[:5]]]
    )
    x, t = np.concatenate([x, x[:5]]), np.concatenate([t, t[:5]])
    cached = float(bd.k_spatial_prox_profile(x, t, area_geometry(geoms)))
    monkeypatch.setattr(bd, "_HOPS_CACHE_MAX_AREAS", 0)
    if not numba:
        monkeypatch.setattr(bd, "_numba", lambda: None)
    assert float(bd.k_spatial_prox_profile(x, t, area_geometry(geoms))) == pytest.approx(
        cached, rel=1e-12
    )


SCALE_FREE = [
    s.name
    for s in registry.INDEX_SPECS.values()
    if s.name not in {"density_corrected_dissimilarity", "mutual_information"}
]


@pytest.mark.parametrize("name", SCALE_FREE)
def test_indices_do_not_change_when_every_count_is_multiplied(name: str) -> None:
    """Property (Massey & Denton 1988: evenness/exposure/concentration... depend on shares
    only): multiplying all counts by k leaves every index but D_dc (which depends on the
    sample size by design) unchanged; all two-group indices stay finite."""
    from hypothesis import given
    from hypothesis import strategies as st

    gdf = _grid(13, side=5)
    geo = area_geometry(gdf.geometry.values)
    base = np.column_stack([gdf["g"], gdf["tot"] - gdf["g"], gdf["tot"] // 3]).astype(float)

    @given(k=st.integers(2, 50))
    def check(k: int) -> None:
        spec = registry.resolve_index(name)
        c = base[:, :2] if spec.kind == "two_group" else base
        a = registry.evaluate(name, c, geometry=geo).statistic
        b = registry.evaluate(name, c * k, geometry=geo).statistic
        assert np.isfinite(a)
        assert b == pytest.approx(a, rel=1e-9, abs=1e-12)

    check()
