"""Area indicators from person-year data: counts, numerators and denominators per DeSO and year.

Definitions (documented choices, following SCB's socioeconomic index, *Socioekonomiskt index*
(SCB 2023, "Regionala statistikområden och områdestyper"), variables V1–V3):

``V1``  low economic standard: ``disp_income < 0.6 * median`` where the median is the national
        median of ``disp_income`` over all person-years of that year with a known income
        (computed from the data, exactly: mean of the two middle values for even counts, as
        DuckDB's ``median``). Denominator: persons with a known income (all ages).
``V2``  förgymnasial education among persons aged 20–64. Denominator: persons 20–64 with a
        known education level (``"unknown"`` and invalid values excluded and counted apart).
``V3``  persons 20–64 with economic assistance >= 10 months and/or more than 180 days of
        unemployment. Denominator: all persons aged 20–64 (missing months/days count as 0).
``sysselsatta_20_64``  employed among all persons aged 20–64.

Population counts: total, by sex (``kon=K|M``), age band (``alder=0-5`` ...) and background
(``bakgrund=swedish|foreign``); with ``income_quintiles`` also by national income quintile
(``inkomstkvintil=q1`` ... ``q5``: the ``income_quintile`` groups of
:func:`grannskap.register.neighbourhoods.group_conditions`, cut at the year's exact national
quintiles of ``disp_income`` over the V1 population, found in the same passes as the median). Everything is counted per DeSO and year; per 1 km grid cell and year (when the input has grid cells or coordinates) the
population group counts only (a grid cell is a building block for individualised
neighbourhoods, not an area to publish V1–V3 for). All rows are used as given: problems are
for :func:`grannskap.register.validate.validate` to report.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from grannskap.errors import DataNotFoundError
from grannskap.ingest.model import AreaDef, IndicatorDef, ParsedTable, empty_observations
from grannskap.register.disclosure import DEFAULT_REGISTER_THRESHOLD, suppress_counts
from grannskap.register.engine import Engine, median_frame, quantile_frame
from grannskap.register.expr import TRUE, And, Between, Cmp, Cond, In, NotNull, Or, PerYear
from grannskap.register.neighbourhoods import QUINTILE_PROBS, group_conditions
from grannskap.register.schema import AGE_MAX, RegisterSource

__all__ = [
    "AGE_BANDS",
    "LOW_STANDARD_FRACTION",
    "RegisterAggregates",
    "counters",
    "aggregate",
    "observations_from_counts",
    "INDICATORS",
]

AGE_BANDS: tuple[tuple[int, int], ...] = (
    (0, 5),
    (6, 15),
    (16, 19),
    (20, 64),
    (65, 79),
    (80, AGE_MAX),
)
LOW_STANDARD_FRACTION = 0.6
_WORKING = Between("age", 20, 64)
_PREFIX = "register."

INDICATORS: dict[str, IndicatorDef] = {
    d.indicator_id: d
    for d in (
        IndicatorDef(
            "register.befolkning",
            "Folkmängd (registerdata)",
            "Population (register data)",
            "personer",
            kind="count",
        ),
        IndicatorDef(
            "register.v1_lag_ekonomisk_standard",
            "Andel med låg ekonomisk standard (V1)",
            "Share with low economic standard (V1)",
            "andel",
            "personer med ekonomisk standard < 60 % av rikets median",
            "personer med känd ekonomisk standard",
            higher_is_better=False,
            kind="share",
        ),
        IndicatorDef(
            "register.v2_forgymnasial_20_64",
            "Andel 20–64 år med förgymnasial utbildning (V2)",
            "Share aged 20–64 with less than upper-secondary education (V2)",
            "andel",
            "personer 20–64 år med förgymnasial utbildning",
            "personer 20–64 år med känd utbildningsnivå",
            higher_is_better=False,
            kind="share",
        ),
        IndicatorDef(
            "register.v3_bistand_arbetsloshet_20_64",
            "Andel 20–64 år med långvarigt ekonomiskt bistånd och/eller arbetslöshet (V3)",
            "Share aged 20–64 with long-term economic assistance and/or unemployment (V3)",
            "andel",
            "personer 20–64 år med bistånd >= 10 månader och/eller > 180 arbetslöshetsdagar",
            "personer 20–64 år",
            higher_is_better=False,
            kind="share",
        ),
        IndicatorDef(
            "register.sysselsatta_20_64",
            "Andel sysselsatta 20–64 år",
            "Share employed aged 20–64",
            "andel",
            "sysselsatta 20–64 år",
            "personer 20–64 år",
            higher_is_better=True,
            kind="share",
        ),
        IndicatorDef(
            "register.median_ekonomisk_standard",
            "Rikets median av ekonomisk standard (registerdata)",
            "National median economic standard (register data)",
            "kronor",
            kind="median",
        ),
    )
}
# share indicator -> (numerator counter, denominator counter)
_SHARES: dict[str, tuple[str, str]] = {
    "register.v1_lag_ekonomisk_standard": ("v1_num", "v1_den"),
    "register.v2_forgymnasial_20_64": ("v2_num", "v2_den"),
    "register.v3_bistand_arbetsloshet_20_64": ("v3_num", "v3_den"),
    "register.sysselsatta_20_64": ("emp_num", "v3_den"),
}


def counters(
    thresholds: dict[int, float], cut_points: Mapping[int, Sequence[float]] | None = None
) -> dict[str, Cond]:
    """The counted conditions; ``thresholds`` = year -> V1 income limit (60 % of the median);
    ``cut_points`` = year -> income quintile cuts (adds ``pop|inkomstkvintil=q1`` ...)."""
    out: dict[str, Cond] = {"pop": TRUE}
    for sex in ("K", "M"):
        out[f"pop|kon={sex}"] = Cmp("sex", "==", sex)
    for lo, hi in AGE_BANDS:
        label = f"{lo}-{hi}" if hi < AGE_MAX else f"{lo}-"
        out[f"pop|alder={label}"] = Between("age", lo, hi)
    for bg in ("swedish", "foreign"):
        out[f"pop|bakgrund={bg}"] = Cmp("background", "==", bg)
    if cut_points is not None:
        for g, cond in group_conditions("income_quintile", cut_points=cut_points).items():
            out[f"pop|inkomstkvintil={g}"] = cond
    out["v1_num"] = Cmp("disp_income", "<", PerYear.of(thresholds))
    out["v1_den"] = NotNull("disp_income")
    out["v2_num"] = And((_WORKING, Cmp("education", "==", "forgymnasial")))
    out["v2_den"] = And(
        (_WORKING, In("education", frozenset({"forgymnasial", "gymnasial", "eftergymnasial"})))
    )
    out["v3_num"] = And(
        (_WORKING, Or((Cmp("assistance_months", ">=", 10), Cmp("unemployment_days", ">", 180))))
    )
    out["v3_den"] = _WORKING
    out["emp_num"] = And((_WORKING, Cmp("employment", "==", "employed")))
    return out


@dataclass
class RegisterAggregates:
    """Counts per DeSO-year (and grid-cell-year), the national medians, and notes."""

    area: pd.DataFrame  # year, deso, one int64 column per counter
    grid: pd.DataFrame | None  # year, grid_cell, counters; None without grid/coordinates
    medians: pd.DataFrame  # year, n, median, threshold
    engine: str
    source: str
    notes: list[str] = field(default_factory=list)
    quintiles: pd.DataFrame | None = None  # year, n, q0.2 ... q0.8 (with income_quintiles)
    #: set by :meth:`suppressed`: the threshold and, per frame key, the rows whose share is hidden
    suppression: int | None = None
    hidden_shares: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)

    def suppressed(self, threshold: int = DEFAULT_REGISTER_THRESHOLD) -> RegisterAggregates:
        """A copy with every count of 1 to ``threshold - 1`` persons hidden, and the cells that
        would give a hidden one away by subtraction (:mod:`grannskap.register.disclosure`)."""
        area = suppress_counts(self.area, "deso", threshold)
        grid = suppress_counts(self.grid, "grid_cell", threshold) if self.grid is not None else None
        notes = [
            *self.notes,
            f"disclosure control: counts of 1-{threshold - 1} persons hidden; "
            f"{area.n_primary} DeSO cells hidden as small, {area.n_secondary} more so that "
            "no hidden cell follows by subtraction"
            + (
                f"; grid cells: {grid.n_primary} small, {grid.n_secondary} more"
                if grid is not None
                else ""
            ),
        ]
        hidden = {"deso": area.hidden_shares}
        if grid is not None:
            hidden["grid_cell"] = grid.hidden_shares
        return replace(
            self,
            area=area.frame,
            grid=grid.frame if grid is not None else None,
            notes=notes,
            suppression=threshold,
            hidden_shares=hidden,
        )

    def observations(self, include_grid: bool = True) -> pd.DataFrame:
        """All indicators in the observation-frame layout of :mod:`grannskap.ingest.model`.

        Grid cells get ``area_code`` = the 13-digit cell id (``E * 10**7 + N``).
        """
        frames = [observations_from_counts(self.area, "deso", self.hidden_shares.get("deso"))]
        if self.grid is not None and include_grid:
            frames.append(
                observations_from_counts(
                    self.grid, "grid_cell", self.hidden_shares.get("grid_cell")
                )
            )
        med = pd.DataFrame(
            {
                "indicator_id": "register.median_ekonomisk_standard",
                "area_code": "00",
                "year": self.medians["year"].astype("int64"),
                "breakdown": "",
                "value": self.medians["median"].astype("float64"),
                "numerator": np.nan,
                "denominator": self.medians["n"].astype("float64"),
                "status": "ok",
            }
        )
        frames.append(med)
        out = pd.concat([f for f in frames if len(f)], ignore_index=True)
        return out.astype(empty_observations().dtypes.to_dict())

    def to_parsed_table(
        self, file_hash: str | None = None, include_grid: bool = False
    ) -> ParsedTable:
        """A :class:`ParsedTable` (source ``"register"``) for the database loader.

        Grid cells are left out by default (the database's areas are DeSO/RegSO/kommun codes;
        write grid counts with :meth:`observations`). ``file_hash`` defaults to a hash of the
        aggregated content, so loading the same aggregates twice changes nothing.
        """
        obs = self.observations(include_grid=include_grid)
        areas = [AreaDef(str(c), system="deso2018") for c in self.area["deso"].dropna().unique()]
        if self.grid is not None and include_grid:
            areas += [
                AreaDef(str(int(c)), system="grid1km")
                for c in self.grid["grid_cell"].dropna().unique()
            ]
        areas.append(AreaDef("00", "Riket", system="riket"))
        content = pd.util.hash_pandas_object(obs, index=False).to_numpy().tobytes()
        digest = file_hash or hashlib.sha256(content).hexdigest()
        years = sorted(int(y) for y in self.medians["year"])
        return ParsedTable(
            source="register",
            table_id="register.person_year",
            title="Area indicators aggregated from person-year register data",
            file_name=self.source,
            file_hash=digest,
            observations=obs,
            indicators=list(INDICATORS.values()),
            areas=areas,
            notes=list(self.notes),
            year=years[-1] if len(years) == 1 else None,
        )


def observations_from_counts(
    counts: pd.DataFrame, key: str, hidden_shares: Mapping[str, np.ndarray] | None = None
) -> pd.DataFrame:
    """Turn a wide count frame (``year``, ``key``, counters) into observation rows.

    Groups with a missing key (no DeSO code / no grid cell) are left out; :func:`aggregate`
    records how many person-years that concerned in its notes. ``hidden_shares`` (from
    :meth:`RegisterAggregates.suppressed`): numerator counter -> rows whose share is hidden; a
    hidden count (NaN in a suppressed frame) or share gets status ``suppressed`` and no value,
    numerator or denominator.
    """
    keep = counts[key].notna().to_numpy()
    frame = counts[keep]
    if frame.empty:
        return empty_observations()
    codes = frame[key].astype("string") if key == "deso" else frame[key].astype("int64").astype(str)
    year = frame["year"].astype("int64").to_numpy()
    parts = []
    for col in [c for c in frame.columns if c.startswith("pop")]:
        breakdown = col.split("|", 1)[1].replace("|", ";") if "|" in col else ""
        v = frame[col].to_numpy(dtype=float)
        hidden = np.isnan(v) if hidden_shares is not None else None
        parts.append(
            _obs("register.befolkning", codes, year, breakdown, v, np.nan, np.nan, v == 0, hidden)
        )
    for ind, (num, den) in _SHARES.items():
        if num not in frame or den not in frame:
            continue  # grid cells carry the population counts only
        n = frame[num].to_numpy(dtype=float)
        d = frame[den].to_numpy(dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(d > 0, n / d, np.nan)
        hidden = None
        if hidden_shares is not None:
            hidden = np.asarray(hidden_shares[num])[keep]
            share, n, d = (np.where(hidden, np.nan, a) for a in (share, n, d))
        parts.append(_obs(ind, codes, year, "", share, n, d, None, hidden))
    return pd.concat(parts, ignore_index=True)


def _obs(
    ind: str,
    codes: pd.Series,
    year: np.ndarray,
    breakdown: str,
    value: np.ndarray,
    num: object,
    den: object,
    zero: np.ndarray | None,
    hidden: np.ndarray | None = None,
) -> pd.DataFrame:
    status = np.where(np.isnan(value), "missing", "ok").astype(object)
    if zero is not None:
        status[zero] = "zero"
    if hidden is not None:
        status[hidden] = "suppressed"
    return pd.DataFrame(
        {
            "indicator_id": ind,
            "area_code": codes.to_numpy(),
            "year": year,
            "breakdown": breakdown,
            "value": value,
            "numerator": num,
            "denominator": den,
            "status": status,
        }
    )


def aggregate(
    source: RegisterSource, engine: Engine, *, grid: bool = True, income_quintiles: bool = False
) -> RegisterAggregates:
    """All area indicators of a register, on whichever engine is given.

    ``income_quintiles`` adds the population per national income quintile
    (``inkomstkvintil=q1`` ... ``q5``) to the DeSO and grid counts; the cut points come from the
    same order-statistic passes as the median (five counters more in the counting pass).

    Passes over the data: the exact national median per year (three passes over the income
    column on DuckDB, usually two on Dask, in memory independent of the data size), then the counts per DeSO-year and per grid-cell-year (the latter only when
    ``grid`` and the input has grid cells or coordinates; one pass on Dask, two on DuckDB).

    Raises
    ------
    DataNotFoundError
        When the input has no person-year with a known income (no median can be computed).
    """
    quintiles = cut_points = None
    if income_quintiles:
        stats = engine.order_statistics(source, "disp_income", (0.5, *QUINTILE_PROBS))
        med = median_frame(stats)
        quintiles = quantile_frame(stats, QUINTILE_PROBS)
        cut_points = {
            int(y): tuple(float(v) for v in row)
            for y, row in zip(quintiles["year"], quintiles.iloc[:, 2:].to_numpy(), strict=True)
        }
    else:
        med = engine.medians(source, "disp_income")
    if med.empty:
        raise DataNotFoundError(
            f"{source.root}: no person-year with a known disp_income; V1 needs a median"
        )
    med["threshold"] = LOW_STANDARD_FRACTION * med["median"]
    thresholds = dict(zip(med["year"].astype(int), med["threshold"].astype(float), strict=True))
    ctr = counters(thresholds, cut_points)
    want_grid = grid and ({"grid_cell"} <= set(source.columns) or {"x", "y"} <= set(source.columns))
    pop = {k: v for k, v in ctr.items() if k.startswith("pop")}
    queries: list[tuple[list[str], dict[str, Cond]]] = [(["year", "deso"], ctr)]
    if want_grid:
        queries.append((["year", "grid_cell"], pop))
    counted = engine.count_many(source, queries)
    area = counted[0]
    notes = [f"computed by the {engine.name} engine from {source.root}"]
    no_deso = int(area.loc[area["deso"].isna(), "pop"].sum())
    if no_deso:
        notes.append(f"{no_deso} person-year(s) without a DeSO code are not in any area")
    grid_counts = counted[1] if want_grid else None
    if grid_counts is not None:
        no_cell = int(grid_counts.loc[grid_counts["grid_cell"].isna(), "pop"].sum())
        if no_cell:
            notes.append(
                f"{no_cell} person-year(s) without grid cell or coordinates are not in any cell"
            )
    return RegisterAggregates(
        area, grid_counts, med.reset_index(drop=True), engine.name, source.root, notes, quintiles
    )
