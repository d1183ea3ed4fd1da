"""Key indicators computed from the demo database against values read independently from SCB's
own export files in ../shared/data/scb_deso_2022 (openpyxl, summing the DeSO rows of Borås)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grannskap.report import data


def _sum_xlsx(path: Path, prefix: str, columns: list[int]) -> list[float]:
    import openpyxl

    ws = openpyxl.load_workbook(path, read_only=True).active
    sums = [0.0] * len(columns)
    for row in ws.iter_rows(values_only=True):
        code = row[0]
        if isinstance(code, str) and code.startswith(prefix) and len(code) == 9:
            for i, c in enumerate(columns):
                sums[i] += float(row[c])
    return sums


def test_boras_foreign_background_share_matches_scb_file(demo_con, shared_data: Path) -> None:  # type: ignore[no-untyped-def]
    # 000005FE columns: code, svensk bakgrund, utländsk bakgrund, totalt (2022)
    (f,) = sorted((shared_data / "scb_deso_2022").glob("000005FE_*.xlsx"))
    swedish, foreign, total = _sum_xlsx(f, "1490", [1, 2, 3])
    counts = data.deso_counts(demo_con, 2022)
    table = data.key_indicator_table(counts, "1490", [], 5, "sv").set_index("indicator")
    assert table.loc["utlandsk_bakgrund", "kommun"] == pytest.approx(
        100 * foreign / total, rel=1e-12
    )
    assert total == pytest.approx(swedish + foreign, abs=50)  # SCB's perturbation is small


def test_sweden_unemployment_share_matches_scb_file(demo_con, shared_data: Path) -> None:  # type: ignore[no-untyped-def]
    import openpyxl

    (f,) = sorted((shared_data / "scb_deso_2022").glob("000007A8_*.xlsx"))
    ws = openpyxl.load_workbook(f, read_only=True).active
    header = None
    unemployed = labour = 0.0
    for row in ws.iter_rows(values_only=True):
        if header is None and any(isinstance(v, str) and "arbetslösa" in v for v in row if v):
            header = [str(v) if v else "" for v in row]
            i_u = next(i for i, v in enumerate(header) if v.startswith("antal arbetslösa"))
            i_l = next(
                i for i, v in enumerate(header) if "arbetskraften" in v and "utanför" not in v
            )
            continue
        code = row[0]
        if header and isinstance(code, str) and len(code) == 9:
            unemployed += float(row[i_u])
            labour += float(row[i_l])
    assert header is not None, "layout of 000007A8 changed"
    counts = data.deso_counts(demo_con, 2022)
    table = data.key_indicator_table(counts, "1490", [], 5, "sv").set_index("indicator")
    assert table.loc["arbetslosa", "riket"] == pytest.approx(100 * unemployed / labour, rel=1e-12)


def test_comparison_group_is_the_ten_most_alike(demo_con) -> None:  # type: ignore[no-untyped-def]
    # the choice itself is tested in tests/measures/test_peers.py; here: the report uses it
    from grannskap.measures.peers import choose_peers

    comp = data.comparable_kommuner(demo_con, "1490", 2022)
    assert len(comp) == 10 and "1490" not in set(comp["kommun"])
    expected = choose_peers(data.peer_features(demo_con, 2022), "1490", 10).codes
    assert list(comp["kommun"]) == expected


def test_regso_table_covers_every_boras_regso_and_suppresses(demo_con) -> None:  # type: ignore[no-untyped-def]
    counts = data.deso_counts(demo_con, 2022)
    n = demo_con.execute(
        "SELECT count(*) FROM area WHERE system='regso2020' AND kommun_code='1490'"
    ).fetchone()[0]
    rg = data.regso_table(demo_con, counts, "1490", 5)
    assert len(rg) == n == 47
    # with an absurd threshold everything is suppressed, nothing leaks
    rg_all = data.regso_table(demo_con, counts, "1490", 10**9)
    assert rg_all["utlandsk_bakgrund"].isna().all() and rg_all["population"].isna().all()


def test_unknown_kommun_is_a_clear_error(demo_con) -> None:  # type: ignore[no-untyped-def]
    from grannskap.errors import DataNotFoundError

    with pytest.raises(DataNotFoundError, match="'9999'"):
        data.check_kommun(demo_con, "9999")
