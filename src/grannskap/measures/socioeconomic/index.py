"""The socioeconomic index from counts: build components, aggregate DeSO -> RegSO, combine.

Everything here is pure pandas/numpy over frames; nothing touches the database. The flow is::

    comps = build_components(observations, profile)        # DeSO: numerator/denominator per V
    comps = aggregate_components(comps, crosswalk)         # RegSO: sums of counts
    table = compute_index(comps, profile)                  # V1..Vk in percent, index

Shares are always formed *after* summing numerators and denominators, never by averaging
percentages (SCB 2023, *Regionala statistikområden och områdestyper*: the index is computed
on RegSO from person counts). Where only a rounded percentage is published (the proxy's V1),
the numerator is ``percent / 100 x base population`` per DeSO before summing, and the result
says so in its ``notes``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from grannskap.errors import Problem, ValidationError
from grannskap.measures.socioeconomic.profiles import Profile

__all__ = [
    "COMPONENT_COLUMNS",
    "IndexTable",
    "build_components",
    "finalize_components",
    "aggregate_components",
    "compute_index",
]

COMPONENT_COLUMNS = ("area_code", "year", "component", "numerator", "denominator")


@dataclass(frozen=True)
class IndexTable:
    """Index per area and year.

    ``frame`` has one row per (``area_code``, ``year``) with the component shares in percent
    (one column per component key), their numerators/denominators (``<key>_num``,
    ``<key>_den``), ``population`` (the denominator of the profile's population component)
    and ``index`` (weighted mean of the component percentages).
    """

    frame: pd.DataFrame
    profile: str
    weights: dict[str, float]
    components: tuple[str, ...]
    level: str
    notes: tuple[str, ...] = field(default=())


def _term_table(profile: Profile) -> pd.DataFrame:
    rows = []
    for comp in profile.components:
        if comp.kind == "counts":
            rows += [(t.indicator_id, t.breakdown, comp.key, "num") for t in comp.numerator]
            rows += [(t.indicator_id, t.breakdown, comp.key, "den") for t in comp.denominator]
        elif comp.kind == "share_counts":
            rows += [(t.indicator_id, t.breakdown, comp.key, "share") for t in comp.numerator[:1]]
        else:
            rows += [(comp.numerator[0].indicator_id, comp.numerator[0].breakdown, comp.key, "pct")]
            rows += [
                (comp.denominator[0].indicator_id, comp.denominator[0].breakdown, comp.key, "base")
            ]
    return pd.DataFrame(rows, columns=["indicator_id", "breakdown", "component", "role"])


def build_components(
    observations: pd.DataFrame, profile: Profile, *, source: str = "observation"
) -> pd.DataFrame:
    """Numerator and denominator of each profile component per area and year.

    Parameters
    ----------
    observations
        Rows with ``indicator_id, breakdown, area_code, year, value`` (and ``numerator``,
        ``denominator`` for ``share_counts`` components), as in the ``observation`` table.
    profile
        Which series make up each component.
    source
        Name used in error messages.

    Returns
    -------
    Long frame with columns :data:`COMPONENT_COLUMNS`.

    Raises
    ------
    ValidationError
        Naming every area and year where a series of the profile is missing or has no value
        (nothing is computed silently for such areas).
    """
    terms = _term_table(profile)
    obs = observations.merge(terms, on=["indicator_id", "breakdown"], how="inner")
    if obs.empty:
        needed = sorted({f"{t.indicator_id}[{t.breakdown}]" for t in profile.terms()})
        raise ValidationError(
            [
                Problem(
                    source,
                    f"none of the series of profile {profile.name!r} are in the data",
                    expected=", ".join(needed),
                )
            ]
        )
    role = obs["role"].to_numpy()
    value = obs["value"].to_numpy(dtype=float)
    num = (
        obs["numerator"].to_numpy(dtype=float) if "numerator" in obs else np.full(len(obs), np.nan)
    )
    den = (
        obs["denominator"].to_numpy(dtype=float)
        if "denominator" in obs
        else np.full(len(obs), np.nan)
    )
    share = role == "share"
    parts = pd.DataFrame(
        {
            "area_code": obs["area_code"].to_numpy(),
            "year": obs["year"].to_numpy(),
            "component": obs["component"].to_numpy(),
            "num": np.where(role == "num", value, np.where(share, num, np.nan)),
            "den": np.where(role == "den", value, np.where(share, den, np.nan)),
            "pct": np.where(role == "pct", value, np.nan),
            "base": np.where(role == "base", value, np.nan),
            "n_present": np.where(share, ~np.isnan(num) & ~np.isnan(den), ~np.isnan(value)).astype(
                np.int64
            ),
        }
    )
    grouped = (
        parts.groupby(["area_code", "year", "component"], sort=False)
        .agg(
            num=("num", "sum"),
            den=("den", "sum"),
            pct=("pct", "sum"),
            base=("base", "sum"),
            n_present=("n_present", "sum"),
        )
        .reset_index()
    )
    return finalize_components(grouped, profile, source=source)


def finalize_components(
    grouped: pd.DataFrame, profile: Profile, *, source: str = "observation"
) -> pd.DataFrame:
    """Check completeness and form numerators/denominators from per-group sums.

    ``grouped`` has one row per (``area_code, year, component``) with the sums ``num, den``
    (count and share series), ``pct, base`` (percentage series) and ``n_present`` (how many of
    the component's series had a value). Used by :func:`build_components` and by the
    database edge, which forms the same sums in SQL.
    """
    terms = _term_table(profile)
    expected = terms.groupby("component").size()
    present = grouped.pivot(index=["area_code", "year"], columns="component", values="n_present")
    present = present.reindex(columns=expected.index).fillna(0)
    missing = present.lt(expected, axis=1)
    if missing.to_numpy().any():
        problems = []
        for (area, year), row in missing[missing.any(axis=1)].iterrows():
            comps = [c for c in missing.columns if row[c]]
            problems.append(
                Problem(
                    source,
                    f"area {area} year {int(year)}: series missing for component(s) {comps} "
                    f"of profile {profile.name!r}",
                    value=area,
                    expected="a value for every series of the profile",
                )
            )
        raise ValidationError(problems)
    pct_keys = [c.key for c in profile.components if c.kind == "percent_times_base"]
    is_pct = grouped["component"].isin(pct_keys).to_numpy()
    out = pd.DataFrame(
        {
            "area_code": grouped["area_code"].to_numpy(),
            "year": grouped["year"].to_numpy().astype("int64"),
            "component": grouped["component"].to_numpy(),
            "numerator": np.where(
                is_pct,
                grouped["pct"].to_numpy(dtype=float)
                / 100.0
                * grouped["base"].to_numpy(dtype=float),
                grouped["num"].to_numpy(dtype=float),
            ),
            "denominator": np.where(
                is_pct, grouped["base"].to_numpy(dtype=float), grouped["den"].to_numpy(dtype=float)
            ),
        }
    )
    out.attrs["percent_components"] = tuple(pct_keys)
    return out


def aggregate_components(
    components: pd.DataFrame,
    crosswalk: Mapping[str, str] | pd.Series,
    *,
    from_system: str = "deso2018",
    to_system: str = "regso2020",
) -> pd.DataFrame:
    """Sum numerators and denominators from one area level to another (e.g. DeSO -> RegSO).

    ``crosswalk`` maps every from-code to its to-code (SCB's DeSO 2018 -> RegSO 2020 key).
    Codes without an entry raise :class:`ValidationError` naming them: typically DeSO 2025
    codes mixed with a 2018 key, which must not be summed silently.
    """
    cw = pd.Series(crosswalk) if not isinstance(crosswalk, pd.Series) else crosswalk
    dup = cw.index[cw.index.duplicated()]
    if len(dup):
        raise ValidationError(
            [
                Problem(
                    f"crosswalk {from_system}->{to_system}",
                    f"area code {code} maps to more than one {to_system} area; counts can only be "
                    "summed along a nesting key (each area in exactly one target area)",
                    value=code,
                )
                for code in sorted(set(map(str, dup)))
            ]
        )
    # factorised keys and bincount sums: the same as a groupby-sum, without string hashing
    codes, uniq = pd.factorize(components["area_code"])
    pos = pd.Index(cw.index).get_indexer(np.asarray(uniq, dtype=object))
    if (pos < 0).any():
        bad = sorted(str(u) for u, p in zip(uniq, pos, strict=True) if p < 0)
        raise ValidationError(
            [
                Problem(
                    f"crosswalk {from_system}->{to_system}",
                    f"area code {code} has no entry in the {from_system}->{to_system} key "
                    "(mixed code versions?)",
                    value=code,
                    expected=f"a {from_system} code",
                )
                for code in bad
            ]
        )
    tcode_u, tuniq = pd.factorize(cw.to_numpy()[pos])
    t = tcode_u[codes]
    ycode, yuniq = pd.factorize(components["year"])
    ccode, cuniq = pd.factorize(components["component"])
    ny, nc = len(yuniq), len(cuniq)
    key = (t.astype(np.int64) * ny + ycode) * nc + ccode
    size = len(tuniq) * ny * nc
    num = np.bincount(key, weights=components["numerator"].to_numpy(dtype=float), minlength=size)
    den = np.bincount(key, weights=components["denominator"].to_numpy(dtype=float), minlength=size)
    seen = np.bincount(key, minlength=size) > 0
    k = np.flatnonzero(seen)
    summed = pd.DataFrame(
        {
            "area_code": np.asarray(tuniq, dtype=object)[k // (ny * nc)],
            "year": np.asarray(yuniq, dtype=np.int64)[(k // nc) % ny],
            "component": np.asarray(cuniq, dtype=object)[k % nc],
            "numerator": num[k],
            "denominator": den[k],
        }
    )
    summed.attrs.update(components.attrs)
    return summed


def compute_index(
    components: pd.DataFrame,
    profile: Profile,
    *,
    weights: Mapping[str, float] | None = None,
    level: str = "regso",
    min_population: float = 0.0,
) -> IndexTable:
    """Component shares (percent) and the weighted index per area and year.

    ``index = sum_k w_k V_k / sum_k w_k`` with ``V_k = 100 x numerator_k / denominator_k``
    (SCB/Delmos: equal weights, index = (V1 + V2 + V3) / 3).

    Zero denominators raise :class:`ValidationError` naming the areas, except in areas whose
    population is below ``min_population`` (those are flagged and not classified later).
    """
    prof = profile.with_weights(weights) if weights else profile
    w = prof.weights
    keys = list(prof.keys)
    present = set(pd.unique(components["component"]))
    missing_cols = [k for k in keys if k not in present]
    if missing_cols:
        raise ValidationError(
            [
                Problem(
                    "components", f"component {k} is not in the data", expected=f"components {keys}"
                )
                for k in missing_cols
            ]
        )
    # one row per (area, year), built from factorised keys (a fast unstack)
    ac, au = pd.factorize(components["area_code"])
    yc, yu = pd.factorize(components["year"])
    rc, ru = pd.factorize(ac.astype(np.int64) * len(yu) + yc)
    n_rows = len(ru)
    comp = components["component"].to_numpy()
    num_all = components["numerator"].to_numpy(dtype=float)
    den_all = components["denominator"].to_numpy(dtype=float)
    cols: dict[str, np.ndarray] = {}
    for k in keys:
        m = comp == k
        num = np.full(n_rows, np.nan)
        den = np.full(n_rows, np.nan)
        num[rc[m]] = num_all[m]
        den[rc[m]] = den_all[m]
        cols[f"{k}_num"], cols[f"{k}_den"] = num, den
    index = pd.MultiIndex.from_arrays(
        [
            np.asarray(au, dtype=object)[ru // len(yu)],
            np.asarray(yu, dtype=np.int64)[ru % len(yu)],
        ],
        names=["area_code", "year"],
    )
    frame = pd.DataFrame(cols, index=index).sort_index(level=["year", "area_code"])
    nan_rows = frame.isna().any(axis=1)
    if nan_rows.any():
        bad = frame.index[nan_rows]
        raise ValidationError(
            [
                Problem("components", f"area {a} year {int(y)}: a component is missing", value=a)
                for a, y in bad
            ]
        )
    frame["population"] = frame[f"{prof.population}_den"]
    small = frame["population"] < min_population
    dens = frame[[f"{k}_den" for k in keys]].to_numpy()
    zero = (dens <= 0).any(axis=1) & ~small.to_numpy()
    if zero.any():
        problems = []
        for (a, y), row in frame[zero].iterrows():
            comps = [k for k in keys if row[f"{k}_den"] <= 0]
            problems.append(
                Problem(
                    "components",
                    f"area {a} year {int(y)}: zero denominator for {comps}",
                    value=0.0,
                    expected="a positive denominator",
                )
            )
        raise ValidationError(problems)
    total_w = sum(w[k] for k in keys)
    idx = np.zeros(len(frame))
    with np.errstate(invalid="ignore", divide="ignore"):
        for k in keys:
            share = 100.0 * frame[f"{k}_num"].to_numpy() / frame[f"{k}_den"].to_numpy()
            share = np.where(frame[f"{k}_den"].to_numpy() > 0, share, np.nan)
            frame[k] = share
            idx += w[k] * share
    frame["index"] = idx / total_w
    frame = frame.reset_index()
    frame["year"] = frame["year"].astype("int64")
    notes = list(prof.notes)
    pct = components.attrs.get("percent_components", ())
    if pct:
        notes.append(
            f"{', '.join(pct)}: bara avrundade procentandelar publiceras; täljaren är procent × "
            "befolkning per DeSO, summerad till områdesnivå (inga procent har medelvärdesbildats)."
        )
    return IndexTable(
        frame=frame,
        profile=prof.name,
        weights=dict(w),
        components=tuple(keys),
        level=level,
        notes=tuple(notes),
    )
