"""Transparent choice of comparison areas for an evaluation (pure: frames in, areas out)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from grannskap.errors import ConfigError, EstimationError
from grannskap.ingest.overview import OFFICIAL_TYPE_INDICATOR
from grannskap.store.queries import EvaluationInputs

__all__ = ["choose_controls", "ComputedTypes"]

ComputedTypes = Callable[[], tuple[pd.DataFrame, int] | None]
"""Gives the områdestyp computed by grannskap (``area_code, omradestyp``) and its year, or
``None`` when it cannot be computed; called only when the official types do not suffice."""


def _same_type(
    types: pd.DataFrame, treated: list[str], pool: set[str]
) -> tuple[set[str], set[float]]:
    """Areas of ``pool`` whose latest type is one of the treated areas' latest types."""
    latest = types.sort_values("year").groupby("area_code")["omradestyp"].last()
    wanted = set(latest.reindex(treated).dropna().unique())
    return {a for a in pool if latest.get(a) in wanted}, wanted


def choose_controls(
    inputs: EvaluationInputs, spec: str, computed_types: ComputedTypes | None = None
) -> tuple[list[str], pd.DataFrame, list[str]]:
    """Comparison areas per ``spec``, a table with the reason each was chosen, and notes.

    ``spec``: ``same-type-elsewhere`` (areas of the treated areas' latest official områdestyp
    in other municipalities), ``same-type``, ``all`` (all areas with data), ``none`` (ITS only)
    or comma-separated area codes. Areas targeted by other interventions, and target areas
    left out for an unknown start year, are never chosen by the named rules.

    Where SCB's official områdestyp is missing (for the treated areas, or for every candidate:
    SCB publishes it only for some municipalities), the områdestyp computed by grannskap
    (``computed_types``) is used for treated and comparison areas alike, and a note says so.
    """
    treated = set(inputs.areas["area_code"])
    known = sorted(set(inputs.areas.loc[inputs.areas["start_year"].notna(), "area_code"]))
    panel_areas = set(inputs.panel["area_code"]) - treated
    notes: list[str] = []
    busy = set(inputs.others["area_code"])
    if spec == "none":
        return [], pd.DataFrame(columns=["area_code", "reason"]), notes
    if spec in ("same-type", "same-type-elsewhere", "all"):
        pool = panel_areas - busy
        if busy & panel_areas:
            notes.append(
                f"{len(busy & panel_areas)} area(s) targeted by other interventions were "
                "left out of the comparison group"
            )
        reason = "all areas with data, no intervention"
        if spec != "all":
            if spec == "same-type-elsewhere":
                km = inputs.kommun.set_index("area_code")["kommun_code"]
                own = set(km.reindex(known).dropna())
                pool = {a for a in pool if km.get(a, a[:4]) not in own}
            chosen_pool: set[str] = set()
            wanted: set[float] = set()
            if not inputs.types.empty:
                chosen_pool, wanted = _same_type(inputs.types, known, pool)
                reason = "same official områdestyp"
            computed = None
            if not chosen_pool and computed_types is not None:
                computed = computed_types()
            if not chosen_pool and computed is None and inputs.types.empty:
                raise EstimationError(
                    f"no official områdestyp ({OFFICIAL_TYPE_INDICATOR}) for the treated "
                    "areas or for areas to compare with, and no områdestyp could be "
                    "computed (the socioeconomic index needs its inputs in the database); "
                    "use --controls all or a list of area codes"
                )
            if computed is not None:
                frame, year = computed
                chosen_pool, wanted = _same_type(frame.assign(year=year), known, pool)
                reason = f"same områdestyp computed by grannskap ({year})"
                notes.append(
                    "SCB's official områdestyp is missing for the treated or the candidate "
                    "comparison areas: comparison areas were chosen by the områdestyp computed "
                    f"by grannskap (socioeconomic index, {year}) for treated and comparison "
                    "areas alike"
                )
            pool = chosen_pool
            reason += f" ({', '.join(f'{t:g}' for t in sorted(wanted))})"
            if spec == "same-type-elsewhere":
                reason += ", other municipality"
        chosen = sorted(pool)
    else:
        chosen = [c.strip() for c in spec.split(",") if c.strip()]
        unknown = sorted(set(chosen) - panel_areas)
        if unknown:
            raise ConfigError(
                f"--controls: areas {unknown[:10]} have no data for the outcome or are treated; "
                "expected codes of untreated areas with data"
            )
        reason = "given by the user (--controls)"
    if not chosen:
        raise EstimationError(
            f"no comparison areas found with --controls {spec}; expected at least one "
            "never-treated area with data (try --controls all)"
        )
    table = pd.DataFrame({"area_code": chosen, "reason": reason})
    return chosen, table, notes
