"""Everything the report section "Socioekonomiska områdestyper och målet 2030" needs.

Reads the database once (through the typed queries of :mod:`grannskap.store`), computes with the pure functions of
:mod:`grannskap.measures.socioeconomic` and :mod:`grannskap.goals`, and returns plain frames and
strings (see the package docstring of :mod:`grannskap.goals` for the fields).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from grannskap.errors import DataNotFoundError, EstimationError, GrannskapError
from grannskap.goals.backtest import backtest
from grannskap.goals.definitions import POLICE_STATES, Goal, load_goals
from grannskap.goals.markov import fit_markov, goal_probability, project, simulate_histories
from grannskap.goals.report_texts import report_texts as _texts
from grannskap.goals.skill import forecast_sentence, mask_unskilled, types_backtest
from grannskap.goals.status import goal_status, police_histories

if TYPE_CHECKING:
    import duckdb

__all__ = ["ReportData", "report_data", "SIMULATED_P"]

TYPE_STATES = (1, 2, 3, 4, 5)

# SIMULATED: a plausible yearly transition matrix used only to check the method (backtest on
# simulated histories); it is not estimated from real data and never shown as real.
SIMULATED_P = np.array(
    [
        [0.85, 0.14, 0.01, 0.0, 0.0],
        [0.06, 0.84, 0.10, 0.0, 0.0],
        [0.0, 0.04, 0.88, 0.08, 0.0],
        [0.0, 0.0, 0.03, 0.94, 0.03],
        [0.0, 0.0, 0.0, 0.06, 0.94],
    ]
)


@dataclass
class ReportData:
    """Plain frames and strings for the report section (see :mod:`grannskap.goals`)."""

    kommun: str
    types: pd.DataFrame
    computed_year: int | None
    agreement: dict[str, Any] | None
    disagreements: pd.DataFrame
    transitions: pd.DataFrame
    transition_years: tuple[int, int] | None
    distances: pd.DataFrame
    closest: pd.DataFrame
    goal_status: pd.DataFrame
    goal_summary: pd.DataFrame
    projection: pd.DataFrame
    police_projection: pd.DataFrame
    backtest: pd.DataFrame
    backtest_simulated: pd.DataFrame
    backtest_reliability: pd.DataFrame
    backtest_simulated_reliability: pd.DataFrame
    caveats: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    method_notes: list[str] = field(default_factory=list)
    """Technical notes on the projection model and its backtest (for the methods section)."""
    forecast_skill: dict[str, bool | None] = field(default_factory=dict)
    """Per model (``"types"``, ``"police"``): whether it beat "no change" in a backtest on
    real history (``None``: no backtest possible). Probabilities are shown only when True."""
    projection_model: pd.DataFrame = field(default_factory=pd.DataFrame)
    police_projection_model: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The model's projections whatever its skill (``projection`` and ``police_projection``
    are empty when the model has no demonstrated skill)."""


def _goal_probability_rows(goal: Goal, proj: Any, basis: str) -> dict[str, Any]:
    gp = goal_probability(proj, list(goal.bad_states), max_count=goal.max_count)
    return {"p_met": gp.mean, "p_met_low": gp.low, "p_met_high": gp.high, "projection_basis": basis}


def report_data(
    con: duckdb.DuckDBPyConnection,
    *,
    kommun: str = "1490",
    lang: str = "sv",
    year: int | None = None,
    profile: str = "auto",
    target_year: int = 2030,
    n_draws: int = 1000,
    seed: int = 0,
    goals_path: str | None = None,
) -> ReportData:
    """Compute all content of the report section for ``kommun`` (see :mod:`grannskap.goals`)."""
    from grannskap.measures.socioeconomic import (
        TYPE_NAMES_EN,
        TYPE_NAMES_SV,
        agreement,
        closest_to_thresholds,
        distance_to_thresholds,
        transition_matrix,
    )
    from grannskap.store.goals import regso_names, regso_stadsdel_names
    from grannskap.store.police import police_classifications, police_list_counts
    from grannskap.store.socioeconomic import (
        classify_from_store,
        latest_index_year,
        load_official_types,
    )

    tx = _texts(lang)
    caveats: list[str] = []
    method_notes: list[str] = []
    skill: dict[str, bool | None] = {"types": None, "police": None}
    bt_types: pd.DataFrame | None = None
    names = regso_names(con, kommun)
    stadsdel = regso_stadsdel_names(con)
    official = load_official_types(con)
    official = official[official["area_code"].str[:4] == kommun]

    # --- computed types (latest year with DeSO data) ---
    if year is None:
        year = latest_index_year(con)
    types = names.copy()
    distances = closest = pd.DataFrame()
    agree: dict[str, Any] | None = None
    disagreements = pd.DataFrame(columns=["area_code", "name", "computed", "official", "z"])
    notes: list[str] = []
    computed_types = pd.DataFrame(columns=["area_code", "year", "omradestyp", "source"])
    if year is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = classify_from_store(con, [year], level="regso", profile=profile)
        notes += list(res.notes)
        if res.index.profile == "proxy":
            caveats.append(tx["proxy"])
        f = res.frame
        mine = f[f["area_code"].str[:4] == kommun]
        keep = [
            "area_code",
            "index",
            *res.index.components,
            "mu",
            "sigma",
            "z",
            "omradestyp",
            "flag",
        ]
        types = names.merge(mine[keep], on="area_code", how="left")
        computed_types = mine[["area_code", "year", "omradestyp"]].assign(source="beräknad")
        distances = distance_to_thresholds(mine, res.index.components, res.index.weights)
        distances = names.merge(distances, on="area_code", how="right")
        closest = closest_to_thresholds(distances, 10)
        off_y = official[official["year"] == year].set_index("area_code")["official"]
        if not off_y.empty:
            a = agreement(mine.set_index("area_code")["omradestyp"], off_y)
            agree = {"rate": a.rate, "n": a.n, "n_agree": a.n_agree, "year": year}
            disagreements = a.disagreements.merge(names, on="area_code", how="left").merge(
                mine[["area_code", "z"]], on="area_code", how="left"
            )
    tn = TYPE_NAMES_SV if lang == "sv" else TYPE_NAMES_EN
    types["type_name"] = types.get("omradestyp", pd.Series(dtype="Int64")).map(tn)
    for y, grp in official.groupby("year"):
        types = types.merge(
            grp[["area_code", "official"]].rename(columns={"official": f"official_{y}"}),
            on="area_code",
            how="left",
        )
    types = types.merge(stadsdel, on="area_code", how="left").fillna({"stadsdel": ""})
    types = types.sort_values("area_code").reset_index(drop=True)

    # --- transitions between the two latest official years ---
    off_years = sorted(official["year"].unique().tolist())
    transitions = pd.DataFrame()
    tyears: tuple[int, int] | None = None
    if len(off_years) >= 2:
        y0, y1 = off_years[-2], off_years[-1]
        o = official.pivot(index="area_code", columns="year", values="official")
        transitions = transition_matrix(o[y0], o[y1])
        tyears = (int(y0), int(y1))
    caveats.append(tx["mu_fixed"])

    # --- goals: status ---
    goals = load_goals(goals_path, kommun=kommun)
    pc = police_classifications(con)
    lc = police_list_counts(con)
    police = (
        police_histories(pc, lc)
        if not pc.empty
        else pd.DataFrame(columns=["area_code", "kommun_code", "name", "year", "state"])
    )
    status_types = pd.concat(
        [
            official.rename(columns={"official": "omradestyp"}).assign(source="officiell"),
            computed_types,
        ],
        ignore_index=True,
    )
    status_rows, summary = [], []
    statuses = {}
    for g in goals:
        st = goal_status(g, types=status_types, police=police)
        statuses[g.id] = st
        status_rows.append(
            st.table.assign(goal_id=g.id, goal=g.name_sv if lang == "sv" else g.name_en)
        )

    # --- projections ---
    projection = pd.DataFrame()
    police_projection = pd.DataFrame()
    proj_types = proj_police = None
    n_type_pairs = 0
    if len(off_years) >= 2:
        type_hist = official.rename(columns={"official": "state"})[["area_code", "year", "state"]]
        try:
            model = fit_markov(type_hist, TYPE_STATES, step=1)
            n_type_pairs = model.n_pairs
            last = int(off_years[-1])
            cur = (
                official[official["year"] == last]
                .set_index("area_code")["official"]
                .astype("int64")
            )
            proj_types = project(model, cur, last, target_year, n_draws=n_draws, seed=seed)
            cols = {}
            for s in TYPE_STATES:
                cols[f"p_type{s}"] = proj_types.probs[s]
                cols[f"p_type{s}_low"] = proj_types.low[s]
                cols[f"p_type{s}_high"] = proj_types.high[s]
            projection = pd.DataFrame(cols).rename_axis("area_code").reset_index()
            projection.insert(1, f"type_{last}", cur.to_numpy())
            projection = (
                names.merge(projection, on="area_code", how="right")
                .sort_values("area_code")
                .reset_index(drop=True)
            )
            years_txt = (
                f"{off_years[0]}–{off_years[-1]}" if len(off_years) > 1 else str(off_years[0])
            )
            if kommun == "1490" and official["area_code"].str[:4].nunique() == 1:
                years_txt = f"Borås {years_txt}" if lang == "sv" else f"Borås {years_txt}"
            method_notes.append(tx["thin_types"].format(n=n_type_pairs, years=years_txt))
            bt_types, note = types_backtest(type_hist, off_years, TYPE_STATES, lang, seed)
            method_notes.append(note)
            if bt_types is not None:
                skill["types"] = bool(
                    bt_types["brier_model"].mean() < bt_types["brier_naive"].mean()
                )
        except EstimationError as exc:
            caveats.append(str(exc))
    police_last = None
    bt_police = pd.DataFrame()
    bt_police_rel = pd.DataFrame()
    if not police.empty:
        hist = police[["area_code", "year", "state"]]
        try:
            pmodel = fit_markov(hist, POLICE_STATES, step=2, exclude_from=("ej_listad",))
            last = int(police["year"].max())
            police_last = last + 2 * ((target_year - 1 - last) // 2)
            mine = police[(police["kommun_code"] == kommun) & (police["year"] == last)]
            if not mine.empty:
                cur = mine.set_index("area_code")["state"]
                proj_police = project(pmodel, cur, last, police_last, n_draws=n_draws, seed=seed)
                pp = {}
                for ps in POLICE_STATES:
                    pp[f"p_{ps}"] = proj_police.probs[ps]
                    pp[f"p_{ps}_low"] = proj_police.low[ps]
                    pp[f"p_{ps}_high"] = proj_police.high[ps]
                police_projection = pd.DataFrame(pp).rename_axis("area_code").reset_index()
                police_projection.insert(
                    1,
                    "name",
                    mine.set_index("area_code")
                    .loc[police_projection["area_code"], "name"]
                    .to_numpy(),
                )
                police_projection.insert(2, f"state_{last}", cur.to_numpy())
                police_projection.insert(3, "target_list_year", police_last)
            method_notes.append(tx["thin_police"].format(n=pmodel.n_pairs))
            caveats.append(tx["deadline_police"].format(y=police_last))
            complete = police.attrs.get("complete_years", ())
            if len(complete) >= 2:
                bt = backtest(
                    hist,
                    POLICE_STATES,
                    complete[-2],
                    step=2,
                    n_draws=min(n_draws, 500),
                    seed=seed,
                    exclude_from=("ej_listad",),
                )
                bt_police_rel = bt.reliability
                sc = bt.scores.iloc[0]
                from grannskap.format import format_number

                skill["police"] = bool(sc["brier_model"] < sc["brier_naive"])
                method_notes.append(
                    tx["backtest_police"].format(
                        fit=complete[-2],
                        n=bt.n_pairs,
                        target=int(sc["target_year"]),
                        bm=format_number(sc["brier_model"], 2, lang),
                        bn=format_number(sc["brier_naive"], 2, lang),
                        verdict=tx[
                            "backtest_worse"
                            if sc["brier_model"] > sc["brier_naive"]
                            else "backtest_better"
                        ],
                    )
                )
                bt_police = bt.scores.assign(
                    data="Polisens listor (verkliga)", n_pairs_fit=bt.n_pairs
                )
        except GrannskapError as exc:
            caveats.append(str(exc))
    if bt_types is not None:
        bt_police = pd.concat([bt_police, bt_types], ignore_index=True)

    for g in goals:
        st = statuses[g.id]
        row: dict[str, Any] = {
            "goal_id": g.id,
            "goal": g.name_sv if lang == "sv" else g.name_en,
            "deadline": g.deadline,
            "latest_year": st.latest_year,
            "latest_met": st.latest_met,
            "trend": st.trend_sv,
            "p_met": np.nan,
            "p_met_low": np.nan,
            "p_met_high": np.nan,
            "projection_basis": "",
            "p_met_pooled_prior": np.nan,
            "p_met_uniform_prior": np.nan,
        }
        if g.measure == "omradestyp" and proj_types is not None:
            # sensitivity to the prior: the same projection under the other two priors
            for alt in ("pooled", "uniform"):
                alt_model = fit_markov(type_hist, TYPE_STATES, step=1, prior=alt)
                alt_proj = project(
                    alt_model,
                    proj_types.start,
                    proj_types.from_year,
                    target_year,
                    n_draws=n_draws,
                    seed=seed,
                )
                row[f"p_met_{alt}_prior"] = goal_probability(
                    alt_proj, list(g.bad_states), max_count=g.max_count
                ).mean
            row.update(
                _goal_probability_rows(
                    g,
                    proj_types,
                    f"Markovmodell, officiella typer {off_years[-2]}–{off_years[-1]} ({n_type_pairs} övergångar)",
                )
            )
        if g.measure == "police_category" and proj_police is not None:
            row.update(
                _goal_probability_rows(
                    g, proj_police, f"Markovmodell, polisens listor (lista {police_last})"
                )
            )
        summary.append(row)
        if row["p_met_pooled_prior"] == row["p_met_pooled_prior"] and skill["types"]:
            from grannskap.format import format_share

            method_notes.append(
                tx["prior_sensitivity"].format(
                    goal=row["goal"],
                    a=format_share(row["p_met"], 1, lang),
                    b=format_share(row["p_met_pooled_prior"], 1, lang),
                    c=format_share(row["p_met_uniform_prior"], 1, lang),
                )
            )
    method_notes.append(tx["independence"])

    # --- method check on SIMULATED histories (labelled) ---
    sim = simulate_histories(
        SIMULATED_P,
        3363,
        range(2011, 2024),
        initial=np.array([0.05, 0.09, 0.25, 0.52, 0.09]),
        seed=seed,
    )
    bts = backtest(sim, TYPE_STATES, 2018, n_draws=200, seed=seed)
    bt_sim = bts.scores.assign(data="SIMULERADE DATA (metodkontroll)")
    method_notes.append(tx["simulated"])

    goal_status_frame = (
        pd.concat(status_rows, ignore_index=True)
        if status_rows
        else pd.DataFrame(columns=["goal_id", "goal", "year", "source", "n_areas", "n_bad", "met"])
    )
    front = ["goal_id", "goal"]
    goal_status_frame = goal_status_frame[
        front + [c for c in goal_status_frame.columns if c not in front]
    ]
    if year is None and not len(off_years):
        raise DataNotFoundError(
            f"no socioeconomic data or official types for kommun {kommun} in the database"
        )
    summary_frame = mask_unskilled(pd.DataFrame(summary), goals, skill, tx)
    data = ReportData(
        kommun=kommun,
        types=types,
        computed_year=year,
        agreement=agree,
        disagreements=disagreements,
        transitions=transitions,
        transition_years=tyears,
        distances=distances,
        closest=closest,
        goal_status=goal_status_frame,
        goal_summary=summary_frame,
        # without skill: the areas stay listed (the dashboard's area pages key on them) but
        # carry no probabilities
        projection=projection
        if skill["types"]
        else projection.drop(columns=[c for c in projection.columns if c.startswith("p_")]),
        police_projection=police_projection if skill["police"] else pd.DataFrame(),
        backtest=bt_police,
        backtest_simulated=bt_sim,
        backtest_reliability=bt_police_rel,
        backtest_simulated_reliability=bts.reliability,
        caveats=caveats,
        notes=notes,
        method_notes=method_notes,
        forecast_skill=skill,
        projection_model=projection,
        police_projection_model=police_projection,
    )
    from grannskap.goals.texts import summary_texts

    data.texts = summary_texts(data, lang)
    data.texts["forecast"] = forecast_sentence(summary_frame, tx)
    return data
