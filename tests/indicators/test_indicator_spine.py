"""The indicator spine: one definition, several sources. The 2022 values of the RegSO series
(SCB TAB6572 / TAB6258, PxWeb CSV) must equal the 2022 DeSO exports (000005FB / 000006OC,
xlsx) summed through SCB's key — the check recorded in ../shared/data/README.md — and the
readers must sum DeSO and RegSO to the same kommun and stadsdel totals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from grannskap.errors import ConfigError
from grannskap.indicators import (
    GROUP_SETS,
    INDICATORS,
    group_counts,
    group_set,
    indicator,
    indicator_values,
)
from grannskap.store import connect

FILES = (
    "scb_koppling/koppling_deso2018_regso2020.csv",
    "scb_regso_2020_2023/regso2020_folkmangd_fodelseregion_2020_2023.csv",
    "scb_regso_2020_2023/regso2020_lagenheter_upplatelseform_2020_2023.csv",
    "scb_deso_2022/000005FB_20240813-152341.xlsx",
    "scb_deso_2022/000006OC_20240813-153146.xlsx",
    "boras_1490_regso_deso_overview.csv",
)


@pytest.fixture(scope="module")
def con(shared_data: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from grannskap.ingest.importer import import_file

    path = tmp_path_factory.mktemp("spine") / "s.duckdb"
    c = connect(path)
    for name in FILES:
        import_file(c, shared_data / name)
    c.close()
    ro = connect(path, read_only=True)
    yield ro
    ro.close()


def test_catalogue_is_consistent() -> None:
    ids = [i.id for i in INDICATORS]
    assert len(ids) == len(set(ids))
    assert {g.name for g in GROUP_SETS} == {"background", "birth_region", "tenure"}
    for gs in GROUP_SETS:
        for b in gs.bindings:
            assert [n for n, _ in b.parts] == gs.group_names, (gs.name, b.table)
    assert "fasta priser" in indicator("loneinkomst_medel").notes("sv")
    with pytest.raises(ConfigError, match="birth_region"):
        group_set("born")


@pytest.mark.parametrize("name", ["birth_region", "tenure"])
def test_regso_series_2022_equals_deso_export_summed(con, name: str) -> None:  # type: ignore[no-untyped-def]
    gs = group_set(name)
    regso = group_counts(con, gs, "regso", [2022])
    assert set(regso["source"]) == {"TAB6572" if name == "birth_region" else "TAB6258"}
    # the DeSO export alone, summed to RegSO through the key's parent links
    deso_only = [b for b in gs.bindings if b.area_system == "deso2018"]
    from grannskap.indicators.read import _read

    summed = _read(con, deso_only, "regso", [2022], None, name).rename(columns={"code": "area"})
    a = regso.set_index("area")[gs.group_names].sort_index()
    b = summed.set_index("area")[gs.group_names].sort_index()
    assert len(a) == 3363 and a.index.equals(b.index)
    np.testing.assert_array_equal(a.to_numpy(), b.to_numpy())


def test_levels_sum_to_the_same_totals(con) -> None:  # type: ignore[no-untyped-def]
    gs = group_set("birth_region")
    k = group_counts(con, gs, "kommun", [2020, 2023], ["1490"]).set_index("year")
    # Borås Stad's published utrikes födda 2020 / 2023 (../shared/data/README.md)
    assert k.loc[2020, "foreign_born"] == 26895 and k.loc[2023, "foreign_born"] == 28150
    deso = group_counts(con, gs, "deso", [2022], ["1490"])
    assert len(deso) == 77 and set(deso["source"]) == {"000005FB"}
    kom = group_counts(con, gs, "kommun", [2022], ["1490"])
    assert deso["foreign_born"].sum() == kom["foreign_born"].iloc[0] == 28117
    sd = group_counts(con, gs, "stadsdel", [2023], ["1490"])
    assert sorted(sd["area"]) == ["hassleholmen", "hulta", "norrby", "sjobo"]
    share = indicator_values(con, indicator("utrikes_fodda"), "kommun", [2023], ["1490"])
    assert share["value"].iloc[0] == pytest.approx(100 * 28150 / 114592)
    riket = indicator_values(con, indicator("folkmangd"), "riket", [2023])
    assert riket["value"].iloc[0] == 10551707  # Sweden's official population 31 Dec 2023
