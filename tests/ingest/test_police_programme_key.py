"""Police lists, the SCB key file, the RegSO overview and programme files.

References: the Police's list files in ``../shared/data/polisen_utsatta_omraden/`` (59 areas in
December 2023: 27 utsatt, 15 riskområde, 17 särskilt utsatt; 65 in December 2025: 46 + 19), the
SCB key DeSO 2018 -> RegSO 2020 (5,984 -> 3,363) and the seed decision's funding table.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from grannskap.errors import InputError, ValidationError
from grannskap.evaluation.ledger import read_funding, reconcile
from grannskap.ingest.importer import import_file
from grannskap.ingest.programme import parse_amount, parse_programme
from grannskap.store import connect


@pytest.fixture()
def con():
    return connect(":memory:")


def test_key_file_creates_three_levels_and_the_crosswalk(con, shared_data: Path) -> None:
    import_file(con, shared_data / "scb_koppling" / "koppling_deso2018_regso2020.csv")
    counts = dict(con.execute("SELECT system, count(*) FROM area GROUP BY 1").fetchall())
    assert counts["deso2018"] == 5984 and counts["regso2020"] == 3363 and counts["kommun"] == 290
    assert con.execute(
        "SELECT to_code FROM crosswalk WHERE from_code = '1490C1300'"
    ).fetchone() == ("1490R025",)
    assert con.execute("SELECT name FROM area WHERE code = '1490R025'").fetchone() == ("Norrby",)


def test_key_file_problems_name_row_and_column(con, tmp_path: Path) -> None:
    f = tmp_path / "key.csv"
    f.write_text(
        "Kommun,Kommunnamn,DeSO_2018,RegSO_2020,RegSOkod_2020\n1490,Borås,1490C1010,X,1490R001\n"
        "1490,Borås,14XXC1010,X,1490R001\n1490,Borås,1490C1010,X,1490R001\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as err:
        import_file(con, f)
    text = "\n".join(err.value.lines())
    assert "row 3, column DeSO_2018: malformed code" in text
    assert "row 4, column DeSO_2018: duplicate DeSO (first on row 2)" in text


def test_police_2023_polygons_and_2025_attributes(con, shared_data: Path) -> None:
    d = shared_data / "polisen_utsatta_omraden"
    import_file(con, shared_data / "scb_koppling" / "koppling_deso2018_regso2020.csv")
    import_file(con, d / "uso_2023_epsg3006.geojson")
    import_file(con, d / "uso_2025_attributes_all65.csv")
    n = dict(con.execute("SELECT year, count(*) FROM police_classification GROUP BY 1").fetchall())
    assert n == {2023: 59, 2025: 65}
    cats = dict(
        con.execute(
            "SELECT category, count(*) FROM police_classification WHERE year = 2023 GROUP BY 1"
        ).fetchall()
    )
    assert cats == {"utsatt": 27, "riskomrade": 15, "sarskilt_utsatt": 17}
    boras = con.execute(
        "SELECT area_code, name, year, category FROM police_classification WHERE kommun_code = '1490' "
        "ORDER BY year, area_code"
    ).fetchall()
    assert boras == [
        ("P13", "Norrby", 2023, "sarskilt_utsatt"),
        ("P14", "Hässleholmen/Hulta", 2023, "sarskilt_utsatt"),
        ("P13", "Norrby", 2025, "sarskilt_utsatt"),
        ("P14", "Hässleholmen", 2025, "sarskilt_utsatt"),
    ]
    km2 = con.execute(
        "SELECT area_km2 FROM police_area_geometry WHERE area_code = 'P13' AND year = 2023"
    ).fetchone()[0]
    assert km2 == pytest.approx(0.257, abs=0.001)  # the README: Norrby 0.257 km²


def test_police_shapefile_reads_like_the_geojson(con, shared_data: Path) -> None:
    import_file(con, shared_data / "polisen_utsatta_omraden" / "uso_2023.shp")
    assert (
        con.execute("SELECT count(*) FROM police_classification WHERE year = 2023").fetchone()[0]
        == 59
    )


def test_police_summary_links_names_to_polygon_codes(con, shared_data: Path) -> None:
    d = shared_data / "polisen_utsatta_omraden"
    import_file(con, shared_data / "scb_koppling" / "koppling_deso2018_regso2020.csv")
    import_file(con, d / "uso_2023_boras_only_epsg3006.geojson")
    import_file(con, d / "police_lists_national_counts_and_boras.csv")
    rows = con.execute(
        "SELECT year, area_code, category FROM police_classification ORDER BY year, area_code"
    ).fetchall()
    assert (2015, "P14", "utsatt") in rows and (2017, "P13", "sarskilt_utsatt") in rows
    assert not any(r[0] == 2015 and r[1] == "P13" for r in rows)  # Norrby not listed in 2015
    counts = con.execute(
        "SELECT year, total, sarskilt_utsatt FROM police_list_count ORDER BY year"
    ).fetchall()
    assert counts[0] == (2015, 53, 15) and counts[-1] == (2025, 65, 19)


def test_geojson_in_wrong_crs_is_rejected(con, tmp_path: Path) -> None:
    f = tmp_path / "wgs84.geojson"
    f.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"NAMN": "X", "KATEGORI": "Utsatt område", "ORT": "Borås"},
                        "geometry": {
                            "type": "Polygon",
                            "coordinates": [
                                [[12.9, 57.7], [12.95, 57.7], [12.95, 57.75], [12.9, 57.7]]
                            ],
                        },
                    }
                ],
            }
        )
    )
    with pytest.raises(
        ValidationError, match="outside SWEREF 99 TM .looks like longitude/latitude"
    ):
        import_file(con, f)
    g = tmp_path / "crs.geojson"
    g.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "crs": {"type": "name", "properties": {"name": "EPSG:4326"}},
                "features": [],
            }
        )
    )
    with pytest.raises(InputError, match="wrong coordinate reference system"):
        import_file(con, g)


def test_overview_imports_official_types_and_focus_areas(con, shared_data: Path) -> None:
    import_file(con, shared_data / "boras_1490_regso_deso_overview.csv")
    types = dict(
        con.execute(
            "SELECT value, count(*) FROM observation WHERE indicator_id = 'scb.omradestyp' "
            "AND year = 2022 GROUP BY 1"
        ).fetchall()
    )
    assert types == {1.0: 3, 2.0: 4, 3.0: 9, 4.0: 30, 5.0: 1}  # counted in the file: 47 RegSO
    focus = con.execute(
        "SELECT to_code, count(*) FROM crosswalk WHERE to_system = 'stadsdel' GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert focus == [("hassleholmen", 2), ("hulta", 2), ("norrby", 1), ("sjobo", 3)]


def test_amounts_as_printed() -> None:
    assert parse_amount("4 606 150") == Decimal(4606150)
    assert parse_amount("34,8 milj") == Decimal(34_800_000)
    assert parse_amount("34,8milj.") == Decimal(34_800_000)
    assert parse_amount(27450) == Decimal(27450)
    with pytest.raises(ValueError):
        parse_amount("trettio")


def test_seed_funding_table_reconciles_without_hiding_one_krona(con) -> None:
    """Seed: per-year and per-målområde columns both sum to 30 153 200 kr, stated total 30 153 199 kr."""
    from grannskap.demo import demo_files

    import_file(con, [p for p in demo_files() if p.name == "programme.yaml"][0])
    rec = reconcile(read_funding(con), "shb")
    assert rec.sum_per_year == rec.sum_per_category == Decimal(30_153_200)
    assert rec.stated_total_year == rec.stated_total_category == Decimal(30_153_199)
    assert not rec.balanced
    assert rec.unspent == Decimal(34_800_000 - 30_153_199)
    assert any("skillnad 1\u00a0kr" in f for f in rec.findings)


def test_programme_problems_are_collected(tmp_path: Path) -> None:
    text = """
programme: {id: p, name: P, kommun: "14x0"}
malomraden: [{id: M1, name_sv: A}]
interventions:
  - {id: i1, name: I, type: magic, malomrade: M9, start_year: 2022, end_year: 2020}
funding:
  - per_year: {rows: [{year: "tjugo", amount: "12 kr"}, {year: 2020, amount: "mycket"}]}
"""
    with pytest.raises(ValidationError) as err:
        parse_programme(text.encode(), "p.yaml")
    text_out = "\n".join(err.value.lines())
    for needle in (
        "not a kommun code",
        "unknown intervention type",
        "unknown målområde",
        "ends before it starts",
        "not a year",
        "not an amount",
    ):
        assert needle in text_out
