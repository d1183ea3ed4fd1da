"""Områdestyper: cutting the index into five types by the mean and SD of a reference set.

SCB/Delmos' rule (SCB 2023, *Regionala statistikområden och områdestyper*; Delmos,
*Områdestyper*): per year, μ and σ are the unweighted mean and standard deviation of the index
over all RegSO in the country, and

====  =====================================  ==================
type  name                                   index
====  =====================================  ==================
1     stora socioekonomiska utmaningar       >= μ + 2σ
2     socioekonomiska utmaningar             [μ + σ, μ + 2σ)
3     socioekonomiskt blandade               [μ, μ + σ)
4     goda socioekonomiska förutsättningar   [μ − σ, μ)
5     mycket goda socioekonomiska förutsättn. < μ − σ
====  =====================================  ==================

Conventions (checked against SCB's official Borås types, see ``BENCHMARKS.md`` and the tests):
the lower edge of every band is closed (``>=``) and σ is the *sample* SD (ddof=1). With 3,363
RegSO the population SD differs by a factor 1.00015; on the shipped 2022 data the choice
changes no Borås type. Both are configurable in :class:`CutRule`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from grannskap.errors import ConfigError, DataQualityWarning, Problem, ValidationError

__all__ = [
    "TYPE_NAMES_SV",
    "TYPE_NAMES_EN",
    "Reference",
    "CutRule",
    "Classification",
    "Agreement",
    "cut_types",
    "thresholds",
    "classify",
    "agreement",
]

TYPE_NAMES_SV: dict[int, str] = {
    1: "Stora socioekonomiska utmaningar",
    2: "Socioekonomiska utmaningar",
    3: "Socioekonomiskt blandade",
    4: "Goda socioekonomiska förutsättningar",
    5: "Mycket goda socioekonomiska förutsättningar",
}
TYPE_NAMES_EN: dict[int, str] = {
    1: "Major socioeconomic challenges",
    2: "Socioeconomic challenges",
    3: "Socioeconomically mixed",
    4: "Good socioeconomic conditions",
    5: "Very good socioeconomic conditions",
}

Reference = Literal["nation", "county", "municipality"]


@dataclass(frozen=True)
class CutRule:
    """How the index is cut into types.

    ``cuts`` are the lower edges of types 1..k-1 in units of σ above μ (SCB: 2, 1, 0, −1,
    giving five types); ``ddof`` the SD's delta degrees of freedom; ``lower_closed`` whether
    an index exactly on an edge belongs to the worse type (SCB: yes, ``>=``);
    ``reference`` the set of areas over which μ and σ are taken per year; areas with fewer
    than ``min_population`` inhabitants are flagged, not classified, and left out of μ and σ.
    """

    cuts: tuple[float, ...] = (2.0, 1.0, 0.0, -1.0)
    ddof: int = 1
    lower_closed: bool = True
    reference: Reference = "nation"
    min_population: float = 50.0

    def __post_init__(self) -> None:
        if list(self.cuts) != sorted(self.cuts, reverse=True) or len(set(self.cuts)) != len(
            self.cuts
        ):
            raise ConfigError(f"`cuts` must be strictly decreasing; got {self.cuts!r}")
        if self.reference not in ("nation", "county", "municipality"):
            raise ConfigError(
                f"`reference` was {self.reference!r} but is expected to be one of "
                "['nation', 'county', 'municipality']"
            )
        if self.ddof not in (0, 1):
            raise ConfigError(
                f"`ddof` was {self.ddof!r}; expected 0 (population SD) or 1 (sample SD)"
            )

    @property
    def n_types(self) -> int:
        return len(self.cuts) + 1


@dataclass(frozen=True)
class Classification:
    """Types per area and year.

    ``frame`` columns: ``area_code, year, index, population, reference, mu, sigma, z,
    omradestyp`` (nullable Int64; NA where flagged) and ``flag`` ('' or
    ``'few_inhabitants'``). ``stats`` has μ, σ and n per (year, reference).
    """

    frame: pd.DataFrame
    stats: pd.DataFrame
    rule: CutRule
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Agreement:
    """Agreement between computed and official types over the areas where both exist."""

    rate: float
    n: int
    n_agree: int
    confusion: pd.DataFrame
    disagreements: pd.DataFrame


def cut_types(
    index: np.ndarray,
    mu: np.ndarray | float,
    sigma: np.ndarray | float,
    rule: CutRule | None = None,
) -> np.ndarray:
    """Type (1..k) of each index value given μ and σ (vectorised; NaN index -> 0)."""
    rule = rule or CutRule()
    z = (np.asarray(index, dtype=float) - mu) / sigma
    types = np.full(z.shape, rule.n_types, dtype=np.int64)
    for t, c in reversed(list(enumerate(rule.cuts, start=1))):
        hit = z >= c if rule.lower_closed else z > c
        types[hit] = t
    types[np.isnan(z)] = 0
    return types


def thresholds(mu: float, sigma: float, rule: CutRule | None = None) -> dict[int, float]:
    """Index value of the lower edge of each type 1..k-1 (``μ + c σ``)."""
    rule = rule or CutRule()
    return {t: mu + c * sigma for t, c in enumerate(rule.cuts, start=1)}


def _reference_key(codes: pd.Series, reference: Reference) -> pd.Series:
    if reference == "nation":
        return pd.Series("riket", index=codes.index)
    n = 2 if reference == "county" else 4
    return codes.astype(str).str[:n]


def classify(table: pd.DataFrame, rule: CutRule | None = None) -> Classification:
    """Cut the index of every area into types, per year and reference set.

    Parameters
    ----------
    table
        Frame with ``area_code, year, index`` and ``population`` (e.g.
        :attr:`IndexTable.frame`). All areas of the reference set must be present: μ and σ
        are taken over the rows given (SCB: all 3,363 RegSO of the country).
    rule
        The cut rule (SCB's by default).
    """
    import warnings

    rule = rule or CutRule()
    need = {"area_code", "year", "index", "population"}
    if not need <= set(table.columns):
        raise ValidationError(
            [
                Problem(
                    "index table",
                    "missing columns",
                    value=sorted(need - set(table.columns)),
                    expected=str(sorted(need)),
                )
            ]
        )
    df = table[["area_code", "year", "index", "population"]].copy()
    df["reference"] = _reference_key(df["area_code"], rule.reference)
    small = df["population"] < rule.min_population
    df["flag"] = np.where(small, "few_inhabitants", "")
    nan_idx = df["index"].isna() & ~small
    if nan_idx.any():
        raise ValidationError(
            [
                Problem(
                    "index table", f"area {a} year {int(y)}: index is missing", expected="a number"
                )
                for a, y in df.loc[nan_idx, ["area_code", "year"]].itertuples(index=False)
            ]
        )
    used = df[~small]
    grp = used.groupby(["year", "reference"])["index"]
    stats = pd.DataFrame(
        {"mu": grp.mean(), "sigma": grp.std(ddof=rule.ddof), "n": grp.size()}
    ).reset_index()
    thin = stats[(stats["n"] < 2) | ~(stats["sigma"] > 0)]
    if not thin.empty:
        raise ValidationError(
            [
                Problem(
                    "index table",
                    f"year {int(r.year)} reference {r.reference}: cannot cut types from {int(r.n)} area(s)",
                    expected="at least two areas with different index values",
                )
                for r in thin.itertuples()
            ]
        )
    if rule.reference == "nation" and (stats["n"] < 1000).any():
        warnings.warn(
            f"μ and σ were taken over only {int(stats['n'].min())} areas; SCB's types use all "
            "3,363 RegSO of the country, so these types are relative to the areas given",
            DataQualityWarning,
            stacklevel=2,
        )
    df = df.merge(stats[["year", "reference", "mu", "sigma"]], on=["year", "reference"], how="left")
    df["z"] = (df["index"] - df["mu"]) / df["sigma"]
    types = cut_types(df["index"].to_numpy(), df["mu"].to_numpy(), df["sigma"].to_numpy(), rule)
    df["omradestyp"] = pd.array(np.where(small.to_numpy(), 0, types), dtype="Int64")
    df.loc[small.to_numpy(), "omradestyp"] = pd.NA
    notes = []
    if small.any():
        notes.append(
            f"{int(small.sum())} område(n) med färre än {rule.min_population:g} invånare har inte "
            "klassats: " + ", ".join(sorted(df.loc[small, "area_code"].astype(str).unique())[:20])
        )
    cols = [
        "area_code",
        "year",
        "index",
        "population",
        "reference",
        "mu",
        "sigma",
        "z",
        "omradestyp",
        "flag",
    ]
    return Classification(frame=df[cols], stats=stats, rule=rule, notes=tuple(notes))


def agreement(
    computed: pd.Series, official: pd.Series, areas: Sequence[str] | None = None
) -> Agreement:
    """Share of areas whose computed type equals the official type.

    Both series are indexed by area code (one year). Only areas with both types (and in
    ``areas`` when given) count.
    """
    both = pd.DataFrame({"computed": computed, "official": official}).dropna()
    if areas is not None:
        both = both[both.index.isin(list(areas))]
    if both.empty:
        raise ValidationError(
            [Problem("agreement", "no area has both a computed and an official type")]
        )
    both = both.astype("int64")
    n_agree = int((both["computed"] == both["official"]).sum())
    labels = list(range(1, 6))
    confusion = pd.crosstab(both["official"], both["computed"]).reindex(
        index=labels, columns=labels, fill_value=0
    )
    confusion.index.name, confusion.columns.name = "official", "computed"
    dis = both[both["computed"] != both["official"]].copy()
    dis.index.name = "area_code"
    return Agreement(
        rate=n_agree / len(both),
        n=len(both),
        n_agree=n_agree,
        confusion=confusion,
        disagreements=dis.reset_index(),
    )
