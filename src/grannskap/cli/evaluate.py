"""``grannskap evaluate``: evaluate one intervention on one indicator with a chosen design.

Reads the area-year panel of the indicator from the database — a catalogue indicator (the ids
``grannskap indicators`` lists) through the indicator spine at RegSO level where its series is
longest, or a stored series id as stored — leaves out target areas whose start year is unknown,
picks comparison areas transparently (default: areas of the same *områdestyp* as the treated
areas — SCB's official type, or the one grannskap computes where the official one is missing —
in other municipalities, not targeted by any intervention), runs difference-in-differences
(Callaway-Sant'Anna), synthetic control or interrupted time series, and writes to ``--out``:
``result.csv``, ``verdict_sv.txt``, ``verdict_en.txt``, ``comparison_areas.csv``,
``panel.csv`` and (DiD) ``event_study.png``. The database is read by
:func:`grannskap.store.queries.evaluation_inputs`; the comparison areas are chosen by
:func:`grannskap.evaluation.controls.choose_controls`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from grannskap._literals import Lang
from grannskap.cli import add_db_argument
from grannskap.outputs import write_csv

__all__ = ["register", "run"]

MIN_YEARS = 3
FEW_TREATED = 10
"""Below this many treated areas the DiD verdict uses randomisation inference."""
RI_REPS = 999
_LABEL = {"sv": "SIMULERADE DATA – ", "en": "SIMULATED DATA – "}
_HEADER = {
    "sv": "{label}grannskap evaluate: insats {iv}, utfall {out}{desc}, design {design}\n"
    "{n} behandlade områden: {areas}; {c} jämförelseområden (listade i comparison_areas.csv)\n\n",
    "en": "{label}grannskap evaluate: intervention {iv}, outcome {out}{desc}, design {design}\n"
    "{n} treated area(s): {areas}; {c} comparison area(s) listed in comparison_areas.csv\n\n",
}


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("evaluate", help="evaluate an intervention's effect on an indicator")
    p.add_argument("--intervention", required=True, metavar="ID", help="intervention id")
    p.add_argument(
        "--outcome",
        required=True,
        metavar="INDICATOR",
        help="indicator id as `grannskap indicators` lists it (e.g. utrikes_fodda, hyresratt, "
        "loneinkomst_medel; read per RegSO where its series is longest) or a stored series id",
    )
    p.add_argument("--design", required=True, choices=["did", "sc", "its"])
    p.add_argument(
        "--controls",
        default="same-type-elsewhere",
        metavar="SPEC",
        help="comparison areas: same-type-elsewhere (default: same områdestyp - SCB's official "
        "one, or the one grannskap computes where it is missing - other municipalities), "
        "same-type, all, none (ITS only), or comma-separated area codes",
    )
    p.add_argument("--method", default="dr", choices=["dr", "reg", "ipw"], help="DiD estimator")
    p.add_argument("--bootstrap", type=int, default=999, help="multiplier-bootstrap draws")
    p.add_argument(
        "--cost",
        type=float,
        default=None,
        metavar="SEK",
        help="cost of the intervention (default: its spending in the funding ledger, if any)",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="output directory")
    add_db_argument(p)
    p.set_defaults(func=run)


def _check_panel(panel: Any, start: int, outcome: str, design: str) -> None:
    from grannskap.errors import EstimationError

    years = sorted(panel["year"].unique())
    if len(years) < MIN_YEARS:
        raise EstimationError(
            f"the panel of {outcome!r} has {len(years)} year(s) ({', '.join(map(str, years))}); "
            f"the {design} design needs at least {MIN_YEARS} years with at least one before the "
            f"start {start} (import more years of the indicator first)"
        )
    if min(years) >= start:
        raise EstimationError(
            f"the intervention starts in {start} but the panel of {outcome!r} begins in "
            f"{min(years)}; expected at least one year before the start"
        )


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from grannskap.errors import EstimationError
    from grannskap.evaluation.controls import choose_controls
    from grannskap.evaluation.outcome import catalogue_outcome
    from grannskap.store import connect
    from grannskap.store.queries import evaluation_inputs, target_area_names

    out = Path(args.out)
    con = connect(args.db, read_only=True)
    try:
        cat = catalogue_outcome(con, args.outcome)
        inputs = evaluation_inputs(
            con, args.intervention, args.outcome, outcome_panel=None if cat is None else cat.panel
        )
        unknown = inputs.areas[inputs.areas["start_year"].isna()]
        unknown_names = target_area_names(
            con,
            unknown[["target_system", "target_code"]]
            .drop_duplicates()
            .set_axis(["area_system", "area_code"], axis=1),
        )
    finally:
        con.close()
    notes: list[str] = list(inputs.notes)
    if not unknown.empty:
        notes.append(
            f"the year intervention {args.intervention} reached {', '.join(unknown_names)} is "
            f"unknown in the programme file; {unknown['area_code'].nunique()} area(s) there "
            "are left out (neither treated nor comparison)"
        )
    areas = inputs.areas[inputs.areas["start_year"].notna()]
    treated = sorted(areas["area_code"].unique())
    start_by_area = areas.groupby("area_code")["start_year"].min().astype(int)
    if areas.groupby("area_code")["start_year"].nunique().max() > 1:
        notes.append("some target areas have more than one start year; the earliest is used")
    spec = args.controls
    if spec == "none" and args.design != "its":
        raise EstimationError("--controls none is only possible with --design its")
    _check_panel(inputs.panel, int(start_by_area.min()), args.outcome, args.design)
    level = "deso" if str(inputs.areas["area_system"].iloc[0]).startswith("deso") else "regso"
    years = sorted(int(y) for y in inputs.panel["year"].unique())
    controls, control_table, cnotes = choose_controls(
        inputs, spec, lambda: _computed_types(args.db, years, level)
    )
    notes += cnotes
    from grannskap.evaluation.overlap import overlap_note, overlapping_interventions

    overlap = overlap_note(
        overlapping_interventions(areas, inputs.others, int(inputs.panel["year"].max()))
    )
    if overlap is not None:
        notes.append(overlap)
    panel = inputs.panel
    simulated = bool(
        panel["source"].fillna("").str.contains("simul", case=False).any()
        | panel["title"].fillna("").str.contains("simul", case=False).any()
    )
    panel = panel[panel["area_code"].isin(set(treated) | set(controls))][
        ["area_code", "year", "value"]
    ].copy()
    missing = sorted(set(treated) - set(panel["area_code"]))
    if missing:
        raise EstimationError(
            f"outcome {args.outcome!r} is missing for treated area(s) {missing}; "
            "expected values for every treated area"
        )
    start = int(start_by_area.min())
    _check_panel(panel, start, args.outcome, args.design)
    panel["first_treat"] = panel["area_code"].map(start_by_area).fillna(0).astype(int)
    out.mkdir(parents=True, exist_ok=True)
    ctab = pd.concat(
        [
            pd.DataFrame({"area_code": treated, "role": "treated", "reason": "target area"}),
            control_table.assign(role="comparison"),
        ],
        ignore_index=True,
    )[["area_code", "role", "reason"]]
    if simulated:
        ctab["data"] = "simulated"
    write_csv(ctab, out / "comparison_areas.csv")
    write_csv(panel.assign(data="simulated" if simulated else "observed"), out / "panel.csv")
    verdicts, effect = _DESIGNS[args.design](
        args, panel, treated, controls, start, notes, simulated, out
    )
    cost_texts = _cost(args, inputs.cost, effect, simulated, out)
    for lang, v in verdicts.items():
        text = v if isinstance(v, str) else v.text()
        text += cost_texts.get(lang, "")
        header = _HEADER[lang].format(
            label=_LABEL[lang] if simulated else "",
            iv=args.intervention,
            out=args.outcome,
            desc="" if cat is None else f" ({cat.describe(lang)})",
            design=args.design,
            n=len(treated),
            areas=", ".join(treated),
            c=len(controls),
        )
        (out / f"verdict_{lang}.txt").write_text(header + text, encoding="utf-8")
    print((out / "verdict_sv.txt").read_text(encoding="utf-8"))
    print(f"written to {out}/")
    return 0


def _computed_types(db: Any, years: list[int], level: str) -> tuple[Any, int] | None:
    """The områdestyp computed by grannskap for the latest of ``years`` it can be computed for
    (``area_code, omradestyp`` and the year), or ``None`` if no year has the index's inputs."""
    from grannskap.errors import GrannskapError
    from grannskap.measures.socioeconomic import classify_from_store
    from grannskap.store import connect

    con = connect(db, read_only=True)
    try:
        for year in sorted(years, reverse=True):
            try:
                res = classify_from_store(con, [year], level=level, profile="auto")
            except GrannskapError:
                continue
            frame = res.frame[["area_code", "omradestyp"]].dropna()
            if not frame.empty:
                return frame, year
    finally:
        con.close()
    return None


def _did(
    args: Any,
    panel: Any,
    treated: list[str],
    controls: list[str],
    start: int,
    notes: list[str],
    simulated: bool,
    out: Path,
) -> tuple[dict[str, Any], tuple[float, float] | None]:
    import pandas as pd

    from grannskap.evaluation.did import aggregate, permutation_pretest
    from grannskap.evaluation.did._panel import to_wide
    from grannskap.evaluation.did.cs import att_gt_wide
    from grannskap.evaluation.verdict import verdict_cs

    wide = to_wide(panel, outcome="value", unit="area_code", time="year", group="first_treat")
    res = att_gt_wide(wide, method=args.method)
    res.notes.extend(notes)
    if len(treated) < 30 and res.pretest_stat is not None:
        # the Wald pre-test over-rejects with few treated areas; calibrate it by permutation
        perm = permutation_pretest(wide, res, reps=199)
        res.pretest_perm_p = perm.p_value if perm else None
    aggs = {
        k: aggregate(res, k, bootstrap=args.bootstrap)
        for k in ("simple", "group", "calendar", "dynamic")
    }
    ri = None
    if len(treated) < FEW_TREATED and not res.covariates:
        # analytic errors and the multiplier bootstrap are too narrow with few treated areas:
        # the verdict's interval comes from reassigning the treatment across the areas
        from grannskap.evaluation.did.randomization import randomization_inference

        ri = randomization_inference(
            wide,
            control=res.control,  # type: ignore[arg-type]
            anticipation=res.anticipation,
            reps=RI_REPS,
        )
    rows = [res.to_frame().assign(kind="att_gt")]
    for k, a in aggs.items():
        lo, hi = a.overall_ci
        rows.append(
            pd.DataFrame(
                {
                    "kind": [f"{k}_overall"],
                    "att": [a.overall],
                    "se": [a.overall_se],
                    "ci_low": [lo],
                    "ci_high": [hi],
                }
            )
        )
        if len(a.labels):
            rows.append(a.to_frame().assign(kind=k))
    if ri is not None:
        rows.append(
            pd.DataFrame(
                {
                    "kind": ["simple_overall_randomization"],
                    "att": [ri.estimate],
                    "ci_low": [ri.ci_low],
                    "ci_high": [ri.ci_high],
                    "p": [ri.p_value],
                    "n_assignments": [ri.n_assignments],
                }
            )
        )
    pre_years = panel.loc[panel.year < start, "year"].nunique()
    post_years = panel.loc[panel.year >= start, "year"].nunique()
    mde = _power(panel, len(treated), len(controls), pre_years, post_years, res.notes)
    if mde is not None:
        rows.append(pd.DataFrame({"kind": ["mde"], "att": [_mde_of(mde)]}))
    table = pd.concat(rows, ignore_index=True)
    if simulated:
        table["data"] = "simulated"
    write_csv(table, out / "result.csv")
    _write_event_study(
        aggs["dynamic"], out / "event_study.png", simulated, f"{args.intervention}: {args.outcome}"
    )
    verdicts = {
        lang: verdict_cs(
            res,
            aggs["simple"],
            outcome=args.outcome,
            lang=lang,
            mde=mde,
            simulated=simulated,
            randomization=ri,
        )
        for lang in ("sv", "en")
    }
    return verdicts, (aggs["simple"].overall, aggs["simple"].overall_se)


def _mde_of(mde: Any) -> float:
    return float(getattr(mde, "mde_placebo", getattr(mde, "mde", float("nan"))))


def _power(
    panel: Any, n_treated: int, n_controls: int, pre: int, post: int, notes: list[str]
) -> Any:
    """MDE from placebo interventions among the comparison areas; analytic if too few."""
    from grannskap.evaluation.power import error_covariance, mde_did, simulated_mde

    ctrl = panel[panel.first_treat == 0]
    try:
        if n_controls >= n_treated + 5:
            return simulated_mde(
                ctrl,
                outcome="value",
                unit="area_code",
                time="year",
                n_treated=n_treated,
                n_pre=pre,
                n_post=post,
                reps=999,
            )
        cov = error_covariance(ctrl, outcome="value", unit="area_code", time="year")
        return mde_did(n_treated, n_controls, pre, post, cov=cov)
    except Exception as exc:  # noqa: BLE001 - power is an extra; say why it is absent
        notes.append(f"minimum detectable effect not computed ({exc})")
        return None


def _its(
    args: Any,
    panel: Any,
    treated: list[str],
    controls: list[str],
    start: int,
    notes: list[str],
    simulated: bool,
    out: Path,
) -> tuple[dict[str, Any], tuple[float, float] | None]:
    from grannskap.evaluation.its import its
    from grannskap.evaluation.verdict import verdict_its

    series = panel[panel.area_code.isin(treated)].groupby("year")["value"].mean()
    comp = None
    if controls:
        comp = panel[panel.area_code.isin(controls)].groupby("year")["value"].mean()
    res = its(series, start, comparison=comp)
    res.notes.extend(notes)
    table = res.to_frame()
    if simulated:
        table["data"] = "simulated"
    write_csv(table, out / "result.csv")
    verdicts = {
        lang: verdict_its(res, outcome=args.outcome, lang=lang, simulated=simulated)
        for lang in ("sv", "en")
    }
    return verdicts, res.effect_at(float(res.periods[-1]))


def _sc(
    args: Any,
    panel: Any,
    treated: list[str],
    controls: list[str],
    start: int,
    notes: list[str],
    simulated: bool,
    out: Path,
) -> tuple[dict[str, Any], tuple[float, float] | None]:
    import pandas as pd

    from grannskap.errors import EstimationError

    try:
        from grannskap.evaluation import synth
    except ImportError as exc:
        raise EstimationError(
            "the synthetic-control design is not available in this installation "
            f"(grannskap.evaluation.synth cannot be imported: {exc})"
        ) from exc
    frame = panel.copy()
    if len(treated) > 1:
        # several target areas are evaluated as one: their mean
        mean = frame[frame.area_code.isin(treated)].groupby("year", as_index=False)["value"].mean()
        frame = frame[~frame.area_code.isin(treated)]
        mean["area_code"] = "TREATED_MEAN"
        frame = pd.concat([frame, mean], ignore_index=True)
        unit = "TREATED_MEAN"
    else:
        unit = treated[0]
    frame = frame[["area_code", "year", "value"]]
    if simulated:
        frame.attrs["simulated"] = True
    res = synth.synthetic_control(
        frame, unit="area_code", time="year", outcome="value", treated=unit, treatment_start=start
    )
    gaps = res.gaps.rename("gap").reset_index()
    gaps["synthetic"] = res.synthetic_path.to_numpy()
    gaps["treated"] = res.treated_path.to_numpy()
    if res.conformal is not None:
        # per-year conformal interval of the effect (Chernozhukov, Wüthrich & Zhu 2021)
        cf = res.conformal.periods.add_prefix("conformal_")
        gaps = gaps.merge(cf, left_on="period", right_index=True, how="left")
        gaps["conformal_level"] = res.conformal.level
    if simulated:
        gaps["data"] = "simulated"
    write_csv(gaps, out / "result.csv")
    write_csv(res.weights.rename("weight").to_frame(), out / "weights.csv", index=True)
    from grannskap.evaluation.notes import note_text

    verdicts: dict[str, Any] = {}
    langs: tuple[tuple[Lang, str], ...] = (("sv", res.verdict_sv), ("en", res.verdict_en))
    for lang, text in langs:
        extra = "".join(f"- {note_text(n, lang)}\n" for n in notes)
        verdicts[lang] = text + ("\n" + extra if extra else "")
    return verdicts, None  # no standard error: cost per effect needs one


def _cost(
    args: Any, ledger_cost: float | None, effect: Any, simulated: bool, out: Path
) -> dict[str, str]:
    """Cost per unit of effect, from ``--cost`` or the ledger's spending on the intervention."""
    import pandas as pd

    from grannskap.evaluation.cost import cost_per_effect
    from grannskap.evaluation.verdict import verdict_cost

    cost = args.cost if args.cost is not None else ledger_cost
    if cost is None or effect is None:
        return {}
    source = "--cost" if args.cost is not None else "funding ledger (kind 'spent')"
    est, se = effect
    if est == 0:
        return {}
    res = cost_per_effect(float(cost), float(est), float(se))
    frame = pd.DataFrame([{**res.__dict__, "cost_source": source, "notes": "; ".join(res.notes)}])
    if simulated:
        frame["data"] = "simulated"
    write_csv(frame, out / "cost_per_effect.csv")
    return {
        lang: "\n" + verdict_cost(res, lang=lang, simulated=False).text().split("\n", 2)[2]
        for lang in ("sv", "en")
    }


_DESIGNS = {"did": _did, "its": _its, "sc": _sc}


def _write_event_study(dynamic, path: Path, simulated: bool, title: str) -> None:  # type: ignore[no-untyped-def]
    """The event-study chart as PNG (matplotlib, the optional ``[plot]`` extra); without it the
    chart is skipped with one line (its numbers are in ``result.csv``)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print(
            f"grannskap: note: {path.name} not drawn: matplotlib is not installed "
            "(pip install 'grannskap[plot]'); the event-study figures are in result.csv",
            file=sys.stderr,
        )
        return
    from grannskap.evaluation.did import event_study_plot
    from grannskap.outputs import atomic_path

    fig = event_study_plot(dynamic, simulated=simulated, title=title)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120, format="png")
