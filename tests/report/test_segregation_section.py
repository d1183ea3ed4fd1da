"""The segregation section's numbers: Borås' dissimilarity index D (foreign vs Swedish background
over DeSO, SCB 000005FE 2022) against D computed directly from SCB's export file with the
Duncan & Duncan (1955) formula, and against PySAL's segregation.Dissim when installed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from grannskap.report.build import build_context
from grannskap.report.sections import build_one


def _boras_from_xlsx(shared_data: Path) -> np.ndarray:
    import openpyxl

    (f,) = sorted((shared_data / "scb_deso_2022").glob("000005FE_*.xlsx"))
    rows = []
    for row in openpyxl.load_workbook(f, read_only=True).active.iter_rows(values_only=True):
        if isinstance(row[0], str) and row[0].startswith("1490") and len(row[0]) == 9:
            rows.append((float(row[2]), float(row[1])))  # utländsk, svensk
    return np.array(rows)


@pytest.fixture(scope="module")
def section(demo_con):  # type: ignore[no-untyped-def]
    ctx = build_context(demo_con, "1490", "sv")
    result = build_one(ctx, "segregation")
    assert result.available, result.reason
    return result


def test_boras_d_matches_the_scb_file(section, shared_data: Path) -> None:  # type: ignore[no-untyped-def]
    c = _boras_from_xlsx(shared_data)
    x, y = c[:, 0], c[:, 1]
    d_ref = 0.5 * np.abs(x / x.sum() - y / y.sum()).sum()
    row = section.tables[0].frame.set_index("kommun").loc["1490"]
    assert row["dissimilarity"] == pytest.approx(d_ref, rel=1e-12)
    assert row["n_deso"] == len(c)


def test_interval_contains_estimate_and_random_d_is_small(section) -> None:  # type: ignore[no-untyped-def]
    t = section.tables[0].frame
    assert t["dissimilarity_lo"].notna().all()
    # the intervals are for the bias-corrected values printed beside them (interval policy,
    # grannskap.measures.segregation.interval)
    for name in ("dissimilarity", "theil_h"):
        assert (t[f"{name}_lo"] <= t[f"{name}_bc"]).all(), name
        assert (t[f"{name}_bc"] <= t[f"{name}_hi"]).all(), name
    # small-area bias is upwards: the corrected D is at most the plain one (+ noise)
    assert (t["dissimilarity_bc"] <= t["dissimilarity"] + 1e-3).all()
    # D under random allocation is a few points at most for DeSO of ~1,000-2,500 persons
    assert (t["dissimilarity_random"] < 0.1).all() and (t["dissimilarity_random"] > 0).all()


def test_boras_d_matches_pysal(section, shared_data: Path) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("segregation")
    import pandas as pd
    from segregation.singlegroup import Dissim

    c = _boras_from_xlsx(shared_data)
    df = pd.DataFrame({"foreign": c[:, 0], "total": c.sum(axis=1)})
    peer = Dissim(df, group_pop_var="foreign", total_pop_var="total").statistic
    row = section.tables[0].frame.set_index("kommun").loc["1490"]
    assert row["dissimilarity"] == pytest.approx(peer, rel=1e-9)


def test_counts_come_in_a_fixed_order_so_intervals_are_reproducible(demo_con) -> None:  # type: ignore[no-untyped-def]
    """The seeded bootstrap draws per row: rows in DuckDB's (parallel, varying) scan order gave
    a different interval on every run (seen in CI: Sweden's lower bound moved above D)."""
    from grannskap.report.sections.segregation import background_counts

    ctx = build_context(demo_con, "1490", "sv")
    df = background_counts(ctx)
    assert df["deso"].is_monotonic_increasing and df["deso"].is_unique
    a = build_one(ctx, "segregation").tables[0].frame
    b = build_one(ctx, "segregation").tables[0].frame
    assert a.equals(b)
