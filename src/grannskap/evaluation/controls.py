"""Transparent choice of comparison areas for an evaluation (pure: frames in, areas out)."""

from __future__ import annotations

import pandas as pd

from grannskap.errors import ConfigError, EstimationError
from grannskap.ingest.overview import OFFICIAL_TYPE_INDICATOR
from grannskap.store.queries import EvaluationInputs

__all__ = ["choose_controls"]


def choose_controls(
    inputs: EvaluationInputs, spec: str
) -> tuple[list[str], pd.DataFrame, list[str]]:
    """Comparison areas per ``spec``, a table with the reason each was chosen, and notes.

    ``spec``: ``same-type-elsewhere`` (areas of the treated areas' latest official områdestyp
    in other municipalities), ``same-type``, ``all`` (all areas with data), ``none`` (ITS only)
    or comma-separated area codes. Areas targeted by other interventions are never chosen by
    the named rules.
    """
    treated = set(inputs.areas["area_code"])
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
            types = inputs.types
            if types.empty:
                raise EstimationError(
                    f"no official områdestyp ({OFFICIAL_TYPE_INDICATOR}) in the database to choose "
                    "comparison areas by; use --controls all or a list of area codes"
                )
            latest = types.sort_values("year").groupby("area_code")["omradestyp"].last()
            wanted = set(latest.reindex(sorted(treated)).dropna().unique())
            pool = {a for a in pool if latest.get(a) in wanted}
            reason = f"same official områdestyp ({', '.join(f'{t:g}' for t in sorted(wanted))})"
            if spec == "same-type-elsewhere":
                km = inputs.kommun.set_index("area_code")["kommun_code"]
                own = set(km.reindex(sorted(treated)).dropna())
                pool = {a for a in pool if km.get(a, a[:4]) not in own}
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
