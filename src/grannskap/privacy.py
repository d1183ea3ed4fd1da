"""Small-count suppression, SCB style: counts of fewer than ``threshold`` persons are shown as "..".

One rule for the report and the dashboard. SCB suppresses (or perturbs) small cells so that
individuals cannot be identified; we apply the same visible rule to everything we *derive*
(shares, counts per area): a share is shown only when its numerator, its denominator and their
difference (the complement: those *not* in the group) are all at least ``threshold`` persons —
99.9 % of 783 reveals that one person is outside the group as surely as 0.1 % reveals one
inside. The default threshold is 5 and can be changed per run
(``grannskap report --min-count N``) or by the environment variable ``GRANNSKAP_MIN_COUNT``.

Primary suppression alone is not enough when a total is published beside its parts: a RegSO
with one hidden DeSO gives that DeSO away as RegSO minus the other DeSO. :func:`secondary_suppress`
adds complementary (secondary) suppressions over every published relation "total = sum of
parts" (Hundepool et al., *Handbook on Statistical Disclosure Control*, ESSnet SDC 2010,
ch. 4-5). :func:`grannskap.report.data.area_shares` applies both rules to the DeSO → RegSO →
stadsdel → kommun hierarchy that the report, ``areas.gpkg`` and the dashboard publish. (SCB's
population statistics from reference year 2025 on are instead perturbed with the Cell Key
Method, so that cells need not be suppressed ("prickas") and parts no longer add up exactly
to totals; SCB, "Frågor och svar om röjandeskydd i befolkningsstatistiken",
https://www.scb.se/FAQ-CKM. Our derived counts are exact sums, so suppression it is.)
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from grannskap.errors import ConfigError

__all__ = [
    "SUPPRESSED",
    "DEFAULT_THRESHOLD",
    "default_threshold",
    "check_threshold",
    "is_small",
    "suppress_count",
    "suppress_share",
    "suppress_frame",
    "complementary_cells",
    "secondary_suppress",
    "round_published",
    "publishable_shares",
    "publishable_index_inputs",
    "publishable_count_frame",
    "INDEX_DECIMALS",
]

#: decimals of a published segregation index on its 0-1 scale (the report shows ×100 with one)
INDEX_DECIMALS = 3

SUPPRESSED = ".."
DEFAULT_THRESHOLD = 5


def check_threshold(threshold: int) -> int:
    """Validate a threshold (a whole number ≥ 1)."""
    if isinstance(threshold, bool) or not isinstance(threshold, int | np.integer) or threshold < 1:
        raise ConfigError(
            f"small-count threshold was {threshold!r} but is expected to be a whole number >= 1"
        )
    return int(threshold)


def default_threshold() -> int:
    """The threshold from ``GRANNSKAP_MIN_COUNT`` if set, else :data:`DEFAULT_THRESHOLD`."""
    text = os.environ.get("GRANNSKAP_MIN_COUNT")
    if text is None or text.strip() == "":
        return DEFAULT_THRESHOLD
    try:
        value = int(text)
    except ValueError:
        raise ConfigError(
            f"GRANNSKAP_MIN_COUNT was {text!r} but is expected to be a whole number >= 1"
        ) from None
    return check_threshold(value)


def is_small(count: float | None, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """True when a person count must not be shown (fewer than ``threshold``; 0 included).

    Missing counts are not "small" — they are missing and shown as such elsewhere.
    """
    if count is None or (isinstance(count, float) and math.isnan(count)):
        return False
    return float(count) < threshold


def suppress_count(count: float | None, threshold: int = DEFAULT_THRESHOLD) -> float | None:
    """The count, or ``None`` when it is too small to show."""
    return None if is_small(count, threshold) else count


def suppress_share(
    numerator: float | None, denominator: float | None, threshold: int = DEFAULT_THRESHOLD
) -> float | None:
    """``numerator / denominator`` (0–1), or ``None`` if the numerator, the denominator or the
    complement (denominator − numerator) is small, or a count is missing."""
    for c in (numerator, denominator):
        if c is None or (isinstance(c, float) and math.isnan(c)) or is_small(c, threshold):
            return None
    if float(denominator) == 0.0:  # type: ignore[arg-type]
        return None
    if is_small(float(denominator) - float(numerator), threshold):  # type: ignore[arg-type]
        return None
    return float(numerator) / float(denominator)  # type: ignore[arg-type]


def suppress_frame(
    frame: pd.DataFrame,
    numerator: str,
    denominator: str,
    share: str = "share",
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Add column ``share`` (0–1) and column ``suppressed`` (bool) to a copy of ``frame``.

    Rows whose numerator, denominator or complement (denominator − numerator) is below
    ``threshold`` get ``share = NaN`` and
    ``suppressed = True``; their count columns are blanked too, so that no later table can
    show them.
    """
    threshold = check_threshold(threshold)
    out = frame.copy()
    num = pd.to_numeric(out[numerator], errors="coerce")
    den = pd.to_numeric(out[denominator], errors="coerce")
    small = (num < threshold) | (den < threshold) | ((den - num) < threshold)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(den > 0, num / den, np.nan)
    out[share] = np.where(small, np.nan, value)
    out["suppressed"] = small.to_numpy()
    out[numerator] = num.where(~small)
    out[denominator] = den.where(~small)
    return out


# ---- secondary (complementary) suppression ----------------------------------------------------
def complementary_cells(
    values: np.ndarray,
    primary: np.ndarray,
    equations: Sequence[tuple[int, Sequence[int]]],
    codes: Sequence[str],
    threshold: int | None = None,
    candidate: np.ndarray | None = None,
) -> np.ndarray:
    """Secondary suppression over additive equations ``total = sum(children)``.

    Parameters
    ----------
    values
        ``(n_cells, k)`` array: the additive values of every cell (e.g. numerator, denominator,
        complement). Column 0 orders the complement candidates (smallest first).
    primary
        ``(n_cells,)`` bool: cells suppressed by the primary (small-count) rule.
    equations
        ``(total, children)`` index pairs, one per published additive group.
    codes
        Cell codes, the deterministic tie-break when values are equal.
    threshold
        If given, a published total also needs the suppressed children *together* to reach
        ``threshold`` in every value column (else the sum of the hidden cells is a small count
        itself); more children are suppressed until it does.
    candidate
        ``(n_cells,)`` bool: cells that may be chosen as complements (default all). Cells that
        are not candidates count as published (e.g. missing values, residual cells).

    Returns
    -------
    numpy.ndarray
        ``(n_cells,)`` int8: 0 shown, 1 primary, 2 secondary.

    Notes
    -----
    The rule of complementary suppression (Hundepool et al., *Handbook on Statistical
    Disclosure Control*, ESSnet SDC 2010, ch. 4-5; <https://sdctools.github.io/HandbookSDC/>):
    in an additive relation no cell may be the *only* suppressed one, or it equals the total
    minus the shown cells. For each equation with exactly one suppressed cell the smallest
    shown child is suppressed too (ties by code), or the total when no child is left; the
    equations are swept again until no sweep changes anything, which coordinates linked
    (hierarchical) tables the way the "backtracking" procedure of tau-ARGUS does (ESSnet on
    SDC, task 8). This is a heuristic: it guarantees that no equation has exactly one
    suppressed cell, not that no combination of several equations can narrow a hidden value
    down (that needs the linear-programming methods of the handbook).
    """
    vals = np.asarray(values, dtype=float)
    if vals.ndim == 1:
        vals = vals[:, None]
    n = vals.shape[0]
    status = np.where(np.asarray(primary, dtype=bool), 1, 0).astype(np.int8)
    if status.shape != (n,) or len(codes) != n:
        raise ConfigError(
            f"values have {n} rows but primary has shape {status.shape} and codes {len(codes)} "
            "entries; expected one entry per cell"
        )
    cand = np.ones(n, dtype=bool) if candidate is None else np.asarray(candidate, dtype=bool)
    order_key = np.where(np.isnan(vals[:, 0]), np.inf, vals[:, 0])
    eqs = [
        (int(t), np.asarray(sorted(ch, key=lambda i: (order_key[i], codes[i])), dtype=int))
        for t, ch in equations
    ]
    changed = True
    while changed:
        changed = False
        for total, children in eqs:
            hidden = children[status[children] > 0]
            n_hidden = len(hidden) + (status[total] > 0)
            need = n_hidden == 1
            if not need and threshold is not None and status[total] == 0 and len(hidden) >= 2:
                sums = np.nansum(vals[hidden], axis=0)
                need = bool((sums < threshold).any())
            if not need:
                continue
            shown = children[(status[children] == 0) & cand[children]]
            if len(shown):
                status[shown[0]] = 2
            elif status[total] == 0 and cand[total]:
                status[total] = 2
            else:
                continue  # nothing left to suppress in this equation
            changed = True
    return status


def secondary_suppress(
    frame: pd.DataFrame,
    value_cols: Sequence[str],
    group_cols: Sequence[str | tuple[str, str]],
    suppressed_col: str = "suppressed",
    code_col: str | None = None,
    threshold: int | None = None,
) -> pd.DataFrame:
    """Primary and secondary suppression of a hierarchy of published totals.

    Parameters
    ----------
    frame
        One row per finest cell (e.g. DeSO) with its codes at every level (``regso``,
        ``kommun``, ...), the additive ``value_cols`` and, optionally, a primary flag in
        ``suppressed_col`` (else the primary rule is "any value below ``threshold``").
    value_cols
        Additive columns; the first orders complement candidates (smallest first).
    group_cols
        The published levels above the finest one. A name ``p`` means "the units of the
        previous level sum to the units of ``p``" (the first one's children are the finest
        cells); a pair ``(child, parent)`` states an edge explicitly, so that one level can
        have several parents (RegSO → stadsdel and RegSO → kommun).
    suppressed_col
        Primary flag of the finest cells, if present in ``frame``.
    code_col
        Column with the finest cell's code (default: the index, level name ``"cell"``).
    threshold
        Primary rule for totals (any value below it) and the minimum the suppressed children of
        a published total must sum to (see :func:`complementary_cells`). ``None``: totals are
        never primarily suppressed and the sum rule is off.

    Returns
    -------
    pandas.DataFrame
        One row per cell at every level: ``level, code, <value_cols>, suppressed,
        suppression`` (``"primary"``, ``"secondary"`` or ``None``). Values are the true
        sums; blanking them is the caller's job. Rows with a missing code at a level form a
        residual unit of their parent there (e.g. the RegSO in no stadsdel); it takes part in
        the relations like any other cell but is not returned.

    Raises
    ------
    ConfigError
        A column is missing, or a child unit lies in more than one parent (not additive).
    """
    thr = None if threshold is None else check_threshold(threshold)
    base = frame.copy()
    finest = code_col or "cell"
    if code_col is None:
        base[finest] = base.index.astype(str)
    edges: list[tuple[str, str]] = []
    prev = finest
    for g in group_cols:
        child, parent = (prev, g) if isinstance(g, str) else g
        edges.append((child, parent))
        prev = parent
    levels = [finest] + [p for _, p in edges if p != finest]
    levels = list(dict.fromkeys(levels))
    missing = [c for c in (*value_cols, *levels) if c not in base.columns]
    if missing:
        raise ConfigError(
            f"secondary_suppress: columns {missing} are not in the frame; expected "
            f"{[*value_cols, *levels]}"
        )
    # Rows of a parent without a code at a child level (a RegSO in no stadsdel) form a residual
    # unit: parent minus the published children, so derivable whether printed or not. It takes
    # part as an ordinary, unprinted cell ("<parent>:rest") so that hiding it forces a partner.
    pseudo: set[tuple[str, str]] = set()
    for child, parent in edges:
        if child == finest:
            continue
        gap = base[child].isna() & base[parent].notna()
        if gap.any():
            base[child] = base[child].astype(object)
            fill = base.loc[gap, parent].astype(str) + ":rest"
            base.loc[gap, child] = fill
            pseudo.update((child, c) for c in fill.unique())
    vals = base[list(value_cols)].apply(pd.to_numeric, errors="coerce")
    if suppressed_col in base.columns:
        fine_primary = base[suppressed_col].fillna(False).astype(bool).to_numpy()
    elif thr is not None:
        fine_primary = (vals < thr).any(axis=1).to_numpy()
    else:
        raise ConfigError(
            f"secondary_suppress: no column {suppressed_col!r} and no threshold; expected one"
        )
    codes: list[str] = []
    lev: list[str] = []
    rows: list[np.ndarray] = []
    prim: list[bool] = []
    cand: list[bool] = []
    index: dict[tuple[str, str], int] = {}

    def add(level: str, code: str, v: np.ndarray, p: bool, c: bool = True) -> int:
        index[(level, code)] = len(codes)
        codes.append(code)
        lev.append(level)
        rows.append(v)
        prim.append(p)
        cand.append(c)
        return index[(level, code)]

    if base[finest].isna().any():
        raise ConfigError(
            f"secondary_suppress: {finest!r} has missing codes; expected a code per row"
        )
    fine_codes = base[finest].astype(str).to_numpy()
    if len(set(fine_codes)) != len(fine_codes):
        raise ConfigError(f"secondary_suppress: codes in {finest!r} are not unique")
    for code, v, p in zip(fine_codes, vals.to_numpy(dtype=float), fine_primary, strict=True):
        add(finest, code, v, bool(p), not np.isnan(v).all())
    for level in levels[1:]:
        key = base[level]
        sums = vals.groupby(key, dropna=True).sum(min_count=1)
        for code, v in zip(sums.index.astype(str), sums.to_numpy(dtype=float), strict=True):
            small = thr is not None and bool((v < thr).any())
            add(level, code, v, small, not np.isnan(v).all())
    equations: list[tuple[int, list[int]]] = []
    for child, parent in edges:
        pairs = base[[child, parent]].dropna().drop_duplicates()
        dup = pairs[pairs.duplicated(subset=[child], keep=False)]
        if not dup.empty:
            c0 = dup.iloc[0][child]
            raise ConfigError(
                f"secondary_suppress: {child} {c0!r} lies in several {parent} units "
                f"{sorted(dup[dup[child] == c0][parent].astype(str))}; expected each {child} "
                f"in one {parent}"
            )
        kids_of: dict[str, list[int]] = {}
        for c, pc in zip(pairs[child].astype(str), pairs[parent].astype(str), strict=True):
            kids_of.setdefault(pc, []).append(index[(child, c)])
        equations.extend((index[(parent, pc)], kids) for pc, kids in sorted(kids_of.items()))
    status = complementary_cells(
        np.vstack(rows) if rows else np.empty((0, len(value_cols))),
        np.asarray(prim, dtype=bool),
        equations,
        codes,
        thr,
        np.asarray(cand, dtype=bool),
    )
    out = pd.DataFrame({"level": lev, "code": codes})
    out[list(value_cols)] = np.vstack(rows) if rows else np.empty((0, len(value_cols)))
    out["suppressed"] = status > 0
    out["suppression"] = pd.Series(
        np.array([None, "primary", "secondary"], dtype=object)[status], dtype=object
    )
    printed = [(lv, c) not in pseudo for lv, c in zip(lev, codes, strict=True)]
    return out[printed].reset_index(drop=True)


# ---- what a CLI publishes (issue 18: classify, segregation) ---------------------------------
def round_published(values: Any, decimals: int) -> Any:
    """``values`` rounded to ``decimals`` (what is shown is what is published).

    A share published at full precision gives its numerator and denominator away by rational
    reconstruction (0.6507592190889371 % is 3/461); rounded to the shown decimal it is
    consistent with many fractions. Works on scalars, arrays and pandas objects; ``None`` and
    NaN stay missing.
    """
    if values is None:
        return None
    if isinstance(values, pd.Series | pd.DataFrame):
        return values.round(decimals)
    if isinstance(values, np.ndarray):
        return np.round(values.astype(float), decimals)
    v = float(values)
    return v if math.isnan(v) else round(v, decimals)


def publishable_shares(
    frame: pd.DataFrame,
    keys: Sequence[str],
    threshold: int,
    *,
    groups: Sequence[str] = (),
    code_col: str = "area_code",
    by: str | None = "year",
    decimals: int = 1,
    derived: Sequence[str] = (),
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Primary and secondary suppression, and rounding, of per-area shares before they are
    published (e.g. by ``grannskap classify``).

    Parameters
    ----------
    frame
        One row per area (and ``by`` value) with, per key ``k``, the share ``k`` (any scale)
        and its person counts ``k_num``, ``k_den``; and the ``groups`` columns.
    keys
        The share columns.
    threshold
        Small-count threshold (:func:`check_threshold`).
    groups
        Published totals above the area level, as for :func:`secondary_suppress` (e.g.
        ``["regso", "kommun", "nation"]``): a hidden area must not be the only hidden part
        of any of them.
    decimals
        Published decimals of the shares.
    derived
        Columns computed from the shares (an index, a z-score): blanked in every row with a
        hidden share, since they would give it back.

    Returns
    -------
    (pandas.DataFrame, dict)
        A copy with hidden shares NaN, the ``k_num``/``k_den`` columns dropped, shares
        rounded; and the numbers of primary and secondary suppressions.
    """
    thr = check_threshold(threshold)
    out = frame.copy()
    out["_cell"] = np.arange(len(out)).astype(str)
    hidden_any = np.zeros(len(out), dtype=bool)
    counts = {"primary": 0, "secondary": 0}
    parts = [(None, out)] if by is None else list(out.groupby(by, sort=False))
    for k in keys:
        hide = np.zeros(len(out), dtype=bool)
        for _, sub in parts:
            num = pd.to_numeric(sub[f"{k}_num"], errors="coerce")
            den = pd.to_numeric(sub[f"{k}_den"], errors="coerce")
            cells = pd.DataFrame(
                {"_cell": sub["_cell"], "den": den, "num": num, "rest": den - num},
                index=sub.index,
            )
            for g in groups:
                cells[g] = sub[g].to_numpy()
            cells["suppressed"] = (cells[["den", "num", "rest"]] < thr).any(axis=1)
            res = secondary_suppress(
                cells, ["den", "num", "rest"], list(groups), code_col="_cell", threshold=thr
            )
            fine = res[res["level"] == "_cell"].set_index("code")
            status = fine["suppression"].reindex(sub["_cell"])
            counts["primary"] += int((status == "primary").sum())
            counts["secondary"] += int((status == "secondary").sum())
            hide[sub["_cell"].astype(int).to_numpy()] = status.notna().to_numpy()
        out[k] = round_published(pd.to_numeric(out[k], errors="coerce").where(~hide), decimals)
        hidden_any |= hide
    for c in derived:
        if c in out.columns:
            out[c] = pd.to_numeric(out[c], errors="coerce").where(~hidden_any)
    drop = [c for k in keys for c in (f"{k}_num", f"{k}_den") if c in out.columns]
    return out.drop(columns=[*drop, "_cell"]), counts


def publishable_index_inputs(
    counts: pd.DataFrame | np.ndarray,
    threshold: int,
    hidden: Sequence[bool] | np.ndarray | None = None,
    base: int | None = None,
) -> np.ndarray:
    """Group counts per area to compute a *published* index (D, isolation, H, ...) from.

    An index over all areas at full precision, together with the published populations and
    shares of the other areas, is an equation in the hidden areas' counts: with two hidden
    DeSO and a few indices both were recovered exactly (issue 18, finding 3). Here every
    count of a hidden area (all its groups, since the area's total may be published) is
    rounded to a multiple of ``base`` (default: ``threshold``, at least 5), so an index
    computed from these counts can at best give back the rounded values.

    Parameters
    ----------
    counts
        ``(areas, groups)`` person counts.
    threshold
        Small-count threshold.
    hidden
        Areas whose share or population is not published (primary or secondary
        suppression). Areas under the primary rule (any group count, or the total, below
        ``threshold``) are always included.
    base
        Rounding base for the hidden areas' counts.

    Returns
    -------
    numpy.ndarray
        The counts to compute the published index from (float).
    """
    thr = check_threshold(threshold)
    arr = np.asarray(counts, dtype=float).copy()
    if arr.ndim != 2:
        raise ConfigError(f"counts have shape {arr.shape}; expected (areas, groups)")
    mask = (arr < thr).any(axis=1) | (arr.sum(axis=1) < thr)
    if hidden is not None:
        given = np.asarray(hidden, dtype=bool)
        if given.shape != (arr.shape[0],):
            raise ConfigError(
                f"hidden has shape {given.shape}; expected one flag per area ({arr.shape[0]})"
            )
        mask |= given
    b = float(base if base is not None else max(thr, 5))
    # round half up (not to even): the same count always gives the same published value
    arr[mask] = np.floor(arr[mask] / b + 0.5) * b
    return arr


def publishable_count_frame(
    frame: pd.DataFrame,
    threshold: int | None = None,
    hidden: Sequence[bool] | np.ndarray | None = None,
) -> pd.DataFrame:
    """:func:`publishable_index_inputs` for an ``(areas × groups)`` frame: same index and
    columns, whole numbers (``int64``); ``threshold`` defaults to :func:`default_threshold`."""
    thr = default_threshold() if threshold is None else threshold
    arr = publishable_index_inputs(frame.to_numpy(dtype=float), thr, hidden=hidden)
    return pd.DataFrame(np.rint(arr).astype("int64"), index=frame.index, columns=frame.columns)
