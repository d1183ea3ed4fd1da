"""An independent, plain-pandas computation of the register indicators (for tests only).

Written from the definitions in :mod:`grannskap.register.indicators` without using any of its
code: the median from sorted values, counts with ``groupby``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def exact_median(values: np.ndarray) -> float:
    """Mean of the two middle order statistics, computed as ``0.5*lo + 0.5*hi``."""
    s = np.sort(values[~np.isnan(values)])
    n = len(s)
    lo, hi = s[(n - 1) // 2], s[n // 2]
    return 0.5 * lo + 0.5 * hi


def reference_counts(
    frame: pd.DataFrame, key: str = "deso"
) -> tuple[pd.DataFrame, dict[int, float]]:
    """Counts per (year, key) with the same column names as the engines produce."""
    medians = {
        int(y): exact_median(g["disp_income"].to_numpy(dtype=float))
        for y, g in frame.groupby("year")
    }
    f = frame.copy()
    thr = f["year"].map({y: 0.6 * m for y, m in medians.items()}).astype(float)
    age = f["age"].astype(float)
    working = (age >= 20) & (age <= 64)
    inc = f["disp_income"].astype(float)
    cols = {
        "pop": pd.Series(True, index=f.index),
        "pop|kon=K": f["sex"] == "K",
        "pop|kon=M": f["sex"] == "M",
        "pop|alder=0-5": (age >= 0) & (age <= 5),
        "pop|alder=6-15": (age >= 6) & (age <= 15),
        "pop|alder=16-19": (age >= 16) & (age <= 19),
        "pop|alder=20-64": working,
        "pop|alder=65-79": (age >= 65) & (age <= 79),
        "pop|alder=80-": (age >= 80) & (age <= 120),
        "pop|bakgrund=swedish": f["background"] == "swedish",
        "pop|bakgrund=foreign": f["background"] == "foreign",
        "v1_num": inc < thr,
        "v1_den": inc.notna(),
        "v2_num": working & (f["education"] == "forgymnasial"),
        "v2_den": working & f["education"].isin(["forgymnasial", "gymnasial", "eftergymnasial"]),
        "v3_num": working
        & (
            (f["assistance_months"].astype(float) >= 10)
            | (f["unemployment_days"].astype(float) > 180)
        ),
        "v3_den": working,
        "emp_num": working & (f["employment"] == "employed"),
    }
    flags = pd.DataFrame({k: v.fillna(False).astype("int64") for k, v in cols.items()})
    flags["year"] = f["year"].astype("int64")
    flags[key] = f[key]
    out = flags.groupby(["year", key], dropna=False, sort=True).sum().reset_index()
    return out, medians
