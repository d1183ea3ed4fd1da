"""Our indices against PySAL ``segregation`` 2.5 (test dependency only), to 1e-9 relative.

Data: (a) Sacramento tracts (PySAL's own test data), (b) synthetic tables, (c) the real
SCB DeSO data: foreign vs Swedish background 2022, nationally and in Borås (kommun 1490).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from grannskap.measures import segregation as seg
from grannskap.measures.segregation import local, spatial

pysal = pytest.importorskip("segregation")
from segregation import multigroup as pm  # noqa: E402
from segregation import singlegroup as ps  # noqa: E402

REL = 1e-9


@pytest.fixture(autouse=True)
def _pysal_gini_without_jit(monkeypatch: pytest.MonkeyPatch) -> None:
    """PySAL's Gini kernel is numba-jitted; compiling it takes ~40 s on a loaded 2-core
    machine. Its ``py_func`` is the identical Python code, so use that as the reference."""
    import segregation.singlegroup.gini as pg

    fn = getattr(pg._gini_vecp, "py_func", None)
    if fn is not None:
        monkeypatch.setattr(pg, "_gini_vecp", fn)


SAC_GROUPS = ["WHITE_", "BLACK_", "ASIAN_", "HISP_"]

TWO_GROUP = {
    "dissimilarity": ps.Dissim,
    "gini": ps.Gini,
    "isolation": ps.Isolation,
    "exposure": ps.Interaction,
    "correlation_ratio": ps.CorrelationR,
    "atkinson": ps.Atkinson,
}
MULTI = {
    "theil_h": pm.MultiInfoTheory,
    "mutual_information": pm.MultiDivergence,
    "multigroup_dissimilarity": pm.MultiDissim,
    "relative_diversity": pm.MultiRelativeDiversity,
}


def _pysal_two(name: str, df: pd.DataFrame, g: str, tot: str, **kw: object) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(TWO_GROUP[name](df, g, tot, **kw).statistic)


def _pysal_multi(name: str, df: pd.DataFrame, groups: list[str], **kw: object) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(MULTI[name](df, groups, **kw).statistic)


@pytest.mark.parametrize("name", list(TWO_GROUP))
@pytest.mark.parametrize("focal", range(4))
def test_two_group_sacramento(sacramento, name: str, focal: int) -> None:
    gdf, _ = sacramento
    df = pd.DataFrame(gdf[SAC_GROUPS + ["TOT"]])
    ours = seg.compute_index(name, df[SAC_GROUPS], group=focal).statistic
    assert ours == pytest.approx(_pysal_two(name, df, SAC_GROUPS[focal], "TOT"), rel=REL)


@pytest.mark.parametrize("name", list(MULTI))
def test_multigroup_sacramento(sacramento, name: str) -> None:
    gdf, _ = sacramento
    df = pd.DataFrame(gdf[SAC_GROUPS])
    ours = seg.compute_index(name, df).statistic
    assert ours == pytest.approx(_pysal_multi(name, df, SAC_GROUPS), rel=REL)


@pytest.mark.parametrize("distance", [1500.0, 4000.0])
def test_spatial_information_theory_sacramento(sacramento, distance: float) -> None:
    gdf, xy = sacramento
    ours = spatial.spatial_information_theory(
        gdf[SAC_GROUPS], xy, distance, check_crs=False
    ).statistic
    theirs = _pysal_multi("theil_h", gdf, SAC_GROUPS, distance=distance)
    assert ours == pytest.approx(theirs, rel=REL)


@pytest.mark.parametrize("distance", [1500.0, 4000.0])
def test_spatial_dissimilarity_sacramento(sacramento, distance: float) -> None:
    gdf, xy = sacramento
    ours = spatial.kernel_spatial_dissimilarity(
        gdf[SAC_GROUPS], xy, distance, group=1, check_crs=False
    ).statistic
    theirs = _pysal_two("dissimilarity", gdf, "BLACK_", "TOT", distance=distance)
    assert ours == pytest.approx(theirs, rel=REL)
    # the local environment really changes the value (the test can fail)
    assert ours != pytest.approx(seg.dissimilarity(gdf[SAC_GROUPS], group=1).statistic, rel=1e-3)


def test_multiscalar_profile_sacramento(sacramento) -> None:
    from segregation.dynamics import compute_multiscalar_profile

    gdf, xy = sacramento
    distances = [1000.0, 2500.0, 5000.0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = compute_multiscalar_profile(
            gdf, pm.MultiInfoTheory, groups=SAC_GROUPS, distances=distances
        )
    ours = spatial.multiscalar_profile(gdf[SAC_GROUPS], xy, distances, check_crs=False)
    np.testing.assert_allclose(ours.values, theirs.to_numpy(), rtol=REL)
    np.testing.assert_allclose(ours.distances, [0.0, *distances])


def test_local_measures_sacramento(sacramento) -> None:
    from segregation.local import MultiLocalEntropy, MultiLocationQuotient

    gdf, _ = sacramento
    df = pd.DataFrame(gdf[SAC_GROUPS])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lq = MultiLocationQuotient(df, SAC_GROUPS).statistics
        le = MultiLocalEntropy(df, SAC_GROUPS).statistics
    np.testing.assert_allclose(local.location_quotients(df), np.asarray(lq), rtol=REL)
    np.testing.assert_allclose(local.local_entropy(df), np.asarray(le), rtol=REL)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_synthetic_against_pysal(seed: int) -> None:
    """Random tables incl. empty areas and very unequal groups."""
    rng = np.random.default_rng(seed)
    n = 250
    t = rng.integers(0, 800, n)
    t[:5] = 0
    shares = rng.dirichlet([0.5, 1.0, 2.0], size=n)
    c = np.stack([rng.multinomial(ti, si) for ti, si in zip(t, shares, strict=True)])
    df = pd.DataFrame(c, columns=["a", "b", "c"])
    df["tot"] = c.sum(axis=1)
    for name in TWO_GROUP:
        ours = seg.compute_index(name, c, group=1).statistic
        assert ours == pytest.approx(_pysal_two(name, df, "b", "tot"), rel=REL), name
    df = df[df.tot > 0]  # PySAL's multigroup indices give NaN with empty areas; ours skip them
    for name in MULTI:
        ours = seg.compute_index(name, c).statistic
        assert ours == pytest.approx(_pysal_multi(name, df, ["a", "b", "c"]), rel=REL), name


@pytest.mark.parametrize("where", ["sweden", "boras"])
def test_deso_background_against_pysal(deso_background: pd.DataFrame, where: str) -> None:
    """Foreign vs Swedish background by DeSO 2022 (SCB 000005FE): 5,984 DeSO / 77 in Borås."""
    df = deso_background
    if where == "boras":
        df = df[df.index.str.startswith("1490")]
        assert len(df) == 77  # the README of the shared data names 77 DeSO in Borås
    else:
        assert len(df) == 5984
    assert (df.swedish + df.foreign == df.total).all()
    counts = df[["foreign", "swedish"]]
    pdf = pd.DataFrame(df)
    for name in TWO_GROUP:
        ours = seg.compute_index(name, counts, group=0).statistic
        assert ours == pytest.approx(_pysal_two(name, pdf, "foreign", "total"), rel=REL), name
    for name in MULTI:
        ours = seg.compute_index(name, counts).statistic
        assert ours == pytest.approx(_pysal_multi(name, pdf, ["foreign", "swedish"]), rel=REL), name
