"""Trends appear when a second year is in the database. The demo has only 2022, so this test adds
a 2021 copy of the real 2022 DeSO rows (a SYNTHETIC modification: the number of unemployed is
doubled in 2021) and checks that the report's trend table and charts follow exactly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grannskap.report.build import build_context
from grannskap.report.sections import build_one

IDS = (
    "scb.000005FE",
    "scb.000005MO",
    "scb.000006OC",
    "scb.000006TA.antal_personer_totalt",
    "scb.000006TA.lag_ekonomisk_standard_procent",
    "scb.000007A8.antal_sysselsatta",
    "scb.000007A8.antal_totalt",
    "scb.000007A8.antal_sysselsatta_och_arbetslosa_arbetskraften",
)


@pytest.fixture(scope="module")
def two_year_con(demo_db: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from grannskap.store import connect

    path = tmp_path_factory.mktemp("trend") / "two_years.duckdb"
    shutil.copy(demo_db, path)
    con = connect(path)
    placeholders = ", ".join("?" for _ in IDS)
    con.execute(
        "INSERT INTO observation SELECT indicator_id, area_system, area_code, 2021, breakdown, value, numerator, "
        f"denominator, status, import_id FROM observation WHERE year = 2022 AND area_system = 'deso2018' "
        f"AND indicator_id IN ({placeholders})",
        list(IDS),
    )
    con.execute(
        "INSERT INTO observation SELECT indicator_id, area_system, area_code, 2021, breakdown, 2 * value, numerator, "
        "denominator, status, import_id FROM observation WHERE year = 2022 AND area_system = 'deso2018' "
        "AND indicator_id = 'scb.000007A8.antal_arbetslosa'"
    )
    yield con
    con.close()


def test_trend_table_and_charts(two_year_con) -> None:  # type: ignore[no-untyped-def]
    ctx = build_context(two_year_con, "1490", "sv")
    assert ctx.year == 2022
    section = build_one(ctx, "indicators")
    assert section.available and section.data["years"] == [2021, 2022]
    tables = {t.key: t for t in section.tables}
    tr = tables["trends"].frame.set_index(["indicator", "year"])
    for col in ("kommun", "comparison", "riket"):
        assert tr.loc[("arbetslosa", 2021), col] == pytest.approx(
            2 * tr.loc[("arbetslosa", 2022), col], rel=1e-12
        )
        assert tr.loc[("hyresratt", 2021), col] == pytest.approx(
            tr.loc[("hyresratt", 2022), col], rel=1e-12
        )
    keys = {f.key for f in section.figures}
    assert {"trend-arbetslosa", "trend-utlandsk_bakgrund"} <= keys
    from grannskap.report.render import render_section

    html = render_section(ctx, section)
    assert "Utveckling över tid" in html and "bara statistik för" not in html


def test_summary_reports_the_change(two_year_con) -> None:  # type: ignore[no-untyped-def]
    from grannskap.report.sections import build_sections

    ctx = build_context(two_year_con, "1490", "sv")
    sections = {s.name: s for s in build_sections(ctx, ("indicators", "summary"))}
    better = " ".join(sections["summary"].data["better"])
    # unemployment halved from the doubled 2021 value: an improvement, stated with both years
    assert "Arbetslösa, 16–64 år i Borås har gått från" in better and "(2021)" in better
